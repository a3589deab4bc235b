#pragma once
// `nertool eval --model RUN_DIR --data FILE`: the request cmd_eval.cc hands its LibTorch part
// (torch/eval_torch.cc): tag FILE with the model and score the result against FILE's labels.
#include <string>
#include <vector>

#include "nertool/metrics/scorer.h"
#include "nertool/models/precision_mode.h"
#include "nertool/train/device_request.h"

namespace nertool::cli {

struct ModelScores {
  metrics::Report report;
  std::vector<std::vector<std::string>> gold, predicted;  // filled when asked for (--taxonomy)
};

struct ModelEvaluation {
  using Result = ModelScores;
  std::string model, data;
  train::DeviceRequest device;
  models::Precision precision = models::Precision::kFloat32;
  std::string type_map;
  metrics::ScoreOptions score;
  bool keep_labels = false;
};

}  // namespace nertool::cli
