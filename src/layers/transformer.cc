#include "nertool/layers/transformer.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <functional>
#include <string>

#include "nertool/core/error.h"

namespace nertool::layers {

namespace {
// Larger dimensions than any real checkpoint has; a file asking for more is refused before anything is allocated.
constexpr int64_t kMaxDimension = int64_t{1} << 24;
constexpr double kMaxParameters = 2e10;  // 80 GB of float32

// The parameters a config asks for (embeddings and layers), in double: no overflow whatever the sizes.
double parameter_count(const TransformerConfig& c) {
  const double h = static_cast<double>(c.hidden_size);
  const double embeddings = (static_cast<double>(c.vocab_size) + static_cast<double>(c.max_position_embeddings) +
                             static_cast<double>(c.type_vocab_size)) * h;
  const double layer = 4 * h * h + 2 * h * static_cast<double>(c.intermediate_size);
  return embeddings + static_cast<double>(c.num_layers) * layer;
}

std::function<bool(const int64_t&)> dimension() {
  return [](const int64_t& v) { return v >= 1 && v <= kMaxDimension; };
}
constexpr const char* kDimensionRule = "1 to 16777216";
static_assert(kMaxDimension == 16777216, "kDimensionRule states kMaxDimension");

// A word of `allowed`: for the Hugging Face settings nertool supports only some values of.
std::function<bool(const std::string&)> one_of(std::vector<std::string> allowed) {
  return [allowed = std::move(allowed)](const std::string& v) {
    return std::find(allowed.begin(), allowed.end(), v) != allowed.end();
  };
}

std::function<bool(const double&)> positive_number() {
  return [](const double& v) { return v > 0; };
}

// position_style: a word in files, a flag in the config.
config::Key<TransformerConfig> position_style_key() {
  config::Key<TransformerConfig> k{"position_style", "string", "absolute or padding_offset",
                                   "position ids: 0, 1, 2, ... (BERT) or counted from pad_token_id + 1 (RoBERTa)",
                                   nullptr, nullptr};
  k.get = [](const TransformerConfig& c) { return nlohmann::json(c.padding_aware_positions ? "padding_offset"
                                                                                           : "absolute"); };
  k.read = [](const config::SectionReader& r, TransformerConfig& c) {
    const std::string style = r.str("position_style");
    r.check(style == "absolute" || style == "padding_offset", "position_style", "absolute or padding_offset");
    c.padding_aware_positions = style == "padding_offset";
  };
  return k;
}

}  // namespace

const std::vector<config::Key<TransformerConfig>>& transformer_keys() {
  using config::key;
  using C = TransformerConfig;
  static const std::vector<config::Key<C>> keys{
      key("vocab_size", &C::vocab_size, "token vocabulary (the tokenizer's); required", kDimensionRule, dimension()),
      key("hidden_size", &C::hidden_size, "width of every layer", kDimensionRule, dimension()),
      key("num_layers", &C::num_layers, "encoder layers", kDimensionRule, dimension()),
      key("num_heads", &C::num_heads, "attention heads (must divide hidden_size)", kDimensionRule, dimension()),
      key("intermediate_size", &C::intermediate_size, "feed-forward width", kDimensionRule, dimension()),
      key("max_position_embeddings", &C::max_position_embeddings, "longest input in subword positions",
          kDimensionRule, dimension()),
      key("type_vocab_size", &C::type_vocab_size, "token type (segment) ids", kDimensionRule, dimension()),
      key("layer_norm_eps", &C::layer_norm_eps, "LayerNorm epsilon", "> 0", positive_number()),
      key("hidden_dropout", &C::hidden_dropout, "dropout after embeddings and sublayers", ">= 0 and < 1",
          config::rate_below_one()),
      key("attention_dropout", &C::attention_dropout, "dropout on attention probabilities", ">= 0 and < 1",
          config::rate_below_one()),
      key("pad_token_id", &C::pad_token_id, "the padding token (its embedding row stays zero)", ">= 0",
          config::at_least<int64_t>(0)),
      position_style_key(),
      key("model_type", &C::model_type, "the Hugging Face model_type written back by `convert --to hf`"),
  };
  return keys;
}

void TransformerConfig::check(const std::string& name, const std::string& source) const {
  auto full = [&name](const char* k) { return config::full_key(name, k); };
  if (vocab_size < 1) config::fail(source, full("vocab_size"), "missing (the tokenizer's vocabulary size)");
  if (hidden_size % num_heads != 0)
    config::fail(source, full("hidden_size"), std::to_string(hidden_size) + " is not a multiple of num_heads " +
                                                  std::to_string(num_heads));
  if (pad_token_id >= vocab_size)
    config::fail(source, full("pad_token_id"), std::to_string(pad_token_id) + " is outside the vocabulary of " +
                                                   std::to_string(vocab_size));
  if (parameter_count(*this) > kMaxParameters)
    config::fail(source, name.empty() ? "architecture" : name,
                 std::to_string(static_cast<int64_t>(parameter_count(*this) / 1e6)) +
                     " million parameters asked for, more than the limit of " +
                     std::to_string(static_cast<int64_t>(kMaxParameters / 1e6)) + " million");
}

TransformerConfig TransformerConfig::from_json(const nlohmann::json& j, const std::string& name,
                                               const std::string& source) {
  if (j.is_null()) config::fail(source, name, "missing");
  TransformerConfig c = config::read_section(transformer_keys(), j, name, source);
  c.check(name, source);
  return c;
}

nlohmann::json TransformerConfig::to_json() const { return config::section_json(transformer_keys(), *this); }

const std::vector<config::Key<HfConfig>>& hf_config_keys() {
  using config::key;
  using H = HfConfig;
  static const std::vector<config::Key<H>> keys{
      key("model_type", &H::model_type, "the architecture family; required", "bert, roberta, xlm-roberta, camembert",
          one_of({"bert", "roberta", "xlm-roberta", "camembert"})),
      key("hidden_act", &H::hidden_act, "only exact (erf) GELU", "gelu", one_of({"gelu"})),
      key("position_embedding_type", &H::position_embedding_type, "only absolute positions", "absolute",
          one_of({"absolute"})),
      key("vocab_size", &H::vocab_size, "transformer vocab_size", kDimensionRule, dimension()),
      key("hidden_size", &H::hidden_size, "transformer hidden_size", kDimensionRule, dimension()),
      key("num_hidden_layers", &H::num_hidden_layers, "transformer num_layers", kDimensionRule, dimension()),
      key("num_attention_heads", &H::num_attention_heads, "transformer num_heads", kDimensionRule, dimension()),
      key("intermediate_size", &H::intermediate_size, "transformer intermediate_size", kDimensionRule, dimension()),
      key("max_position_embeddings", &H::max_position_embeddings, "transformer max_position_embeddings", kDimensionRule,
          dimension()),
      key("type_vocab_size", &H::type_vocab_size, "transformer type_vocab_size", kDimensionRule, dimension()),
      key("layer_norm_eps", &H::layer_norm_eps, "transformer layer_norm_eps", "> 0", positive_number()),
      key("hidden_dropout_prob", &H::hidden_dropout_prob, "transformer hidden_dropout", ">= 0 and < 1",
          config::rate_below_one()),
      key("attention_probs_dropout_prob", &H::attention_probs_dropout_prob, "transformer attention_dropout",
          ">= 0 and < 1", config::rate_below_one()),
      key("pad_token_id", &H::pad_token_id, "transformer pad_token_id", ">= 0", config::at_least<int64_t>(0)),
      key("classifier_dropout", &H::classifier_dropout, "the token classifier's dropout", ">= 0 and < 1",
          config::rate_below_one()),
  };
  return keys;
}

HfConfig read_hf_config(const nlohmann::json& hf, const std::string& source) {
  if (!hf.is_object()) config::fail(source, "$", "expected a JSON object, got " + config::json_type_name(hf));
  nlohmann::json present = nlohmann::json::object();
  for (const auto& [k, v] : hf.items())
    if (!v.is_null()) present[k] = v;
  HfConfig h;
  config::read_present_keys(hf_config_keys(), present, "", h, source);
  if (!present.contains("model_type")) config::fail(source, "model_type", "missing");
  return h;
}

TransformerConfig TransformerConfig::from_hf_config(const nlohmann::json& hf, const std::string& source) {
  return from_hf_config(read_hf_config(hf, source), source);
}

TransformerConfig TransformerConfig::from_hf_config(const HfConfig& h, const std::string& source) {
  const bool roberta_like = h.model_type != "bert";
  TransformerConfig c;
  c.vocab_size = h.vocab_size;
  c.hidden_size = h.hidden_size;
  c.num_layers = h.num_hidden_layers;
  c.num_heads = h.num_attention_heads;
  c.intermediate_size = h.intermediate_size;
  c.max_position_embeddings = h.max_position_embeddings;
  c.type_vocab_size = h.type_vocab_size;
  c.layer_norm_eps = h.layer_norm_eps;
  c.hidden_dropout = h.hidden_dropout_prob;
  c.attention_dropout = h.attention_probs_dropout_prob;
  c.pad_token_id = h.pad_token_id >= 0 ? h.pad_token_id : roberta_like ? 1 : 0;
  c.padding_aware_positions = roberta_like;
  c.model_type = h.model_type;
  c.check("", source);
  return c;
}

TransformerEmbeddingsImpl::TransformerEmbeddingsImpl(const TransformerConfig& c) : config_(c) {
  word_embeddings = register_module(
      "word_embeddings",
      torch::nn::Embedding(torch::nn::EmbeddingOptions(c.vocab_size, c.hidden_size).padding_idx(c.pad_token_id)));
  position_embeddings =
      register_module("position_embeddings", torch::nn::Embedding(c.max_position_embeddings, c.hidden_size));
  token_type_embeddings =
      register_module("token_type_embeddings", torch::nn::Embedding(c.type_vocab_size, c.hidden_size));
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
