#pragma once
// Mixed precision. "bf16": the encoder runs under LibTorch's autocast in bfloat16 (matrix products and
// convolutions in bfloat16; reductions, LayerNorm, softmax and the like kept in float32, as torch.autocast
// decides); the parameters, their gradients and the optimizer stay float32. Decoders always run in float32 on
// float32 features: the CRF kernels and the losses need the precision, and the output layers are tiny.
// "fp32": no autocast. bfloat16 needs no loss scaling (it has float32's exponent range).
#include <ATen/autocast_mode.h>
#include <torch/types.h>

#include "nertool/models/precision_mode.h"

namespace nertool::models {

// Autocast to bfloat16 on `device`'s type for the scope under kBFloat16; nothing under kFloat32.
class AutocastScope {
 public:
  AutocastScope(Precision precision, const torch::Device& device);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool active_ = false, cuda_ = false, was_enabled_ = false;
  at::ScalarType was_dtype_ = at::kFloat;
};

// Autocast off (CPU and CUDA) for the scope, whatever encloses it.
class Float32Scope {
 public:
  Float32Scope();
  ~Float32Scope();
  Float32Scope(const Float32Scope&) = delete;
  Float32Scope& operator=(const Float32Scope&) = delete;

 private:
  bool cpu_, cuda_;
};

// `t` as float32 when it is a reduced floating type (what autocast returns), else `t`.
torch::Tensor to_float32(const torch::Tensor& t);

}  // namespace nertool::models
