#include "nertool/ops/char_conv_pool.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "nertool/core/error.h"

namespace nertool::ops {
namespace {

TEST(CharConvMaxPool, EqualsConvMaskedMaxReference) {
  for (int seed = 0; seed < 20; ++seed) {
    torch::manual_seed(seed);
    const int64_t N = 1 + seed, C = 1 + seed % 7, E = 1 + seed % 5, F = 1 + seed % 6, W = seed % 2 ? 3 : 5;
    auto x = torch::randn({N, C, E}, torch::kDouble);
    auto mask = torch::arange(C).unsqueeze(0) < torch::randint(0, C + 1, {N}).unsqueeze(1);
    auto weight = torch::randn({F, E, W}, torch::kDouble), bias = torch::randn({F}, torch::kDouble);
    auto got = char_conv_max_pool(x, mask, weight, bias);
    auto want = char_conv_max_pool_reference(x, mask, weight, bias);
    EXPECT_TRUE(torch::allclose(got, want, 1e-12, 1e-12)) << "seed " << seed;
    // Characters behind the mask do not matter.
    auto noisy = x + torch::randn_like(x) * (~mask).unsqueeze(2).to(torch::kDouble);
    EXPECT_TRUE(torch::allclose(char_conv_max_pool(noisy, mask, weight, bias), got, 1e-12, 1e-12));
  }
}

TEST(CharConvMaxPool, GradientsMatchAutogradThroughReference) {
  torch::manual_seed(9);
  auto x = torch::randn({6, 5, 4}, torch::kDouble).requires_grad_(true);
  auto mask = torch::arange(5).unsqueeze(0) < torch::tensor({5, 3, 1, 0, 2, 4}).unsqueeze(1);
  auto weight = torch::randn({7, 4, 3}, torch::kDouble).requires_grad_(true);
  auto bias = torch::randn({7}, torch::kDouble).requires_grad_(true);
  auto up = torch::randn({6, 7}, torch::kDouble);
  auto ours = torch::autograd::grad({(char_conv_max_pool(x, mask, weight, bias) * up).sum()}, {x, weight, bias});
  auto ref =
      torch::autograd::grad({(char_conv_max_pool_reference(x, mask, weight, bias) * up).sum()}, {x, weight, bias});
  for (int k = 0; k < 3; ++k) EXPECT_TRUE(torch::allclose(ours[k], ref[k], 1e-10, 1e-12)) << "input " << k;
}

TEST(CharConvMaxPool, WordsWithoutCharactersGiveZero) {
  auto x = torch::randn({2, 3, 2});
  auto mask = torch::tensor({true, true, false, false, false, false}).view({2, 3});
  auto out = char_conv_max_pool(x, mask, torch::randn({4, 2, 3}), torch::randn({4}));
  EXPECT_TRUE(torch::equal(out[1], torch::zeros({4})));
}

TEST(CharConvMaxPool, RejectsBadShapes) {
  EXPECT_THROW(char_conv_max_pool(torch::randn({2, 3}), torch::ones({2, 3}, torch::kBool), torch::randn({4, 2, 3}),
                                  torch::randn({4})),
               Error);
  EXPECT_THROW(char_conv_max_pool(torch::randn({2, 3, 2}), torch::ones({2, 3}, torch::kBool), torch::randn({4, 2, 2}),
                                  torch::randn({4})),
               Error);
}

}  // namespace
}  // namespace nertool::ops
