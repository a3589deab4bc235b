#pragma once
// CPU path of the CRF ops (plain loops over each sequence, sequences in parallel): the reference that the CUDA
// kernels of crf_cuda.cu mirror step by step. Tensors are contiguous CPU tensors of one floating dtype; lengths
// is int64 [B]. Output tensors are allocated here; the CUDA path of crf.cc returns the same tuples. Private to src/ops (crf.cc checks and dispatches).
#include <torch/types.h>

#include <tuple>

#include "nertool/ops/crf.h"

namespace nertool::ops::cpu {

using CrfForward = std::tuple<torch::Tensor, torch::Tensor>;  // alphas [B, T, L] (0 at and after each length), log_z [B]
// Gradients of sum_b grad_log_z[b] * log_z[b]: grad_emissions [B, T, L], and per-sequence grad_transitions
// [B, L, L], grad_start [B, L], grad_end [B, L].
using CrfBackward = std::tuple<torch::Tensor, torch::Tensor, torch::Tensor, torch::Tensor>;

CrfForward crf_forward(const torch::Tensor& emissions, const torch::Tensor& lengths, const CrfScores& scores);

CrfBackward crf_backward(const torch::Tensor& emissions, const torch::Tensor& lengths, const CrfScores& scores,
                         const torch::Tensor& alphas, const torch::Tensor& log_z, const torch::Tensor& grad_log_z);

CrfPaths crf_viterbi(const torch::Tensor& emissions, const torch::Tensor& lengths, const CrfScores& scores);

CrfPaths crf_kbest(const torch::Tensor& emissions, const torch::Tensor& lengths, const CrfScores& scores, int64_t k);

}  // namespace nertool::ops::cpu
