#include "nertool/train/device.h"

#include <torch/cuda.h>

#include "nertool/core/error.h"

namespace nertool::train {

torch::Device resolve_device(const std::string& name) {
  if (name == "auto") return torch::cuda::is_available() ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
  if (name == "cpu") return torch::Device(torch::kCPU);
  if (name.rfind("cuda", 0) == 0) {
    if (!torch::cuda::is_available())
      throw ConfigError("device '" + name + "' requested but CUDA is not usable in this build or machine");
    return torch::Device(name);
  }
  throw ConfigError("unknown device '" + name + "' (use auto, cpu, cuda or cuda:N)");
}

}  // namespace nertool::train
