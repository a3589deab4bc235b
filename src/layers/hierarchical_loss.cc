#include "nertool/layers/hierarchical_loss.h"

#include <torch/torch.h>

#include <sstream>

#include "nertool/core/error.h"

namespace nertool::layers {

namespace F = torch::nn::functional;

namespace {

std::string shape(const torch::Tensor& t) {
  std::ostringstream s;
  s << t.sizes();
  return s.str();
}

void require_2d_same(const char* what, const torch::Tensor& logits, const torch::Tensor& targets) {
  if (logits.dim() != 2 || targets.sizes() != logits.sizes())
    throw Error(std::string(what) + ": logits " + shape(logits) + " and targets " + shape(targets) +
                " must both be [N, K]");
}

}  // namespace

torch::Tensor soft_cross_entropy(const torch::Tensor& logits, const torch::Tensor& soft_targets) {
  require_2d_same("soft_cross_entropy", logits, soft_targets);
  if (logits.size(0) == 0) return logits.sum() * 0.0;
  const torch::Tensor log_p = torch::log_softmax(logits, /*dim=*/1);
  // Zero targets times -inf log-probabilities must give 0, not NaN.
  const torch::Tensor terms = torch::where(soft_targets > 0, soft_targets.to(log_p.dtype()) * log_p,
                                           torch::zeros_like(log_p));
  return -terms.sum(1).mean();
}

torch::Tensor hard_cross_entropy(const torch::Tensor& logits, const torch::Tensor& gold) {
  if (logits.dim() != 2 || gold.dim() != 1 || gold.size(0) != logits.size(0))
    throw Error("hard_cross_entropy: logits " + shape(logits) + " must be [N, K] and gold " + shape(gold) + " [N]");
  if (logits.size(0) == 0) return logits.sum() * 0.0;
  const torch::Tensor one_hot = F::one_hot(gold.to(torch::kLong), logits.size(1)).to(logits.dtype());
  return soft_cross_entropy(logits, one_hot);
}

torch::Tensor multilabel_typing_loss(const torch::Tensor& logits, const torch::Tensor& targets) {
  require_2d_same("multilabel_typing_loss", logits, targets);
  if (logits.size(0) == 0) return logits.sum() * 0.0;
  const torch::Tensor total = F::binary_cross_entropy_with_logits(
      logits, targets.to(logits.dtype()), F::BinaryCrossEntropyWithLogitsFuncOptions().reduction(torch::kSum));
  return total / static_cast<double>(logits.size(0));
}

torch::Tensor target_table(const std::vector<float>& row_major, int64_t rows, int64_t cols,
                           const torch::Device& device) {
  if (rows < 0 || cols < 0 || static_cast<int64_t>(row_major.size()) != rows * cols)
    throw Error("target_table: " + std::to_string(row_major.size()) + " values do not make a [" +
                std::to_string(rows) + ", " + std::to_string(cols) + "] table");
  return torch::tensor(row_major, torch::kFloat32).reshape({rows, cols}).to(device);
}

torch::Tensor gather_targets(const torch::Tensor& table, const torch::Tensor& gold) {
  if (table.dim() != 2 || gold.dim() != 1)
    throw Error("gather_targets: table " + shape(table) + " must be [G, K] and gold " + shape(gold) + " [N]");
  return table.index_select(0, gold.to(torch::kLong));
}

torch::Tensor normalise_credit_rows(const torch::Tensor& credit) {
  if (credit.dim() != 2) throw Error("normalise_credit_rows: credit " + shape(credit) + " must be [G, K]");
  const torch::Tensor sums = credit.sum(1, /*keepdim=*/true);
  return torch::where(sums > 0, credit / sums.clamp_min(1e-30), torch::zeros_like(credit));
}

}  // namespace nertool::layers
