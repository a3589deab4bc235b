#pragma once
// A run directory is a self-contained model (format described in docs/run_directory.md): config.json,
// labels.json, model.pt (best-on-dev weights by name), the encoder's own files (vocabularies, tokenizer),
// metadata.json, and the training state (checkpoint.pt, metrics.jsonl, f1.png).
#include <torch/serialize/archive.h>
#include <torch/types.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nertool/models/tagger.h"
#include "nertool/train/config.h"
#include "nertool/train/device_request.h"

#include "nertool/core/json.h"
#include "nertool/core/sha256.h"
#include "nertool/io/weights.h"

namespace nertool::train {

constexpr int kRunFormatVersion = 1;

// Files a run writes into its directory (docs/run_directory.md).
constexpr const char* kWeightsFile = "model.pt";          // best-on-dev (pretraining: lowest held-out loss) weights
constexpr const char* kCheckpointFile = "checkpoint.pt";  // the state to resume from
constexpr const char* kMetricsFile = "metrics.jsonl";
constexpr const char* kMetadataFile = "metadata.json";
constexpr const char* kPlotFile = "f1.png";
constexpr const char* kLossPlotFile = "loss.png";         // pretraining runs: losses per epoch

struct LoadedModel {
  Config config;
  models::Tagger tagger{nullptr};
  torch::Device device{torch::kCPU};
  std::string run_dir;
};

// Rebuilds the tagger of a run directory (config.json, labels.json, encoder files, model.pt) on `device`
// ("auto", "cpu", "cuda", ...) in eval mode. Throws IoError/ConfigError naming the missing or bad file.
LoadedModel load_model(const std::string& run_dir, const DeviceRequest& device = {DeviceRequest::Kind::kCpu, -1});

// A run directory opened by `nertool train` for as long as this object lives:
// - created when absent; refused when it holds something and no --resume was asked for;
// - locked (flock on the directory): a second `nertool train` on it is refused while this one runs, and the
//   kernel releases the lock however the process ends;
// - temporary files left by killed writes (`*.tmp.*`) removed;
// - with --resume and no checkpoint.pt yet (a run killed before its first epoch ended), emptied and started
//   again from the beginning;
// - removed again when training fails before keep() (its first checkpoint), if this run created it.
class TrainingRunDir {
 public:
  TrainingRunDir(std::string dir, bool resume_requested);
  ~TrainingRunDir();
  TrainingRunDir(const TrainingRunDir&) = delete;
  TrainingRunDir& operator=(const TrainingRunDir&) = delete;

  // True when a checkpoint is there to continue from.
  bool resume() const { return resume_; }
  // The run has a checkpoint of its own: never remove the directory from now on.
  void keep() { remove_on_failure_ = false; }

 private:
  void lock();
  void start_over_without_checkpoint();
  void remove_temporary_files() const;

  std::string dir_;
  int lock_fd_ = -1;
  bool resume_ = false;
  bool remove_on_failure_ = false;
};

}  // namespace nertool::train
