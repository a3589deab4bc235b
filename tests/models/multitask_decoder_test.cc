// The multitask (taxonomy-transfer) decoder: losses against the formulas written out with plain tensor ops,
// mention extraction, the conversion stage's soft and hard targets, decoding after overfitting, probabilities,
// and config errors.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "nertool/core/atomic_file.h"
#include "nertool/core/error.h"
#include "nertool/models/crf_decoder.h"
#include "nertool/models/multitask_decoder.h"
#include "nertool/ops/crf_constraints.h"
#include "taxonomy/small_taxonomy.h"
#include "test_paths.h"

namespace nertool::models {
namespace {

// Source: the small test hierarchy (A > B > D, A > B > E > G, A > C > F, X). Target: ENTITY > P, Q, R with
// sibling credit 0.25 through the root.
taxonomy::Taxonomy source_taxonomy() { return taxonomy::Taxonomy::from_json(testing::small_taxonomy_json()); }
taxonomy::Taxonomy target_taxonomy() {
  return taxonomy::Taxonomy::from_json(nlohmann::json::parse(R"({
    "name": "target",
    "types": [{"name": "ENTITY"}, {"name": "P", "parent": "ENTITY"}, {"name": "Q", "parent": "ENTITY"},
              {"name": "R", "parent": "ENTITY"}],
    "credit": {"rule": {"sibling_credit": 0.25, "credit_through_root": true}}
  })"));
}

const LabelSet kSourceLabels({"O", "B-D", "I-D", "B-F", "I-F", "B-X", "I-X"});
const LabelSet kTargetLabels({"O", "B-P", "I-P", "B-Q", "I-Q"});

torch::Tensor param(torch::nn::Module& m, const std::string& name) { return m.named_parameters()[name]; }

// Two sentences: "B-D I-D O B-X O" and "O B-F I-F I-F" (+ one padding position).
struct Example {
  torch::Tensor features = torch::randn({2, 5, 6});
  torch::Tensor labels = torch::tensor({{1, 2, 0, 5, 0}, {0, 3, 4, 4, 0}}, torch::kInt64);
  torch::Tensor mask = torch::tensor({{1, 1, 1, 1, 1}, {1, 1, 1, 1, 0}}, torch::kBool);
};

// [first word, last word, mean] of words [start, end) of sentence b.
torch::Tensor mention_rep(const torch::Tensor& f, int64_t b, int64_t start, int64_t end) {
  return torch::cat({f[b][start], f[b][end - 1], f[b].slice(0, start, end).mean(0)});
}

TEST(MultitaskDecoder, GoldMentionsFromIob2Labels) {
  MultitaskDecoder d(6, kSourceLabels, {}, source_taxonomy(), nullptr);
  Example e;
  auto m = d.gold_mentions(e.labels, e.mask);
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(d.output_types(), (std::vector<std::string>{"D", "F", "X"}));
  EXPECT_EQ(std::vector<int64_t>({m[0].sentence, m[0].start, m[0].end, m[0].type}), std::vector<int64_t>({0, 0, 2, 0}));
  EXPECT_EQ(std::vector<int64_t>({m[1].sentence, m[1].start, m[1].end, m[1].type}), std::vector<int64_t>({0, 3, 4, 2}));
  EXPECT_EQ(std::vector<int64_t>({m[2].sentence, m[2].start, m[2].end, m[2].type}), std::vector<int64_t>({1, 1, 4, 1}));
}

// Stage 1: loss = CRF NLL over O/B/I + typing_weight * mean over gold mentions of the summed binary
// cross-entropies, with the type and its ancestors as positives.
TEST(MultitaskDecoder, PretrainingLossIsDetectionPlusWeightedTyping) {
  Example e;
  MultitaskOptions o;
  o.typing_weight = 0.0;
  torch::manual_seed(3);
  MultitaskDecoder detection_only(6, kSourceLabels, o, source_taxonomy(), nullptr);
  o.typing_weight = 0.7;
  torch::manual_seed(3);
  MultitaskDecoder both(6, kSourceLabels, o, source_taxonomy(), nullptr);
  // Types in taxonomy order A B C D E F G X; D -> {A, B, D}, F -> {A, C, F}, X -> {X}.
  auto targets = torch::tensor({{1, 1, 0, 1, 0, 0, 0, 0}, {0, 0, 0, 0, 0, 0, 0, 1}, {1, 0, 1, 0, 0, 1, 0, 0}},
                               torch::kFloat32);
  auto reps = torch::stack({mention_rep(e.features, 0, 0, 2), mention_rep(e.features, 0, 3, 4),
                            mention_rep(e.features, 1, 1, 4)});
  auto z = torch::matmul(reps, param(both, "type_projection.weight").t()) + param(both, "type_projection.bias");
  // log(1 + e^-z) for positives, log(1 + e^z) for negatives.
  auto bce = targets * torch::log1p(torch::exp(-z)) + (1 - targets) * torch::log1p(torch::exp(z));
  const double typing = bce.sum(1).mean().item<double>();
  const double difference =
      both.loss(e.features, e.labels, e.mask).item<double>() - detection_only.loss(e.features, e.labels, e.mask).item<double>();
  EXPECT_NEAR(difference, 0.7 * typing, 1e-5);
}

// Stage 2: soft targets are the target taxonomy's credit rows over the label set's types (P, Q): W = [[1, .25],
// [.25, 1]], normalised to [.8, .2] and [.2, .8], plus a third class "not an entity" (one-hot for the detector's
// mentions that are not gold); the hard ablation is plain cross-entropy. The detector is forced to find nothing,
// then a mention at every word.
TEST(MultitaskDecoder, ConversionLossesSoftAndHard) {
  auto target = target_taxonomy();
  torch::Tensor features = torch::randn({1, 4, 6});
  torch::Tensor labels = torch::tensor({{1, 2, 0, 3}}, torch::kInt64);  // B-P I-P O B-Q
  torch::Tensor mask = torch::ones({1, 4}, torch::kBool);
  for (const char* loss : {"soft", "hard"}) {
    for (bool detect_every_word : {false, true}) {
      SCOPED_TRACE(std::string(loss) + (detect_every_word ? ", a mention at every word" : ", no detected mention"));
      MultitaskOptions o;
      o.target_taxonomy = "target.json";
      o.loss = *nertool::find_choice<TypingLoss>(loss);
      o.conversion_hidden = 5;
      MultitaskDecoder d(6, kTargetLabels, o, source_taxonomy(), &target);
      ASSERT_TRUE(d.converts());
      {
        torch::NoGradGuard guard;
        param(d, "detection.classifier.bias").copy_(detect_every_word ? torch::tensor({-100.f, 100.f, -100.f})
                                                                      : torch::tensor({100.f, -100.f, -100.f}));
      }
      // Gold P [0, 2) and Q [3, 4); with a mention at every word, [0, 1), [1, 2), [2, 3) are not gold.
      std::vector<torch::Tensor> reps = {mention_rep(features, 0, 0, 2), mention_rep(features, 0, 3, 4)};
      std::vector<std::vector<float>> y = std::string(loss) == "soft"
                                              ? std::vector<std::vector<float>>{{0.8f, 0.2f, 0.f}, {0.2f, 0.8f, 0.f}}
                                              : std::vector<std::vector<float>>{{1.f, 0.f, 0.f}, {0.f, 1.f, 0.f}};
      if (detect_every_word)
        for (int64_t t = 0; t < 3; ++t) {
          reps.push_back(mention_rep(features, 0, t, t + 1));
          y.push_back({0.f, 0.f, 1.f});
        }
      auto source_logits = torch::matmul(torch::stack(reps), param(d, "type_projection.weight").t()) +
                           param(d, "type_projection.bias");
      auto hidden = torch::relu(torch::matmul(source_logits, param(d, "conversion.0.weight").t()) +
                                param(d, "conversion.0.bias"));
      auto logits = torch::matmul(hidden, param(d, "conversion.2.weight").t()) + param(d, "conversion.2.bias");
      ASSERT_EQ(logits.size(1), 3);
      std::vector<float> flat;
      for (const auto& row : y) flat.insert(flat.end(), row.begin(), row.end());
      auto targets = torch::tensor(flat).reshape({static_cast<int64_t>(y.size()), 3});
      const double expected = -(targets * torch::log_softmax(logits, 1)).sum(1).mean().item<double>();
      EXPECT_NEAR(d.loss(features, labels, mask).item<double>(), expected, 1e-5);
    }
  }
}

// Stage 2 with stage2_detection_weight w: the typing loss plus w times the detection CRF's NLL of the target's
// untyped tags (B I O B here), the NLL a CrfDecoder with the detector's weights gives; the detector then gets
// gradients, which it does not get with w = 0.
TEST(MultitaskDecoder, StageTwoCanTrainTheDetectorToo) {
  auto target = target_taxonomy();
  torch::Tensor features = torch::randn({1, 4, 6});
  torch::Tensor labels = torch::tensor({{1, 2, 0, 3}}, torch::kInt64);  // B-P I-P O B-Q
  torch::Tensor mask = torch::ones({1, 4}, torch::kBool);
  MultitaskOptions o;
  o.target_taxonomy = "target.json";
  o.conversion_hidden = 5;
  torch::manual_seed(5);
  MultitaskDecoder frozen(6, kTargetLabels, o, source_taxonomy(), &target);
  o.stage2_detection_weight = 0.5;
  torch::manual_seed(5);
  MultitaskDecoder joint(6, kTargetLabels, o, source_taxonomy(), &target);
  CrfDecoder crf(6, ops::scheme_constraints({"O", "B-MENTION", "I-MENTION"}, data::TagScheme::IOB2), 0.0);
  {
    torch::NoGradGuard guard;
    for (auto& p : crf.named_parameters()) p.value().copy_(param(joint, "detection." + p.key()));
  }
  const auto untyped = torch::tensor({{1, 2, 0, 1}}, torch::kInt64);
  const double nll = crf.loss(features, untyped, mask).item<double>();
  auto joint_loss = joint.loss(features, labels, mask);
  auto frozen_loss = frozen.loss(features, labels, mask);
  EXPECT_NEAR(joint_loss.item<double>() - frozen_loss.item<double>(), 0.5 * nll, 1e-5);
  joint_loss.backward();
  frozen_loss.backward();
  const auto joint_grad = param(joint, "detection.classifier.weight").grad();
  ASSERT_TRUE(joint_grad.defined());
  EXPECT_GT(joint_grad.abs().sum().item<double>(), 0.0);
  const auto frozen_grad = param(frozen, "detection.classifier.weight").grad();
  EXPECT_TRUE(!frozen_grad.defined() || frozen_grad.abs().sum().item<double>() == 0.0);
}

// A mention the conversion layer calls "not an entity" is left O, and its words' O probability takes that mass.
TEST(MultitaskDecoder, NotAnEntityLeavesWordsO) {
  auto target = target_taxonomy();
  MultitaskOptions o;
  o.target_taxonomy = "target.json";
  MultitaskDecoder d(6, kTargetLabels, o, source_taxonomy(), &target);
  torch::Tensor features = torch::randn({1, 3, 6});
  torch::Tensor mask = torch::ones({1, 3}, torch::kBool);
  torch::NoGradGuard guard;
  param(d, "detection.classifier.bias").copy_(torch::tensor({-100.f, 100.f, -100.f}));  // every word a mention
  param(d, "conversion.2.bias").copy_(torch::tensor({0.f, 0.f, 50.f}));                 // all "not an entity"
  auto decoded = d.decode(features, mask);
  EXPECT_EQ(decoded[0], (std::vector<int64_t>{0, 0, 0}));
  auto probs = d.probabilities(features, mask);
  for (int64_t t = 0; t < 3; ++t) {
    EXPECT_NEAR(probs[0][t].sum().item<double>(), 1.0, 1e-5);
    EXPECT_GT(probs[0][t][0].item<double>(), 0.99);
  }
}

// Trained alone on fixed features, the decoder reproduces the gold labels, and its probabilities are
// distributions whose best label is the decoded one.
TEST(MultitaskDecoder, OverfitsAndDecodesTypedMentions) {
  for (bool convert : {false, true}) {
    SCOPED_TRACE(convert ? "conversion" : "pretraining");
    torch::manual_seed(11);
    auto target = target_taxonomy();
    MultitaskOptions o;
    if (convert) o.target_taxonomy = "target.json";
    MultitaskDecoder d(8, convert ? kTargetLabels : kSourceLabels, o, source_taxonomy(), convert ? &target : nullptr);
    auto features = torch::randn({3, 6, 8});
    auto labels = convert ? torch::tensor({{1, 2, 0, 3, 4, 0}, {0, 0, 3, 0, 1, 0}, {3, 4, 4, 0, 0, 0}}, torch::kInt64)
                          : torch::tensor({{1, 2, 0, 5, 6, 0}, {0, 0, 3, 0, 1, 0}, {5, 6, 6, 0, 3, 4}}, torch::kInt64);
    auto mask = torch::ones({3, 6}, torch::kBool);
    mask[1][5] = false;
    torch::optim::Adam opt(d.parameters(), torch::optim::AdamOptions(0.05));
    for (int step = 0; step < 300; ++step) {
      opt.zero_grad();
      torch::Tensor loss = d.loss(features, labels, mask);
      if (convert) {  // the detection CRF is trained here through its own loss, as stage 1 would have
        auto children = d.named_children();
        auto& detection = dynamic_cast<CrfDecoder&>(*children["detection"]);
        auto tags = torch::tensor({0, 1, 2, 1, 2}, torch::kInt64).index({labels});
        loss = loss + detection.loss(features, tags, mask);
      }
      loss.backward();
      opt.step();
    }
    torch::NoGradGuard guard;
    auto decoded = d.decode(features, mask);
    auto probs = d.probabilities(features, mask);
    for (int64_t b = 0; b < 3; ++b) {
      const int64_t n = mask[b].sum().item<int64_t>();
      ASSERT_EQ(decoded[static_cast<std::size_t>(b)].size(), static_cast<std::size_t>(n));
      for (int64_t t = 0; t < n; ++t) {
        EXPECT_EQ(decoded[static_cast<std::size_t>(b)][static_cast<std::size_t>(t)], labels[b][t].item<int64_t>())
            << "sentence " << b << " word " << t;
        EXPECT_NEAR(probs[b][t].sum().item<double>(), 1.0, 1e-5);
        EXPECT_EQ(probs[b][t].argmax().item<int64_t>(), labels[b][t].item<int64_t>());
      }
    }
  }
}

TEST(MultitaskDecoder, ConfigErrorsNameTheProblem) {
  auto message = [](auto&& f) {
    try {
      f();
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message([] { multitask_options(nlohmann::json::object()); }).find("model.multitask"), std::string::npos);
  EXPECT_NE(message([] { multitask_options({{"multitask", {{"typing_weight", 1}}}}); }).find("taxonomy"), std::string::npos);
  EXPECT_NE(message([] { multitask_options({{"multitask", {{"taxonomy", "t.json"}, {"los", "soft"}}}}); })
                .find("unknown key 'model.multitask.los' (did you mean 'model.multitask.loss'?)"),
            std::string::npos);
  EXPECT_NE(message([] { multitask_options({{"multitask", {{"taxonomy", "t.json"}, {"loss", "fuzzy"}}}}); })
                .find("soft or hard"),
            std::string::npos);
  EXPECT_NE(message([] { MultitaskDecoder(4, LabelSet({"O", "S-D"}), {}, source_taxonomy(), nullptr); }).find("not IOB2"),
            std::string::npos);
  EXPECT_NE(message([] { MultitaskDecoder(4, LabelSet({"O", "B-Z", "I-Z"}), {}, source_taxonomy(), nullptr); })
                .find("type 'Z'"),
            std::string::npos);
  auto target = target_taxonomy();
  MultitaskOptions o;
  o.target_taxonomy = "target.json";
  EXPECT_NE(message([&] { MultitaskDecoder(4, LabelSet({"O", "B-D", "I-D"}), o, source_taxonomy(), &target); })
                .find("not in the target taxonomy"),
            std::string::npos);
}

// Built from config, the taxonomies are copied into the model directory, and loading reads them from there.
TEST(MultitaskDecoder, BuildCopiesTaxonomiesIntoTheModelDirectory) {
  testing::TempDir dir;
  write_file_atomic(dir.file("small.json"), testing::small_taxonomy_json().dump());
  BuildContext c;
  c.config = {{"decoder", "multitask"}, {"multitask", {{"taxonomy", dir.file("small.json")}}}};
  c.labels = kSourceLabels;
  data::Corpus corpus;
  c.train = &corpus;
  c.model_dir = dir.file("model");
  auto d = MultitaskDecoder::build(c, 6);
  EXPECT_TRUE(std::filesystem::exists(dir.file("model/multitask_taxonomy.json")));
  std::filesystem::remove(dir.file("small.json"));
  c.train = nullptr;
  auto loaded = MultitaskDecoder::build(c, 6);
  EXPECT_EQ(loaded->output_types(), d->output_types());
}

}  // namespace
}  // namespace nertool::models
