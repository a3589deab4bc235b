#include "nertool/ops/crf_reference.h"

namespace nertool::ops {

torch::Tensor crf_log_partition_reference(const torch::Tensor& emissions, const torch::Tensor& mask,
                                          const CrfScores& scores) {
  const int64_t B = emissions.size(0), T = emissions.size(1);
  if (T == 0) return torch::zeros({B}, emissions.options());
  auto lengths = lengths_from_prefix_mask(mask);
  auto alpha = scores.start.unsqueeze(0) + emissions.select(1, 0);  // [B, L]
  for (int64_t t = 1; t < T; ++t) {
    auto next = torch::logsumexp(alpha.unsqueeze(2) + scores.transitions.unsqueeze(0), 1) + emissions.select(1, t);
    alpha = torch::where(mask.select(1, t).unsqueeze(1), next, alpha);
  }
  auto log_z = torch::logsumexp(alpha + scores.end.unsqueeze(0), 1);
  return torch::where(lengths > 0, log_z, torch::zeros_like(log_z));
}

CrfPaths crf_viterbi_reference(const torch::Tensor& emissions, const torch::Tensor& mask, const CrfScores& scores) {
  torch::NoGradGuard no_grad;
  const int64_t B = emissions.size(0), T = emissions.size(1);
  auto long_opts = emissions.options().dtype(torch::kInt64);
  if (T == 0) return {torch::zeros({B, 0}, long_opts), torch::zeros({B}, emissions.options())};
  auto lengths = lengths_from_prefix_mask(mask);
  auto score = scores.start.unsqueeze(0) + emissions.select(1, 0);
  std::vector<torch::Tensor> backpointers(static_cast<std::size_t>(T));
  for (int64_t t = 1; t < T; ++t) {
    auto [best, arg] = torch::max(score.unsqueeze(2) + scores.transitions.unsqueeze(0), 1);
    backpointers[t] = arg;
    score = torch::where(mask.select(1, t).unsqueeze(1), best + emissions.select(1, t), score);
  }
  auto [best_score, last] = torch::max(score + scores.end.unsqueeze(0), 1);
  auto tags = torch::zeros({B, T}, long_opts);
  auto current = last;
  for (int64_t t = T - 1; t >= 0; --t) {
    current = torch::where(lengths - 1 == t, last, current);
    auto inside = t < lengths;
    tags.select(1, t).copy_(torch::where(inside, current, torch::zeros_like(current)));
    if (t > 0) current = torch::where(inside, backpointers[t].gather(1, current.unsqueeze(1)).squeeze(1), current);
  }
  return {tags, torch::where(lengths > 0, best_score, torch::zeros_like(best_score))};
}

}  // namespace nertool::ops
