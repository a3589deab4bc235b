#pragma once
// The BERT/RoBERTa transformer: embeddings (word + position + token type, LayerNorm, dropout) and post-LayerNorm
// encoder layers with exact (erf) GELU. Module and parameter names follow Hugging Face's BertModel exactly
// ("embeddings.word_embeddings.weight", "encoder.layer.0.attention.self.query.weight", ...), so checkpoints map
// by a prefix change and nothing else.
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/types.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nertool/core/config_keys.h"

namespace nertool::layers {

struct HfConfig;  // a Hugging Face config.json as read (below)

struct TransformerConfig {
  int64_t vocab_size = 0;
  int64_t hidden_size = 768;
  int64_t num_layers = 12;
  int64_t num_heads = 12;
  int64_t intermediate_size = 3072;
  int64_t max_position_embeddings = 512;
  int64_t type_vocab_size = 2;
  double layer_norm_eps = 1e-12;
  double hidden_dropout = 0.1;
  double attention_dropout = 0.1;
  int64_t pad_token_id = 0;
  // RoBERTa: position ids count real tokens from pad_token_id + 1 and pads get pad_token_id; BERT: 0, 1, 2, ...
  bool padding_aware_positions = false;
  // The Hugging Face model_type it came from ("bert", "roberta", "xlm-roberta", ...), for writing it back.
  std::string model_type;

  // Reads a `model.transformer` section or a run's transformer.json (keys: transformer_keys(); left-out keys keep
  // the defaults above, vocab_size must be given). Errors name `name`.key and `source`: ConfigError.
  static TransformerConfig from_json(const nlohmann::json& j, const std::string& name = "model.transformer",
                                     const std::string& source = "");
  nlohmann::json to_json() const;
  // From a Hugging Face config.json (model_type bert, roberta, xlm-roberta, camembert; keys: hf_config_keys()),
  // as JSON or as read by read_hf_config. Errors name `source` (the file) and the key.
  static TransformerConfig from_hf_config(const nlohmann::json& hf, const std::string& source = "config.json");
  static TransformerConfig from_hf_config(const HfConfig& hf, const std::string& source);
  // The limits a config must keep, checked after reading (sizes that fit together, a bounded parameter count).
  void check(const std::string& name, const std::string& source) const;
};

// The keys of a transformer architecture (`model.transformer`, transformer.json): docs/configuration.md.
const std::vector<config::Key<TransformerConfig>>& transformer_keys();

// The keys nertool reads from a Hugging Face config.json (other keys are left alone). Defaults are
// transformers' own; pad_token_id defaults to 1 for the RoBERTa family, 0 otherwise.
struct HfConfig {
  std::string model_type;
  std::string hidden_act = "gelu";
  std::string position_embedding_type = "absolute";
  int64_t vocab_size = 0;
  int64_t hidden_size = 768;
  int64_t num_hidden_layers = 12;
  int64_t num_attention_heads = 12;
  int64_t intermediate_size = 3072;
  int64_t max_position_embeddings = 512;
  int64_t type_vocab_size = 2;
  double layer_norm_eps = 1e-12;
  double hidden_dropout_prob = 0.1;
  double attention_probs_dropout_prob = 0.1;
  int64_t pad_token_id = -1;        // -1: the family's default
  double classifier_dropout = -1;   // -1: hidden_dropout_prob (transformers' rule when it is null or absent)
};
const std::vector<config::Key<HfConfig>>& hf_config_keys();
// The HfConfig of a config.json object: its null values count as absent. Errors name `source` and the key.
HfConfig read_hf_config(const nlohmann::json& hf, const std::string& source);

class TransformerEmbeddingsImpl : public torch::nn::Module {
 public:
  explicit TransformerEmbeddingsImpl(const TransformerConfig& config);
  // input_ids [B, S] int64, attention_mask [B, S] (1 on real tokens) -> [B, S, H]. Token types are all 0.
  torch::Tensor forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask);
  torch::Tensor position_ids(const torch::Tensor& input_ids, const torch::Tensor& attention_mask) const;

  torch::nn::Embedding word_embeddings{nullptr}, position_embeddings{nullptr}, token_type_embeddings{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
  torch::nn::Dropout dropout{nullptr};

 private:
  TransformerConfig config_;
};
TORCH_MODULE(TransformerEmbeddings);

// Hugging Face's BertSelfAttention + BertSelfOutput ("attention.self.*", "attention.output.*").
struct SelfAttentionImpl : torch::nn::Module {
  explicit SelfAttentionImpl(const TransformerConfig& c);
  torch::nn::Linear query{nullptr}, key{nullptr}, value{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(SelfAttention);

struct DenseLayerNormImpl : torch::nn::Module {  // dense -> dropout -> LayerNorm(x + residual)
  DenseLayerNormImpl(int64_t in, int64_t out, const TransformerConfig& c);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& residual);
  torch::nn::Linear dense{nullptr};
  torch::nn::LayerNorm LayerNorm{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(DenseLayerNorm);

struct AttentionBlockImpl : torch::nn::Module {
  explicit AttentionBlockImpl(const TransformerConfig& c);
  SelfAttention self{nullptr};
  DenseLayerNorm output{nullptr};
};
TORCH_MODULE(AttentionBlock);

struct IntermediateImpl : torch::nn::Module {
  explicit IntermediateImpl(const TransformerConfig& c);
  torch::nn::Linear dense{nullptr};
};
TORCH_MODULE(Intermediate);

// Where the real tokens of a padded [B, S] batch are. Every part of a layer except attention works on each token
// alone, so it runs on the real tokens packed as [T, H] and padding costs nothing there (CoNLL sentences padded
// to the longest of a length-sorted batch of 32 are ~30% padding); attention unpacks to [B, S, H] for its
// batched matrix products.
struct TokenLayout {
  TokenLayout(const torch::Tensor& attention_mask, torch::ScalarType dtype);  // attention_mask [B, S], 1 on tokens
  torch::Tensor pack(const torch::Tensor& padded) const;    // [B, S, H] -> [T, H]
  torch::Tensor unpack(const torch::Tensor& packed) const;  // [T, H] -> [B, S, H], zeros on pads

  int64_t batch, seq;
  torch::Tensor positions;      // [T] flat indices b * S + s of the real tokens; undefined when there are no pads
  torch::Tensor additive_mask;  // [B, 1, 1, S]: 0 on tokens, a large negative number on pads
};

class TransformerLayerImpl : public torch::nn::Module {
 public:
  explicit TransformerLayerImpl(const TransformerConfig& config);
  // tokens [T, H], the real tokens of `layout` packed; returns the layer's output for them, [T, H].
  torch::Tensor forward(const torch::Tensor& tokens, const TokenLayout& layout);

  AttentionBlock attention{nullptr};
  Intermediate intermediate{nullptr};
  DenseLayerNorm output{nullptr};

 private:
  int64_t num_heads_, head_dim_;
};
TORCH_MODULE(TransformerLayer);

class TransformerStackImpl : public torch::nn::Module {  // Hugging Face's "encoder" module: encoder.layer.N
 public:
  explicit TransformerStackImpl(const TransformerConfig& config);
  // hidden [B, S, H] embeddings, attention_mask [B, S]; the last layer's output [B, S, H], zero on pads (Hugging
  // Face leaves values there that nothing reads).
  torch::Tensor forward(const torch::Tensor& hidden, const torch::Tensor& attention_mask);
  torch::nn::ModuleList layer{nullptr};
};
TORCH_MODULE(TransformerStack);

}  // namespace nertool::layers
