#include "nertool/models/precision.h"

#include <torch/torch.h>

#include "nertool/core/error.h"

namespace nertool::models {

AutocastScope::AutocastScope(Precision precision, const torch::Device& device) {
  if (precision == Precision::kFloat32) return;
  active_ = true;
  cuda_ = device.is_cuda();
  if (cuda_) {
    was_enabled_ = at::autocast::is_enabled();
    was_dtype_ = at::autocast::get_autocast_gpu_dtype();
    at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
    at::autocast::set_enabled(true);
  } else {
    was_enabled_ = at::autocast::is_cpu_enabled();
    was_dtype_ = at::autocast::get_autocast_cpu_dtype();
    at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
    at::autocast::set_cpu_enabled(true);
  }
  at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
  if (!active_) return;
  // Like torch.autocast's __exit__: the cache of casted weights lives only while the outermost scope does.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  if (cuda_) {
    at::autocast::set_enabled(was_enabled_);
    at::autocast::set_autocast_gpu_dtype(was_dtype_);
  } else {
    at::autocast::set_cpu_enabled(was_enabled_);
    at::autocast::set_autocast_cpu_dtype(was_dtype_);
  }
}

Float32Scope::Float32Scope() : cpu_(at::autocast::is_cpu_enabled()), cuda_(at::autocast::is_enabled()) {
  at::autocast::set_cpu_enabled(false);
  at::autocast::set_enabled(false);
}

Float32Scope::~Float32Scope() {
  at::autocast::set_cpu_enabled(cpu_);
  at::autocast::set_enabled(cuda_);
}

torch::Tensor to_float32(const torch::Tensor& t) {
  return t.scalar_type() == torch::kBFloat16 || t.scalar_type() == torch::kHalf ? t.to(torch::kFloat32) : t;
}

}  // namespace nertool::models
