// CPU thread settings reach both LibTorch and the OpenBLAS behind it (train/device.h says why).
#include <ATen/Parallel.h>
#include <dlfcn.h>
#include <gtest/gtest.h>

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

TEST(Device, ResolvesCpuAndRejectsUnknownNames) {
  EXPECT_EQ(nertool::train::resolve_device("cpu").type(), torch::kCPU);
  EXPECT_THROW(nertool::train::resolve_device("tpu"), std::exception);
}

}  // namespace
