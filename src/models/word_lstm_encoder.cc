#include "nertool/models/word_lstm_encoder.h"

#include <string>

#include "nertool/layers/bilstm_stack.h"
#include "section_options.h"

namespace nertool::models {

WordLstmOptions WordLstmOptions::from_json(const nlohmann::json& j) {
  const std::string w = "model.word_lstm";
  section::check_keys(j, w, {"num_layers", "hidden_size", "dropout"});
  WordLstmOptions o;
  section::read(j, "num_layers", o.num_layers, w);
  section::read(j, "hidden_size", o.hidden_size, w);
  section::read(j, "dropout", o.dropout, w);
  section::require(o.num_layers >= 1, w, "num_layers", ">= 1", std::to_string(o.num_layers));
  section::require(o.hidden_size >= 1, w, "hidden_size", ">= 1", std::to_string(o.hidden_size));
  section::require(o.dropout >= 0.0 && o.dropout < 1.0, w, "dropout", "in [0, 1)", std::to_string(o.dropout));
  return o;
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
