#pragma once
// Softmax output layers.
//
// "softmax": dropout, then one linear layer (named `classifier`, as in Hugging Face token-classification heads, so
//   converted checkpoints map classifier.weight/bias onto it) over the whole feature vector. Loss: cross-entropy
//   averaged over real words. Options: model.softmax = {"dropout": 0.0}.
//
// "bidir_softmax": the output of Chiu & Nichols (2016). The features are [forward half, backward half]; each half
//   has its own linear layer and log-softmax, and the two log-probability vectors are added:
//       s(y) = log p_fwd(y) + log p_bwd(y).
//   Loss: -(log p_fwd(gold) + log p_bwd(gold)), averaged over real words (a per-word mean, like "softmax", so the
//   learning rate does not scale with batch size). Decode: argmax_y s(y). probabilities(): softmax(s), i.e. the
//   normalised product p_fwd * p_bwd. Options: model.bidir_softmax = {"dropout": 0.0}.
#include <nlohmann/json.hpp>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>

#include "nertool/core/config_keys.h"
#include "nertool/models/decoder.h"
#include "nertool/models/tagger.h"

namespace nertool::models {

// model.softmax and model.bidir_softmax hold the same keys (core/config_keys.h).
struct SoftmaxOptions {
  double dropout = 0.0;
};
const std::vector<config::Key<SoftmaxOptions>>& softmax_keys();

class SoftmaxDecoder : public Decoder {
 public:
  SoftmaxDecoder(int64_t input_dim, int64_t num_labels, double dropout);
  torch::Tensor loss(const torch::Tensor& features, const torch::Tensor& labels, const torch::Tensor& mask) override;
  std::vector<std::vector<int64_t>> decode(const torch::Tensor& features, const torch::Tensor& mask) override;
  torch::Tensor probabilities(const torch::Tensor& features, const torch::Tensor& mask) override;
  int64_t num_labels() const override { return num_labels_; }
  torch::Tensor logits(const torch::Tensor& features);  // [B, T, L]

 private:
  int64_t num_labels_;
  torch::nn::Dropout dropout_{nullptr};
  torch::nn::Linear classifier_{nullptr};
};

class BidirSoftmaxDecoder : public Decoder {
 public:
  BidirSoftmaxDecoder(int64_t input_dim, int64_t num_labels, double dropout);
  torch::Tensor loss(const torch::Tensor& features, const torch::Tensor& labels, const torch::Tensor& mask) override;
  std::vector<std::vector<int64_t>> decode(const torch::Tensor& features, const torch::Tensor& mask) override;
  torch::Tensor probabilities(const torch::Tensor& features, const torch::Tensor& mask) override;
  int64_t num_labels() const override { return num_labels_; }
  torch::Tensor scores(const torch::Tensor& features);  // [B, T, L]: log p_fwd + log p_bwd

 private:
  int64_t num_labels_;
  int64_t half_;
  torch::nn::Dropout dropout_{nullptr};
  torch::nn::Linear forward_{nullptr};
  torch::nn::Linear backward_{nullptr};
};

// Argmax label of each real word (shared by both decoders).
std::vector<std::vector<int64_t>> argmax_per_word(const torch::Tensor& scores, const torch::Tensor& mask);

void register_softmax_decoders();

}  // namespace nertool::models
