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

class MaskedLanguageModelImpl : public torch::nn::Module {
 public:
  explicit MaskedLanguageModelImpl(const layers::TransformerConfig& config);

  // input_ids [B, S] int64, attention_mask [B, S] (1 on real tokens) -> logits [B, S, V] at every position.
  torch::Tensor forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask);
  // Mean cross-entropy over the positions whose label is not kIgnoredLabel; the head runs on those only.
  torch::Tensor loss(const torch::Tensor& input_ids, const torch::Tensor& attention_mask, const torch::Tensor& labels);
  const layers::TransformerConfig& config() const { return config_; }

  layers::TransformerEmbeddings embeddings{nullptr};
  layers::TransformerStack encoder{nullptr};
  MaskedLmHead head{nullptr};

 private:
  layers::TransformerConfig config_;
};
TORCH_MODULE(MaskedLanguageModel);

}  // namespace nertool::models
