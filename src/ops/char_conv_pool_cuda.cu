// CUDA kernel of the fused character convolution + masked max-over-time (see include/nertool/ops/char_conv_pool.h).
// Same arithmetic order as the CPU loops of char_conv_pool_cpu.cc.
#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

#include "nertool/ops/char_conv_pool_cuda.h"

namespace nertool::ops::cuda {

namespace {

template <typename T>
__global__ void char_conv_max_pool_kernel(const T* x, const uint8_t* mask, const T* weight, const T* bias,
                                          int64_t C, int64_t E, int64_t F, int64_t W, T* out, int64_t* argmax) {
  extern __shared__ __align__(16) unsigned char shared_raw[];
  T* word = reinterpret_cast<T*>(shared_raw);  // [C + W - 1, E], zero padded and masked
  const int64_t n = blockIdx.x;
  const int64_t pad = W / 2;
  const int64_t rows = C + W - 1;
  for (int64_t k = threadIdx.x; k < rows * E; k += blockDim.x) {
    const int64_t p = k / E - pad, e = k % E;
    word[k] = (p >= 0 && p < C && mask[n * C + p]) ? x[(n * C + p) * E + e] : T(0);
  }
  __syncthreads();
  for (int64_t f = threadIdx.x; f < F; f += blockDim.x) {
    const T* wf = weight + f * E * W;
    T best = 0;
    int64_t arg = -1;
    for (int64_t p = 0; p < C; ++p) {
      if (!mask[n * C + p]) continue;
      T v = bias[f];
      for (int64_t e = 0; e < E; ++e)
        for (int64_t w = 0; w < W; ++w) v += wf[e * W + w] * word[(p + w) * E + e];
      if (arg < 0 || v > best) best = v, arg = p;
    }
    out[n * F + f] = best;
    argmax[n * F + f] = arg;
  }
}

template <typename T>
void launch(const T* x, const uint8_t* mask, const T* weight, const T* bias, int64_t N, int64_t C, int64_t E,
            int64_t F, int64_t W, T* out, int64_t* argmax, void* stream) {
  if (N == 0 || F == 0) return;
  const int threads = F >= 128 ? 128 : static_cast<int>(((F + 31) / 32) * 32);
  const std::size_t shared = static_cast<std::size_t>((C + W - 1) * E) * sizeof(T);
  if (shared > 48 * 1024) throw std::runtime_error("char_conv_max_pool: a word of this size does not fit in shared memory");
  char_conv_max_pool_kernel<T><<<static_cast<unsigned>(N), threads, shared, static_cast<cudaStream_t>(stream)>>>(
      x, mask, weight, bias, C, E, F, W, out, argmax);
  cudaError_t err = cudaGetLastError();
  if (err != cudaSuccess) throw std::runtime_error(std::string("CUDA char_conv_max_pool launch: ") + cudaGetErrorString(err));
}

}  // namespace

void char_conv_max_pool(const float* x, const uint8_t* mask, const float* weight, const float* bias, int64_t words,
                        int64_t chars, int64_t features, int64_t filters, int64_t width, float* out, int64_t* argmax,
                        void* stream) {
  launch(x, mask, weight, bias, words, chars, features, filters, width, out, argmax, stream);
}
void char_conv_max_pool(const double* x, const uint8_t* mask, const double* weight, const double* bias,
                        int64_t words, int64_t chars, int64_t features, int64_t filters, int64_t width, double* out,
                        int64_t* argmax, void* stream) {
  launch(x, mask, weight, bias, words, chars, features, filters, width, out, argmax, stream);
}

}  // namespace nertool::ops::cuda
