#include "nertool/ops/crf_constraints.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <limits>

#include "nertool/core/error.h"
#include "nertool/data/tag_scheme.h"
#include "ops/crf_test_util.h"

namespace nertool::ops {
namespace {

using data::TagScheme;

std::vector<std::string> labels_of(TagScheme scheme) {
  std::string prefixes;
  switch (scheme) {
    case TagScheme::IOB1:
    case TagScheme::IOB2: prefixes = "BI"; break;
    case TagScheme::IOE1:
    case TagScheme::IOE2: prefixes = "IE"; break;
    case TagScheme::IOBES: prefixes = "BIES"; break;
    case TagScheme::BILOU: prefixes = "BILU"; break;
  }
  std::vector<std::string> labels{"O"};
  for (const char* type : {"LOC", "PER"})
    for (char p : prefixes) labels.push_back(std::string(1, p) + "-" + type);
  return labels;
}

const TagScheme kSchemes[] = {TagScheme::IOB1, TagScheme::IOB2,  TagScheme::IOE1,
                              TagScheme::IOE2, TagScheme::IOBES, TagScheme::BILOU};

bool allowed(const CrfConstraints& c, const std::vector<int64_t>& y) {
  if (y.empty()) return true;
  const auto L = static_cast<std::size_t>(c.num_labels);
  bool ok = c.start[y[0]] && c.end[y.back()];
  for (std::size_t t = 1; t < y.size(); ++t) ok = ok && c.transitions[y[t - 1] * L + y[t]];
  return ok;
}

std::vector<std::string> names(const std::vector<std::string>& labels, const std::vector<int64_t>& y) {
  std::vector<std::string> out;
  for (auto id : y) out.push_back(labels[id]);
  return out;
}

// The masks accept exactly the sequences that data::validate_tags accepts: every sequence of up to 3 labels.
TEST(CrfConstraints, AgreeWithValidateTagsOnAllShortSequences) {
  for (auto scheme : kSchemes) {
    auto labels = labels_of(scheme);
    auto c = scheme_constraints(labels, scheme);
    const auto L = static_cast<int64_t>(labels.size());
    int64_t valid = 0, total = 0;
    for (int64_t n = 1; n <= 3; ++n) {
      std::vector<int64_t> y(n, 0);
      while (true) {
        const bool ok = data::validate_tags(names(labels, y), scheme).empty();
        EXPECT_EQ(allowed(c, y), ok) << data::tag_scheme_name(scheme) << ": " << labels[y[0]] << " ...";
        valid += ok, ++total;
        int64_t t = n - 1;
        while (t >= 0 && y[t] == L - 1) y[t--] = 0;
        if (t < 0) break;
        ++y[t];
      }
    }
    EXPECT_GT(valid, 0);
    EXPECT_LT(valid, total) << "the scheme forbids something";
  }
}

// Constrained Viterbi and k-best never emit an invalid sequence: 1000 random cases per scheme, with emissions and
// transitions that favour forbidden moves as often as not.
TEST(CrfConstraints, ConstrainedDecodingIsAlwaysValid) {
  const double inf = std::numeric_limits<double>::infinity();
  for (auto scheme : kSchemes) {
    auto labels = labels_of(scheme);
    auto c = scheme_constraints(labels, scheme);
    const auto L = static_cast<int64_t>(labels.size());
    torch::manual_seed(static_cast<int>(scheme));
    int invalid = 0;
    for (int round = 0; round < 50; ++round) {  // 50 batches of 20 sequences
      std::vector<int64_t> lengths;
      for (int b = 0; b < 20; ++b) lengths.push_back(torch::randint(1, 13, {1}).item<int64_t>());
      auto r = testing::random_crf(lengths, 12, L, torch::kDouble, 4.0);
      auto s = apply_constraints(r.scores, c, -inf);
      auto best = crf_viterbi(r.emissions, r.mask, s);
      auto top = crf_kbest(r.emissions, r.mask, s, 3);
      for (int64_t b = 0; b < 20; ++b) {
        const int64_t n = lengths[b];
        auto check = [&](const torch::Tensor& row) {
          std::vector<int64_t> y(row.data_ptr<int64_t>(), row.data_ptr<int64_t>() + n);
          auto problem = data::validate_tags(names(labels, y), scheme);
          if (!problem.empty()) ++invalid;
          EXPECT_TRUE(problem.empty()) << data::tag_scheme_name(scheme) << ": " << problem;
        };
        check(best.tags[b].contiguous());
        EXPECT_GT(best.scores[b].item<double>(), -inf);
        for (int64_t k = 0; k < 3; ++k)
          if (top.scores[b][k].item<double>() > -inf) check(top.tags[b][k].contiguous());
      }
    }
    EXPECT_EQ(invalid, 0);
  }
}

// With constraints, log Z sums over the valid sequences only.
TEST(CrfConstraints, ConstrainedLogPartitionCountsValidPathsOnly) {
  auto labels = labels_of(TagScheme::IOBES);  // 9 labels
  auto c = scheme_constraints(labels, TagScheme::IOBES);
  torch::manual_seed(8);
  auto r = testing::random_crf({3, 2, 1}, 3, 9);
  auto s = apply_constraints(r.scores, c, -std::numeric_limits<double>::infinity());
  auto log_z = crf_log_partition(r.emissions, r.mask, s);
  for (int64_t b = 0; b < 3; ++b) {
    auto brute = testing::brute_crf(r.emissions[b], r.lengths[b].item<int64_t>(), s);
    for (auto& p : brute.paths) EXPECT_TRUE(data::validate_tags(names(labels, p.second), TagScheme::IOBES).empty());
    EXPECT_NEAR(log_z[b].item<double>(), brute.log_z, 1e-9);
  }
}

TEST(CrfConstraints, SchemeFromLabels) {
  EXPECT_EQ(scheme_from_labels({"O", "B-PER", "I-PER"}), TagScheme::IOB2);
  EXPECT_EQ(scheme_from_labels({"O", "I-PER"}), TagScheme::IOB1);
  EXPECT_EQ(scheme_from_labels({"O", "B-PER", "I-PER", "E-PER", "S-PER"}), TagScheme::IOBES);
  EXPECT_EQ(scheme_from_labels({"O", "B-PER", "L-PER", "U-PER"}), TagScheme::BILOU);
  EXPECT_EQ(scheme_from_labels({"O", "I-PER", "E-PER"}), TagScheme::IOE2);
}

TEST(CrfConstraints, RejectsLabelsOutsideTheScheme) {
  EXPECT_THROW(scheme_constraints({"O", "B-PER", "E-PER"}, TagScheme::IOB2), ConfigError);
  EXPECT_THROW(scheme_constraints({"O", "PER"}, TagScheme::IOBES), ConfigError);
}

TEST(CrfConstraints, ApplySetsOnlyForbiddenEntries) {
  auto c = scheme_constraints({"O", "B-PER", "I-PER"}, TagScheme::IOB2);
  CrfScores s{torch::zeros({3, 3}), torch::zeros({3}), torch::zeros({3})};
  auto out = apply_constraints(s, c, -5.0);
  // O -> I-PER is the only forbidden transition; I-PER the only forbidden start.
  EXPECT_TRUE(torch::equal(out.transitions, torch::tensor({0.f, 0.f, -5.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f}).view({3, 3})));
  EXPECT_TRUE(torch::equal(out.start, torch::tensor({0.f, 0.f, -5.f})));
  EXPECT_TRUE(torch::equal(out.end, torch::zeros({3})));
}

}  // namespace
}  // namespace nertool::ops
