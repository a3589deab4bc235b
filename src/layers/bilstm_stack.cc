#include "nertool/layers/bilstm_stack.h"

#include <ATen/autocast_mode.h>
#include <torch/nn/utils/rnn.h>
#include <torch/torch.h>

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

namespace {

// One bidirectional LSTM over a packed batch with its products in bfloat16: the input, the weights (cast once per
// autocast scope, autocast's cache) and the states. Gradients reach the float32 parameters through the casts.
torch::nn::utils::rnn::PackedSequence lstm_bfloat16(torch::nn::LSTM& lstm,
                                                   const torch::nn::utils::rnn::PackedSequence& packed) {
  std::vector<torch::Tensor> weights;
  for (const auto& w : lstm->all_weights())
    weights.push_back(at::autocast::cached_cast(at::kBFloat16, w, c10::DeviceType::CPU));
  auto data = packed.data().to(torch::kBFloat16);
  const int64_t batch = packed.batch_sizes()[0].item<int64_t>();
  auto zeros = torch::zeros({2, batch, lstm->options.hidden_size()}, data.options());
  auto out = torch::lstm(data, packed.batch_sizes(), {zeros, zeros}, weights, /*has_biases=*/true, /*num_layers=*/1,
                         /*dropout=*/0.0, /*train=*/lstm->is_training(), /*bidirectional=*/true);
  return torch::nn::utils::rnn::PackedSequence(std::get<0>(out), packed.batch_sizes(), packed.sorted_indices(),
                                               packed.unsorted_indices());
}

}  // namespace

torch::Tensor run_bilstm_stack(std::vector<torch::nn::LSTM>& lstms, torch::nn::Dropout& dropout, torch::Tensor x,
                               const torch::Tensor& mask) {
  namespace rnn = torch::nn::utils::rnn;
  const int64_t T = mask.size(1);
  auto lengths = mask.sum(1).clamp_min(1).to(torch::kCPU, torch::kInt64);
  // CPU autocast (models/precision.h) leaves LibTorch 1.13's LSTM in float32, although its products are nearly all
  // of the BiLSTM-CNN's arithmetic; under bfloat16 autocast the stack runs them in bfloat16 itself.
  const bool bfloat16 = x.device().is_cpu() && at::autocast::is_cpu_enabled() &&
                        at::autocast::get_autocast_cpu_dtype() == at::kBFloat16;
  for (auto& lstm : lstms) {
    auto packed = rnn::pack_padded_sequence(x, lengths, /*batch_first=*/true, /*enforce_sorted=*/false);
    auto out = bfloat16 ? lstm_bfloat16(lstm, packed) : std::get<0>(lstm->forward_with_packed_input(packed));
    x = std::get<0>(rnn::pad_packed_sequence(out, /*batch_first=*/true, 0.0, T));
    x = dropout->forward(x);
  }
  return x;
}

}  // namespace nertool::layers
