#pragma once
// Run configuration: a JSON file with sections "data", "model", "train" and "pretrain". Every value has a default (except the
// model section, which its encoder and decoder builders validate), every value can be overridden with
// `--set key.path=value`, and unknown keys in "data" or "train" are errors that suggest the closest known key.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nertool/core/choice.h"
#include "nertool/core/config_keys.h"
#include "nertool/models/precision_mode.h"
#include "nertool/train/device_request.h"

namespace nertool::train {

enum class Optimizer { kNadam, kAdam, kAdamW, kSgd };
enum class Schedule { kConstant, kLinear };  // after warm-up: constant, or linear decay to 0 at the last step
enum class TextFormat { kText, kConll };     // pretraining text: a paragraph per line, or CoNLL's token column
enum class Packing { kWholeUnits, kFill };   // lines or sentences kept whole, or cut between words

struct DataConfig {
  std::string train = "train.txt";  // file names relative to the --data directory (absolute paths allowed)
  std::string valid = "valid.txt";
  std::string test;                 // optional: test F1 is then logged per epoch
  int token_column = 0;
  int label_column = -1;
  std::string tag_scheme = "IOB2";  // scheme of the label column ("auto": detected from the training file)
};

struct TrainConfig {
  Optimizer optimizer = Optimizer::kNadam;
  double lr = 0.0105;
  std::vector<double> betas = {0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 0.0;
  std::vector<std::string> weight_decay_exclude;  // parameter-name patterns (substring, or glob with * ? [])
  std::vector<std::string> freeze;  // parameter-name prefixes kept fixed (e.g. "encoder.", "decoder.detection.")
  double momentum_decay = 0.004;                  // NAdam's psi
  double momentum = 0.0;                          // SGD
  int64_t warmup_steps = 0;
  double warmup_ratio = 0.0;  // fraction of all training steps; used when warmup_steps is 0
  Schedule schedule = Schedule::kConstant;
  models::Precision precision = models::Precision::kFloat32;  // autocast for the encoder: models/precision.h
  int max_epochs = 50;
  int patience = 5;  // epochs without dev improvement before stopping; 0 disables early stopping
  int64_t batch_tokens = 0;     // token budget per batch (length-bucketed); exclusive with batch_sentences
  int64_t batch_sentences = 0;  // sentences per batch (shuffled)
  // Batches whose mean gradient makes one optimizer step, per worker: a step of N workers covers N times as many.
  int accumulate_batches = 1;
  int64_t eval_batch_sentences = 64;
  double clip_norm = 5.0;  // max global gradient L2 norm; 0 disables clipping
  uint64_t seed = 42;
  DeviceRequest device;
  int num_threads = 0;  // intra-op threads; 0 keeps LibTorch's default
  int log_percent = 10; // non-TTY progress: one log line per this many percent of an epoch
};

// `nertool pretrain` (masked-language-model training; docs/pretraining.md). The train section's optimizer,
// schedule, batching (batch_sentences counts sequences), epochs, precision and seed apply as for tagging.
struct PretrainConfig {
  std::vector<std::string> train_files;  // text to pretrain on, relative to --data (absolute paths allowed)
  std::string valid_file;                // held-out text: masked-LM loss and accuracy after every epoch
  TextFormat format = TextFormat::kText;
  int64_t max_length = 128;              // subwords per packed sequence, [CLS] and [SEP] included
  Packing packing = Packing::kWholeUnits;
  double mask_probability = 0.15;
  bool whole_word = false;               // mask every subword of a chosen word together
};

struct Config {
  DataConfig data;
  nlohmann::json model = nlohmann::json::object();
  TrainConfig train;
  PretrainConfig pretrain;
  std::string description;
  nlohmann::json json;  // the effective config (defaults filled in): what --dump-config prints and runs save
};

// The defaults of "data", "train" and "pretrain" as JSON.
nlohmann::json default_config_json();

// Every key of "data", "train", "pretrain" and the built-in model components as a Markdown table: key, type,
// default, rule, meaning (`nertool train --config-keys`; docs/configuration.md holds its output).
std::string config_keys_markdown();

// Parses and validates a complete config JSON (missing data/train keys take defaults). `source` names it in
// errors. Throws ConfigError naming the key: unknown keys (with the closest known one), wrong types, bad values.
Config config_from_json(const nlohmann::json& json, const std::string& source = "config");

// Reads a JSON config file. Throws IoError (missing file) or ConfigError (invalid JSON, with line and column).
nlohmann::json read_config_json(const std::string& path);

// Applies one `key.path=value` override in place. The value is parsed as JSON when it is valid JSON (numbers,
// true/false, null, arrays, objects, quoted strings) and taken as a plain string otherwise.
void apply_override(nlohmann::json& json, const std::string& assignment);

// read_config_json + every override + config_from_json.
Config load_config(const std::string& path, const std::vector<std::string>& overrides = {});

}  // namespace nertool::train

namespace nertool {

template <>
struct ChoiceNames<train::Optimizer> {
  static constexpr std::array<Choice<train::Optimizer>, 4> all{{{"nadam", train::Optimizer::kNadam},
                                                                {"adam", train::Optimizer::kAdam},
                                                                {"adamw", train::Optimizer::kAdamW},
                                                                {"sgd", train::Optimizer::kSgd}}};
};
template <>
struct ChoiceNames<train::Schedule> {
  static constexpr std::array<Choice<train::Schedule>, 2> all{
      {{"constant", train::Schedule::kConstant}, {"linear", train::Schedule::kLinear}}};
};
template <>
struct ChoiceNames<train::TextFormat> {
  static constexpr std::array<Choice<train::TextFormat>, 2> all{
      {{"text", train::TextFormat::kText}, {"conll", train::TextFormat::kConll}}};
};
template <>
struct ChoiceNames<train::Packing> {
  static constexpr std::array<Choice<train::Packing>, 2> all{
      {{"sentences", train::Packing::kWholeUnits}, {"fill", train::Packing::kFill}}};
};

}  // namespace nertool
