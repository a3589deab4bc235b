#include "nertool/train/epoch_loop.h"

#include <torch/torch.h>

#include <cmath>
#include <optional>

#include "nertool/core/error.h"
#include "nertool/models/precision.h"
#include "nertool/train/optimizer.h"
#include "nertool/train/progress.h"

namespace nertool::train {

namespace {

std::vector<torch::Tensor> trainable(torch::nn::Module& model) {
  std::vector<torch::Tensor> out;
  for (auto& p : model.parameters())
    if (p.requires_grad()) out.push_back(p);
  return out;
}

}  // namespace

EpochLoop::EpochLoop(Parts parts)
    : parts_(parts), reducer_(trainable(parts.task.model()), parts.workers) {}

StepTotals EpochLoop::backward(const std::vector<std::size_t>& batches, const BatchPlan& plan, int epoch) {
  StepTotals totals;
  for (std::size_t b : batches) {
    BatchLoss batch;
    {
      // The forward pass only, as torch.autocast.
      models::AutocastScope autocast(parts_.config.precision, parts_.device);
      batch = parts_.task.forward(plan[b], BatchKey{epoch, b});
    }
    totals.loss_sum += batch.loss.item<double>() * static_cast<double>(batch.units);
    totals.units += batch.units;
    totals.tokens += batch.tokens;
    totals.batches += 1;
    batch.loss.backward();
  }
  return totals;
}

void EpochLoop::check_finite(const StepTotals& totals, int epoch, int64_t step) const {
  if (std::isfinite(totals.loss_sum)) return;
  throw Error("training diverged at epoch " + std::to_string(epoch) + ", step " + std::to_string(step) +
              ": loss is " + std::to_string(totals.loss_sum) + " (try a lower train.lr or train.clip_norm)");
}

EpochTotals EpochLoop::run(int epoch, int64_t& step, std::mt19937_64& shuffle_rng) {
  const TrainConfig& tc = parts_.config;
  torch::nn::Module& model = parts_.task.model();
  model.train();
  const auto plan = plan_batches(parts_.task.example_lengths(), tc.batch_tokens, tc.batch_sentences, shuffle_rng);
  const auto steps = share_steps(plan.size(), parts_.workers.world_size(), parts_.workers.rank(),
                                 tc.accumulate_batches);
  std::optional<Progress> progress;
  if (parts_.show_progress)
    progress.emplace(epoch, tc.max_epochs, static_cast<int64_t>(steps.size()), tc.log_percent, parts_.tty);
  const double reduce_before = reducer_.seconds();
  const auto start = std::chrono::steady_clock::now();
  EpochTotals out;
  double loss_sum = 0;
  int64_t units = 0;
  for (const auto& share : steps) {
    out.lr = parts_.schedule.lr(step);
    set_learning_rate(parts_.optimizer, out.lr);
    parts_.optimizer.zero_grad();
    const StepTotals total = reducer_.reduce(backward(share.batches, plan, epoch));
    check_finite(total, epoch, step);
    if (tc.clip_norm > 0) torch::nn::utils::clip_grad_norm_(model.parameters(), tc.clip_norm);
    parts_.optimizer.step();
    ++step;
    loss_sum += total.loss_sum;
    units += total.units;
    out.tokens += total.tokens;
    if (progress) progress->update_sum(total.tokens, total.loss_sum, total.units);
  }
  if (progress) progress->finish();
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out.mean_loss = units > 0 ? loss_sum / static_cast<double>(units) : 0.0;
  out.reduce_seconds = reducer_.seconds() - reduce_before;
  return out;
}

}  // namespace nertool::train
