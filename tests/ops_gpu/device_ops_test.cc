// Device-parameterised checks of the CRF and char-CNN ops: on each device (CPU, CUDA) the op must equal the CPU
// path within 1e-5 (double precision; float within a relative 1e-5) on random batches of many shapes, including
// empty and length-1 sequences. The CPU instance compares the CPU loops with the LibTorch-ops reference; CUDA
// instances skip without a GPU. This binary is labelled `gpu` in ctest (ctest -L gpu).
#include <gtest/gtest.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include "nertool/ops/char_conv_pool.h"
#include "nertool/ops/crf.h"
#include "nertool/ops/crf_reference.h"
#include "ops/crf_test_util.h"

namespace nertool::ops {
namespace {

struct Shape {
  std::vector<int64_t> lengths;
  int64_t T, L;
};

std::vector<Shape> shapes() {
  return {{{0}, 0, 3},           {{0, 0, 0}, 4, 5},  {{1}, 1, 1},      {{1, 0, 1}, 1, 9},
          {{5, 1, 0, 3}, 5, 4},  {{17, 9, 1}, 17, 9}, {{128, 100, 64, 1, 0, 128}, 128, 9},
          {{33, 12}, 40, 37},    {{20, 20}, 20, 73},  {{7, 3, 5}, 7, 200}};
}

class DeviceOps : public ::testing::TestWithParam<torch::DeviceType> {
 protected:
  void SetUp() override {
    if (GetParam() == torch::kCUDA && !torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  }
  torch::Device device() const { return torch::Device(GetParam()); }
  CrfScores on_device(const CrfScores& s) const {
    return {s.transitions.to(device()), s.start.to(device()), s.end.to(device())};
  }
};

void expect_close(const torch::Tensor& got, const torch::Tensor& want, double rtol, double atol, const std::string& what) {
  ASSERT_EQ(got.sizes(), want.sizes()) << what;
  auto diff = (got.cpu().to(torch::kDouble) - want.cpu().to(torch::kDouble)).abs();
  auto bound = want.cpu().to(torch::kDouble).abs() * rtol + atol;
  EXPECT_TRUE((diff <= bound).all().item<bool>()) << what << ": max difference " << diff.max().item<double>();
}

TEST_P(DeviceOps, CrfMatchesTheCpuPath) {
  int seed = 0;
  for (auto dtype : {torch::kDouble, torch::kFloat}) {
    const double rtol = dtype == torch::kDouble ? 0 : 1e-5, atol = dtype == torch::kDouble ? 1e-5 : 1e-5;
    for (const auto& shape : shapes()) {
      torch::manual_seed(++seed);
      auto c = testing::random_crf(shape.lengths, shape.T, shape.L, dtype, 2.0);
      const std::string what = "T=" + std::to_string(shape.T) + " L=" + std::to_string(shape.L) +
                               (dtype == torch::kDouble ? " double" : " float");
      // CPU path and its LibTorch-ops reference.
      auto em_cpu = c.emissions.clone().requires_grad_(true);
      auto tr_cpu = c.scores.transitions.clone().requires_grad_(true);
      auto z_cpu = crf_log_partition(em_cpu, c.mask, {tr_cpu, c.scores.start, c.scores.end});
      auto grads_cpu = torch::autograd::grad({z_cpu.sum()}, {em_cpu, tr_cpu});
      auto best_cpu = crf_viterbi(c.emissions, c.mask, c.scores);
      auto marg_cpu = crf_marginals(c.emissions, c.mask, c.scores);
      if (GetParam() == torch::kCPU) {
        if (shape.L <= 40) {  // the reference's per-step [B, L, L] ops are slow for big label sets
          expect_close(crf_log_partition_reference(c.emissions, c.mask, c.scores), z_cpu, rtol, atol, what + " logZ");
          auto ref = crf_viterbi_reference(c.emissions, c.mask, c.scores);
          expect_close(ref.scores, best_cpu.scores, rtol, atol, what + " viterbi score");
        }
        continue;
      }
      auto em = c.emissions.to(device()).requires_grad_(true);
      auto tr = c.scores.transitions.to(device()).requires_grad_(true);
      auto s = on_device(c.scores);
      auto mask = c.mask.to(device());
      auto z = crf_log_partition(em, mask, {tr, s.start, s.end});
      expect_close(z, z_cpu, rtol, atol, what + " logZ");
      auto grads = torch::autograd::grad({z.sum()}, {em, tr});
      expect_close(grads[0], grads_cpu[0], rtol, atol, what + " d/d emissions");
      expect_close(grads[1], grads_cpu[1], rtol, atol * std::max<int64_t>(1, shape.T), what + " d/d transitions");
      auto best = crf_viterbi(em.detach(), mask, s);
      expect_close(best.scores, best_cpu.scores, rtol, atol, what + " viterbi score");
      if (dtype == torch::kDouble) {
        EXPECT_TRUE(torch::equal(best.tags.cpu(), best_cpu.tags)) << what;
      }
      expect_close(crf_marginals(em.detach(), mask, s), marg_cpu, rtol, atol, what + " marginals");
    }
  }
}

TEST_P(DeviceOps, CharConvMaxPoolMatchesTheCpuPath) {
  int seed = 100;
  for (auto dtype : {torch::kDouble, torch::kFloat}) {
    for (auto [N, C, E, F, W] : std::vector<std::array<int64_t, 5>>{
             {0, 4, 3, 2, 3}, {1, 1, 1, 1, 1}, {7, 5, 4, 6, 3}, {300, 20, 29, 53, 3}, {50, 12, 30, 30, 5}}) {
      torch::manual_seed(++seed);
      auto x = torch::randn({N, C, E}, dtype);
      auto lengths = torch::randint(0, C + 1, {N});
      auto mask = torch::arange(C).unsqueeze(0) < lengths.unsqueeze(1);
      auto weight = torch::randn({F, E, W}, dtype);
      auto bias = torch::randn({F}, dtype);
      auto xr = x.clone().requires_grad_(true), wr = weight.clone().requires_grad_(true);
      auto want = char_conv_max_pool(xr, mask, wr, bias);
      auto want_grads = torch::autograd::grad({(want * want).sum()}, {xr, wr});
      const std::string what = "N=" + std::to_string(N) + " C=" + std::to_string(C);
      const double tol = dtype == torch::kDouble ? 1e-5 : 1e-4;
      if (GetParam() == torch::kCPU) {
        auto ref = char_conv_max_pool_reference(x, mask, weight, bias);
        expect_close(want, ref, 1e-5, tol, what);
        continue;
      }
      auto xd = x.to(device()).requires_grad_(true), wd = weight.to(device()).requires_grad_(true);
      auto got = char_conv_max_pool(xd, mask.to(device()), wd, bias.to(device()));
      expect_close(got, want, 1e-5, tol, what);
      auto grads = torch::autograd::grad({(got * got).sum()}, {xd, wd});
      expect_close(grads[0], want_grads[0], 1e-5, tol, what + " d/dx");
      expect_close(grads[1], want_grads[1], 1e-5, tol * N, what + " d/dweight");
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Devices, DeviceOps, ::testing::Values(torch::kCPU, torch::kCUDA),
                         [](const ::testing::TestParamInfo<torch::DeviceType>& info) {
                           return info.param == torch::kCPU ? std::string("CPU") : std::string("CUDA");
                         });

}  // namespace
}  // namespace nertool::ops
