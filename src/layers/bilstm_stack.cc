#include "nertool/layers/bilstm_stack.h"

#include <torch/nn/utils/rnn.h>

#include <string>

namespace nertool::layers {

std::vector<torch::nn::LSTM> register_bilstm_stack(torch::nn::Module& owner, int64_t input_dim, int64_t hidden_size,
                                                   int64_t num_layers) {
  namespace nn = torch::nn;
  std::vector<nn::LSTM> lstms;
  for (int64_t l = 0; l < num_layers; ++l) {
    lstms.push_back(owner.register_module(
        "lstm" + std::to_string(l),
        nn::LSTM(nn::LSTMOptions(input_dim, hidden_size).num_layers(1).bidirectional(true).batch_first(true))));
    input_dim = 2 * hidden_size;
  }
  return lstms;
}

torch::Tensor run_bilstm_stack(std::vector<torch::nn::LSTM>& lstms, torch::nn::Dropout& dropout, torch::Tensor x,
                               const torch::Tensor& mask) {
  namespace rnn = torch::nn::utils::rnn;
  const int64_t T = mask.size(1);
  auto lengths = mask.sum(1).clamp_min(1).to(torch::kCPU, torch::kInt64);
  for (auto& lstm : lstms) {
    auto packed = rnn::pack_padded_sequence(x, lengths, /*batch_first=*/true, /*enforce_sorted=*/false);
    auto out = std::get<0>(lstm->forward_with_packed_input(packed));
    x = std::get<0>(rnn::pad_packed_sequence(out, /*batch_first=*/true, 0.0, T));
    x = dropout->forward(x);
  }
  return x;
}

}  // namespace nertool::layers
