#include "nertool/models/crf_decoder.h"

#include <torch/torch.h>

#include <limits>

#include "nertool/core/config_keys.h"
#include "nertool/core/error.h"

namespace nertool::models {

const std::vector<config::Key<CrfDecoderOptions>>& crf_keys() {
  using O = CrfDecoderOptions;
  using config::key;
  static const std::vector<config::Key<O>> keys = {
      key("dropout", &O::dropout, "dropout on the features before the emission layer", "in [0, 1)",
          config::rate_below_one()),
      key("constraints", &O::constraints, "forbid transitions the tag scheme does not allow (I-X after O in IOB2)"),
      key("scheme", &O::scheme, "tag scheme of the constraints (\"\": model.scheme, else detected from the labels)"),
  };
  return keys;
}

CrfDecoderOptions crf_decoder_options(const nlohmann::json& model) {
  CrfDecoderOptions o = config::read_section(crf_keys(), config::member_or_null(model, "crf"), "model.crf");
  // model.scheme names the scheme for every part of the model; model.crf.scheme wins.
  const std::string model_scheme = config::SectionReader(model, "model", "").str_or_empty("scheme");
  if (o.scheme.empty()) o.scheme = model_scheme;
  return o;
}

CrfDecoder::CrfDecoder(int64_t input_dim, ops::CrfConstraints constraints, double dropout)
    : constraints_(std::move(constraints)) {
  const int64_t L = constraints_.num_labels;
  if (L < 1) throw ConfigError("crf decoder: the label set is empty");
  dropout_ = register_module("dropout", torch::nn::Dropout(dropout));
  classifier_ = register_module("classifier", torch::nn::Linear(input_dim, L));
  // Small random scores (drawn from torch's generator, so --seed fixes them).
  transitions_ = register_parameter("transitions", torch::empty({L, L}).uniform_(-0.1, 0.1));
  start_ = register_parameter("start", torch::empty({L}).uniform_(-0.1, 0.1));
  end_ = register_parameter("end", torch::empty({L}).uniform_(-0.1, 0.1));
}

std::shared_ptr<CrfDecoder> CrfDecoder::build(const BuildContext& context, int64_t input_dim) {
  auto options = crf_decoder_options(context.config);
  const auto& labels = context.labels.labels();
  ops::CrfConstraints constraints = ops::no_constraints(context.labels.size());
  if (options.constraints) {
    auto scheme = options.scheme.empty() ? ops::scheme_from_labels(labels) : data::parse_tag_scheme(options.scheme);
    constraints = ops::scheme_constraints(labels, scheme);
  }
  return std::make_shared<CrfDecoder>(input_dim, std::move(constraints), options.dropout);
}

torch::Tensor CrfDecoder::emissions(const torch::Tensor& features) {
  return classifier_->forward(dropout_->forward(features));
}

ops::CrfScores CrfDecoder::scores(double forbidden) const {
  return ops::apply_constraints({transitions_, start_, end_}, constraints_, forbidden);
}

torch::Tensor CrfDecoder::loss(const torch::Tensor& features, const torch::Tensor& labels, const torch::Tensor& mask) {
  auto em = emissions(features);
  if (em.size(0) == 0) return em.sum();
  auto s = scores(kTrainingForbidden);
  return ops::crf_nll(em, labels.masked_fill(~mask, 0), mask, s).mean();
}

std::vector<std::vector<int64_t>> CrfDecoder::decode(const torch::Tensor& features, const torch::Tensor& mask) {
  auto paths = ops::crf_viterbi(emissions(features), mask, scores(-std::numeric_limits<double>::infinity()));
  auto tags = paths.tags.cpu().contiguous();
  auto lengths = mask.sum(1).cpu();
  std::vector<std::vector<int64_t>> out(static_cast<std::size_t>(tags.size(0)));
  const int64_t T = tags.size(1);
  const int64_t* p = tags.data_ptr<int64_t>();
  for (std::size_t b = 0; b < out.size(); ++b) {
    const int64_t n = lengths[static_cast<int64_t>(b)].item<int64_t>();
    out[b].assign(p + static_cast<int64_t>(b) * T, p + static_cast<int64_t>(b) * T + n);
  }
  return out;
}

torch::Tensor CrfDecoder::probabilities(const torch::Tensor& features, const torch::Tensor& mask) {
  return ops::crf_marginals(emissions(features), mask, scores(-std::numeric_limits<double>::infinity()));
}

ops::CrfPaths CrfDecoder::top_k(const torch::Tensor& features, const torch::Tensor& mask, int64_t k) {
  return ops::crf_kbest(emissions(features), mask, scores(-std::numeric_limits<double>::infinity()), k);
}

void register_crf_decoder() {
  register_decoder("crf", [](const BuildContext& c, int64_t input_dim, int64_t) {
    return CrfDecoder::build(c, input_dim);
  });
}

}  // namespace nertool::models
