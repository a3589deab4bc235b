#pragma once
// CUDA kernels of the linear-chain CRF (src/ops/crf_cuda.cu) behind a plain C++ API: raw device pointers, sizes
// and a cudaStream_t passed as void*, so the .cu file needs no torch headers and nvcc can check it on machines
// whose LibTorch has no CUDA. Each call is one kernel launch for the whole batch (one block per sequence, threads
// over labels). Layouts are contiguous row-major: emissions, alphas, grad_emissions [B, T, L]; transitions [L, L];
// start, end [L]; lengths [B] int64; per-sequence gradient outputs grad_transitions [B, L, L], grad_start and
// grad_end [B, L] (the caller sums them over B, which keeps the result deterministic). Semantics are those of
// include/nertool/ops/crf.h; errors are thrown as std::runtime_error.
#include <cstdint>

namespace nertool::ops::cuda {

// Forward algorithm: alphas[b][t][j] = log-sum of the scores of all prefixes ending in label j at step t (steps at
// or after the length are written as 0) and log_z[b] (0 for an empty sequence).
void crf_forward(const float* emissions, const int64_t* lengths, const float* transitions, const float* start,
                 const float* end, int64_t batch, int64_t steps, int64_t labels, float* alphas, float* log_z,
                 void* stream);
void crf_forward(const double* emissions, const int64_t* lengths, const double* transitions, const double* start,
                 const double* end, int64_t batch, int64_t steps, int64_t labels, double* alphas, double* log_z,
                 void* stream);

// Backward pass of log_z given grad_log_z [B]: unary marginals (times grad_log_z[b]) into grad_emissions (0 on
// padding), expected transition counts into grad_transitions, first and last marginals into grad_start, grad_end.
void crf_backward(const float* emissions, const int64_t* lengths, const float* transitions, const float* start,
                  const float* end, const float* alphas, const float* log_z, const float* grad_log_z, int64_t batch,
                  int64_t steps, int64_t labels, float* grad_emissions, float* grad_transitions, float* grad_start,
                  float* grad_end, void* stream);
void crf_backward(const double* emissions, const int64_t* lengths, const double* transitions, const double* start,
                  const double* end, const double* alphas, const double* log_z, const double* grad_log_z,
                  int64_t batch, int64_t steps, int64_t labels, double* grad_emissions, double* grad_transitions,
                  double* grad_start, double* grad_end, void* stream);

// Viterbi: best tags [B, T] (0 after the length) and their scores [B]. backpointers is a [B, T, L] int32
// workspace. Ties go to the lowest label id, as on the CPU.
void crf_viterbi(const float* emissions, const int64_t* lengths, const float* transitions, const float* start,
                 const float* end, int64_t batch, int64_t steps, int64_t labels, int32_t* backpointers,
                 int64_t* tags, float* scores, void* stream);
void crf_viterbi(const double* emissions, const int64_t* lengths, const double* transitions, const double* start,
                 const double* end, int64_t batch, int64_t steps, int64_t labels, int32_t* backpointers,
                 int64_t* tags, double* scores, void* stream);

}  // namespace nertool::ops::cuda
