#include "nertool/train/device.h"

#include <ATen/Parallel.h>
#include <dlfcn.h>
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

bool set_cpu_threads(int threads) {
  at::set_num_threads(threads);
  // Looked up at run time: which BLAS libblas.so.3 is depends on the machine (Debian's alternatives).
  using SetThreads = void (*)(int);
  auto openblas = reinterpret_cast<SetThreads>(::dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (openblas) openblas(threads);
  return openblas != nullptr;
}

}  // namespace nertool::train
