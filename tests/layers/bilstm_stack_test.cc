// layers::run_bilstm_stack under bfloat16 autocast: LibTorch's autocast leaves the LSTM in float32, so the stack
// casts it itself. Known answer: the float32 run of the same weights.
#include "nertool/layers/bilstm_stack.h"

#include <ATen/autocast_mode.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "nertool/models/precision.h"

namespace {

struct Stack : torch::nn::Module {
  std::vector<torch::nn::LSTM> lstms;
  torch::nn::Dropout dropout{torch::nn::DropoutOptions(0.0)};
  Stack() { lstms = nertool::layers::register_bilstm_stack(*this, 6, 8, 2); }
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask) {
    return nertool::layers::run_bilstm_stack(lstms, dropout, x, mask);
  }
};

std::vector<torch::Tensor> gradients(Stack& stack) {
  std::vector<torch::Tensor> out;
  for (auto& p : stack.parameters()) {
    out.push_back(p.grad().clone());
    p.mutable_grad().zero_();
  }
  return out;
}

TEST(BiLstmStack, Bfloat16AutocastRunsTheLstmsInBfloat16CloseToFloat32) {
  torch::manual_seed(3);
  Stack stack;
  auto x = torch::randn({3, 7, 6});
  auto lengths = torch::tensor({7, 2, 5});
  auto mask = torch::arange(7).unsqueeze(0) < lengths.unsqueeze(1);

  auto fp32 = stack.forward(x, mask);
  (fp32 * fp32).sum().backward();
  auto grads32 = gradients(stack);

  torch::Tensor bf16;
  {
    nertool::models::AutocastScope autocast(nertool::models::Precision::kBFloat16, torch::kCPU);
    bf16 = stack.forward(x, mask);
    // The weights are cast once per scope: autocast's cache hands the same bfloat16 copy to every batch.
    const torch::Tensor w = stack.lstms[0]->all_weights()[0];
    EXPECT_TRUE(at::autocast::cached_cast(at::kBFloat16, w, c10::DeviceType::CPU)
                    .is_same(at::autocast::cached_cast(at::kBFloat16, w, c10::DeviceType::CPU)));
  }
  EXPECT_EQ(fp32.scalar_type(), torch::kFloat32);
  ASSERT_EQ(bf16.scalar_type(), torch::kBFloat16);
  ASSERT_EQ(bf16.sizes(), fp32.sizes());
  auto out = bf16.to(torch::kFloat32);
  EXPECT_LT((out - fp32).abs().max().item<float>(), 0.03);
  EXPECT_GT((out - fp32).abs().max().item<float>(), 0.0f) << "the products did not run in bfloat16";
  auto pad = ~mask.unsqueeze(2).expand_as(out);
  EXPECT_EQ(out.masked_select(pad).abs().max().item<float>(), 0.0f);

  // Gradients reach the float32 parameters, in the float32 run's direction.
  (out * out).sum().backward();
  auto grads16 = gradients(stack);
  ASSERT_EQ(grads16.size(), grads32.size());
  for (std::size_t i = 0; i < grads16.size(); ++i) {
    ASSERT_EQ(grads16[i].scalar_type(), torch::kFloat32);
    auto a = grads16[i].flatten(), b = grads32[i].flatten();
    EXPECT_GT(torch::dot(a, b).item<float>() / (a.norm() * b.norm()).item<float>(), 0.99) << "parameter " << i;
  }
}

}  // namespace
