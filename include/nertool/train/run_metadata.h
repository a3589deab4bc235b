#pragma once
// metadata.json of a run directory: what was trained, on what, with which result (docs/run_directory.md).
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "nertool/train/checkpoint.h"
#include "nertool/train/training_data.h"

namespace nertool::train {

// Facts about a run that its state does not hold.
struct RunFacts {
  uint64_t seed = 0;
  std::string device;
  bool finished = false;  // false when training was interrupted (after_epoch)
  std::size_t labels = 0;
  int64_t parameters = 0;
};

nlohmann::json run_metadata(const RunState& state, const TrainingData& data, const RunFacts& facts);
// What every run's metadata.json holds (versions, seed, device, workers, epochs, best epoch, time, parameters);
// run_metadata adds a tagging run's data and scores to it.
nlohmann::json run_metadata_base(const RunState& state, const RunFacts& facts);

// The UTC time as 2026-12-02T23:59:59Z.
std::string utc_now();

}  // namespace nertool::train
