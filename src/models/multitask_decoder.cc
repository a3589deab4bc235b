#include "nertool/models/multitask_decoder.h"

#include <torch/torch.h>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <optional>
#include <set>
#include <map>
#include <tuple>

#include "nertool/core/atomic_file.h"
#include "nertool/core/config_keys.h"
#include "nertool/core/error.h"
#include "nertool/layers/hierarchical_loss.h"
#include "nertool/ops/crf_constraints.h"
#include "nertool/taxonomy/credit_matrix.h"

namespace nertool::models {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kO = 0, kB = 1, kI = 2;
const char* kSourceFile = "multitask_taxonomy.json";
const char* kTargetFile = "multitask_target_taxonomy.json";

// The IOB2 mentions of one sentence of length n: a B starts one, following I's of the same type extend it.
// tag(t) is 0 (O), 1 (B) or 2 (I); type(t) the word's type (any constant for untyped tags).
template <typename Tag, typename Type>
void collect_mentions(int64_t sentence, int64_t n, Tag tag, Type type, std::vector<Mention>& out) {
  for (int64_t t = 0; t < n; ++t) {
    if (tag(t) != kB) continue;
    int64_t end = t + 1;
    while (end < n && tag(end) == kI && type(end) == type(t)) ++end;
    out.push_back({sentence, t, end, type(t)});
  }
}

}  // namespace

const std::vector<config::Key<MultitaskOptions>>& multitask_keys() {
  using O = MultitaskOptions;
  using config::at_least;
  using config::key;
  static const std::vector<config::Key<O>> keys = {
      key("taxonomy", &O::taxonomy, "the source taxonomy file (required)", "a file name",
          std::function<bool(const std::string&)>([](const std::string& f) { return !f.empty(); })),
      key("typing_weight", &O::typing_weight, "weight of the typing loss beside the detection CRF's", ">= 0",
          at_least(0.0)),
      key("dropout", &O::dropout, "dropout on the features before both heads", "in [0, 1)",
          config::rate_below_one()),
      key("target_taxonomy", &O::target_taxonomy,
          "stage 2: the target taxonomy file; a conversion layer maps source types onto it (\"\": stage 1)"),
      key("conversion_hidden", &O::conversion_hidden, "hidden size of the conversion layer", ">= 1",
          at_least<int64_t>(1)),
      key("loss", &O::loss, "stage 2 typing loss: soft (hierarchical soft cross-entropy) or hard (plain)"),
      key("stage2_detection_weight", &O::stage2_detection_weight,
          "stage 2: weight of the detection CRF's loss on the target's untyped mentions (0: detector not trained)",
          ">= 0", at_least(0.0)),
  };
  return keys;
}

MultitaskOptions multitask_options(const nlohmann::json& model) {
  auto it = model.find("multitask");
  if (it == model.end() || !it->is_object())
    throw ConfigError("model.multitask: the multitask decoder needs an object with at least \"taxonomy\" (a file)");
  nlohmann::json section = *it;
  // Older configs wrote "target_taxonomy": null for stage 1.
  if (auto t = section.find("target_taxonomy"); t != section.end() && t->is_null()) *t = "";
  if (!section.contains("taxonomy")) config::fail("", "model.multitask.taxonomy", "missing (the source taxonomy file)");
  return config::read_section(multitask_keys(), section, "model.multitask");
}

MultitaskDecoder::MultitaskDecoder(int64_t input_dim, const LabelSet& labels, MultitaskOptions options,
                                   taxonomy::Taxonomy source, const taxonomy::Taxonomy* target)
    : options_(std::move(options)) {
  // Labels: O, B-X, I-X (IOB2). Output types in order of first appearance in the label set.
  std::map<std::string, int64_t> type_index;
  for (const auto& label : labels.labels()) {
    if (label == "O") {
      label_tag_.push_back(kO);
      label_type_.push_back(-1);
      continue;
    }
    if (label.size() < 3 || label[1] != '-' || (label[0] != 'B' && label[0] != 'I'))
      throw ConfigError("multitask decoder: label '" + label + "' is not IOB2 (O, B-TYPE, I-TYPE); set "
                        "data.tag_scheme to IOB2 or convert the data to IOB2 first");
    const std::string type = label.substr(2);
    auto [it, added] = type_index.emplace(type, static_cast<int64_t>(output_types_.size()));
    if (added) {
      output_types_.push_back(type);
      type_label_.push_back({-1, -1});
    }
    label_tag_.push_back(label[0] == 'B' ? kB : kI);
    label_type_.push_back(it->second);
    type_label_[static_cast<std::size_t>(it->second)][label[0] == 'B' ? 0 : 1] =
        static_cast<int64_t>(label_tag_.size()) - 1;
  }
  // Every type needs its B- label. (A type seen only in one-word mentions may lack I-; decode() then never gives
  // it to a multi-word mention.)
  for (std::size_t k = 0; k < output_types_.size(); ++k)
    if (type_label_[k][0] < 0)
      throw ConfigError("multitask decoder: the label set has I-" + output_types_[k] + " but no B-" +
                        output_types_[k] + " (IOB2 labels are needed; convert the data to IOB2 first)");

  detection_ = register_module(
      "detection", std::make_shared<CrfDecoder>(
                       input_dim, ops::scheme_constraints({"O", "B-MENTION", "I-MENTION"}, data::TagScheme::IOB2),
                       options_.dropout));
  dropout_ = register_module("dropout", torch::nn::Dropout(options_.dropout));
  const int64_t num_source = static_cast<int64_t>(source.size());
  type_projection_ = register_module("type_projection", torch::nn::Linear(3 * input_dim, num_source));
  const int64_t K = static_cast<int64_t>(output_types_.size());
  if (!target) {
    std::vector<float> rows;
    for (const auto& type : output_types_) {
      auto index = source.find(type);
      if (!index)
        throw ConfigError("multitask decoder: type '" + type + "' of the data is not in taxonomy '" + source.name() +
                          "' (" + options_.taxonomy + ")");
      output_in_source_.push_back(*index);
      auto row = source.ancestor_targets(*index);
      rows.insert(rows.end(), row.begin(), row.end());
    }
    typing_targets_ = layers::target_table(rows, K, num_source);
  } else {
    for (const auto& type : output_types_)
      if (!target->contains(type))
        throw ConfigError("multitask decoder: type '" + type + "' of the data is not in the target taxonomy '" +
                          target->name() + "' (" + options_.target_taxonomy + ")");
    auto credit = taxonomy::CreditMatrix::within(*target).select(output_types_, output_types_);
    // One more class than the target types: "not an entity of the target taxonomy" (the source detector also
    // finds e.g. dates, which CoNLL-2003 does not annotate). Its row and column are one-hot / zero.
    std::vector<float> rows;
    const auto soft = credit.soft_targets();
    for (int64_t i = 0; i <= K; ++i)
      for (int64_t j = 0; j <= K; ++j)
        rows.push_back(i < K && j < K ? soft[static_cast<std::size_t>(i * K + j)] : (i == j ? 1.0f : 0.0f));
    soft_targets_ = layers::target_table(rows, K + 1, K + 1);
    conversion_ = register_module(
        "conversion", torch::nn::Sequential(torch::nn::Linear(num_source, options_.conversion_hidden), torch::nn::ReLU(),
                                            torch::nn::Linear(options_.conversion_hidden, K + 1)));
  }
}

std::shared_ptr<MultitaskDecoder> MultitaskDecoder::build(const BuildContext& context, int64_t input_dim) {
  MultitaskOptions options = multitask_options(context.config);
  const bool fresh = context.train != nullptr;
  const fs::path dir = context.model_dir;
  auto load = [&](const std::string& configured, const char* saved) {
    if (!fresh && !dir.empty() && fs::exists(dir / saved)) return taxonomy::Taxonomy::load((dir / saved).string());
    return taxonomy::Taxonomy::load(configured);
  };
  taxonomy::Taxonomy source = load(options.taxonomy, kSourceFile);
  std::optional<taxonomy::Taxonomy> target;
  if (!options.target_taxonomy.empty()) target = load(options.target_taxonomy, kTargetFile);
  if (fresh && !dir.empty()) {
    fs::create_directories(dir);
    write_file_atomic((dir / kSourceFile).string(), source.to_json().dump(2) + "\n");
    if (target) write_file_atomic((dir / kTargetFile).string(), target->to_json().dump(2) + "\n");
  }
  return std::make_shared<MultitaskDecoder>(input_dim, context.labels, options, std::move(source),
                                            target ? &*target : nullptr);
}

std::vector<Mention> MultitaskDecoder::gold_mentions(const torch::Tensor& labels, const torch::Tensor& mask) const {
  auto l = labels.cpu().contiguous();
  auto lengths = mask.sum(1).cpu();
  const int64_t T = l.size(1);
  const int64_t* p = l.data_ptr<int64_t>();
  std::vector<Mention> out;
  for (int64_t b = 0; b < l.size(0); ++b) {
    const int64_t* row = p + b * T;
    collect_mentions(
        b, lengths[b].item<int64_t>(), [&](int64_t t) { return label_tag_.at(static_cast<std::size_t>(row[t])); },
        [&](int64_t t) { return label_type_[static_cast<std::size_t>(row[t])]; }, out);
  }
  return out;
}

std::vector<Mention> MultitaskDecoder::detect(const torch::Tensor& features, const torch::Tensor& mask) {
  std::vector<Mention> out;
  const auto tags = detection_->decode(features, mask);
  for (std::size_t b = 0; b < tags.size(); ++b) {
    const auto& s = tags[b];
    collect_mentions(
        static_cast<int64_t>(b), static_cast<int64_t>(s.size()), [&](int64_t t) { return s[static_cast<std::size_t>(t)]; },
        [](int64_t) { return int64_t{-1}; }, out);
  }
  return out;
}

torch::Tensor MultitaskDecoder::mention_features(const torch::Tensor& features, const std::vector<Mention>& mentions) {
  const int64_t N = static_cast<int64_t>(mentions.size());
  auto index = torch::empty({3, N}, torch::kInt64);
  auto length = torch::empty({N, 1}, torch::kFloat32);
  auto ip = index.accessor<int64_t, 2>();
  auto lp = length.accessor<float, 2>();
  const int64_t T = features.size(1);
  for (int64_t n = 0; n < N; ++n) {
    const Mention& m = mentions[static_cast<std::size_t>(n)];
    ip[0][n] = m.sentence * T + m.start;
    ip[1][n] = m.sentence * T + m.end - 1;
    ip[2][n] = m.sentence * (T + 1) + m.start;  // prefix sums have a leading zero row per sentence
    lp[n][0] = static_cast<float>(m.end - m.start);
  }
  index = index.to(features.device());
  auto x = dropout_->forward(features);
  auto flat = x.reshape({-1, x.size(2)});
  // Mean over the mention's words from prefix sums: sum[start, end) = P[end] - P[start].
  auto prefix = torch::cat({torch::zeros({x.size(0), 1, x.size(2)}, x.options()), x.cumsum(1)}, 1).reshape({-1, x.size(2)});
  auto sum = prefix.index_select(0, index[2] + (index[1] - index[0] + 1)) - prefix.index_select(0, index[2]);
  auto mean = sum / length.to(features.device());
  return torch::cat({flat.index_select(0, index[0]), flat.index_select(0, index[1]), mean}, 1);
}

torch::Tensor MultitaskDecoder::output_logits(const torch::Tensor& features, const std::vector<Mention>& mentions) {
  auto logits = type_projection_->forward(mention_features(features, mentions));  // [N, source types]
  if (conversion_) return conversion_->forward(logits);                            // [N, output types + 1]
  auto columns = torch::tensor(output_in_source_, torch::kInt64).to(features.device());
  return logits.index_select(1, columns);
}

torch::Tensor MultitaskDecoder::type_distribution(const torch::Tensor& features, const std::vector<Mention>& mentions) {
  if (mentions.empty())
    return torch::zeros({0, static_cast<int64_t>(output_types_.size()) + (conversion_ ? 1 : 0)}, features.options());
  auto logits = output_logits(features, mentions);
  if (conversion_) return torch::softmax(logits, 1);
  auto scores = torch::sigmoid(logits);
  return scores / scores.sum(1, true);
}

torch::Tensor MultitaskDecoder::loss(const torch::Tensor& features, const torch::Tensor& labels,
                                     const torch::Tensor& mask) {
  auto mentions = gold_mentions(labels, mask);
  if (conversion_) {
    // The detector's mentions that are not gold mentions teach the conversion layer its "not an entity" class.
    std::set<std::tuple<int64_t, int64_t, int64_t>> gold;
    for (const auto& m : mentions) gold.emplace(m.sentence, m.start, m.end);
    std::vector<Mention> detected;
    {
      torch::NoGradGuard no_grad;
      detected = detect(features, mask);
    }
    for (auto m : detected)
      if (!gold.count({m.sentence, m.start, m.end})) {
        m.type = static_cast<int64_t>(output_types_.size());
        mentions.push_back(m);
      }
  }
  torch::Tensor typing = torch::zeros({}, features.options());
  if (!mentions.empty()) {
    std::vector<int64_t> types;
    for (const auto& m : mentions) types.push_back(m.type);
    const auto gold = torch::tensor(types, torch::kInt64).to(features.device());
    if (conversion_) {
      auto logits = output_logits(features, mentions);
      typing = options_.loss == TypingLoss::kHard ? layers::hard_cross_entropy(logits, gold)
                                       : layers::soft_cross_entropy(
                                             logits, layers::gather_targets(soft_targets_.to(features.device()), gold));
    } else {
      auto logits = type_projection_->forward(mention_features(features, mentions));
      typing = layers::multilabel_typing_loss(logits,
                                              layers::gather_targets(typing_targets_.to(features.device()), gold));
    }
  }
  // Stage 2 trains the typing side, and the detector only when asked to (it is usually frozen).
  const double detection_weight = conversion_ ? options_.stage2_detection_weight : 1.0;
  const double typing_weight = conversion_ ? 1.0 : options_.typing_weight;
  if (detection_weight == 0.0) return typing_weight * typing;
  auto tag_of = torch::tensor(label_tag_, torch::kInt64).to(labels.device());
  auto untyped = tag_of.index({labels.masked_fill(~mask, 0)});
  return detection_weight * detection_->loss(features, untyped, mask) + typing_weight * typing;
}

std::vector<std::vector<int64_t>> MultitaskDecoder::decode(const torch::Tensor& features, const torch::Tensor& mask) {
  const auto lengths = mask.sum(1).cpu();
  const auto o_label = std::find(label_tag_.begin(), label_tag_.end(), kO) - label_tag_.begin();
  std::vector<std::vector<int64_t>> out(static_cast<std::size_t>(features.size(0)));
  for (std::size_t b = 0; b < out.size(); ++b)
    out[b].assign(static_cast<std::size_t>(lengths[static_cast<int64_t>(b)].item<int64_t>()),
                  o_label < num_labels() ? o_label : 0);
  const auto mentions = detect(features, mask);
  if (mentions.empty()) return out;
  auto logits = output_logits(features, mentions).cpu();  // stage 2: the last column is "not an entity"
  // A type without an I- label cannot label a multi-word mention.
  auto multi_word = torch::empty({logits.size(0), 1}, torch::kBool);
  auto no_inside = torch::zeros({1, logits.size(1)}, torch::kBool);
  for (std::size_t n = 0; n < mentions.size(); ++n)
    multi_word[static_cast<int64_t>(n)][0] = mentions[n].end - mentions[n].start > 1;
  for (std::size_t k = 0; k < type_label_.size(); ++k) no_inside[0][static_cast<int64_t>(k)] = type_label_[k][1] < 0;
  logits.masked_fill_(multi_word & no_inside, -std::numeric_limits<float>::infinity());
  const auto best = std::get<1>(logits.max(1)).contiguous();
  const int64_t* bp = best.data_ptr<int64_t>();
  for (std::size_t n = 0; n < mentions.size(); ++n) {
    const Mention& m = mentions[n];
    const int64_t k = bp[n];
    if (k >= static_cast<int64_t>(type_label_.size())) continue;  // not an entity: the words stay O
    const auto& ids = type_label_[static_cast<std::size_t>(k)];
    auto& s = out[static_cast<std::size_t>(m.sentence)];
    for (int64_t t = m.start; t < m.end; ++t) s[static_cast<std::size_t>(t)] = t == m.start ? ids[0] : ids[1];
  }
  return out;
}

torch::Tensor MultitaskDecoder::probabilities(const torch::Tensor& features, const torch::Tensor& mask) {
  const int64_t B = features.size(0), T = features.size(1), L = num_labels();
  auto marginals = detection_->probabilities(features, mask);  // [B, T, 3]
  // Every word gets the mention that covers it, or itself alone.
  auto mentions = detect(features, mask);
  std::vector<int64_t> owner(static_cast<std::size_t>(B * T), -1);
  for (std::size_t n = 0; n < mentions.size(); ++n)
    for (int64_t t = mentions[n].start; t < mentions[n].end; ++t)
      owner[static_cast<std::size_t>(mentions[n].sentence * T + t)] = static_cast<int64_t>(n);
  const auto lengths = mask.sum(1).cpu();
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t = 0, n = lengths[b].item<int64_t>(); t < n; ++t)
      if (owner[static_cast<std::size_t>(b * T + t)] < 0) {
        owner[static_cast<std::size_t>(b * T + t)] = static_cast<int64_t>(mentions.size());
        mentions.push_back({b, t, t + 1, -1});
      }
  if (mentions.empty()) return torch::zeros({B, T, L}, features.options());  // only empty sentences
  auto types = type_distribution(features, mentions);  // [N, K], stage 2 [N, K + 1]
  for (auto& o : owner) o = std::max<int64_t>(o, 0);   // padding rows: any mention (unspecified by contract)
  auto per_word = types.index_select(0, torch::tensor(owner, torch::kInt64).to(features.device()))
                      .reshape({B, T, types.size(1)});
  auto probs = torch::zeros({B, T, L}, features.options());
  const int64_t K = static_cast<int64_t>(output_types_.size());
  for (int64_t id = 0; id < L; ++id) {
    const int64_t tag = label_tag_[static_cast<std::size_t>(id)];
    auto p = marginals.select(2, tag);
    if (tag != kO) p = p * per_word.select(2, label_type_[static_cast<std::size_t>(id)]);
    // Stage 2: a mention judged "not an entity" leaves its words O.
    else if (per_word.size(2) > K) p = p + (marginals.select(2, kB) + marginals.select(2, kI)) * per_word.select(2, K);
    probs.select(2, id).copy_(p);
  }
  // Types without an I- label lose the I mass: renormalise so that every row stays a distribution.
  return probs / probs.sum(2, true).clamp_min(1e-30);
}

void register_multitask_decoder() {
  register_decoder("multitask", [](const BuildContext& c, int64_t input_dim, int64_t) {
    return MultitaskDecoder::build(c, input_dim);
  });
}

}  // namespace nertool::models
