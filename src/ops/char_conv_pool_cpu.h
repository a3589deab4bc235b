#pragma once
// CPU loops of ops::char_conv_max_pool (contiguous CPU tensors, one floating dtype, mask bool): the reference the
// CUDA kernel mirrors. Returns out [N, F] and argmax [N, F] int64 (-1 for a word with no character).
#include <torch/types.h>

#include <utility>

namespace nertool::ops::cpu {

std::pair<torch::Tensor, torch::Tensor> char_conv_max_pool(const torch::Tensor& x, const torch::Tensor& mask,
                                                           const torch::Tensor& weight, const torch::Tensor& bias);

}  // namespace nertool::ops::cpu
