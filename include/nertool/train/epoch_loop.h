#pragma once
// The training half of an epoch, for any task (training_task.h): the seeded batch plan (the same on every worker),
// this worker's share of each step's batches, forward (under autocast) and backward on them, the gradients combined by the GradientReducer (the one place
// workers exchange gradients), clipping and the optimizer step at the step's scheduled learning rate.
#include <torch/optim/optimizer.h>
#include <torch/types.h>

#include <cstdint>
#include <random>
#include <vector>

#include "nertool/train/batching.h"
#include "nertool/train/config.h"
#include "nertool/train/distributed.h"
#include "nertool/train/gradient_reducer.h"
#include "nertool/train/lr_schedule.h"
#include "nertool/train/training_task.h"

namespace nertool::train {

struct EpochTotals {
  double mean_loss = 0;   // over all workers' units (training_task.h)
  int64_t tokens = 0;     // all workers'
  double seconds = 0;
  double reduce_seconds = 0;
  double lr = 0;          // of the last step
};

class EpochLoop {
 public:
  struct Parts {
    TrainingTask& task;
    torch::optim::Optimizer& optimizer;
    const LrSchedule& schedule;
    Communicator& workers;
    const TrainConfig& config;
    torch::Device device;
    bool show_progress = true;  // the writer's progress bar or log lines
    bool tty = false;
  };
  explicit EpochLoop(Parts parts);

  // Trains one epoch; `step` counts optimizer steps over the whole run and drives the schedule.
  EpochTotals run(int epoch, int64_t& step, std::mt19937_64& shuffle_rng);

 private:
  // Forward and backward on this worker's batches of a step; their gradients add up in .grad.
  StepTotals backward(const std::vector<std::size_t>& batches, const BatchPlan& plan, int epoch);
  void check_finite(const StepTotals& totals, int epoch, int64_t step) const;

  Parts parts_;
  GradientReducer reducer_;
};

}  // namespace nertool::train
