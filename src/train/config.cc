#include "nertool/train/config.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <set>

#include "nertool/core/atomic_file.h"
#include "nertool/core/error.h"
#include "nertool/core/json.h"
#include "nertool/models/tagger.h"

namespace nertool::train {

using nlohmann::json;

json default_config_json() {
  DataConfig d;
  TrainConfig t;
  return json{{"data",
               {{"train", d.train},
                {"valid", d.valid},
                {"test", d.test},
                {"token_column", d.token_column},
                {"label_column", d.label_column},
                {"tag_scheme", d.tag_scheme}}},
              {"model", json::object()},
              {"train",
               {{"optimizer", t.optimizer},
                {"lr", t.lr},
                {"betas", t.betas},
                {"eps", t.eps},
                {"weight_decay", t.weight_decay},
                {"weight_decay_exclude", t.weight_decay_exclude},
                {"freeze", t.freeze},
                {"momentum_decay", t.momentum_decay},
                {"momentum", t.momentum},
                {"warmup_steps", t.warmup_steps},
                {"warmup_ratio", t.warmup_ratio},
                {"schedule", t.schedule},
                {"precision", t.precision},
                {"max_epochs", t.max_epochs},
                {"patience", t.patience},
                {"batch_tokens", t.batch_tokens},
                {"batch_sentences", t.batch_sentences},
                {"accumulate_batches", t.accumulate_batches},
                {"eval_batch_sentences", t.eval_batch_sentences},
                {"clip_norm", t.clip_norm},
                {"seed", t.seed},
                {"device", t.device},
                {"num_threads", t.num_threads},
                {"log_percent", t.log_percent}}}};
}

std::string closest_key(const std::string& key, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_d = std::string::npos;
  for (const auto& c : candidates) {
    std::vector<std::size_t> prev(c.size() + 1), cur(c.size() + 1);
    for (std::size_t j = 0; j <= c.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= key.size(); ++i) {
      cur[0] = i;
      for (std::size_t j = 1; j <= c.size(); ++j)
        cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (key[i - 1] == c[j - 1] ? 0 : 1)});
      std::swap(prev, cur);
    }
    std::size_t d = prev[c.size()];
    bool substring = c.find(key) != std::string::npos || key.find(c) != std::string::npos;
    if (substring) d = std::min<std::size_t>(d, 1);
    if (d < best_d) best_d = d, best = c;
  }
  // Suggest only plausible typos: at most a third of the key's letters wrong.
  if (best_d == std::string::npos || best_d > std::max<std::size_t>(2, key.size() / 3)) return "";
  return best;
}

namespace {

std::string type_name(const json& v) {
  if (v.is_boolean()) return "a boolean";
  if (v.is_number()) return "a number";
  if (v.is_string()) return "a string";
  if (v.is_array()) return "an array";
  if (v.is_object()) return "an object";
  return "null";
}

[[noreturn]] void bad(const std::string& source, const std::string& key, const std::string& problem) {
  throw ConfigError(source + ": " + key + ": " + problem);
}

// Reads one typed value of a section, naming the key in every error.
class SectionReader {
 public:
  SectionReader(const json& section, std::string name, std::string source)
      : s_(section), name_(std::move(name)), source_(std::move(source)) {}
  std::string key(const std::string& k) const { return name_ + "." + k; }
  const json& at(const std::string& k) const { return s_.at(k); }

  std::string str(const std::string& k) const {
    const json& v = at(k);
    if (!v.is_string()) bad(source_, key(k), "expected a string, got " + type_name(v) + " " + v.dump());
    return v.get<std::string>();
  }
  double number(const std::string& k) const {
    const json& v = at(k);
    if (!v.is_number()) bad(source_, key(k), "expected a number, got " + type_name(v) + " " + v.dump());
    double x = v.get<double>();
    if (!std::isfinite(x)) bad(source_, key(k), "expected a finite number");
    return x;
  }
  int64_t integer(const std::string& k) const {
    const json& v = at(k);
    if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
      bad(source_, key(k), "integer " + v.dump() + " is out of range");
    if (v.is_number_integer()) return v.get<int64_t>();
    if (v.is_number_float()) {
      double x = v.get<double>();
      if (std::isfinite(x) && x == std::floor(x) && std::fabs(x) < 9e15) return static_cast<int64_t>(x);
    }
    bad(source_, key(k), "expected an integer, got " + type_name(v) + " " + v.dump());
  }
  // An integer that must fit an int (counts, columns, epochs): a larger one is an error, never a wrapped value.
  int int32(const std::string& k) const {
    const int64_t x = integer(k);
    if (x < INT32_MIN || x > INT32_MAX) bad(source_, key(k), "integer " + std::to_string(x) + " is out of range");
    return static_cast<int>(x);
  }
  std::vector<std::string> strings(const std::string& k) const {
    const json& v = at(k);
    if (!v.is_array()) bad(source_, key(k), "expected an array of strings, got " + v.dump());
    std::vector<std::string> out;
    for (const auto& x : v) {
      if (!x.is_string()) bad(source_, key(k), "expected an array of strings, got element " + x.dump());
      out.push_back(x.get<std::string>());
    }
    return out;
  }
  std::vector<double> numbers(const std::string& k) const {
    const json& v = at(k);
    if (!v.is_array()) bad(source_, key(k), "expected an array of numbers, got " + v.dump());
    std::vector<double> out;
    for (const auto& x : v) {
      if (!x.is_number()) bad(source_, key(k), "expected an array of numbers, got element " + x.dump());
      out.push_back(x.get<double>());
    }
    return out;
  }
  void check(bool ok, const std::string& k, const std::string& requirement) const {
    if (!ok) bad(source_, key(k), "must be " + requirement + " (got " + at(k).dump() + ")");
  }

 private:
  const json& s_;
  std::string name_;
  std::string source_;
};

// Merges `section` of the user config over the defaults, rejecting unknown keys.
json merged_section(const json& user, const json& defaults, const std::string& name, const std::string& source) {
  json out = defaults.at(name);
  if (!user.contains(name)) return out;
  const json& s = user.at(name);
  if (!s.is_object()) bad(source, name, "expected an object, got " + type_name(s));
  std::vector<std::string> known;
  for (const auto& kv : out.items()) known.push_back(kv.key());
  for (const auto& kv : s.items()) {
    if (!out.contains(kv.key())) {
      std::string hint = closest_key(kv.key(), known);
      throw ConfigError(source + ": unknown key '" + name + "." + kv.key() + "'" +
                        (hint.empty() ? "" : " (did you mean '" + name + "." + hint + "'?)"));
    }
    out[kv.key()] = kv.value();
  }
  return out;
}

}  // namespace

Config config_from_json(const json& user, const std::string& source) {
  if (!user.is_object()) throw ConfigError(source + ": a config must be a JSON object");
  const json defaults = default_config_json();
  static const std::vector<std::string> sections = {"data", "model", "train", "description"};
  for (const auto& kv : user.items()) {
    if (std::find(sections.begin(), sections.end(), kv.key()) == sections.end()) {
      std::string hint = closest_key(kv.key(), sections);
      throw ConfigError(source + ": unknown section '" + kv.key() + "'" +
                        (hint.empty() ? " (sections: data, model, train, description)"
                                      : " (did you mean '" + hint + "'?)"));
    }
  }
  Config c;
  json effective = json::object();
  if (user.contains("description")) {
    if (!user["description"].is_string()) bad(source, "description", "expected a string");
    c.description = user["description"].get<std::string>();
    effective["description"] = c.description;
  }
  effective["data"] = merged_section(user, defaults, "data", source);
  effective["train"] = merged_section(user, defaults, "train", source);
  c.model = user.contains("model") ? user.at("model") : json::object();
  if (!c.model.is_object()) bad(source, "model", "expected an object, got " + type_name(c.model));
  if (!c.model.contains("encoder")) bad(source, "model.encoder", "missing (the encoder architecture to build)");
  if (!c.model["encoder"].is_string()) bad(source, "model.encoder", "expected a string, got " + type_name(c.model["encoder"]));
  const std::string encoder = c.model["encoder"].get<std::string>();
  const std::vector<std::string> model_keys = models::model_config_keys(encoder);  // empty: unknown encoder
  for (const auto& kv : c.model.items()) {
    if (model_keys.empty()) break;  // build_tagger names the unknown encoder
    if (std::find(model_keys.begin(), model_keys.end(), kv.key()) != model_keys.end()) continue;
    const std::string hint = closest_key(kv.key(), model_keys);
    throw ConfigError(source + ": unknown key 'model." + kv.key() + "'" +
                      (hint.empty() ? " (not read by encoder '" + encoder + "' or any decoder)"
                                    : " (did you mean 'model." + hint + "'?)"));
  }
  effective["model"] = c.model;

  SectionReader d(effective["data"], "data", source);
  c.data.train = d.str("train");
  c.data.valid = d.str("valid");
  c.data.test = d.str("test");
  d.check(!c.data.train.empty(), "train", "a file name");
  d.check(!c.data.valid.empty(), "valid", "a file name");
  c.data.token_column = d.int32("token_column");
  c.data.label_column = d.int32("label_column");
  c.data.tag_scheme = d.str("tag_scheme");
  static const std::set<std::string> schemes = {"auto", "IOB1", "IOB2", "BIO", "IOE1", "IOE2", "IOBES", "BIOES", "BILOU"};
  std::string upper = c.data.tag_scheme;
  for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  d.check(schemes.count(upper) || c.data.tag_scheme == "auto", "tag_scheme",
          "one of auto, IOB1, IOB2, IOE1, IOE2, IOBES, BILOU");

  SectionReader t(effective["train"], "train", source);
  auto& tc = c.train;
  tc.optimizer = t.str("optimizer");
  t.check(tc.optimizer == "nadam" || tc.optimizer == "adam" || tc.optimizer == "adamw" || tc.optimizer == "sgd",
          "optimizer", "one of nadam, adam, adamw, sgd");
  tc.lr = t.number("lr");
  t.check(tc.lr > 0, "lr", "> 0");
  tc.betas = t.numbers("betas");
  t.check(tc.betas.size() == 2 && tc.betas[0] >= 0 && tc.betas[0] < 1 && tc.betas[1] >= 0 && tc.betas[1] < 1,
          "betas", "two numbers in [0, 1)");
  tc.eps = t.number("eps");
  t.check(tc.eps >= 0, "eps", ">= 0");
  tc.weight_decay = t.number("weight_decay");
  t.check(tc.weight_decay >= 0, "weight_decay", ">= 0");
  tc.weight_decay_exclude = t.strings("weight_decay_exclude");
  tc.freeze = t.strings("freeze");
  tc.momentum_decay = t.number("momentum_decay");
  t.check(tc.momentum_decay >= 0, "momentum_decay", ">= 0");
  tc.momentum = t.number("momentum");
  t.check(tc.momentum >= 0 && tc.momentum < 1, "momentum", "in [0, 1)");
  tc.warmup_steps = t.integer("warmup_steps");
  t.check(tc.warmup_steps >= 0, "warmup_steps", ">= 0");
  tc.warmup_ratio = t.number("warmup_ratio");
  t.check(tc.warmup_ratio >= 0 && tc.warmup_ratio < 1, "warmup_ratio", "in [0, 1)");
  t.check(tc.warmup_steps == 0 || tc.warmup_ratio == 0, "warmup_ratio", "0 when train.warmup_steps is set");
  tc.schedule = t.str("schedule");
  t.check(tc.schedule == "constant" || tc.schedule == "linear", "schedule", "constant or linear");
  tc.precision = t.str("precision");
  t.check(tc.precision == "fp32" || tc.precision == "bf16", "precision", "fp32 or bf16");
  tc.max_epochs = t.int32("max_epochs");
  t.check(tc.max_epochs >= 1, "max_epochs", ">= 1");
  tc.patience = t.int32("patience");
  t.check(tc.patience >= 0, "patience", ">= 0 (0 disables early stopping)");
  tc.batch_tokens = t.integer("batch_tokens");
  tc.batch_sentences = t.integer("batch_sentences");
  t.check(tc.batch_tokens >= 0, "batch_tokens", ">= 0");
  t.check(tc.batch_sentences >= 0, "batch_sentences", ">= 0");
  // Both 0 is allowed here (a converted model's config never trains); train_model asks for one.
  t.check(tc.batch_tokens == 0 || tc.batch_sentences == 0, "batch_tokens",
          "0 when train.batch_sentences is set (exactly one batching mode)");
  tc.accumulate_batches = t.int32("accumulate_batches");
  t.check(tc.accumulate_batches >= 1, "accumulate_batches", ">= 1");
  tc.eval_batch_sentences = t.integer("eval_batch_sentences");
  t.check(tc.eval_batch_sentences >= 1, "eval_batch_sentences", ">= 1");
  tc.clip_norm = t.number("clip_norm");
  t.check(tc.clip_norm >= 0, "clip_norm", ">= 0 (0 disables clipping)");
  int64_t seed = t.integer("seed");
  t.check(seed >= 0, "seed", ">= 0");
  tc.seed = static_cast<uint64_t>(seed);
  tc.device = t.str("device");
  tc.num_threads = t.int32("num_threads");
  t.check(tc.num_threads >= 0, "num_threads", ">= 0 (0: LibTorch's default)");
  tc.log_percent = t.int32("log_percent");
  t.check(tc.log_percent >= 1 && tc.log_percent <= 100, "log_percent", "in [1, 100]");
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
      throw ConfigError("--set '" + assignment + "': '" + parts[i] + "' is " + type_name(next) + ", not an object");
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
