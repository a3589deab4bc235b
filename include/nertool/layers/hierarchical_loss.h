#pragma once
// Losses of the taxonomy-transfer tagger (docs/taxonomy.md): the hierarchical soft cross-entropy against soft gold
// labels y* = y W, its one-hot ablation, and the multi-label typing loss whose targets are a type and all its
// ancestors. Tables (W rows, ancestor multi-hots) come from nertool::taxonomy as flat vectors; these functions
// only need tensors.
#include <torch/types.h>

#include <cstdint>
#include <vector>

namespace nertool::layers {

// -sum_k y*[n,k] log softmax(logits[n])_k, averaged over the N rows. logits and soft_targets are [N, K] (soft
// targets rows are distributions; an all-zero row contributes 0 but still counts in the mean). N = 0 gives 0.
// Throws nertool::Error on mismatched shapes.
torch::Tensor soft_cross_entropy(const torch::Tensor& logits, const torch::Tensor& soft_targets);

// The hard ablation: soft_cross_entropy against one-hot rows of `gold` ([N] int64 class ids), equal to
// torch's cross_entropy with mean reduction.
torch::Tensor hard_cross_entropy(const torch::Tensor& logits, const torch::Tensor& gold);

// Binary cross-entropy with logits summed over the T types and averaged over the N mentions (the sum keeps the
// loss scale independent of how many types a taxonomy has). logits, targets: [N, T], targets in [0, 1].
torch::Tensor multilabel_typing_loss(const torch::Tensor& logits, const torch::Tensor& targets);

// A [rows, cols] float table from a row-major vector (e.g. CreditMatrix::soft_targets(),
// or Taxonomy::ancestor_targets rows), on `device`.
torch::Tensor target_table(const std::vector<float>& row_major, int64_t rows, int64_t cols,
                           const torch::Device& device = torch::kCPU);

// Rows of `table` ([G, K]) picked by `gold` ([N] int64): the per-mention targets [N, K].
torch::Tensor gather_targets(const torch::Tensor& table, const torch::Tensor& gold);

// Row-normalises a non-negative credit matrix W ([G, K]) into soft-target distributions; all-zero rows stay zero.
torch::Tensor normalise_credit_rows(const torch::Tensor& credit);

}  // namespace nertool::layers
