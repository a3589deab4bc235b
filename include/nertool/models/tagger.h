#pragma once
// A tagger is an encoder, a decoder and the label set. Encoders and decoders are built by name from the "model"
// section of a config through registries, so new architectures are a registration, not a code path.
#include <torch/nn/module.h>
#include <torch/types.h>

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nertool/data/conll.h"
#include "nertool/models/decoder.h"
#include "nertool/models/encoder.h"

namespace nertool::models {

// Label vocabulary: id <-> string. Id order is fixed when built (sorted, "O" first) and saved with the model.
class LabelSet {
 public:
  LabelSet() = default;
  explicit LabelSet(std::vector<std::string> labels);
  static LabelSet from_corpus(const data::Corpus& corpus);
  int64_t id(const std::string& label) const;  // throws Error naming an unknown label
  bool contains(const std::string& label) const;
  const std::string& label(int64_t id) const { return labels_.at(static_cast<std::size_t>(id)); }
  const std::vector<std::string>& labels() const { return labels_; }
  int64_t size() const { return static_cast<int64_t>(labels_.size()); }
  nlohmann::json to_json() const;
  // A JSON array of distinct, non-empty label strings; anything else is an InputError naming `source`.
  static LabelSet from_json(const nlohmann::json& j, const std::string& source = "labels");

 private:
  std::vector<std::string> labels_;
};

// What builders get: the model config section, the label set, the training corpus (to build vocabularies; null
// when loading a saved model) and the model directory (vocabularies and tokenizer files live there).
struct BuildContext {
  nlohmann::json config;
  LabelSet labels;
  const data::Corpus* train = nullptr;
  std::string model_dir;
  // `train --init DIR`: the model whose weights will be loaded into this fresh one. Encoders with vocabularies
  // take them from there, so that the loaded embedding rows keep their words.
  std::string init_dir;
};

class TaggerImpl : public torch::nn::Module {
 public:
  TaggerImpl(std::shared_ptr<Encoder> encoder, std::shared_ptr<Decoder> decoder, LabelSet labels);
  Encoder& encoder() { return *encoder_; }
  Decoder& decoder() { return *decoder_; }
  const LabelSet& labels() const { return labels_; }
  // batch must be featurized (encoder().featurize) and on the model's device.
  torch::Tensor loss(const Batch& batch);
  std::vector<std::vector<std::string>> predict(const Batch& batch);
  torch::Tensor probabilities(const Batch& batch);  // [B, T, L]

 private:
  std::shared_ptr<Encoder> encoder_;
  std::shared_ptr<Decoder> decoder_;
  LabelSet labels_;
};
TORCH_MODULE(Tagger);

using EncoderBuilder = std::function<std::shared_ptr<Encoder>(const BuildContext&)>;
using DecoderBuilder =
    std::function<std::shared_ptr<Decoder>(const BuildContext&, int64_t input_dim, int64_t num_directions)>;

// Sets the keys of a `model` section that a file it names decides (bilstm_cnn: word_dim from the vector file), so
// that a new run saves the config its model is built with. Changes only its encoder's keys and logs each change.
using ModelConfigCompleter = std::function<void(nlohmann::json& model)>;

// A component reads its own section `model.<name>`; an encoder may also read keys directly under `model`
// (`model_keys`, e.g. the transformers' max_seq_length), which it declares here so that misspelt keys are errors.
void register_encoder(const std::string& name, EncoderBuilder builder, std::vector<std::string> model_keys = {},
                      ModelConfigCompleter complete = nullptr);
void register_decoder(const std::string& name, DecoderBuilder builder);
std::vector<std::string> encoder_names();
std::vector<std::string> decoder_names();

// The keys a `model` section with this encoder may hold: "encoder", "decoder", "word_lstm", the section of every registered
// component (a config keeps working when --set switches its encoder or decoder), and the keys the encoder
// declared. Empty for an unknown encoder (build_tagger reports that).
std::vector<std::string> model_config_keys(const std::string& encoder);

// Markdown rows of every built-in component's keys (core/config_keys.h), for `nertool train --config-keys`.
std::string model_keys_markdown();

// The model section with its encoder's completer applied (unchanged for an encoder without one, or unknown).
nlohmann::json completed_model_config(nlohmann::json model);

// Builds config["encoder"] (a name) and config["decoder"] (a name); a "word_lstm" section puts a BiLSTM stack
// between them (models/word_lstm_encoder.h). Throws ConfigError for unknown names.
Tagger build_tagger(const BuildContext& context);

}  // namespace nertool::models

namespace nertool::models {
// Registers every built-in encoder and decoder (idempotent). Each architecture adds one call to
// src/models/builtin_models.cc; build_tagger calls this first.
void register_builtin_models();
}  // namespace nertool::models
