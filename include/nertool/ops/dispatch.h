#pragma once
// How every op reaches its implementation, written once:
// - by device (`on_device`): the CPU loops for CPU tensors; the CUDA twin, under its device and current stream, for
//   CUDA tensors when the build has the kernels (NERTOOL_HAVE_CUDA); otherwise the CPU loops on CPU copies of the
//   arguments, with the results moved back to the tensors' device;
// - by dtype (`by_float_type`): float or double, anything else refused with the op's name.
// In a build without the kernels the CUDA branch is discarded at compile time, so an op's CUDA callable (a generic
// lambda) is never instantiated and the kernels' entry points need no definition there.
#include <torch/types.h>

#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include "nertool/core/error.h"

namespace nertool::ops::dispatch {

#ifdef NERTOOL_HAVE_CUDA
inline constexpr bool kCudaKernelsBuilt = true;
#else
inline constexpr bool kCudaKernelsBuilt = false;
#endif

// The device made current and its current CUDA stream, as the kernels' launch API takes it (void*). Defined in
// src/ops/cuda/cuda_scope.cc, which only CUDA builds compile.
class CudaScope {
 public:
  explicit CudaScope(const torch::Device& device);
  void* stream() const { return stream_; }

 private:
  std::shared_ptr<void> guard_;
  void* stream_ = nullptr;
};

// Calls fn(T{}) with T the C++ type of `type`: float or double.
template <typename Fn>
decltype(auto) by_float_type(const char* op, torch::ScalarType type, Fn&& fn) {
  switch (type) {
    case torch::kFloat:
      return fn(float{});
    case torch::kDouble:
      return fn(double{});
    default:
      throw Error(std::string(op) + ": float or double tensors only, got " + c10::toString(type));
  }
}

// Values as they are on `device`: tensors (undefined ones stay undefined) and tuples of them are moved, anything
// else is passed through. Ops add overloads for their own aggregates beside them (found by argument lookup).
inline torch::Tensor moved_to(const torch::Tensor& t, const torch::Device& device) {
  return t.defined() ? t.to(device) : t;
}
template <typename T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
T moved_to(T value, const torch::Device&) {
  return value;
}
template <typename... Ts>
std::tuple<Ts...> moved_to(const std::tuple<Ts...>& values, const torch::Device& device) {
  return std::apply([&](const auto&... v) { return std::tuple<Ts...>(moved_to(v, device)...); }, values);
}
template <typename A, typename B>
std::pair<A, B> moved_to(const std::pair<A, B>& values, const torch::Device& device) {
  return {moved_to(values.first, device), moved_to(values.second, device)};
}

// cpu(args...) on the CPU, for an op (or a part of one) with no CUDA twin: arguments on another device are copied to
// the CPU and the results moved back to `device`.
template <typename CpuFn, typename... Args>
auto on_cpu(const torch::Device& device, CpuFn&& cpu, const Args&... args) {
  if (device.is_cpu()) return cpu(args...);
  return moved_to(cpu(moved_to(args, torch::Device(torch::kCPU))...), device);
}

// An op where its tensors live (`device`): cuda(stream, args...) under a CudaScope on a CUDA device when the build
// has the kernels, else on_cpu. Both callables return the same type.
template <typename CpuFn, typename CudaFn, typename... Args>
auto on_device(const torch::Device& device, CpuFn&& cpu, CudaFn&& cuda, const Args&... args) {
  if constexpr (kCudaKernelsBuilt) {
    if (device.is_cuda()) {
      CudaScope scope(device);
      return cuda(scope.stream(), args...);
    }
  }
  return on_cpu(device, std::forward<CpuFn>(cpu), args...);
}

}  // namespace nertool::ops::dispatch
