#pragma once
// The same linear-chain CRF written with plain LibTorch tensor ops, one time step at a time (vectorised over the
// batch and the labels) and differentiated by autograd. It is the readable definition of crf.h's semantics, the
// oracle of the gradient tests, and the baseline that bench_crf compares the CPU loops and CUDA kernels with.
#include <torch/types.h>

#include "nertool/ops/crf.h"

namespace nertool::ops {

// log Z [B] via the forward algorithm (torch::logsumexp per step); differentiable through autograd.
torch::Tensor crf_log_partition_reference(const torch::Tensor& emissions, const torch::Tensor& mask,
                                          const CrfScores& scores);

// Viterbi with torch::max per step and a tensor backtrace.
CrfPaths crf_viterbi_reference(const torch::Tensor& emissions, const torch::Tensor& mask, const CrfScores& scores);

}  // namespace nertool::ops
