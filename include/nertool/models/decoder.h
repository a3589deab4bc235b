#pragma once
// A decoder owns the output layer: from word features [B, T, D] it computes the training loss, the best label
// sequence, and per-word label probabilities. Softmax and CRF decoders implement it; models choose one by
// config ("decoder": "softmax" | "crf").
#include <torch/nn/module.h>
#include <torch/types.h>

#include <cstdint>
#include <vector>

namespace nertool::models {

class Decoder : public torch::nn::Module {
 public:
  // Scalar loss to minimise. labels [B, T] int64, mask [B, T] bool (positions where mask is false are ignored).
  virtual torch::Tensor loss(const torch::Tensor& features, const torch::Tensor& labels, const torch::Tensor& mask) = 0;
  // Best label ids of each sentence, of its true length (mask row sum).
  virtual std::vector<std::vector<int64_t>> decode(const torch::Tensor& features, const torch::Tensor& mask) = 0;
  // Per-word label probabilities [B, T, L] (softmax, or CRF marginals); rows at masked positions are unspecified.
  virtual torch::Tensor probabilities(const torch::Tensor& features, const torch::Tensor& mask) = 0;
  virtual int64_t num_labels() const = 0;
};

}  // namespace nertool::models
