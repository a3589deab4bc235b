#include "nertool/ops/crf.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <limits>

#include "nertool/core/error.h"
#include "nertool/ops/crf_reference.h"
#include "ops/crf_test_util.h"

namespace nertool::ops {
namespace {

using testing::brute_crf;
using testing::random_crf;

// Random small cases: up to 4 labels, up to 5 steps, lengths 0..T in one batch.
testing::RandomCrf small_case(int seed) {
  torch::manual_seed(seed);
  const int64_t L = 1 + seed % 4;
  const int64_t T = seed % 6;
  std::vector<int64_t> lengths;
  for (int b = 0; b < 3; ++b) lengths.push_back(T == 0 ? 0 : torch::randint(0, T + 1, {1}).item<int64_t>());
  lengths.push_back(T);
  return random_crf(lengths, T, L, torch::kDouble, 1.5);
}

TEST(Crf, LogPartitionAndViterbiMatchBruteForce) {
  for (int seed = 0; seed < 240; ++seed) {
    auto c = small_case(seed);
    auto log_z = crf_log_partition(c.emissions, c.mask, c.scores);
    auto ref = crf_log_partition_reference(c.emissions, c.mask, c.scores);
    auto best = crf_viterbi(c.emissions, c.mask, c.scores);
    auto best_ref = crf_viterbi_reference(c.emissions, c.mask, c.scores);
    for (int64_t b = 0; b < c.emissions.size(0); ++b) {
      const int64_t n = c.lengths[b].item<int64_t>();
      auto brute = brute_crf(c.emissions[b], n, c.scores);
      SCOPED_TRACE("seed " + std::to_string(seed) + " b " + std::to_string(b) + " n " + std::to_string(n));
      EXPECT_NEAR(log_z[b].item<double>(), brute.log_z, 1e-9);
      EXPECT_NEAR(ref[b].item<double>(), brute.log_z, 1e-9);
      EXPECT_NEAR(best.scores[b].item<double>(), brute.paths[0].first, 1e-9);
      EXPECT_NEAR(best_ref.scores[b].item<double>(), brute.paths[0].first, 1e-9);
      for (int64_t t = 0; t < c.emissions.size(1); ++t) {
        const int64_t want = t < n ? brute.paths[0].second[static_cast<std::size_t>(t)] : 0;
        EXPECT_EQ(best.tags[b][t].item<int64_t>(), want) << "t " << t;
        EXPECT_EQ(best_ref.tags[b][t].item<int64_t>(), want) << "t " << t;
      }
    }
  }
}

TEST(Crf, KBestMatchesSortedBruteForceList) {
  for (int seed = 0; seed < 120; ++seed) {
    auto c = small_case(seed);
    for (int64_t k : {1, 3, 7, 40}) {
      auto top = crf_kbest(c.emissions, c.mask, c.scores, k);
      ASSERT_EQ(top.tags.sizes(), torch::IntArrayRef({c.emissions.size(0), k, c.emissions.size(1)}));
      for (int64_t b = 0; b < c.emissions.size(0); ++b) {
        const int64_t n = c.lengths[b].item<int64_t>();
        auto brute = brute_crf(c.emissions[b], n, c.scores);
        SCOPED_TRACE("seed " + std::to_string(seed) + " k " + std::to_string(k) + " b " + std::to_string(b));
        for (int64_t r = 0; r < k; ++r) {
          const double got = top.scores[b][r].item<double>();
          if (r >= static_cast<int64_t>(brute.paths.size())) {
            EXPECT_EQ(got, -std::numeric_limits<double>::infinity());
            continue;
          }
          EXPECT_NEAR(got, brute.paths[static_cast<std::size_t>(r)].first, 1e-9);
          for (int64_t t = 0; t < n; ++t)
            EXPECT_EQ(top.tags[b][r][t].item<int64_t>(), brute.paths[static_cast<std::size_t>(r)].second[t]);
        }
      }
    }
  }
}

TEST(Crf, MarginalsMatchBruteForceAndSumToOne) {
  for (int seed = 0; seed < 120; ++seed) {
    auto c = small_case(seed);
    auto marg = crf_marginals(c.emissions, c.mask, c.scores);
    for (int64_t b = 0; b < c.emissions.size(0); ++b) {
      const int64_t n = c.lengths[b].item<int64_t>();
      auto brute = brute_crf(c.emissions[b], n, c.scores);
      for (int64_t t = 0; t < c.emissions.size(1); ++t) {
        if (t < n) {
          EXPECT_NEAR(marg[b][t].sum().item<double>(), 1.0, 1e-12);
        }
        for (int64_t j = 0; j < c.emissions.size(2); ++j)
          EXPECT_NEAR(marg[b][t][j].item<double>(), t < n ? brute.marginals[t][j] : 0.0, 1e-10)
              << "seed " << seed << " b " << b << " t " << t << " j " << j;
      }
    }
  }
}

TEST(Crf, NllIsMinusLogProbabilityOfThePath) {
  for (int seed = 0; seed < 60; ++seed) {
    auto c = small_case(seed);
    auto tags = torch::randint(0, c.emissions.size(2), c.mask.sizes(), torch::kInt64);
    auto nll = crf_nll(c.emissions, tags, c.mask, c.scores);
    for (int64_t b = 0; b < c.emissions.size(0); ++b) {
      const int64_t n = c.lengths[b].item<int64_t>();
      std::vector<int64_t> y(tags[b].data_ptr<int64_t>(), tags[b].data_ptr<int64_t>() + n);
      auto brute = brute_crf(c.emissions[b], n, c.scores);
      EXPECT_NEAR(nll[b].item<double>(), brute.log_z - testing::brute_path_score(c.emissions[b], y, c.scores), 1e-9);
    }
  }
}

// Parameters of a weighted sum of log Z, for gradient checks.
struct GradCase {
  testing::RandomCrf c;
  torch::Tensor weights;
  std::vector<torch::Tensor> leaves() { return {c.emissions, c.scores.transitions, c.scores.start, c.scores.end}; }
};
GradCase grad_case(int seed, std::vector<int64_t> lengths, int64_t T, int64_t L) {
  torch::manual_seed(seed);
  GradCase g{random_crf(lengths, T, L), torch::randn({static_cast<int64_t>(lengths.size())}, torch::kDouble)};
  for (auto& t : g.leaves()) t.requires_grad_(true);
  return g;
}

TEST(Crf, GradientsMatchFiniteDifferences) {
  auto g = grad_case(7, {4, 2, 0, 1}, 4, 3);
  auto f = [&] { return (crf_log_partition(g.c.emissions, g.c.mask, g.c.scores) * g.weights).sum(); };
  auto leaves = g.leaves();
  auto grads = torch::autograd::grad({f()}, leaves);
  const double eps = 1e-6;
  torch::NoGradGuard no_grad;
  for (std::size_t k = 0; k < leaves.size(); ++k) {
    auto flat = leaves[k].view({-1});
    auto gflat = grads[k].reshape({-1});
    for (int64_t i = 0; i < flat.numel(); ++i) {
      const double x = flat[i].item<double>();
      flat[i] = x + eps;
      const double up = f().item<double>();
      flat[i] = x - eps;
      const double down = f().item<double>();
      flat[i] = x;
      EXPECT_NEAR(gflat[i].item<double>(), (up - down) / (2 * eps), 1e-7) << "leaf " << k << " entry " << i;
    }
  }
}

TEST(Crf, GradientsMatchAutogradThroughTheReference) {
  for (int seed = 0; seed < 10; ++seed) {
    auto g = grad_case(seed, {7, 3, 0, 1, 6}, 7, 5);
    auto leaves = g.leaves();
    auto ours = torch::autograd::grad({(crf_log_partition(g.c.emissions, g.c.mask, g.c.scores) * g.weights).sum()},
                                      leaves);
    auto ref = torch::autograd::grad(
        {(crf_log_partition_reference(g.c.emissions, g.c.mask, g.c.scores) * g.weights).sum()}, leaves);
    for (std::size_t k = 0; k < leaves.size(); ++k)
      EXPECT_TRUE(torch::allclose(ours[k], ref[k], 1e-9, 1e-10)) << "seed " << seed << " leaf " << k;
  }
}

TEST(Crf, NllGradientFlowsThroughPathScore) {
  auto g = grad_case(3, {5, 2}, 5, 4);
  auto tags = torch::randint(0, 4, {2, 5}, torch::kInt64);
  auto leaves = g.leaves();
  auto ours = torch::autograd::grad({crf_nll(g.c.emissions, tags, g.c.mask, g.c.scores).sum()}, leaves);
  auto ref = torch::autograd::grad({(crf_log_partition_reference(g.c.emissions, g.c.mask, g.c.scores) -
                                     crf_path_score(g.c.emissions, tags, g.c.mask, g.c.scores))
                                        .sum()},
                                   leaves);
  for (std::size_t k = 0; k < leaves.size(); ++k) EXPECT_TRUE(torch::allclose(ours[k], ref[k], 1e-9, 1e-10));
}

TEST(Crf, PaddingAndBatchmatesDoNotChangeResults) {
  torch::manual_seed(11);
  auto c = random_crf({6, 9, 0, 1, 3}, 9, 5);
  auto leaves = std::vector<torch::Tensor>{c.emissions.requires_grad_(true)};
  auto log_z = crf_log_partition(c.emissions, c.mask, c.scores);
  auto grad_batch = torch::autograd::grad({log_z.sum()}, leaves)[0];
  auto best = crf_viterbi(c.emissions, c.mask, c.scores);
  auto marg = crf_marginals(c.emissions, c.mask, c.scores);
  for (int64_t b = 0; b < 5; ++b) {
    const int64_t n = c.lengths[b].item<int64_t>();
    auto alone = c.emissions.detach()[b].narrow(0, 0, n).unsqueeze(0).clone().requires_grad_(true);
    auto mask = torch::ones({1, n}, torch::kBool);
    auto z = crf_log_partition(alone, mask, c.scores);
    EXPECT_NEAR(z.item<double>(), log_z[b].item<double>(), 1e-12);
    auto g = torch::autograd::grad({z.sum()}, {alone})[0];
    EXPECT_TRUE(torch::allclose(g[0], grad_batch[b].narrow(0, 0, n)));
    EXPECT_EQ(grad_batch[b].narrow(0, n, 9 - n).abs().sum().item<double>(), 0.0);
    auto v = crf_viterbi(alone.detach(), mask, c.scores);
    EXPECT_NEAR(v.scores.item<double>(), best.scores[b].item<double>(), 1e-12);
    EXPECT_TRUE(torch::equal(v.tags[0], best.tags[b].narrow(0, 0, n)));
    EXPECT_TRUE(torch::allclose(crf_marginals(alone.detach(), mask, c.scores)[0], marg[b].narrow(0, 0, n)));
  }
}

TEST(Crf, EmptyAndLengthOneSequences) {
  torch::manual_seed(5);
  auto c = random_crf({0, 1, 0}, 1, 3);
  c.emissions.requires_grad_(true);
  auto log_z = crf_log_partition(c.emissions, c.mask, c.scores);
  EXPECT_EQ(log_z[0].item<double>(), 0.0);
  EXPECT_EQ(log_z[2].item<double>(), 0.0);
  auto one = c.scores.start + c.emissions.detach()[1][0] + c.scores.end;
  EXPECT_NEAR(log_z[1].item<double>(), torch::logsumexp(one, 0).item<double>(), 1e-12);
  auto g = torch::autograd::grad({log_z.sum()}, {c.emissions})[0];
  EXPECT_TRUE(torch::allclose(g[1][0], torch::softmax(one, 0)));
  EXPECT_EQ(g[0].abs().sum().item<double>(), 0.0);
  auto best = crf_viterbi(c.emissions, c.mask, c.scores);
  EXPECT_EQ(best.tags[1][0].item<int64_t>(), one.argmax().item<int64_t>());
  EXPECT_EQ(best.scores[0].item<double>(), 0.0);
  auto top = crf_kbest(c.emissions, c.mask, c.scores, 2);
  EXPECT_EQ(top.scores[0][0].item<double>(), 0.0);  // the empty path
  EXPECT_EQ(top.scores[0][1].item<double>(), -std::numeric_limits<double>::infinity());
  // A batch of no steps at all, and a batch of no sequences.
  auto none = random_crf({0, 0}, 0, 3);
  EXPECT_TRUE(torch::equal(crf_log_partition(none.emissions, none.mask, none.scores), torch::zeros({2}, torch::kDouble)));
  EXPECT_EQ(crf_viterbi(none.emissions, none.mask, none.scores).tags.sizes(), torch::IntArrayRef({2, 0}));
  auto empty = random_crf({}, 4, 3);
  EXPECT_EQ(crf_log_partition(empty.emissions, empty.mask, empty.scores).numel(), 0);
}

TEST(Crf, FloatAgreesWithDouble) {
  torch::manual_seed(2);
  auto c = random_crf({30, 17, 1, 0}, 30, 9);
  auto f = CrfScores{c.scores.transitions.to(torch::kFloat), c.scores.start.to(torch::kFloat),
                     c.scores.end.to(torch::kFloat)};
  auto zf = crf_log_partition(c.emissions.to(torch::kFloat), c.mask, f);
  EXPECT_TRUE(torch::allclose(zf.to(torch::kDouble), crf_log_partition(c.emissions, c.mask, c.scores), 1e-5, 1e-4));
  EXPECT_TRUE(torch::equal(crf_viterbi(c.emissions.to(torch::kFloat), c.mask, f).tags,
                           crf_viterbi(c.emissions, c.mask, c.scores).tags));
}

TEST(Crf, ForbiddenScoresAreHonoured) {
  // -inf scores remove paths: log Z and marginals equal the brute force over the allowed paths only.
  torch::manual_seed(4);
  auto c = random_crf({4, 3, 1}, 4, 3);
  c.scores.transitions[0][1] = -std::numeric_limits<double>::infinity();
  c.scores.transitions[2][2] = -std::numeric_limits<double>::infinity();
  c.scores.start[1] = -std::numeric_limits<double>::infinity();
  c.scores.end[0] = -std::numeric_limits<double>::infinity();
  auto log_z = crf_log_partition(c.emissions.requires_grad_(true), c.mask, c.scores);
  auto g = torch::autograd::grad({log_z.sum()}, {c.emissions})[0];
  EXPECT_FALSE(g.isnan().any().item<bool>());
  auto marg = crf_marginals(c.emissions, c.mask, c.scores);
  auto best = crf_viterbi(c.emissions, c.mask, c.scores);
  for (int64_t b = 0; b < 3; ++b) {
    const int64_t n = c.lengths[b].item<int64_t>();
    auto brute = brute_crf(c.emissions.detach()[b], n, c.scores);
    EXPECT_NEAR(log_z[b].item<double>(), brute.log_z, 1e-9);
    EXPECT_NEAR(best.scores[b].item<double>(), brute.paths[0].first, 1e-9);
    for (int64_t t = 0; t < n; ++t)
      for (int64_t j = 0; j < 3; ++j) EXPECT_NEAR(marg[b][t][j].item<double>(), brute.marginals[t][j], 1e-10);
  }
}

TEST(Crf, RejectsBadInputs) {
  auto c = random_crf({2, 1}, 2, 3);
  auto holes = c.mask.clone();
  holes[0][0] = false;  // true after false: not a prefix mask
  EXPECT_THROW(crf_log_partition(c.emissions, holes, c.scores), Error);
  EXPECT_THROW(crf_viterbi(c.emissions, c.mask.to(torch::kInt64), c.scores), Error);
  EXPECT_THROW(crf_log_partition(c.emissions, c.mask, {c.scores.transitions, c.scores.start, torch::zeros({4}, torch::kDouble)}), Error);
  EXPECT_THROW(crf_log_partition(c.emissions.to(torch::kFloat), c.mask, c.scores), Error);
  EXPECT_THROW(crf_kbest(c.emissions, c.mask, c.scores, 0), Error);
  EXPECT_THROW(crf_path_score(c.emissions, torch::full({2, 2}, 3, torch::kInt64), c.mask, c.scores), Error);
}

}  // namespace
}  // namespace nertool::ops
