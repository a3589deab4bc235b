#pragma once
// What one training epoch measured: one line of a run's metrics.jsonl (docs/run_directory.md).
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace nertool::train {

struct EpochRecord {
  int epoch = 0;
  double train_loss = 0;
  double dev_precision = 0, dev_recall = 0, dev_f1 = 0;
  std::optional<double> test_precision, test_recall, test_f1;
  // Pretraining (masked LM) records the held-out loss and masked-token accuracy instead of dev/test scores.
  std::optional<double> dev_loss, dev_accuracy;
  double tokens_per_s = 0;     // training tokens of all workers per second
  double seconds = 0;          // the epoch's wall time, training and evaluation
  double reduce_seconds = 0;   // of which combining gradients between workers (0 for one process)
  double lr = 0;               // learning rate of the epoch's last step
  int64_t steps = 0;           // optimizer steps so far
  nlohmann::json to_json() const;
  // `name` and `source` are for errors ("<source>: history[3].lr: ...").
  static EpochRecord from_json(const nlohmann::json& j, const std::string& name = "", const std::string& source = "");
};

}  // namespace nertool::train
