#pragma once
// CUDA kernel of ops::char_conv_max_pool (src/ops/char_conv_pool_cuda.cu): plain pointers, no torch headers.
// One block per word (its characters staged in shared memory), threads over filters. Layouts: x [N, C, E],
// mask [N, C] (bool as uint8), weight [F, E, W], bias [F], out [N, F], argmax [N, F] int64 (-1: no character).
#include <cstdint>

namespace nertool::ops::cuda {

void char_conv_max_pool(const float* x, const uint8_t* mask, const float* weight, const float* bias, int64_t words,
                        int64_t chars, int64_t features, int64_t filters, int64_t width, float* out, int64_t* argmax,
                        void* stream);
void char_conv_max_pool(const double* x, const uint8_t* mask, const double* weight, const double* bias,
                        int64_t words, int64_t chars, int64_t features, int64_t filters, int64_t width, double* out,
                        int64_t* argmax, void* stream);

}  // namespace nertool::ops::cuda
