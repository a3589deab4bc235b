#pragma once
// The training loop every model shares, for one process or data-parallel workers: per-epoch dev (and test)
// evaluation with the scorer, best-on-dev weights kept, early stopping, gradient clipping, learning-rate schedule,
// atomic checkpoints after every epoch, and an exact --resume (same seed, CPU: an interrupted and resumed run ends with the same weights, bit for bit, as an
// uninterrupted one). The run directory it fills is described in docs/run_directory.md.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nertool/train/config.h"
#include "nertool/train/distributed.h"
#include "nertool/train/epoch_record.h"

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
  // The job's workers (distributed.h); null: this process alone. Every worker calls train_model with the same
  // config and data; only the writer (rank 0) writes the run directory, and only it needs to see it.
  Communicator* workers = nullptr;
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
