#pragma once
// checkpoint.pt: what an interrupted run needs to continue exactly where it stopped: the weights, the optimizer's
// moments, every worker's random-number generator states and the RunState below (as JSON). Written after every
// epoch, atomically, by the writer only.
#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nertool/train/distributed.h"
#include "nertool/train/early_stopping.h"
#include "nertool/train/epoch_record.h"

namespace nertool::train {

// Training state beyond weights and optimizer moments.
struct RunState {
  int epoch = 0;  // epochs finished
  int64_t step = 0;
  EarlyStopping stopping;
  double seconds = 0;       // wall time over all sessions
  std::string shuffle_rng;  // std::mt19937_64 state, as its operator<< writes it (the same on every worker)
  nlohmann::json hashes = nlohmann::json::object();
  int world_size = 1;  // workers the run was trained with
  std::vector<EpochRecord> history;

  nlohmann::json to_json() const;
  // Throws IoError naming `origin` when a field is missing or has the wrong type.
  static RunState from_json(const nlohmann::json& j, const std::string& origin);
};

class Checkpointer {
 public:
  Checkpointer(std::string path, Communicator& workers) : path_(std::move(path)), workers_(workers) {}

  // Every worker calls it (the RNG states are gathered); the writer writes the file.
  void save(const torch::nn::Module& model, const torch::optim::Optimizer& optimizer, const RunState& state);
  // Every worker calls it: the writer reads the file and sends it to the others (other machines need not see the
  // run directory); each restores the weights, moments and its own RNG states.
  RunState load(torch::nn::Module& model, torch::optim::Optimizer& optimizer);

 private:
  std::string path_;
  Communicator& workers_;
};

}  // namespace nertool::train
