#include "char_conv_pool_cpu.h"

#include <ATen/Parallel.h>

#include <vector>

#include "nertool/ops/dispatch.h"

namespace nertool::ops::cpu {

namespace {

template <typename T>
void run(const torch::Tensor& x, const torch::Tensor& mask, const torch::Tensor& weight, const torch::Tensor& bias,
         torch::Tensor& out, torch::Tensor& argmax) {
  const int64_t N = x.size(0), C = x.size(1), E = x.size(2), F = weight.size(0), W = weight.size(2);
  const int64_t pad = W / 2, rows = C + W - 1;
  const T* xp = x.data_ptr<T>();
  const bool* mp = mask.data_ptr<bool>();
  const T* wp = weight.data_ptr<T>();
  const T* bp = bias.data_ptr<T>();
  T* op = out.data_ptr<T>();
  int64_t* ap = argmax.data_ptr<int64_t>();
  at::parallel_for(0, N, 16, [&](int64_t n0, int64_t n1) {
    std::vector<T> word(static_cast<std::size_t>(rows * E));  // zero padded, masked characters zero
    for (int64_t n = n0; n < n1; ++n) {
      for (int64_t k = 0; k < rows * E; ++k) {
        const int64_t p = k / E - pad, e = k % E;
        word[k] = (p >= 0 && p < C && mp[n * C + p]) ? xp[(n * C + p) * E + e] : T(0);
      }
      for (int64_t f = 0; f < F; ++f) {
        const T* wf = wp + f * E * W;
        T best = 0;
        int64_t arg = -1;
        for (int64_t p = 0; p < C; ++p) {
          if (!mp[n * C + p]) continue;
          T v = bp[f];
          for (int64_t e = 0; e < E; ++e)
            for (int64_t w = 0; w < W; ++w) v += wf[e * W + w] * word[(p + w) * E + e];
          if (arg < 0 || v > best) best = v, arg = p;
        }
        op[n * F + f] = best;
        ap[n * F + f] = arg;
      }
    }
  });
}

}  // namespace

std::pair<torch::Tensor, torch::Tensor> char_conv_max_pool(const torch::Tensor& x, const torch::Tensor& mask,
                                                           const torch::Tensor& weight, const torch::Tensor& bias) {
  auto out = torch::empty({x.size(0), weight.size(0)}, x.options());
  auto argmax = torch::empty({x.size(0), weight.size(0)}, x.options().dtype(torch::kInt64));
  dispatch::by_float_type("char_conv_max_pool", x.scalar_type(),
                          [&](auto type) { run<decltype(type)>(x, mask, weight, bias, out, argmax); });
  return {out, argmax};
}

}  // namespace nertool::ops::cpu
