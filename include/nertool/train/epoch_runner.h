#pragma once
// A session's epochs of any training task, in the order every driver follows (trainer.cc for tagging,
// pretrainer.cc for masked-LM pretraining): train one epoch (epoch_loop.h), compare the workers' weights, let the
// writer score it (the driver's Score fills the record's scores and returns the number early stopping keeps,
// higher is better), record it, share the writer's state, save the best weights, metrics.jsonl and checkpoint.pt
// (the writer writes), then ask after_epoch whether to go on.
#include <torch/nn/module.h>

#include <chrono>
#include <functional>
#include <random>
#include <string>

#include "nertool/train/checkpoint.h"
#include "nertool/train/epoch_loop.h"
#include "nertool/train/epoch_record.h"
#include "nertool/train/run_dir.h"

namespace nertool::train {

class EpochRunner {
 public:
  using Score = std::function<double(EpochRecord& record)>;
  using Log = std::function<void(const EpochRecord& record, bool best)>;
  struct Parts {
    EpochLoop::Parts loop;
    std::string run;                    // the run directory
    TrainingRunDir* run_dir = nullptr;  // the writer's, kept after its first checkpoint
    RunState& state;
    std::mt19937_64& shuffle_rng;
    int max_epochs = 1;
    std::function<bool(int epoch)> after_epoch;  // false: stop after this epoch (as an interruption would)
    Score score;                                 // the writer's evaluation
    Log log;                                     // the writer's epoch line
    std::chrono::steady_clock::time_point start;  // when this session started
  };
  explicit EpochRunner(Parts parts);

  // Epochs state.epoch + 1 .. max_epochs until early stopping or after_epoch; false when after_epoch stopped it.
  bool run_all();
  // Wall time of the run over all its sessions.
  double seconds() const;

 private:
  bool run(int epoch);
  bool record(int epoch, const EpochTotals& totals, std::chrono::steady_clock::time_point epoch_start);
  void save(bool best);

  Parts parts_;
  double seconds_before_;
  EpochLoop loop_;
  Checkpointer checkpointer_;
};

}  // namespace nertool::train
