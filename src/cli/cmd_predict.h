#pragma once
// The flags of `nertool predict` (cmd_predict.cc), also the request of its LibTorch part (torch/predict_torch.cc).
#include <string>

#include "nertool/train/device_request.h"
#include "nertool/predict/predict_options.h"

namespace nertool::cli {

struct PredictFlags {
  using Result = int;  // the exit status
  std::string model;
  train::DeviceRequest device;  // auto
  predict::PredictOptions options;
};

}  // namespace nertool::cli
