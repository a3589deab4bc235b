#pragma once
// A stack of bidirectional LSTMs over word features, with dropout after each layer: the BiLSTM-CNN's core and the
// BiLSTM that word_lstm puts on top of any encoder (the second seed system's BERT + BiLSTM). The LSTMs are
// registered on the owning module as "lstm0", "lstm1", ... so saved models keep their parameter names.
#include <torch/nn/module.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/rnn.h>

#include <cstdint>
#include <vector>

namespace nertool::layers {

// Registers `num_layers` BiLSTMs (input_dim -> 2 * hidden_size, batch first) on `owner`.
std::vector<torch::nn::LSTM> register_bilstm_stack(torch::nn::Module& owner, int64_t input_dim, int64_t hidden_size,
                                                   int64_t num_layers);

// x [B, T, D], mask [B, T] bool -> [B, T, 2H]. Sequences are packed: the backward direction starts at each
// sentence's last real word, never at padding, so a sentence's features do not depend on the rest of the batch.
// Padding positions come out as zeros. Under CPU bfloat16 autocast (models/precision.h) the LSTMs' products, states
// and output are bfloat16 (LibTorch's autocast would leave them float32).
torch::Tensor run_bilstm_stack(std::vector<torch::nn::LSTM>& lstms, torch::nn::Dropout& dropout, torch::Tensor x,
                               const torch::Tensor& mask);

}  // namespace nertool::layers
