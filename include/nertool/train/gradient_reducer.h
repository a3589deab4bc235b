#pragma once
// The one place where gradients are combined before the optimizer step. A step is a group of batches: the
// `train.accumulate_batches` batches of each of the workers (the last group of an epoch may have fewer). Each
// worker runs backward on its own batches (their gradients add up in .grad); reduce() then gives every worker the
// mean gradient over the whole group, so N workers take the same step as one process accumulating the same N
// batches. Gradients travel in a few flat buckets, not one collective per tensor.
#include <torch/types.h>

#include <cstdint>
#include <vector>

#include "nertool/train/distributed.h"

namespace nertool::train {

// What a worker's batches of one step add up to; reduce() returns the sums over all workers.
struct StepTotals {
  double loss_sum = 0;   // sum over batches of (batch loss x batch units)
  int64_t units = 0;     // what losses average over (training_task.h): tagged words, masked subwords
  int64_t tokens = 0;    // what throughput counts: words, subwords
  int64_t batches = 0;
};

class GradientReducer {
 public:
  // `parameters`: the trainable ones, in the same order on every worker.
  GradientReducer(std::vector<torch::Tensor> parameters, Communicator& workers,
                  int64_t bucket_bytes = int64_t{32} << 20);

  // Makes every parameter's .grad the mean over the step's batches of all workers. A parameter without a
  // gradient on some worker counts as zero there; one without a gradient anywhere keeps none (the optimizer then
  // skips it, as it would in one process).
  StepTotals reduce(const StepTotals& local);

  // Seconds spent in reduce() since construction (communication, flattening and copying back).
  double seconds() const { return seconds_; }

 private:
  std::vector<torch::Tensor> parameters_;
  Communicator& workers_;
  std::vector<std::vector<std::size_t>> buckets_;  // parameter indices per flat bucket, planned once
  double seconds_ = 0;
};

}  // namespace nertool::train
