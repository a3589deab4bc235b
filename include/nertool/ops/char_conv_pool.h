#pragma once
// The character CNN's hot loop fused into one op: a width-W convolution over each word's characters (zero padding
// of W/2 at both ends, masked characters read as zero) followed by max-over-time over the word's unmasked
// characters. As LibTorch ops this is conv1d + masked_fill + max over a [N, F, C] intermediate; fused, each word
// is read once and only [N, F] is written. CUDA tensors run src/ops/char_conv_pool_cuda.cu when the build has it.
//
// x [N, C, E] (N words, C characters, E input features) float or double; mask [N, C] bool; weight [F, E, W] (W odd,
// the layout of torch::nn::Conv1d); bias [F]. Returns [N, F]:
//   out[n][f] = max_{p : mask[n][p]} bias[f] + sum_{e, w} weight[f][e][w] * x'[n][p + w - W/2][e]
// where x' is x with masked characters and positions outside [0, C) set to zero; 0 for a word with no character.
// Differentiable in x, weight and bias (the gradient goes to the arg-max position, as max does).
#include <torch/types.h>

namespace nertool::ops {

torch::Tensor char_conv_max_pool(const torch::Tensor& x, const torch::Tensor& mask, const torch::Tensor& weight,
                                 const torch::Tensor& bias);

// The same computation with LibTorch ops (conv1d, masked_fill, max): the tests' oracle and the benchmark baseline.
torch::Tensor char_conv_max_pool_reference(const torch::Tensor& x, const torch::Tensor& mask,
                                           const torch::Tensor& weight, const torch::Tensor& bias);

}  // namespace nertool::ops
