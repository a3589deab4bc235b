#include "nertool/models/word_lstm_encoder.h"

#include <string>

#include "nertool/layers/bilstm_stack.h"
#include "nertool/core/config_keys.h"

namespace nertool::models {

const std::vector<config::Key<WordLstmOptions>>& word_lstm_keys() {
  using O = WordLstmOptions;
  using config::at_least;
  using config::key;
  static const std::vector<config::Key<O>> keys = {
      key("num_layers", &O::num_layers, "stacked single-layer BiLSTMs on the encoder's output", ">= 1",
          at_least<int64_t>(1)),
      key("hidden_size", &O::hidden_size, "LSTM state per direction", ">= 1", at_least<int64_t>(1)),
      key("dropout", &O::dropout, "dropout after each BiLSTM layer", "in [0, 1)",
          config::rate_below_one()),
  };
  return keys;
}

WordLstmOptions WordLstmOptions::from_json(const nlohmann::json& j) {
  return config::read_section(word_lstm_keys(), j, "model.word_lstm");
}

WordLstmEncoder::WordLstmEncoder(std::shared_ptr<Encoder> base, const WordLstmOptions& options)
    : options_(options), base_(register_module("base", std::move(base))) {
  dropout_ = register_module("dropout", torch::nn::Dropout(options_.dropout));
  lstms_ = layers::register_bilstm_stack(*this, base_->output_dim(), options_.hidden_size, options_.num_layers);
}

torch::Tensor WordLstmEncoder::forward(const Batch& batch) {
  return layers::run_bilstm_stack(lstms_, dropout_, base_->forward(batch), batch.word_mask);
}

}  // namespace nertool::models
