#pragma once
// The "multitask" decoder: the taxonomy-transfer tagger of the second seed system (docs/taxonomy.md), on any
// encoder's word features.
//
// Detection: a CRF over untyped IOB2 tags (O, B, I) finds the mentions. Typing: each mention is represented by
// its first word's, last word's and mean word features, and `type_projection` scores every type of the source
// taxonomy (multi-label: a type and all its ancestors are positives). The training loss is the mean CRF
// negative log-likelihood plus typing_weight times the mean multi-label cross-entropy over the gold mentions.
// A mention is labelled with the highest-scoring type among the label set's types.
//
// Conversion (stage 2, "target_taxonomy" set): the type-projection logits go through a two-layer feed-forward
// layer (hidden `conversion_hidden`, ReLU) to the label set's types, which must be types of the target taxonomy;
// the loss is the hierarchical soft cross-entropy against y* = y W (W: the target taxonomy's credit matrix over
// those types, rows normalised), or the plain cross-entropy with "loss": "hard". The layer has one more output,
// "not an entity": the detector's mentions that match no gold mention are trained towards it (the source
// detector finds types, e.g. dates, that the target does not annotate), and a mention decoded as such stays O.
// Detection is not trained in this stage (freeze it with train.freeze, e.g. ["encoder.", "decoder.detection."]).
//
// Config: "decoder": "multitask", "multitask": {"taxonomy": FILE (required), "typing_weight": 1.0,
// "dropout": 0.0, "target_taxonomy": FILE (stage 2), "conversion_hidden": 200, "loss": "soft"|"hard"}. The
// label set must be IOB2. The taxonomies are copied into the model directory, so a trained model is
// self-contained.
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nertool/core/config_keys.h"
#include "nertool/models/crf_decoder.h"
#include "nertool/models/decoder.h"
#include "nertool/models/tagger.h"
#include "nertool/taxonomy/taxonomy.h"

namespace nertool::models {

// Stage 2's typing loss: the hierarchical soft cross-entropy, or the plain one.
enum class TypingLoss { kSoft, kHard };

struct MultitaskOptions {
  std::string taxonomy;
  double typing_weight = 1.0;
  double dropout = 0.0;
  std::string target_taxonomy;  // empty: stage 1 (no conversion layer)
  int64_t conversion_hidden = 200;
  TypingLoss loss = TypingLoss::kSoft;  // stage 2
  // Stage 2: the detection CRF's loss on the target's untyped mentions, times this, is added to the typing loss
  // (0: the detector is not trained; with train.freeze leaving out "decoder.detection." it adapts to the target).
  double stage2_detection_weight = 0.0;
};
// The model.multitask keys (core/config_keys.h).
const std::vector<config::Key<MultitaskOptions>>& multitask_keys();
// Reads and validates model.multitask. Throws ConfigError.
MultitaskOptions multitask_options(const nlohmann::json& model);

// A mention: words [start, end) of sentence `sentence`, typed `type` (an index into the decoder's output types,
// -1 when untyped).
struct Mention {
  int64_t sentence = 0, start = 0, end = 0, type = -1;
};

class MultitaskDecoder : public Decoder {
 public:
  MultitaskDecoder(int64_t input_dim, const LabelSet& labels, MultitaskOptions options, taxonomy::Taxonomy source,
                   const taxonomy::Taxonomy* target);
  // Reads the taxonomies from the config's files (fresh) or the model directory (loading), and copies them
  // there when building fresh.
  static std::shared_ptr<MultitaskDecoder> build(const BuildContext& context, int64_t input_dim);

  torch::Tensor loss(const torch::Tensor& features, const torch::Tensor& labels, const torch::Tensor& mask) override;
  std::vector<std::vector<int64_t>> decode(const torch::Tensor& features, const torch::Tensor& mask) override;
  // O: the detection marginal of O; B-X / I-X: the marginal of B / I times the type distribution of the decoded
  // mention covering the word (of the word alone when none does). Rows sum to 1.
  torch::Tensor probabilities(const torch::Tensor& features, const torch::Tensor& mask) override;
  int64_t num_labels() const override { return static_cast<int64_t>(label_tag_.size()); }

  // The output types (the label set's types, in label-set order) and their distribution for given mentions:
  // stage 1, the types' sigmoid scores normalised over the output types; stage 2, the conversion layer's softmax,
  // with one more last column: "not an entity".
  const std::vector<std::string>& output_types() const { return output_types_; }
  torch::Tensor type_distribution(const torch::Tensor& features, const std::vector<Mention>& mentions);
  // The gold mentions of IOB2 label ids [B, T] under `mask`.
  std::vector<Mention> gold_mentions(const torch::Tensor& labels, const torch::Tensor& mask) const;
  bool converts() const { return static_cast<bool>(conversion_); }

 private:
  torch::Tensor mention_features(const torch::Tensor& features, const std::vector<Mention>& mentions);
  torch::Tensor output_logits(const torch::Tensor& features, const std::vector<Mention>& mentions);
  std::vector<Mention> detect(const torch::Tensor& features, const torch::Tensor& mask);

  MultitaskOptions options_;
  std::vector<int64_t> label_tag_;   // label id -> 0 (O), 1 (B), 2 (I)
  std::vector<int64_t> label_type_;  // label id -> output type index (-1 for O)
  std::vector<std::vector<int64_t>> type_label_;  // output type -> {B label id, I label id (-1: none)}
  std::vector<std::string> output_types_;
  std::vector<int64_t> output_in_source_;  // stage 1: output type -> source taxonomy index
  std::shared_ptr<CrfDecoder> detection_;
  torch::nn::Dropout dropout_{nullptr};
  torch::nn::Linear type_projection_{nullptr};
  torch::nn::Sequential conversion_{nullptr};
  torch::Tensor typing_targets_;  // stage 1: [output types, source types] multi-hot (type and ancestors)
  torch::Tensor soft_targets_;    // stage 2: [output types, output types] rows of y* = y W
};

// Registers "multitask".
void register_multitask_decoder();

}  // namespace nertool::models

namespace nertool {
template <>
struct ChoiceNames<models::TypingLoss> {
  static constexpr std::array<Choice<models::TypingLoss>, 2> all{
      {{"soft", models::TypingLoss::kSoft}, {"hard", models::TypingLoss::kHard}}};
};
}  // namespace nertool
