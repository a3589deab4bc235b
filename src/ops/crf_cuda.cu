// CUDA kernels of the linear-chain CRF: one thread block per sequence, threads over labels, the label vectors of
// the current and next step (and the transition matrix when it fits) in shared memory, log-sum-exp with max
// subtraction. They mirror the CPU loops of crf_cpu.cc step by step, so results agree to rounding.
#include <cuda_runtime.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include "nertool/ops/crf_cuda.h"

namespace nertool::ops::cuda {

namespace {

__device__ __forceinline__ float exp_of(float x) { return expf(x); }
__device__ __forceinline__ double exp_of(double x) { return exp(x); }
__device__ __forceinline__ float log_of(float x) { return logf(x); }
__device__ __forceinline__ double log_of(double x) { return log(x); }

template <typename T>
__device__ __forceinline__ T neg_inf() {
  return -static_cast<T>(INFINITY);
}

// The transition matrix is cached in shared memory up to this size (larger label sets read it from global memory,
// where it stays in cache).
constexpr std::size_t kTransitionCacheBytes = 32 * 1024;
constexpr int kMaxThreads = 256;

int threads_for(int64_t labels) {
  int64_t t = ((labels + 31) / 32) * 32;
  return static_cast<int>(t < kMaxThreads ? t : kMaxThreads);
}

void check_cuda(cudaError_t err, const char* what) {
  if (err != cudaSuccess) throw std::runtime_error(std::string("CUDA ") + what + ": " + cudaGetErrorString(err));
}

template <typename T>
bool cache_transitions(int64_t labels) {
  return static_cast<std::size_t>(labels * labels) * sizeof(T) <= kTransitionCacheBytes;
}

template <typename T>
std::size_t shared_bytes(int64_t labels, bool cached) {
  return (static_cast<std::size_t>(cached ? labels * labels : 0) + 2 * static_cast<std::size_t>(labels)) * sizeof(T);
}

// Copies the transitions into shared memory when cached; returns where to read them from.
template <typename T>
__device__ const T* load_transitions(const T* transitions, T* cache, int64_t labels, bool cached) {
  if (!cached) return transitions;
  for (int64_t k = threadIdx.x; k < labels * labels; k += blockDim.x) cache[k] = transitions[k];
  return cache;
}

template <typename T>
__global__ void forward_kernel(const T* emissions, const int64_t* lengths, const T* transitions, const T* start,
                               const T* end, int64_t steps, int64_t L, bool cached, T* alphas, T* log_z) {
  extern __shared__ __align__(16) unsigned char shared_raw[];
  T* shared = reinterpret_cast<T*>(shared_raw);
  const int64_t b = blockIdx.x;
  const int64_t n = lengths[b];
  const T* e = emissions + b * steps * L;
  T* a = alphas + b * steps * L;
  const T* tr = load_transitions(transitions, shared, L, cached);
  T* cur = shared + (cached ? L * L : 0);
  T* next = cur + L;
  for (int64_t k = n * L + threadIdx.x; k < steps * L; k += blockDim.x) a[k] = 0;
  if (n == 0) {
    if (threadIdx.x == 0) log_z[b] = 0;
    return;
  }
  for (int64_t j = threadIdx.x; j < L; j += blockDim.x) cur[j] = a[j] = start[j] + e[j];
  __syncthreads();
  for (int64_t t = 1; t < n; ++t) {
    for (int64_t j = threadIdx.x; j < L; j += blockDim.x) {
      T m = neg_inf<T>();
      for (int64_t i = 0; i < L; ++i) m = fmax(m, cur[i] + tr[i * L + j]);
      T v = m;
      if (m != neg_inf<T>()) {
        T s = 0;
        for (int64_t i = 0; i < L; ++i) s += exp_of(cur[i] + tr[i * L + j] - m);
        v = m + log_of(s);
      }
      next[j] = a[t * L + j] = v + e[t * L + j];
    }
    __syncthreads();
    T* swap = cur;
    cur = next;
    next = swap;
  }
  if (threadIdx.x == 0) {
    T m = neg_inf<T>();
    for (int64_t j = 0; j < L; ++j) m = fmax(m, cur[j] + end[j]);
    T v = m;
    if (m != neg_inf<T>()) {
      T s = 0;
      for (int64_t j = 0; j < L; ++j) s += exp_of(cur[j] + end[j] - m);
      v = m + log_of(s);
    }
    log_z[b] = v;
  }
}

template <typename T>
__global__ void backward_kernel(const T* emissions, const int64_t* lengths, const T* transitions, const T* end,
                                const T* alphas, const T* log_z, const T* grad_log_z, int64_t steps, int64_t L,
                                bool cached, T* grad_emissions, T* grad_transitions, T* grad_start, T* grad_end) {
  extern __shared__ __align__(16) unsigned char shared_raw[];
  T* shared = reinterpret_cast<T*>(shared_raw);
  const int64_t b = blockIdx.x;
  const T z = log_z[b];
  const T g = grad_log_z[b];
  // No path has a finite score: the marginals are undefined, the gradient is left 0 (as on the CPU).
  const int64_t n = z > neg_inf<T>() ? lengths[b] : 0;
  const T* e = emissions + b * steps * L;
  const T* a = alphas + b * steps * L;
  T* ge = grad_emissions + b * steps * L;
  T* gt = grad_transitions + b * L * L;
  const T* tr = load_transitions(transitions, shared, L, cached);
  T* beta = shared + (cached ? L * L : 0);
  T* next = beta + L;
  // Each thread zeroes exactly the entries it accumulates into later, so no barrier is needed in between.
  for (int64_t k = n * L + threadIdx.x; k < steps * L; k += blockDim.x) ge[k] = 0;
  for (int64_t k = threadIdx.x; k < L * L; k += blockDim.x) gt[k] = 0;
  for (int64_t j = threadIdx.x; j < L; j += blockDim.x) {
    grad_start[b * L + j] = 0;
    grad_end[b * L + j] = 0;
    beta[j] = end[j];
  }
  if (n == 0) return;
  __syncthreads();
  for (int64_t t = n - 1; t >= 0; --t) {
    for (int64_t j = threadIdx.x; j < L; j += blockDim.x) {
      const T p = g * exp_of(a[t * L + j] + beta[j] - z);
      ge[t * L + j] = p;
      if (t == n - 1) grad_end[b * L + j] = p;
      if (t == 0) grad_start[b * L + j] = p;
    }
    if (t == 0) break;
    const T* prev = a + (t - 1) * L;
    for (int64_t k = threadIdx.x; k < L * L; k += blockDim.x) {
      const int64_t i = k / L, j = k % L;
      gt[k] += g * exp_of(prev[i] + tr[k] + e[t * L + j] + beta[j] - z);
    }
    for (int64_t i = threadIdx.x; i < L; i += blockDim.x) {
      T m = neg_inf<T>();
      for (int64_t j = 0; j < L; ++j) m = fmax(m, tr[i * L + j] + e[t * L + j] + beta[j]);
      T v = m;
      if (m != neg_inf<T>()) {
        T s = 0;
        for (int64_t j = 0; j < L; ++j) s += exp_of(tr[i * L + j] + e[t * L + j] + beta[j] - m);
        v = m + log_of(s);
      }
      next[i] = v;
    }
    __syncthreads();
    T* swap = beta;
    beta = next;
    next = swap;
  }
}

template <typename T>
__global__ void viterbi_kernel(const T* emissions, const int64_t* lengths, const T* transitions, const T* start,
                               const T* end, int64_t steps, int64_t L, bool cached, int32_t* backpointers,
                               int64_t* tags, T* scores) {
  extern __shared__ __align__(16) unsigned char shared_raw[];
  T* shared = reinterpret_cast<T*>(shared_raw);
  const int64_t b = blockIdx.x;
  const int64_t n = lengths[b];
  const T* e = emissions + b * steps * L;
  int32_t* bp = backpointers + b * steps * L;
  int64_t* row = tags + b * steps;
  const T* tr = load_transitions(transitions, shared, L, cached);
  T* cur = shared + (cached ? L * L : 0);
  T* next = cur + L;
  for (int64_t t = n + threadIdx.x; t < steps; t += blockDim.x) row[t] = 0;
  if (n == 0) {
    if (threadIdx.x == 0) scores[b] = 0;
    return;
  }
  for (int64_t j = threadIdx.x; j < L; j += blockDim.x) cur[j] = start[j] + e[j];
  __syncthreads();
  for (int64_t t = 1; t < n; ++t) {
    for (int64_t j = threadIdx.x; j < L; j += blockDim.x) {
      int32_t arg = 0;
      T v = cur[0] + tr[j];
      for (int64_t i = 1; i < L; ++i) {
        const T c = cur[i] + tr[i * L + j];
        if (c > v) v = c, arg = static_cast<int32_t>(i);
      }
      next[j] = v + e[t * L + j];
      bp[t * L + j] = arg;
    }
    __syncthreads();
    T* swap = cur;
    cur = next;
    next = swap;
  }
  if (threadIdx.x == 0) {
    int64_t arg = 0;
    T v = cur[0] + end[0];
    for (int64_t j = 1; j < L; ++j)
      if (cur[j] + end[j] > v) v = cur[j] + end[j], arg = j;
    scores[b] = v;
    for (int64_t t = n - 1; t >= 0; --t) {
      row[t] = arg;
      if (t > 0) arg = bp[t * L + arg];
    }
  }
}

template <typename T>
void launch_forward(const T* emissions, const int64_t* lengths, const T* transitions, const T* start, const T* end,
                    int64_t batch, int64_t steps, int64_t labels, T* alphas, T* log_z, void* stream) {
  if (batch == 0) return;
  const bool cached = cache_transitions<T>(labels);
  forward_kernel<T><<<static_cast<unsigned>(batch), threads_for(labels), shared_bytes<T>(labels, cached),
                      static_cast<cudaStream_t>(stream)>>>(emissions, lengths, transitions, start, end, steps,
                                                           labels, cached, alphas, log_z);
  check_cuda(cudaGetLastError(), "crf_forward launch");
}

template <typename T>
void launch_backward(const T* emissions, const int64_t* lengths, const T* transitions, const T* end, const T* alphas,
                     const T* log_z, const T* grad_log_z, int64_t batch, int64_t steps, int64_t labels,
                     T* grad_emissions, T* grad_transitions, T* grad_start, T* grad_end, void* stream) {
  if (batch == 0) return;
  const bool cached = cache_transitions<T>(labels);
  backward_kernel<T><<<static_cast<unsigned>(batch), threads_for(labels), shared_bytes<T>(labels, cached),
                       static_cast<cudaStream_t>(stream)>>>(emissions, lengths, transitions, end, alphas, log_z,
                                                            grad_log_z, steps, labels, cached, grad_emissions,
                                                            grad_transitions, grad_start, grad_end);
  check_cuda(cudaGetLastError(), "crf_backward launch");
}

template <typename T>
void launch_viterbi(const T* emissions, const int64_t* lengths, const T* transitions, const T* start, const T* end,
                    int64_t batch, int64_t steps, int64_t labels, int32_t* backpointers, int64_t* tags, T* scores,
                    void* stream) {
  if (batch == 0) return;
  const bool cached = cache_transitions<T>(labels);
  viterbi_kernel<T><<<static_cast<unsigned>(batch), threads_for(labels), shared_bytes<T>(labels, cached),
                      static_cast<cudaStream_t>(stream)>>>(emissions, lengths, transitions, start, end, steps,
                                                           labels, cached, backpointers, tags, scores);
  check_cuda(cudaGetLastError(), "crf_viterbi launch");
}

}  // namespace

void crf_forward(const float* emissions, const int64_t* lengths, const float* transitions, const float* start,
                 const float* end, int64_t batch, int64_t steps, int64_t labels, float* alphas, float* log_z,
                 void* stream) {
  launch_forward(emissions, lengths, transitions, start, end, batch, steps, labels, alphas, log_z, stream);
}
void crf_forward(const double* emissions, const int64_t* lengths, const double* transitions, const double* start,
                 const double* end, int64_t batch, int64_t steps, int64_t labels, double* alphas, double* log_z,
                 void* stream) {
  launch_forward(emissions, lengths, transitions, start, end, batch, steps, labels, alphas, log_z, stream);
}

void crf_backward(const float* emissions, const int64_t* lengths, const float* transitions, const float* start,
                  const float* end, const float* alphas, const float* log_z, const float* grad_log_z, int64_t batch,
                  int64_t steps, int64_t labels, float* grad_emissions, float* grad_transitions, float* grad_start,
                  float* grad_end, void* stream) {
  launch_backward(emissions, lengths, transitions, end, alphas, log_z, grad_log_z, batch, steps, labels,
                  grad_emissions, grad_transitions, grad_start, grad_end, stream);
}
void crf_backward(const double* emissions, const int64_t* lengths, const double* transitions, const double* start,
                  const double* end, const double* alphas, const double* log_z, const double* grad_log_z,
                  int64_t batch, int64_t steps, int64_t labels, double* grad_emissions, double* grad_transitions,
                  double* grad_start, double* grad_end, void* stream) {
  launch_backward(emissions, lengths, transitions, end, alphas, log_z, grad_log_z, batch, steps, labels,
                  grad_emissions, grad_transitions, grad_start, grad_end, stream);
}

void crf_viterbi(const float* emissions, const int64_t* lengths, const float* transitions, const float* start,
                 const float* end, int64_t batch, int64_t steps, int64_t labels, int32_t* backpointers,
                 int64_t* tags, float* scores, void* stream) {
  launch_viterbi(emissions, lengths, transitions, start, end, batch, steps, labels, backpointers, tags, scores,
                 stream);
}
void crf_viterbi(const double* emissions, const int64_t* lengths, const double* transitions, const double* start,
                 const double* end, int64_t batch, int64_t steps, int64_t labels, int32_t* backpointers,
                 int64_t* tags, double* scores, void* stream) {
  launch_viterbi(emissions, lengths, transitions, start, end, batch, steps, labels, backpointers, tags, scores,
                 stream);
}

}  // namespace nertool::ops::cuda
