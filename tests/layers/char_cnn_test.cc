#include "nertool/layers/char_cnn.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

using namespace nertool::layers;

TEST(CharCnn, OutputIndependentOfPaddingLength) {
  torch::manual_seed(1);
  CharCnnOptions o;
  o.num_chars = 10;
  o.char_dim = 5;
  o.char_type_dim = 3;
  o.filters = 7;
  CharCnn cnn(o);
  cnn->eval();
  auto chars = torch::tensor({{2, 3, 4}}, torch::kInt64);
  auto types = torch::tensor({{1, 2, 2}}, torch::kInt64);
  auto alone = cnn->forward(chars, types);
  ASSERT_EQ(alone.sizes(), (std::vector<int64_t>{1, 7}));
  // The same word padded to 6 characters, next to a longer word.
  auto chars2 = torch::tensor({{2, 3, 4, 0, 0, 0}, {5, 6, 7, 8, 9, 2}}, torch::kInt64);
  auto types2 = torch::tensor({{1, 2, 2, 0, 0, 0}, {2, 2, 2, 3, 4, 5}}, torch::kInt64);
  auto padded = cnn->forward(chars2, types2);
  EXPECT_TRUE(torch::allclose(padded[0], alone[0], 0.0, 1e-6));
}

TEST(CharCnn, MaxPoolingOverConvolution) {
  // Known answer: one filter of width 1 (identity on the first embedding value) and max-over-time pooling.
  CharCnnOptions o;
  o.num_chars = 4;
  o.char_dim = 1;
  o.char_type_dim = 0;
  o.filters = 1;
  o.width = 1;
  CharCnn cnn(o);
  {
    torch::NoGradGuard g;
    for (auto& p : cnn->named_parameters()) {
      if (p.key() == "char_embedding.weight") p.value().copy_(torch::tensor({{0.f}, {-3.f}, {2.f}, {-1.f}}));
      if (p.key() == "conv.weight") p.value().fill_(1.f);
      if (p.key() == "conv.bias") p.value().fill_(0.f);
    }
  }
  auto out = cnn->forward(torch::tensor({{3, 1, 0}, {2, 3, 0}}, torch::kInt64), torch::zeros({2, 3}, torch::kInt64));
  // Row 0: max(-1, -3) = -1 even though a padding position (value 0) is larger.
  EXPECT_FLOAT_EQ(out[0][0].item<float>(), -1.f);
  EXPECT_FLOAT_EQ(out[1][0].item<float>(), 2.f);
}
