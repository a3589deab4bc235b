#include "nertool/ops/dispatch.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>

#include "nertool/core/error.h"

namespace nertool::ops::dispatch {
namespace {

TEST(Dispatch, ByFloatTypeCallsWithTheDtypesCppType) {
  auto name_of = [](auto type) { return std::string(std::is_same_v<decltype(type), float> ? "float" : "double"); };
  EXPECT_EQ(by_float_type("op", torch::kFloat, name_of), "float");
  EXPECT_EQ(by_float_type("op", torch::kDouble, name_of), "double");
}

TEST(Dispatch, ByFloatTypeRefusesOtherDtypesNamingTheOp) {
  try {
    by_float_type("crf_viterbi", torch::kHalf, [](auto) { return 0; });
    FAIL() << "half accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("crf_viterbi: float or double tensors only, got Half"), std::string::npos)
        << e.what();
  }
}

TEST(Dispatch, MovedToKeepsUndefinedTensorsAndPassesNumbersThrough) {
  const torch::Device meta(torch::kMeta);
  EXPECT_FALSE(moved_to(torch::Tensor(), meta).defined());
  EXPECT_EQ(moved_to(int64_t{7}, meta), 7);
  auto [a, b] = moved_to(std::make_tuple(torch::ones({2}), torch::Tensor()), meta);
  EXPECT_TRUE(a.is_meta());
  EXPECT_FALSE(b.defined());
}

TEST(Dispatch, CpuTensorsRunTheCpuCallableOnly) {
  int cpu_calls = 0, cuda_calls = 0;
  auto cpu = [&](const torch::Tensor& x, int64_t k) {
    ++cpu_calls;
    return x * k;
  };
  auto cuda = [&](void*, const auto& x, int64_t) {
    ++cuda_calls;
    return x;
  };
  auto x = torch::arange(3, torch::kFloat);
  auto y = on_device(x.device(), cpu, cuda, x, int64_t{2});
  EXPECT_TRUE(torch::equal(y, torch::tensor({0.f, 2.f, 4.f})));
  EXPECT_EQ(cpu_calls, 1);
  EXPECT_EQ(cuda_calls, 0);
}

// A device without kernels in this build (here the meta device): the CPU callable gets CPU tensors and its results
// go back to that device, tuples element by element.
TEST(Dispatch, OtherDevicesRunOnCpuCopiesWithResultsMovedBack) {
  bool saw_cpu = false;
  auto cpu = [&](const torch::Tensor& x) {
    saw_cpu = x.is_cpu();
    return std::make_tuple(x + 1, x.sum());
  };
  auto [plus, sum] = on_cpu(torch::Device(torch::kMeta), cpu, torch::zeros({4}));
  EXPECT_TRUE(saw_cpu);
  EXPECT_TRUE(plus.is_meta());
  EXPECT_TRUE(sum.is_meta());
  EXPECT_EQ(plus.sizes(), torch::IntArrayRef({4}));
}

}  // namespace
}  // namespace nertool::ops::dispatch
