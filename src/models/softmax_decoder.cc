#include "nertool/models/softmax_decoder.h"

#include <torch/torch.h>

#include "nertool/core/config_keys.h"
#include "nertool/core/error.h"

namespace nertool::models {

const std::vector<config::Key<SoftmaxOptions>>& softmax_keys() {
  static const std::vector<config::Key<SoftmaxOptions>> keys = {
      config::key("dropout", &SoftmaxOptions::dropout, "dropout on the features before the output layer",
                  "in [0, 1)", config::rate_below_one()),
  };
  return keys;
}

namespace {

// model.softmax and model.bidir_softmax (`name`): the dropout before the output layer.
double dropout_option(const nlohmann::json& model, const std::string& name) {
  return config::read_section(softmax_keys(), config::member_or_null(model, name), "model." + name).dropout;
}

// Mean over real words of a per-word loss [B, T].
torch::Tensor masked_mean(const torch::Tensor& per_word, const torch::Tensor& mask) {
  auto m = mask.to(per_word.scalar_type());
  return (per_word * m).sum() / m.sum().clamp_min(1.0);
}

}  // namespace

std::vector<std::vector<int64_t>> argmax_per_word(const torch::Tensor& scores, const torch::Tensor& mask) {
  auto best = scores.argmax(-1).to(torch::kCPU).contiguous();
  auto lengths = mask.sum(1).to(torch::kCPU).contiguous();
  const int64_t B = best.size(0), T = best.size(1);
  const auto* bp = best.data_ptr<int64_t>();
  const auto* lp = lengths.data_ptr<int64_t>();
  std::vector<std::vector<int64_t>> out(static_cast<std::size_t>(B));
  for (int64_t b = 0; b < B; ++b) out[static_cast<std::size_t>(b)].assign(bp + b * T, bp + b * T + lp[b]);
  return out;
}

SoftmaxDecoder::SoftmaxDecoder(int64_t input_dim, int64_t num_labels, double dropout) : num_labels_(num_labels) {
  dropout_ = register_module("dropout", torch::nn::Dropout(dropout));
  classifier_ = register_module("classifier", torch::nn::Linear(input_dim, num_labels));
}

torch::Tensor SoftmaxDecoder::logits(const torch::Tensor& features) {
  return classifier_->forward(dropout_->forward(features));
}

torch::Tensor SoftmaxDecoder::loss(const torch::Tensor& features, const torch::Tensor& labels,
                                   const torch::Tensor& mask) {
  auto logp = torch::log_softmax(logits(features), -1);
  auto gold = logp.gather(-1, labels.clamp_min(0).unsqueeze(-1)).squeeze(-1);
  return masked_mean(-gold, mask);
}

std::vector<std::vector<int64_t>> SoftmaxDecoder::decode(const torch::Tensor& features, const torch::Tensor& mask) {
  return argmax_per_word(logits(features), mask);
}

torch::Tensor SoftmaxDecoder::probabilities(const torch::Tensor& features, const torch::Tensor& mask) {
  return torch::softmax(logits(features), -1);
}

BidirSoftmaxDecoder::BidirSoftmaxDecoder(int64_t input_dim, int64_t num_labels, double dropout)
    : num_labels_(num_labels), half_(input_dim / 2) {
  if (input_dim % 2 != 0) throw ConfigError("bidir_softmax needs an even feature size, got " + std::to_string(input_dim));
  dropout_ = register_module("dropout", torch::nn::Dropout(dropout));
  forward_ = register_module("forward", torch::nn::Linear(half_, num_labels));
  backward_ = register_module("backward", torch::nn::Linear(half_, num_labels));
}

torch::Tensor BidirSoftmaxDecoder::scores(const torch::Tensor& features) {
  auto x = dropout_->forward(features);
  auto f = torch::log_softmax(forward_->forward(x.narrow(-1, 0, half_)), -1);
  auto b = torch::log_softmax(backward_->forward(x.narrow(-1, half_, half_)), -1);
  return f + b;
}

torch::Tensor BidirSoftmaxDecoder::loss(const torch::Tensor& features, const torch::Tensor& labels,
                                        const torch::Tensor& mask) {
  auto s = scores(features);
  auto gold = s.gather(-1, labels.clamp_min(0).unsqueeze(-1)).squeeze(-1);
  return masked_mean(-gold, mask);
}

std::vector<std::vector<int64_t>> BidirSoftmaxDecoder::decode(const torch::Tensor& features,
                                                              const torch::Tensor& mask) {
  return argmax_per_word(scores(features), mask);
}

torch::Tensor BidirSoftmaxDecoder::probabilities(const torch::Tensor& features, const torch::Tensor& mask) {
  return torch::softmax(scores(features), -1);
}

void register_softmax_decoders() {
  register_decoder("softmax", [](const BuildContext& c, int64_t input_dim, int64_t) {
    return std::make_shared<SoftmaxDecoder>(input_dim, c.labels.size(), dropout_option(c.config, "softmax"));
  });
  register_decoder("bidir_softmax", [](const BuildContext& c, int64_t input_dim, int64_t num_directions) {
    if (num_directions != 2)
      throw ConfigError("decoder bidir_softmax needs an encoder with two directions (a BiLSTM); model.encoder '" +
                        c.config.value("encoder", std::string()) + "' has " + std::to_string(num_directions) +
                        " (use \"softmax\")");
    return std::make_shared<BidirSoftmaxDecoder>(input_dim, c.labels.size(), dropout_option(c.config, "bidir_softmax"));
  });
}

}  // namespace nertool::models
