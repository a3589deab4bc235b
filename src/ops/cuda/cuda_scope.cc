// dispatch::CudaScope for builds with the CUDA kernels (CMakeLists.txt adds this file only there): the tensors'
// device made current for the scope, and LibTorch's current stream on it, which the kernels launch on.
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAGuard.h>

#include "nertool/ops/dispatch.h"

namespace nertool::ops::dispatch {

CudaScope::CudaScope(const torch::Device& device)
    : guard_(std::make_shared<c10::cuda::CUDAGuard>(device)),
      stream_(static_cast<void*>(at::cuda::getCurrentCUDAStream(device.index()).stream())) {}

}  // namespace nertool::ops::dispatch
