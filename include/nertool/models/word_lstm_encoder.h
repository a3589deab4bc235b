#pragma once
// A BiLSTM stack on top of any encoder's word features: `model.word_lstm` in a config wraps whatever
// `model.encoder` builds (the second seed system's BERT + two-layer BiLSTM, hidden 200, dropout 0.5 after each
// layer, is "encoder": "bert" with "word_lstm": {"num_layers": 2, "hidden_size": 200, "dropout": 0.5}).
//
// Section keys: num_layers (>= 1, default 2), hidden_size (per direction, default 200), dropout (after each layer,
// default 0.5). Parameters are named encoder.base.* (the wrapped encoder) and encoder.lstm0.*, encoder.lstm1.*, ...
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/rnn.h>

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "nertool/core/config_keys.h"
#include "nertool/models/encoder.h"

namespace nertool::models {

struct WordLstmOptions {
  int64_t num_layers = 2;
  int64_t hidden_size = 200;
  double dropout = 0.5;
  static WordLstmOptions from_json(const nlohmann::json& section);  // throws ConfigError naming the key
};

// The model.word_lstm keys (core/config_keys.h).
const std::vector<config::Key<WordLstmOptions>>& word_lstm_keys();

class WordLstmEncoder : public Encoder {
 public:
  WordLstmEncoder(std::shared_ptr<Encoder> base, const WordLstmOptions& options);

  void featurize(Batch& batch) const override { base_->featurize(batch); }
  torch::Tensor forward(const Batch& batch) override;
  int64_t output_dim() const override { return 2 * options_.hidden_size; }
  int64_t num_directions() const override { return 2; }
  int64_t compute_length(const data::Sentence& sentence) const override { return base_->compute_length(sentence); }

  Encoder& base() { return *base_; }

 private:
  WordLstmOptions options_;
  std::shared_ptr<Encoder> base_;
  torch::nn::Dropout dropout_{nullptr};
  std::vector<torch::nn::LSTM> lstms_;
};

}  // namespace nertool::models
