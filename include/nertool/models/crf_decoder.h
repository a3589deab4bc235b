#pragma once
// The "crf" decoder: optional dropout, a linear layer `classifier` (features -> label scores, the CRF's
// emissions) and a linear-chain CRF (transition, start and end scores) whose forbidden transitions come from the
// tag scheme. Works on any encoder's word features.
//
// Config (model section): "decoder": "crf" and an optional object "crf": {"dropout": 0.0 .. <1,
// "constraints": true|false (default true), "scheme": "IOB2"|"IOB1"|"IOE1"|"IOE2"|"IOBES"|"BILOU"}. Without
// crf.scheme, model.scheme is used when present, else the scheme is read from the labels'
// prefixes (ops::scheme_from_labels). Unknown keys in "crf" are ConfigErrors.
//
// loss() is the mean over the batch's sentences of the negative log-likelihood of the gold sequence (a sum over
// its words, so long sentences weigh more, as in Lample et al. and Ma & Hovy). In training, forbidden transitions
// score -10000 (finite, so a gold sequence that breaks the scheme gives a large loss instead of inf/NaN); in
// decoding and marginals they score -inf, so decode() never returns a sequence that breaks the scheme.
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "nertool/core/config_keys.h"
#include "nertool/models/decoder.h"
#include "nertool/models/tagger.h"
#include "nertool/ops/crf.h"
#include "nertool/ops/crf_constraints.h"

namespace nertool::models {

struct CrfDecoderOptions {
  double dropout = 0.0;
  bool constraints = true;
  std::string scheme;  // empty: model.scheme, else from the labels
};
// The model.crf keys (core/config_keys.h).
const std::vector<config::Key<CrfDecoderOptions>>& crf_keys();
// Reads and validates model.crf (absent or null: defaults) and model.scheme. Throws ConfigError.
CrfDecoderOptions crf_decoder_options(const nlohmann::json& model);

class CrfDecoder : public Decoder {
 public:
  CrfDecoder(int64_t input_dim, ops::CrfConstraints constraints, double dropout);
  // Builds from a config and label set (constraints from the scheme unless disabled).
  static std::shared_ptr<CrfDecoder> build(const BuildContext& context, int64_t input_dim);

  torch::Tensor loss(const torch::Tensor& features, const torch::Tensor& labels, const torch::Tensor& mask) override;
  std::vector<std::vector<int64_t>> decode(const torch::Tensor& features, const torch::Tensor& mask) override;
  torch::Tensor probabilities(const torch::Tensor& features, const torch::Tensor& mask) override;
  int64_t num_labels() const override { return constraints_.num_labels; }

  // The k best label sequences of each sentence with their scores (k-best Viterbi, best first).
  ops::CrfPaths top_k(const torch::Tensor& features, const torch::Tensor& mask, int64_t k);
  torch::Tensor emissions(const torch::Tensor& features);  // [B, T, L]
  // The CRF scores with forbidden entries set to `forbidden`.
  ops::CrfScores scores(double forbidden) const;
  const ops::CrfConstraints& constraints() const { return constraints_; }

  static constexpr double kTrainingForbidden = -10000.0;

 private:
  ops::CrfConstraints constraints_;
  torch::nn::Dropout dropout_{nullptr};
  torch::nn::Linear classifier_{nullptr};
  torch::Tensor transitions_, start_, end_;
};

// Registers "crf".
void register_crf_decoder();

}  // namespace nertool::models
