// char_conv_max_pool: checks, dispatch (ops/dispatch.h: CPU loops or CUDA kernel) and the autograd function; the backward is
// written with LibTorch ops from the saved arg-max positions, so it runs on either device.
#include "nertool/ops/char_conv_pool.h"

#include <torch/torch.h>

#include <limits>
#include <string>

#include "char_conv_pool_cpu.h"
#include "nertool/core/error.h"

#include "nertool/ops/char_conv_pool_cuda.h"
#include "nertool/ops/dispatch.h"

namespace nertool::ops {

namespace {

void check(const torch::Tensor& x, const torch::Tensor& mask, const torch::Tensor& weight, const torch::Tensor& bias) {
  auto fail = [](const std::string& what) { throw Error("char_conv_max_pool: " + what); };
  if (!x.defined() || x.dim() != 3) fail("x must be [N, C, E]");
  if (x.scalar_type() != torch::kFloat && x.scalar_type() != torch::kDouble) fail("x must be float or double");
  if (!mask.defined() || mask.dim() != 2 || mask.size(0) != x.size(0) || mask.size(1) != x.size(1) ||
      mask.scalar_type() != torch::kBool)
    fail("mask must be bool [N, C] like x");
  if (!weight.defined() || weight.dim() != 3 || weight.size(1) != x.size(2) || weight.size(2) % 2 == 0)
    fail("weight must be [F, E, W] with E = x.size(2) and W odd");
  if (!bias.defined() || bias.dim() != 1 || bias.size(0) != weight.size(0)) fail("bias must be [F]");
  for (const auto* t : {&mask, &weight, &bias})
    if (t->device() != x.device()) fail("all inputs must be on one device");
  if (weight.scalar_type() != x.scalar_type() || bias.scalar_type() != x.scalar_type())
    fail("weight and bias must have x's dtype");
}

// The CUDA twin of cpu::char_conv_max_pool: a generic lambda, never instantiated without the kernels (ops/dispatch.h).
constexpr auto cuda_forward = [](void* stream, const auto& x, const auto& mask, const auto& weight, const auto& bias) {
  std::pair<torch::Tensor, torch::Tensor> out{torch::empty({x.size(0), weight.size(0)}, x.options()),
                                              torch::empty({x.size(0), weight.size(0)}, x.options().dtype(torch::kInt64))};
  auto m = mask.to(torch::kUInt8);
  dispatch::by_float_type("char_conv_max_pool", x.scalar_type(), [&](auto type) {
    using T = decltype(type);
    cuda::char_conv_max_pool(x.template data_ptr<T>(), m.template data_ptr<uint8_t>(), weight.template data_ptr<T>(),
                             bias.template data_ptr<T>(), x.size(0), x.size(1), x.size(2), weight.size(0),
                             weight.size(2), out.first.template data_ptr<T>(),
                             out.second.template data_ptr<int64_t>(), stream);
  });
  return out;
};

std::pair<torch::Tensor, torch::Tensor> forward_dispatch(const torch::Tensor& x, const torch::Tensor& mask,
                                                         const torch::Tensor& weight, const torch::Tensor& bias) {
  return dispatch::on_device(x.device(), cpu::char_conv_max_pool, cuda_forward, x, mask, weight, bias);
}

class CharConvMaxPool : public torch::autograd::Function<CharConvMaxPool> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                               const torch::Tensor& mask, const torch::Tensor& weight, const torch::Tensor& bias) {
    auto [out, argmax] = forward_dispatch(x, mask, weight, bias);
    ctx->save_for_backward({x, mask, weight, argmax});
    return out;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    auto saved = ctx->get_saved_variables();
    const auto &x = saved[0], &mask = saved[1], &weight = saved[2], &argmax = saved[3];
    const int64_t N = x.size(0), C = x.size(1), E = x.size(2), F = weight.size(0), W = weight.size(2);
    const int64_t pad = W / 2;
    auto g = grads[0] * (argmax >= 0).to(grads[0].scalar_type());  // [N, F]; words without characters: none
    auto idx = argmax.clamp_min(0).unsqueeze(2).expand({N, F, E * W});
    // The window each output read: windows[n][p] = x'[n][p - pad .. p + pad][:] as [E * W] (e major).
    auto xz = x * mask.unsqueeze(2).to(x.scalar_type());
    auto padded = torch::constant_pad_nd(xz, {0, 0, pad, pad});  // [N, C + W - 1, E]
    auto windows = padded.unfold(1, W, 1).reshape({N, C, E * W});
    auto chosen = windows.gather(1, idx);  // [N, F, E * W]
    auto grad_weight = (g.unsqueeze(2) * chosen).sum(0).view({F, E, W});
    auto grad_bias = g.sum(0);
    auto grad_windows = torch::zeros({N, C, E * W}, x.options())
                            .scatter_add_(1, idx, g.unsqueeze(2) * weight.reshape({1, F, E * W}))
                            .view({N, C, E, W});
    auto grad_padded = torch::zeros({N, C + W - 1, E}, x.options());
    for (int64_t w = 0; w < W; ++w) grad_padded.narrow(1, w, C).add_(grad_windows.select(3, w));
    auto grad_x = grad_padded.narrow(1, pad, C) * mask.unsqueeze(2).to(x.scalar_type());
    return {grad_x, torch::Tensor(), grad_weight, grad_bias};
  }
};

}  // namespace

torch::Tensor char_conv_max_pool(const torch::Tensor& x, const torch::Tensor& mask, const torch::Tensor& weight,
                                 const torch::Tensor& bias) {
  check(x, mask, weight, bias);
  return CharConvMaxPool::apply(x.contiguous(), mask.contiguous(), weight.contiguous(), bias.contiguous());
}

torch::Tensor char_conv_max_pool_reference(const torch::Tensor& x, const torch::Tensor& mask,
                                           const torch::Tensor& weight, const torch::Tensor& bias) {
  check(x, mask, weight, bias);
  auto xz = x * mask.unsqueeze(2).to(x.scalar_type());
  auto h = torch::conv1d(xz.transpose(1, 2), weight, bias, 1, weight.size(2) / 2);  // [N, F, C]
  h = h.masked_fill(~mask.unsqueeze(1), -std::numeric_limits<double>::infinity());
  auto pooled = std::get<0>(h.max(2));
  auto empty = ~mask.any(1, true);  // [N, 1]
  return pooled.masked_fill(empty, 0.0);
}

}  // namespace nertool::ops
