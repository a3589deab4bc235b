#pragma once
// The training half of an epoch: the seeded batch plan (the same on every worker), this worker's share of each
// step's batches, forward and backward on them, the gradients combined by the GradientReducer (the one place
// workers exchange gradients), clipping and the optimizer step at the step's scheduled learning rate.
#include <torch/optim/optimizer.h>
#include <torch/types.h>

#include <cstdint>
#include <random>
#include <vector>

#include "nertool/models/tagger.h"
#include "nertool/train/batching.h"
#include "nertool/train/config.h"
#include "nertool/train/distributed.h"
#include "nertool/train/gradient_reducer.h"
#include "nertool/train/lr_schedule.h"
#include "nertool/train/training_data.h"

namespace nertool::train {

struct EpochTotals {
  double mean_loss = 0;   // token-weighted over all workers' batches
  int64_t tokens = 0;     // all workers'
  double seconds = 0;
  double reduce_seconds = 0;
  double lr = 0;          // of the last step
};

class EpochLoop {
 public:
  struct Parts {
    models::TaggerImpl& tagger;
    torch::optim::Optimizer& optimizer;
    const LrSchedule& schedule;
    Communicator& workers;
    const TrainConfig& config;
    torch::Device device;
    const models::LabelSet& labels;
    const DataFile& train;
    bool show_progress = true;  // the writer's progress bar or log lines
    bool tty = false;
  };
  explicit EpochLoop(Parts parts);

  // Trains one epoch; `step` counts optimizer steps over the whole run and drives the schedule.
  EpochTotals run(int epoch, int64_t& step, std::mt19937_64& shuffle_rng);

 private:
  // Forward and backward on this worker's batches of a step; their gradients add up in .grad.
  StepTotals backward(const std::vector<std::size_t>& batches, const BatchPlan& plan);
  void check_finite(const StepTotals& totals, int epoch, int64_t step) const;

  Parts parts_;
  std::vector<const data::Sentence*> sentences_;
  GradientReducer reducer_;
};

}  // namespace nertool::train
