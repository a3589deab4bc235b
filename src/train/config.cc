#include "nertool/train/config.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <functional>
#include <set>
#include <type_traits>

#include "nertool/core/atomic_file.h"
#include "nertool/core/config_keys.h"
#include "nertool/core/error.h"
#include "nertool/core/json.h"
#include "nertool/models/tagger.h"

namespace nertool::config {

template <>
struct KeyType<train::DeviceRequest> {
  static constexpr const char* name = "string";
  static std::string rule() { return train::kDeviceRule; }
  static nlohmann::json write(const train::DeviceRequest& v) { return v.text(); }
  static train::DeviceRequest read(const SectionReader& r, const std::string& k) {
    const auto value = train::parse_device_request(r.str(k));
    r.check(value.has_value(), k, rule());
    return *value;
  }
};

}  // namespace nertool::config

namespace nertool::train {

using nlohmann::json;

namespace {

using config::fail;
using config::json_type_name;
using config::key;
using config::Key;
using config::SectionReader;

// Merges `section` of the user config over the defaults, rejecting unknown keys.
json merged_section(const json& user, const json& defaults, const std::string& name, const std::string& source) {
  json out = defaults.at(name);
  if (!user.contains(name)) return out;
  const json& s = user.at(name);
  if (!s.is_object()) fail(source, name, "expected an object, got " + json_type_name(s));
  std::vector<std::string> known;
  for (const auto& kv : out.items()) known.push_back(kv.key());
  config::check_known_keys(s, known, name, source);
  for (const auto& kv : s.items()) out[kv.key()] = kv.value();
  return out;
}

const std::vector<Key<DataConfig>>& data_keys() {
  using D = DataConfig;
  auto file = [](const std::string& f) { return !f.empty(); };
  static const std::vector<Key<D>> keys = {
      key("train", &D::train, "training file, relative to --data (absolute paths allowed)", "a file name",
          std::function<bool(const std::string&)>(file)),
      key("valid", &D::valid, "development file: scored after every epoch, picks the best epoch", "a file name",
          std::function<bool(const std::string&)>(file)),
      key("test", &D::test, "optional test file, scored after every epoch for the record (\"\": none)"),
      key("token_column", &D::token_column, "column of the tokens, 0-based; negative counts from the end"),
      key("label_column", &D::label_column, "column of the labels, 0-based; negative counts from the end"),
      key("tag_scheme", &D::tag_scheme, "the label column's tag scheme (auto: detected from the training file)",
          "one of auto, IOB1, IOB2, IOE1, IOE2, IOBES, BILOU", std::function<bool(const std::string&)>([](const std::string& v) {
            std::string upper = v;
            for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
            static const std::set<std::string> schemes = {"IOB1", "IOB2", "BIO", "IOE1", "IOE2", "IOBES", "BIOES", "BILOU"};
            return v == "auto" || schemes.count(upper) > 0;
          })),
  };
  return keys;
}

const std::vector<Key<TrainConfig>>& train_keys() {
  using T = TrainConfig;
  auto positive = [](double v) { return v > 0; };
  auto non_negative = [](double v) { return v >= 0; };
  auto unit = [](double v) { return v >= 0 && v < 1; };
  using NumberRule = std::function<bool(const double&)>;
  static const std::vector<Key<T>> keys = {
      key("optimizer", &T::optimizer, "nadam (the seed's), adam (L2 decay in the gradient), adamw, sgd"),
      key("lr", &T::lr, "learning rate (the peak one under a schedule)", "> 0", NumberRule(positive)),
      key("betas", &T::betas, "Adam-family moment decay rates", "two numbers in [0, 1)",
          std::function<bool(const std::vector<double>&)>([](const std::vector<double>& b) {
            return b.size() == 2 && b[0] >= 0 && b[0] < 1 && b[1] >= 0 && b[1] < 1;
          })),
      key("eps", &T::eps, "Adam-family epsilon", ">= 0", NumberRule(non_negative)),
      key("weight_decay", &T::weight_decay, "weight decay (decoupled for adamw)", ">= 0", NumberRule(non_negative)),
      key("weight_decay_exclude", &T::weight_decay_exclude,
          "parameter-name patterns without decay: substrings, or globs with * ? ["),
      key("freeze", &T::freeze, "parameter-name prefixes kept fixed (e.g. \"encoder.\"); each must name one"),
      key("momentum_decay", &T::momentum_decay, "NAdam's momentum decay (psi)", ">= 0", NumberRule(non_negative)),
      key("momentum", &T::momentum, "SGD momentum", "in [0, 1)", NumberRule(unit)),
      key("warmup_steps", &T::warmup_steps, "steps of linear warm-up from 0", ">= 0",
          std::function<bool(const int64_t&)>([](int64_t v) { return v >= 0; })),
      key("warmup_ratio", &T::warmup_ratio, "warm-up as a fraction of all steps, when warmup_steps is 0", "in [0, 1)",
          NumberRule(unit)),
      key("schedule", &T::schedule, "learning rate after warm-up: constant, or linear decay to 0 at the last step"),
      key("precision", &T::precision, "fp32, or bf16 autocast for the encoder (CPUs with AVX512-BF16, GPUs)"),
      key("max_epochs", &T::max_epochs, "epochs to train at most", ">= 1",
          std::function<bool(const int&)>([](int v) { return v >= 1; })),
      key("patience", &T::patience, "epochs without a dev improvement before stopping; 0: never stop early",
          ">= 0 (0 disables early stopping)", std::function<bool(const int&)>([](int v) { return v >= 0; })),
      key("batch_tokens", &T::batch_tokens, "token budget per batch (length-bucketed); exclusive with batch_sentences",
          ">= 0", std::function<bool(const int64_t&)>([](int64_t v) { return v >= 0; })),
      key("batch_sentences", &T::batch_sentences, "sentences per batch (shuffled); exclusive with batch_tokens",
          ">= 0", std::function<bool(const int64_t&)>([](int64_t v) { return v >= 0; })),
      key("accumulate_batches", &T::accumulate_batches,
          "batches per optimizer step and worker, their gradients averaged", ">= 1",
          std::function<bool(const int&)>([](int v) { return v >= 1; })),
      key("eval_batch_sentences", &T::eval_batch_sentences, "sentences per batch when scoring dev and test", ">= 1",
          std::function<bool(const int64_t&)>([](int64_t v) { return v >= 1; })),
      key("clip_norm", &T::clip_norm, "largest global gradient L2 norm; 0: no clipping", ">= 0 (0 disables clipping)",
          NumberRule(non_negative)),
      key("seed", &T::seed, "seed of initialisation, dropout and batch order (same seed, same run on CPU)",
          "0 to 2^63-1"),
      key("device", &T::device, "the device to train on (auto: CUDA when available, else the CPU)"),
      key("num_threads", &T::num_threads, "CPU threads for LibTorch and OpenBLAS; 0: LibTorch's default",
          ">= 0 (0: LibTorch's default)", std::function<bool(const int&)>([](int v) { return v >= 0; })),
      key("log_percent", &T::log_percent, "without a terminal: one progress line per this many percent of an epoch",
          "in [1, 100]", std::function<bool(const int&)>([](int v) { return v >= 1 && v <= 100; })),
  };
  return keys;
}

const std::vector<Key<PretrainConfig>>& pretrain_keys() {
  using P = PretrainConfig;
  static const std::vector<Key<P>> keys = {
      key("train_files", &P::train_files, "text to pretrain on, relative to --data (absolute paths allowed)"),
      key("valid_file", &P::valid_file, "held-out text: masked-LM loss and accuracy after every epoch pick the best"),
      key("format", &P::format, "text (a paragraph or document per line) or conll (the token column of sentences)"),
      key("max_length", &P::max_length, "subwords per packed sequence, [CLS] and [SEP] included", "in [3, 100000]",
          std::function<bool(const int64_t&)>([](int64_t v) { return v >= 3 && v <= 100000; })),
      key("packing", &P::packing,
          "sentences: lines or sentences packed whole; fill: cut between words so every sequence is full"),
      key("mask_probability", &P::mask_probability, "share of subwords (or words) chosen for prediction",
          "in (0, 1)", std::function<bool(const double&)>([](double v) { return v > 0 && v < 1; })),
      key("whole_word", &P::whole_word, "choose whole words: every subword of a chosen word is predicted"),
  };
  return keys;
}

}  // namespace

json default_config_json() {
  return json{{"data", config::section_json(data_keys(), DataConfig{})},
              {"model", json::object()},
              {"train", config::section_json(train_keys(), TrainConfig{})},
              {"pretrain", config::section_json(pretrain_keys(), PretrainConfig{})}};
}

std::string config_keys_markdown() {
  std::string out = "| key | type | default | rule | meaning |\n|---|---|---|---|---|\n";
  config::append_key_rows(out, "data", data_keys());
  config::append_key_rows(out, "train", train_keys());
  config::append_key_rows(out, "pretrain", pretrain_keys());
  out += models::model_keys_markdown();
  return out;
}

Config config_from_json(const json& user, const std::string& source) {
  if (!user.is_object()) throw ConfigError(source + ": a config must be a JSON object");
  const json defaults = default_config_json();
  static const std::vector<std::string> sections = {"data", "model", "train", "pretrain", "description"};
  for (const auto& kv : user.items()) {
    if (std::find(sections.begin(), sections.end(), kv.key()) == sections.end()) {
      std::string hint = config::closest_key(kv.key(), sections);
      throw ConfigError(source + ": unknown section '" + kv.key() + "'" +
                        (hint.empty() ? " (sections: data, model, train, pretrain, description)"
                                      : " (did you mean '" + hint + "'?)"));
    }
  }
  Config c;
  json effective = json::object();
  if (user.contains("description")) {
    if (!user["description"].is_string()) fail(source, "description", "expected a string");
    c.description = user["description"].get<std::string>();
    effective["description"] = c.description;
  }
  effective["data"] = merged_section(user, defaults, "data", source);
  effective["train"] = merged_section(user, defaults, "train", source);
  effective["pretrain"] = merged_section(user, defaults, "pretrain", source);
  c.model = user.contains("model") ? user.at("model") : json::object();
  if (!c.model.is_object()) fail(source, "model", "expected an object, got " + json_type_name(c.model));
  const SectionReader m(c.model, "model", source);
  if (!m.has("encoder")) fail(source, "model.encoder", "missing (the encoder architecture to build)");
  const std::string encoder = m.str("encoder");
  if (m.has("decoder")) m.str("decoder");  // a name: whether it is a known one is build_tagger's to say
  const std::vector<std::string> model_keys = models::model_config_keys(encoder);  // empty: unknown encoder
  for (const auto& kv : c.model.items()) {
    if (model_keys.empty()) break;  // build_tagger names the unknown encoder
    if (std::find(model_keys.begin(), model_keys.end(), kv.key()) != model_keys.end()) continue;
    const std::string hint = config::closest_key(kv.key(), model_keys);
    throw ConfigError(source + ": unknown key 'model." + kv.key() + "'" +
                      (hint.empty() ? " (not read by encoder '" + encoder + "' or any decoder)"
                                    : " (did you mean 'model." + hint + "'?)"));
  }
  effective["model"] = c.model;

  SectionReader d(effective["data"], "data", source);
  for (const auto& k : data_keys()) k.read(d, c.data);
  SectionReader t(effective["train"], "train", source);
  for (const auto& k : train_keys()) k.read(t, c.train);
  SectionReader p(effective["pretrain"], "pretrain", source);
  for (const auto& k : pretrain_keys()) k.read(p, c.pretrain);
  // Rules between keys.
  t.check(c.train.warmup_steps == 0 || c.train.warmup_ratio == 0, "warmup_ratio", "0 when train.warmup_steps is set");
  // Both 0 is allowed here (a converted model's config never trains); train_model asks for one.
  t.check(c.train.batch_tokens == 0 || c.train.batch_sentences == 0, "batch_tokens",
          "0 when train.batch_sentences is set (exactly one batching mode)");
  c.json = effective;
  return c;
}

json read_config_json(const std::string& path) { return read_json_file(path); }

void apply_override(json& root, const std::string& assignment) {
  auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ConfigError("--set '" + assignment + "': expected key.path=value (e.g. train.lr=0.01)");
  std::string path = assignment.substr(0, eq);
  std::string text = assignment.substr(eq + 1);
  json value;
  try {
    value = parse_json(text, "--set " + path);
  } catch (const InputError&) {
    value = text;  // plain strings need no quotes: data.train=train.txt
  }
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    auto dot = path.find('.', start);
    parts.push_back(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  for (const auto& p : parts)
    if (p.empty()) throw ConfigError("--set '" + assignment + "': empty component in key '" + path + "'");
  if (!root.is_object()) throw ConfigError("--set '" + assignment + "': the config is not a JSON object");
  json* node = &root;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    json& next = (*node)[parts[i]];
    if (next.is_null()) next = json::object();
    if (!next.is_object())
      throw ConfigError("--set '" + assignment + "': '" + parts[i] + "' is " + config::json_type_name(next) + ", not an object");
    node = &next;
  }
  (*node)[parts.back()] = value;
}

Config load_config(const std::string& path, const std::vector<std::string>& overrides) {
  json j = read_config_json(path);
  if (!j.is_object()) throw ConfigError(path + ": a config must be a JSON object");
  for (const auto& o : overrides) apply_override(j, o);
  return config_from_json(j, path);
}

}  // namespace nertool::train
