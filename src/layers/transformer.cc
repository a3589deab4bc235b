#include "nertool/layers/transformer.h"

#include <torch/torch.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "nertool/core/error.h"

namespace nertool::layers {

namespace {
// Larger dimensions than any real checkpoint has; a file asking for more is refused before anything is allocated.
constexpr int64_t kMaxDimension = int64_t{1} << 24;
constexpr double kMaxParameters = 2e10;  // 80 GB of float32

int64_t positive(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || !j.at(key).is_number_integer() || j.at(key).get<int64_t>() <= 0 ||
      j.at(key).get<int64_t>() > kMaxDimension)
    throw ConfigError(std::string("transformer config: '") + key + "' must be an integer in [1, " +
                      std::to_string(kMaxDimension) + "], got " + j.value(key, nlohmann::json()).dump());
  return j.at(key).get<int64_t>();
}

// The parameters a config asks for (embeddings and layers), in double: no overflow whatever the sizes.
double parameter_count(const TransformerConfig& c) {
  const double h = static_cast<double>(c.hidden_size);
  const double embeddings = (static_cast<double>(c.vocab_size) + static_cast<double>(c.max_position_embeddings) +
                             static_cast<double>(c.type_vocab_size)) * h;
  const double layer = 4 * h * h + 2 * h * static_cast<double>(c.intermediate_size);
  return embeddings + static_cast<double>(c.num_layers) * layer;
}

// A value of a Hugging Face config.json: `fallback` when absent or null, else it must have T's JSON type.
template <typename T>
T hf_value(const nlohmann::json& hf, const char* key, T fallback) {
  if (!hf.contains(key) || hf.at(key).is_null()) return fallback;
  const nlohmann::json& v = hf.at(key);
  bool ok;
  const char* expected;
  if constexpr (std::is_same_v<T, std::string>) ok = v.is_string(), expected = "a string";
  else if constexpr (std::is_same_v<T, double>) ok = v.is_number(), expected = "a number";
  else ok = v.is_number_integer() && !(v.is_number_unsigned() && v.get<uint64_t>() > INT64_MAX), expected = "an integer";
  if (!ok) {
    std::string got = v.dump();
    if (got.size() > 40) got = got.substr(0, 40) + "...";
    throw ConfigError(std::string("Hugging Face config.json: '") + key + "' must be " + expected + ", got " + got);
  }
  return v.get<T>();
}
double probability(const nlohmann::json& j, const char* key, double fallback) {
  if (!j.contains(key) || j.at(key).is_null()) return fallback;
  if (!j.at(key).is_number()) throw ConfigError(std::string("transformer config: '") + key + "' must be a number");
  double p = j.at(key).get<double>();
  if (p < 0 || p >= 1) throw ConfigError(std::string("transformer config: '") + key + "' must be in [0, 1)");
  return p;
}
}  // namespace

TransformerConfig TransformerConfig::from_json(const nlohmann::json& j) {
  TransformerConfig c;
  c.vocab_size = positive(j, "vocab_size");
  c.hidden_size = positive(j, "hidden_size");
  c.num_layers = positive(j, "num_layers");
  c.num_heads = positive(j, "num_heads");
  c.intermediate_size = positive(j, "intermediate_size");
  c.max_position_embeddings = positive(j, "max_position_embeddings");
  c.type_vocab_size = positive(j, "type_vocab_size");
  if (!j.contains("layer_norm_eps") || !j.at("layer_norm_eps").is_number() || j.at("layer_norm_eps").get<double>() <= 0)
    throw ConfigError("transformer config: 'layer_norm_eps' must be a positive number");
  c.layer_norm_eps = j.at("layer_norm_eps").get<double>();
  c.hidden_dropout = probability(j, "hidden_dropout", 0.1);
  c.attention_dropout = probability(j, "attention_dropout", 0.1);
  if (j.contains("pad_token_id") && !j.at("pad_token_id").is_number_integer())
    throw ConfigError("transformer config: 'pad_token_id' must be an integer");
  c.pad_token_id = j.value("pad_token_id", int64_t{0});
  if (j.contains("position_style") && !j.at("position_style").is_string())
    throw ConfigError("transformer config: 'position_style' must be a string");
  std::string style = j.value("position_style", std::string("absolute"));
  if (style != "absolute" && style != "padding_offset")
    throw ConfigError("transformer config: 'position_style' must be \"absolute\" or \"padding_offset\", not \"" + style + "\"");
  c.padding_aware_positions = style == "padding_offset";
  c.model_type = j.value("model_type", std::string());
  if (c.hidden_size % c.num_heads != 0)
    throw ConfigError("transformer config: hidden_size " + std::to_string(c.hidden_size) +
                      " is not a multiple of num_heads " + std::to_string(c.num_heads));
  if (c.pad_token_id < 0 || c.pad_token_id >= c.vocab_size)
    throw ConfigError("transformer config: pad_token_id is outside the vocabulary");
  if (parameter_count(c) > kMaxParameters)
    throw ConfigError("transformer config: " + std::to_string(static_cast<int64_t>(parameter_count(c) / 1e6)) +
                      " million parameters asked for, more than the limit of " +
                      std::to_string(static_cast<int64_t>(kMaxParameters / 1e6)) + " million");
  return c;
}

nlohmann::json TransformerConfig::to_json() const {
  return {{"vocab_size", vocab_size},
          {"hidden_size", hidden_size},
          {"num_layers", num_layers},
          {"num_heads", num_heads},
          {"intermediate_size", intermediate_size},
          {"max_position_embeddings", max_position_embeddings},
          {"type_vocab_size", type_vocab_size},
          {"layer_norm_eps", layer_norm_eps},
          {"hidden_dropout", hidden_dropout},
          {"attention_dropout", attention_dropout},
          {"pad_token_id", pad_token_id},
          {"position_style", padding_aware_positions ? "padding_offset" : "absolute"},
          {"model_type", model_type}};
}

TransformerConfig TransformerConfig::from_hf_config(const nlohmann::json& hf) {
  if (!hf.is_object()) throw ConfigError("Hugging Face config.json: expected a JSON object");
  const std::string type = hf_value(hf, "model_type", std::string());
  bool roberta_like = type == "roberta" || type == "xlm-roberta" || type == "camembert";
  if (type != "bert" && !roberta_like)
    throw ConfigError("Hugging Face model_type '" + type + "' is not supported (bert, roberta, xlm-roberta, camembert)");
  std::string act = hf_value(hf, "hidden_act", std::string("gelu"));
  if (act != "gelu")
    throw ConfigError("Hugging Face hidden_act '" + act + "' is not supported (only exact \"gelu\")");
  std::string pos = hf_value(hf, "position_embedding_type", std::string("absolute"));
  if (pos != "absolute") throw ConfigError("Hugging Face position_embedding_type '" + pos + "' is not supported");
  nlohmann::json j = {
      {"vocab_size", hf_value(hf, "vocab_size", int64_t{0})},
      {"hidden_size", hf_value(hf, "hidden_size", int64_t{768})},
      {"num_layers", hf_value(hf, "num_hidden_layers", int64_t{12})},
      {"num_heads", hf_value(hf, "num_attention_heads", int64_t{12})},
      {"intermediate_size", hf_value(hf, "intermediate_size", int64_t{3072})},
      {"max_position_embeddings", hf_value(hf, "max_position_embeddings", int64_t{512})},
      {"type_vocab_size", hf_value(hf, "type_vocab_size", int64_t{2})},
      {"layer_norm_eps", hf_value(hf, "layer_norm_eps", 1e-12)},
      {"hidden_dropout", hf_value(hf, "hidden_dropout_prob", 0.1)},
      {"attention_dropout", hf_value(hf, "attention_probs_dropout_prob", 0.1)},
      {"pad_token_id", hf_value(hf, "pad_token_id", int64_t{roberta_like ? 1 : 0})},
      {"position_style", roberta_like ? "padding_offset" : "absolute"},
      {"model_type", type}};
  return from_json(j);
}

TransformerEmbeddingsImpl::TransformerEmbeddingsImpl(const TransformerConfig& c) : config_(c) {
  word_embeddings = register_module(
      "word_embeddings", torch::nn::Embedding(torch::nn::EmbeddingOptions(c.vocab_size, c.hidden_size).padding_idx(c.pad_token_id)));
  position_embeddings =
      register_module("position_embeddings", torch::nn::Embedding(c.max_position_embeddings, c.hidden_size));
  token_type_embeddings = register_module("token_type_embeddings", torch::nn::Embedding(c.type_vocab_size, c.hidden_size));
  LayerNorm = register_module(
      "LayerNorm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.hidden_size}).eps(c.layer_norm_eps)));
  dropout = register_module("dropout", torch::nn::Dropout(c.hidden_dropout));
  // Hugging Face's initialisation (normal, std 0.02; zero pad row), used when a model is not loaded from weights.
  torch::NoGradGuard no_grad;
  for (auto* e : {&word_embeddings, &position_embeddings, &token_type_embeddings}) (*e)->weight.normal_(0.0, 0.02);
  word_embeddings->weight[c.pad_token_id].zero_();
}

torch::Tensor TransformerEmbeddingsImpl::position_ids(const torch::Tensor& input_ids, const torch::Tensor& attention_mask) const {
  const int64_t seq = input_ids.size(1);
  if (config_.padding_aware_positions) {
    // fairseq/RoBERTa: real tokens are numbered pad+1, pad+2, ...; pads keep pad_token_id (a zero-trained row).
    auto real = input_ids.ne(config_.pad_token_id).to(torch::kInt64);
    return real.cumsum(1) * real + config_.pad_token_id;
  }
  return torch::arange(seq, input_ids.options().dtype(torch::kInt64)).unsqueeze(0).expand_as(input_ids);
}

torch::Tensor TransformerEmbeddingsImpl::forward(const torch::Tensor& input_ids, const torch::Tensor& attention_mask) {
  auto pos = position_ids(input_ids, attention_mask);
  int64_t max_pos = pos.max().item<int64_t>();
  if (max_pos >= config_.max_position_embeddings)
    throw Error("transformer: a sequence needs position " + std::to_string(max_pos) + " but the model has only " +
                std::to_string(config_.max_position_embeddings) + " position embeddings (lower max_seq_length)");
  // Token type 0 everywhere: one row of the type table, broadcast.
  auto x = word_embeddings(input_ids) + position_embeddings(pos) + token_type_embeddings->weight[0];
  return dropout(LayerNorm(x));
}

SelfAttentionImpl::SelfAttentionImpl(const TransformerConfig& c) {
  query = register_module("query", torch::nn::Linear(c.hidden_size, c.hidden_size));
  key = register_module("key", torch::nn::Linear(c.hidden_size, c.hidden_size));
  value = register_module("value", torch::nn::Linear(c.hidden_size, c.hidden_size));
  dropout = register_module("dropout", torch::nn::Dropout(c.attention_dropout));
}

DenseLayerNormImpl::DenseLayerNormImpl(int64_t in, int64_t out, const TransformerConfig& c) {
  dense = register_module("dense", torch::nn::Linear(in, out));
  LayerNorm = register_module("LayerNorm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({out}).eps(c.layer_norm_eps)));
  dropout = register_module("dropout", torch::nn::Dropout(c.hidden_dropout));
}

torch::Tensor DenseLayerNormImpl::forward(const torch::Tensor& x, const torch::Tensor& residual) {
  return LayerNorm(dropout(dense(x)) + residual);
}

AttentionBlockImpl::AttentionBlockImpl(const TransformerConfig& c) {
  self = register_module("self", SelfAttention(c));
  output = register_module("output", DenseLayerNorm(c.hidden_size, c.hidden_size, c));
}

IntermediateImpl::IntermediateImpl(const TransformerConfig& c) {
  dense = register_module("dense", torch::nn::Linear(c.hidden_size, c.intermediate_size));
}

TransformerLayerImpl::TransformerLayerImpl(const TransformerConfig& c)
    : num_heads_(c.num_heads), head_dim_(c.hidden_size / c.num_heads) {
  attention = register_module("attention", AttentionBlock(c));
  intermediate = register_module("intermediate", Intermediate(c));
  output = register_module("output", DenseLayerNorm(c.intermediate_size, c.hidden_size, c));
  torch::NoGradGuard no_grad;
  for (auto& p : named_parameters()) {
    if (p.key().find("LayerNorm") != std::string::npos) continue;
    if (p.key().size() >= 4 && p.key().compare(p.key().size() - 4, 4, "bias") == 0)
      p.value().zero_();
    else
      p.value().normal_(0.0, 0.02);
  }
}

torch::Tensor TransformerLayerImpl::forward(const torch::Tensor& tokens, const TokenLayout& layout) {
  const int64_t b = layout.batch, s = layout.seq;
  auto& sa = *attention->self;
  auto heads = [&](const torch::Tensor& t) {
    return layout.unpack(t).view({b, s, num_heads_, head_dim_}).transpose(1, 2).reshape({b * num_heads_, s, head_dim_});
  };
  auto q = heads(sa.query(tokens));
  auto k = heads(sa.key(tokens));
  auto v = heads(sa.value(tokens));
  // scores = q k^T / sqrt(d) + mask, in one fused call.
  auto scores = torch::baddbmm(layout.additive_mask.expand({b, num_heads_, s, s}).reshape({b * num_heads_, s, s}), q,
                               k.transpose(1, 2), 1.0, 1.0 / std::sqrt(static_cast<double>(head_dim_)));
  auto probs = sa.dropout(torch::softmax(scores, -1));
  auto context = layout.pack(torch::bmm(probs, v)
                                 .view({b, num_heads_, s, head_dim_})
                                 .transpose(1, 2)
                                 .reshape({b, s, num_heads_ * head_dim_}));
  auto attended = attention->output(context, tokens);
  auto inner = torch::gelu(intermediate->dense(attended));  // exact erf GELU (approximate = "none")
  return output(inner, attended);
}

TokenLayout::TokenLayout(const torch::Tensor& attention_mask, torch::ScalarType dtype)
    : batch(attention_mask.size(0)), seq(attention_mask.size(1)) {
  // Hugging Face's extended mask: 0 on tokens, the dtype's lowest value on pads, broadcast over heads and queries.
  additive_mask = ((1.0 - attention_mask.to(dtype)) * (dtype == torch::kFloat32 ? std::numeric_limits<float>::lowest() : -1e4))
                      .view({batch, 1, 1, seq});
  auto real = attention_mask.reshape({-1}).ne(0);
  if (!real.all().item<bool>()) positions = real.nonzero().reshape({-1});
}

torch::Tensor TokenLayout::pack(const torch::Tensor& padded) const {
  auto flat = padded.reshape({batch * seq, padded.size(-1)});
  return positions.defined() ? flat.index_select(0, positions) : flat;
}

torch::Tensor TokenLayout::unpack(const torch::Tensor& packed) const {
  if (!positions.defined()) return packed.view({batch, seq, packed.size(-1)});
  return torch::zeros({batch * seq, packed.size(-1)}, packed.options())
      .index_copy(0, positions, packed)
      .view({batch, seq, packed.size(-1)});
}

TransformerStackImpl::TransformerStackImpl(const TransformerConfig& c) {
  layer = register_module("layer", torch::nn::ModuleList());
  for (int64_t i = 0; i < c.num_layers; ++i) layer->push_back(TransformerLayer(c));
}

torch::Tensor TransformerStackImpl::forward(const torch::Tensor& hidden, const torch::Tensor& attention_mask) {
  TokenLayout layout(attention_mask, hidden.scalar_type());
  auto tokens = layout.pack(hidden);
  for (const auto& m : *layer) tokens = m->as<TransformerLayerImpl>()->forward(tokens, layout);
  return layout.unpack(tokens);
}

}  // namespace nertool::layers
