#include "nertool/train/device.h"

#include <ATen/Parallel.h>
#include <dlfcn.h>
#include <torch/cuda.h>

#include "nertool/core/error.h"

namespace nertool::train {

torch::Device resolve_device(const DeviceRequest& request) {
  using Kind = DeviceRequest::Kind;
  if (request.kind == Kind::kCpu) return torch::Device(torch::kCPU);
  const bool cuda = torch::cuda::is_available();
  if (request.kind == Kind::kAuto) return cuda ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
  if (!cuda) throw ConfigError("device '" + request.text() + "' requested but CUDA is not usable in this build or machine");
  if (request.index >= static_cast<int>(torch::cuda::device_count()))
    throw ConfigError("device '" + request.text() + "' requested but this machine has " +
                      std::to_string(torch::cuda::device_count()) + " CUDA device(s)");
  return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(request.index));
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
