#pragma once
// A masked language model: the transformer encoder (layers/transformer.h) under the prediction head of Hugging
// Face's BertForMaskedLM and RobertaForMaskedLM: dense -> gelu -> LayerNorm -> a projection onto the vocabulary
// whose weight is the word-embedding matrix (tied, as in every released checkpoint) plus a bias per token.
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include "nertool/layers/transformer.h"

namespace nertool::models {

class MaskedLmHeadImpl : public torch::nn::Module {
 public:
  explicit MaskedLmHeadImpl(const layers::TransformerConfig& config);
  // hidden [..., H] -> logits [..., V]; `word_embeddings` [V, H] is the tied output weight.
  torch::Tensor forward(const torch::Tensor& hidden, const torch::Tensor& word_embeddings);

  torch::nn::Linear dense{nullptr};
  torch::nn::LayerNorm layer_norm{nullptr};
  torch::Tensor bias;  // [V]
};
TORCH_MODULE(MaskedLmHead);

// Label value of positions that are not predicted (as in Hugging Face).
constexpr int64_t kIgnoredLabel = -100;

// The transformer without a head. Its parameters are named as HfTransformerEncoder's ("embeddings.*",
// "encoder.*"), so the "encoder" part of a pretraining run's model.pt loads into a tagger's encoder by name.
class TransformerBodyImpl : public torch::nn::Module {
 public:
  explicit TransformerBodyImpl(const layers::TransformerConfig& config);
  // input_ids [B, S] int64, attention_mask [B, S] -> last hidden states [B, S, H].
  torch::Tensor forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask);

  layers::TransformerEmbeddings embeddings{nullptr};
  layers::TransformerStack encoder{nullptr};
};
TORCH_MODULE(TransformerBody);

class MaskedLanguageModelImpl : public torch::nn::Module {
 public:
  explicit MaskedLanguageModelImpl(const layers::TransformerConfig& config);

  // input_ids [B, S] int64, attention_mask [B, S] (1 on real tokens) -> logits [B, S, V] at every position.
  torch::Tensor forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask);
  // Logits [M, V] of the M positions whose label is not kIgnoredLabel, in row-major order; the head runs on
  // those only.
  torch::Tensor masked_logits(const torch::Tensor& input_ids, const torch::Tensor& attention_mask,
                              const torch::Tensor& labels);
  // Mean cross-entropy over the positions whose label is not kIgnoredLabel.
  torch::Tensor loss(const torch::Tensor& input_ids, const torch::Tensor& attention_mask, const torch::Tensor& labels);
  const layers::TransformerConfig& config() const { return config_; }

  TransformerBody encoder{nullptr};  // "encoder.embeddings.*", "encoder.encoder.layer.N.*"
  MaskedLmHead head{nullptr};

 private:
  layers::TransformerConfig config_;
};
TORCH_MODULE(MaskedLanguageModel);

}  // namespace nertool::models
