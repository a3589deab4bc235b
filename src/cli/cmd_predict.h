#pragma once
// The flags of `nertool predict` (cmd_predict.cc), also the request of its LibTorch part (torch/predict_torch.cc).
#include <string>

#include "nertool/train/predict_options.h"

namespace nertool::cli {

struct PredictFlags {
  using Result = int;  // the exit status
  std::string model;
  std::string device = "auto";
  train::PredictOptions options;
};

}  // namespace nertool::cli
