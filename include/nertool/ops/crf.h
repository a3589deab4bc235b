#pragma once
// Linear-chain CRF over a batch of variable-length sequences: log-partition (forward algorithm in log space) with a
// custom backward (marginals by forward-backward), gold-path score, negative log-likelihood, Viterbi and k-best
// decoding, and per-token marginals. Tensors may live on CPU or CUDA; CUDA tensors run the kernels of
// src/ops/crf_cuda.cu when the build has them (NERTOOL_HAVE_CUDA), the CPU path (src/ops/crf_cpu.cc) is the
// reference they are tested against.
//
// Shapes (B sequences, T steps, L labels): emissions [B, T, L] float or double; mask [B, T] bool, a prefix mask
// (true on the first length(b) steps of row b, false after; lengths 0 and 1 are allowed); transitions [L, L] with
// transitions[i][j] = score of label i followed by label j; start [L], end [L] scores of the first and last label.
// Score of a path y of length n: start[y0] + sum_t emissions[t][y_t] + sum_{t>0} transitions[y_{t-1}][y_t] +
// end[y_{n-1}]. The empty sequence has exactly one path, of score 0, so its log-partition is 0.
// Constraints are expressed through the scores themselves: -infinity forbids a transition, start or end label.
#include <torch/types.h>

#include <cstdint>

namespace nertool::ops {

// The learnable scores of a CRF.
struct CrfScores {
  torch::Tensor transitions;  // [L, L]
  torch::Tensor start;        // [L]
  torch::Tensor end;          // [L]
};

// log Z(b) for each sequence, [B]. Differentiable (torch::autograd::Function): d logZ / d emissions are the unary
// marginals, d / d transitions the expected transition counts, d / d start and end the first and last marginals.
torch::Tensor crf_log_partition(const torch::Tensor& emissions, const torch::Tensor& mask, const CrfScores& scores);

// Score of the given label sequences, [B] (tags [B, T] int64, ignored where mask is false). Differentiable.
torch::Tensor crf_path_score(const torch::Tensor& emissions, const torch::Tensor& tags, const torch::Tensor& mask,
                             const CrfScores& scores);

// Negative log-likelihood of the tags, [B] = log Z - path score (0 for empty sequences). Differentiable.
torch::Tensor crf_nll(const torch::Tensor& emissions, const torch::Tensor& tags, const torch::Tensor& mask,
                      const CrfScores& scores);

// Per-token marginals p(y_t = j | x), [B, T, L]; rows at masked positions are 0. Not differentiable.
torch::Tensor crf_marginals(const torch::Tensor& emissions, const torch::Tensor& mask, const CrfScores& scores);

// Best paths: tags [B, T] int64 (0 after each sequence's length) and their scores [B].
struct CrfPaths {
  torch::Tensor tags;
  torch::Tensor scores;
};
// Viterbi decoding. Ties go to the lowest label id.
CrfPaths crf_viterbi(const torch::Tensor& emissions, const torch::Tensor& mask, const CrfScores& scores);

// The k best paths of each sequence, best first: tags [B, k, T], scores [B, k]. A sequence with fewer than k
// paths (L^length < k, or paths forbidden by -inf scores) gets score -inf and tags 0 in the missing places.
// Runs on CPU (CUDA inputs are copied there and results moved back).
CrfPaths crf_kbest(const torch::Tensor& emissions, const torch::Tensor& mask, const CrfScores& scores, int64_t k);

// Sequence lengths [B] int64 from a prefix mask [B, T]; throws Error when the mask is not a prefix mask.
torch::Tensor lengths_from_prefix_mask(const torch::Tensor& mask);

}  // namespace nertool::ops
