#pragma once
// Device choice for training and inference: "auto" takes CUDA when LibTorch has it and a GPU is present.
#include <torch/types.h>

#include <string>

namespace nertool::train {

// "auto", "cpu", "cuda" or "cuda:N". Throws ConfigError for an unusable choice.
torch::Device resolve_device(const std::string& name);

}  // namespace nertool::train
