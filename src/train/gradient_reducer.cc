#include "nertool/train/gradient_reducer.h"

#include <torch/torch.h>

#include <chrono>
#include <map>

namespace nertool::train {

namespace {

// Parameter indices per flat bucket: same dtype, at most `bucket_bytes` (a larger tensor gets a bucket of its own).
std::vector<std::vector<std::size_t>> plan_buckets(const std::vector<torch::Tensor>& parameters, int64_t bucket_bytes) {
  std::map<int, std::vector<std::size_t>> by_dtype;
  for (std::size_t i = 0; i < parameters.size(); ++i)
    by_dtype[static_cast<int>(parameters[i].scalar_type())].push_back(i);
  std::vector<std::vector<std::size_t>> buckets;
  for (const auto& [dtype, indices] : by_dtype) {
    int64_t bytes = 0;
    buckets.emplace_back();
    for (std::size_t i : indices) {
      const int64_t size = parameters[i].numel() * static_cast<int64_t>(parameters[i].element_size());
      if (!buckets.back().empty() && bytes + size > bucket_bytes) {
        buckets.emplace_back();
        bytes = 0;
      }
      buckets.back().push_back(i);
      bytes += size;
    }
  }
  return buckets;
}

torch::Tensor flat_gradients(const std::vector<torch::Tensor>& parameters, const std::vector<std::size_t>& bucket) {
  std::vector<torch::Tensor> pieces;
  for (std::size_t i : bucket) {
    const auto& p = parameters[i];
    pieces.push_back(p.grad().defined() ? p.grad().detach().reshape(-1).to(torch::kCPU)
                                        : torch::zeros({p.numel()}, p.options().device(torch::kCPU)));
  }
  return torch::cat(pieces);
}

}  // namespace

GradientReducer::GradientReducer(std::vector<torch::Tensor> parameters, Communicator& workers, int64_t bucket_bytes)
    : parameters_(std::move(parameters)), workers_(workers), buckets_(plan_buckets(parameters_, bucket_bytes)) {}

StepTotals GradientReducer::reduce(const StepTotals& local) {
  // One process, one batch: the gradient is already the step's; nothing to combine (bit for bit plain training).
  if (workers_.world_size() == 1 && local.batches == 1) return local;
  const auto start = std::chrono::steady_clock::now();
  torch::NoGradGuard no_grad;
  const std::size_t n = parameters_.size();
  // Which parameters have a gradient here, and the step's totals, travel in one small float64 tensor.
  auto counts = torch::zeros({static_cast<int64_t>(n) + 4}, torch::kDouble);
  auto c = counts.accessor<double, 1>();
  for (std::size_t i = 0; i < n; ++i) c[static_cast<int64_t>(i)] = parameters_[i].grad().defined() ? 1 : 0;
  c[static_cast<int64_t>(n)] = local.loss_sum;
  c[static_cast<int64_t>(n) + 1] = static_cast<double>(local.tokens);
  c[static_cast<int64_t>(n) + 2] = static_cast<double>(local.batches);
  c[static_cast<int64_t>(n) + 3] = static_cast<double>(local.units);

  std::vector<torch::Tensor> flat;
  for (const auto& bucket : buckets_) flat.push_back(flat_gradients(parameters_, bucket));
  flat.push_back(counts);
  workers_.all_reduce_sum(flat);

  StepTotals total;
  total.loss_sum = c[static_cast<int64_t>(n)];
  total.tokens = static_cast<int64_t>(c[static_cast<int64_t>(n) + 1]);
  total.batches = static_cast<int64_t>(c[static_cast<int64_t>(n) + 2]);
  total.units = static_cast<int64_t>(c[static_cast<int64_t>(n) + 3]);
  const double batches = static_cast<double>(total.batches);
  for (std::size_t b = 0; b < buckets_.size(); ++b) {
    if (batches != 1) flat[b].div_(batches);
    int64_t offset = 0;
    for (std::size_t i : buckets_[b]) {
      auto& p = parameters_[i];
      const int64_t size = p.numel();
      if (c[static_cast<int64_t>(i)] == 0) {
        p.mutable_grad() = torch::Tensor();
      } else {
        auto slice = flat[b].narrow(0, offset, size).view(p.sizes());
        if (p.grad().defined()) p.mutable_grad().copy_(slice);
        else p.mutable_grad() = slice.to(p.device()).clone();
      }
      offset += size;
    }
  }
  seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return total;
}

}  // namespace nertool::train
