#pragma once
// The training loop every model shares: per-epoch dev (and test) evaluation with the scorer, best-on-dev weights
// kept, early stopping, gradient clipping, learning-rate schedule, atomic checkpoints after every epoch, and an
// exact --resume (same seed, CPU: an interrupted and resumed run ends with the same weights, bit for bit, as an
// uninterrupted one). The run directory it fills is described in docs/run_directory.md.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nertool/train/config.h"

namespace nertool::train {

struct TrainOptions {
  Config config;
  std::string data_dir = ".";   // data.* file names are relative to it
  std::string run_dir;          // output directory (created; must be empty unless resuming)
  bool resume = false;          // continue the run in run_dir from its checkpoint.pt
  std::string init_dir;         // optional: start from the weights of another run/model directory (same names)
  // Called after each finished epoch (checkpoint written); returning false stops training there, as an
  // interruption would. Tests use it to simulate a crash.
  std::function<bool(int epoch)> after_epoch;
  std::optional<bool> progress_tty;  // force the progress style (default: stderr_is_tty())
};

struct EpochRecord {
  int epoch = 0;
  double train_loss = 0;
  double dev_precision = 0, dev_recall = 0, dev_f1 = 0;
  std::optional<double> test_precision, test_recall, test_f1;
  double tokens_per_s = 0;
  double seconds = 0;  // the epoch's wall time, training and evaluation
  double lr = 0;       // learning rate of the epoch's last step
  int64_t steps = 0;   // optimizer steps so far
  nlohmann::json to_json() const;
  static EpochRecord from_json(const nlohmann::json& j);
};

struct TrainResult {
  std::string run_dir;
  int epochs_done = 0;
  int best_epoch = 0;
  double best_dev_f1 = 0;
  std::optional<double> test_f1_at_best;
  bool stopped_early = false;
  bool finished = false;  // false when after_epoch stopped it
  double seconds = 0;     // total wall time over all sessions of the run
  std::vector<EpochRecord> history;
};

TrainResult train_model(const TrainOptions& options);

}  // namespace nertool::train
