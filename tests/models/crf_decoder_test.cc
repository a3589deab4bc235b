#include "nertool/models/crf_decoder.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "nertool/core/error.h"
#include "nertool/data/tag_scheme.h"
#include "nertool/ops/crf.h"

namespace nertool::models {
namespace {

const std::vector<std::string> kLabels{"O", "B-LOC", "B-PER", "I-LOC", "I-PER"};

BuildContext context(nlohmann::json config) {
  BuildContext c;
  c.config = std::move(config);
  c.labels = LabelSet(kLabels);
  return c;
}

TEST(CrfDecoder, IsRegistered) {
  auto names = decoder_names();
  EXPECT_NE(std::find(names.begin(), names.end(), "crf"), names.end());
}

TEST(CrfDecoder, ValidatesItsConfig) {
  EXPECT_THROW(CrfDecoder::build(context({{"crf", {{"dropuot", 0.1}}}}), 8), ConfigError);
  EXPECT_THROW(CrfDecoder::build(context({{"crf", {{"dropout", 1.5}}}}), 8), ConfigError);
  EXPECT_THROW(CrfDecoder::build(context({{"crf", {{"constraints", "yes"}}}}), 8), ConfigError);
  EXPECT_THROW(CrfDecoder::build(context({{"crf", {{"scheme", "IOBX"}}}}), 8), ConfigError);
  EXPECT_THROW(CrfDecoder::build(context({{"crf", {{"scheme", "IOE2"}}}}), 8), ConfigError);  // B- is not IOE2
  EXPECT_THROW(CrfDecoder::build(context({{"crf", 3}}), 8), ConfigError);
  EXPECT_NO_THROW(CrfDecoder::build(context({{"crf", {{"dropout", 0.5}, {"constraints", false}}}}), 8));
}

TEST(CrfDecoder, ConstraintsFollowTheSchemeKey) {
  auto detected = CrfDecoder::build(context({}), 8);                                      // IOB2 from labels
  auto iob1 = CrfDecoder::build(context({{"scheme", "IOB1"}}), 8);                        // model.scheme
  auto off = CrfDecoder::build(context({{"crf", {{"constraints", false}}}}), 8);
  const std::size_t L = kLabels.size();
  const std::size_t o = 0, b_loc = 1, i_loc = 3;
  EXPECT_FALSE(detected->constraints().transitions[o * L + i_loc]);  // O -> I-LOC is not IOB2
  EXPECT_TRUE(detected->constraints().transitions[o * L + b_loc]);
  EXPECT_TRUE(iob1->constraints().transitions[o * L + i_loc]);       // but it is IOB1
  EXPECT_FALSE(iob1->constraints().transitions[o * L + b_loc]);
  EXPECT_TRUE(off->constraints().transitions[o * L + i_loc]);
}

TEST(CrfDecoder, LossIsTheMeanSentenceNll) {
  torch::manual_seed(1);
  auto d = CrfDecoder::build(context({}), 6);
  d->eval();
  auto features = torch::randn({3, 4, 6});
  auto mask = torch::tensor({4, 2, 1}).unsqueeze(1) > torch::arange(4).unsqueeze(0);
  auto labels = torch::tensor({0, 1, 3, 0, 2, 4, 0, 0, 1, 0, 0, 0}, torch::kInt64).view({3, 4});
  auto loss = d->loss(features, labels, mask);
  auto nll = ops::crf_nll(d->emissions(features), labels.masked_fill(~mask, 0), mask,
                          d->scores(CrfDecoder::kTrainingForbidden));
  EXPECT_NEAR(loss.item<double>(), nll.mean().item<double>(), 1e-6);
  loss.backward();
  for (const auto& p : d->parameters()) EXPECT_TRUE(p.grad().defined());
}

TEST(CrfDecoder, LearnsAToyTaskAndDecodesValidSequences) {
  // Features carry the label of each word; the CRF must learn emissions and keep decodes valid IOB2.
  torch::manual_seed(3);
  auto d = CrfDecoder::build(context({}), 5);
  auto labels = torch::randint(0, 5, {16, 7}, torch::kInt64);
  // Make the gold sequences valid IOB2: an I-X follows B-X or I-X of the same type, otherwise it becomes B-X.
  for (int64_t b = 0; b < 16; ++b)
    for (int64_t t = 0; t < 7; ++t) {
      int64_t y = labels[b][t].item<int64_t>();
      int64_t prev = t > 0 ? labels[b][t - 1].item<int64_t>() : 0;
      if (y >= 3 && prev != y && prev != y - 2) labels[b][t] = y - 2;
    }
  auto features = torch::one_hot(labels, 5).to(torch::kFloat) * 3 + torch::randn({16, 7, 5}) * 0.5;
  auto mask = torch::randint(1, 8, {16}).unsqueeze(1) > torch::arange(7).unsqueeze(0);
  torch::optim::Adam opt(d->parameters(), torch::optim::AdamOptions(0.05));
  double first = 0, last = 0;
  for (int step = 0; step < 60; ++step) {
    opt.zero_grad();
    auto loss = d->loss(features, labels, mask);
    if (step == 0) first = loss.item<double>();
    last = loss.item<double>();
    loss.backward();
    opt.step();
  }
  EXPECT_LT(last, first * 0.2);
  auto decoded = d->decode(features, mask);
  auto probs = d->probabilities(features, mask);
  ASSERT_EQ(decoded.size(), 16u);
  for (int64_t b = 0; b < 16; ++b) {
    const auto n = static_cast<std::size_t>(mask[b].sum().item<int64_t>());
    ASSERT_EQ(decoded[b].size(), n);
    std::vector<std::string> tags;
    for (std::size_t t = 0; t < n; ++t) {
      EXPECT_EQ(decoded[b][t], labels[b][static_cast<int64_t>(t)].item<int64_t>());
      tags.push_back(kLabels[decoded[b][t]]);
      EXPECT_NEAR(probs[b][static_cast<int64_t>(t)].sum().item<double>(), 1.0, 1e-5);
    }
    EXPECT_TRUE(data::validate_tags(tags, data::TagScheme::IOB2).empty());
  }
  auto top = d->top_k(features, mask, 3);
  EXPECT_EQ(top.scores.size(1), 3);
}

}  // namespace
}  // namespace nertool::models
