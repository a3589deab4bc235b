// CPU thread settings reach both LibTorch and the OpenBLAS behind it (train/device.h says why).
#include <ATen/Parallel.h>
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <torch/cuda.h>

#include "nertool/core/error.h"
#include "nertool/train/device.h"

namespace {

TEST(Device, CpuThreadsReachLibTorchAndOpenBlas) {
  const int before = at::get_num_threads();
  using GetThreads = int (*)();
  auto openblas_threads = reinterpret_cast<GetThreads>(::dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  const bool found = nertool::train::set_cpu_threads(1);
  EXPECT_EQ(at::get_num_threads(), 1);
  EXPECT_EQ(found, openblas_threads != nullptr);
  if (openblas_threads) EXPECT_EQ(openblas_threads(), 1);
  nertool::train::set_cpu_threads(before);
  EXPECT_EQ(at::get_num_threads(), before);
  if (!openblas_threads) GTEST_SKIP() << "the BLAS behind LibTorch is not OpenBLAS: only LibTorch's count was checked";
}

TEST(Device, RequestsParseAndWriteBackTheirText) {
  using nertool::train::parse_device_request;
  for (const char* text : {"auto", "cpu", "cuda", "cuda:0", "cuda:12"}) {
    const auto request = parse_device_request(text);
    ASSERT_TRUE(request) << text;
    EXPECT_EQ(request->text(), text);
  }
  for (const char* text : {"", "tpu", "CPU", "cuda:", "cuda:x", "cuda:-1", "cuda:1024", "cuda:00001", "cpu:0"})
    EXPECT_FALSE(parse_device_request(text)) << text;
}

TEST(Device, ResolvesCpuAndAutoAndRefusesCudaWithoutIt) {
  using nertool::train::DeviceRequest;
  EXPECT_EQ(nertool::train::resolve_device({DeviceRequest::Kind::kCpu, -1}).type(), torch::kCPU);
  const auto autodevice = nertool::train::resolve_device({});
  EXPECT_EQ(autodevice.type(), torch::cuda::is_available() ? torch::kCUDA : torch::kCPU);
  if (torch::cuda::is_available()) GTEST_SKIP() << "CUDA is usable here";
  EXPECT_THROW(nertool::train::resolve_device({DeviceRequest::Kind::kCuda, 0}), nertool::ConfigError);
}

}  // namespace
