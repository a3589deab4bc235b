#include "nertool/train/hf_checkpoint.h"

#include <signal.h>

#include <cerrno>

#include <spdlog/spdlog.h>
#include <torch/torch.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <set>

#include "nertool/core/atomic_file.h"
#include "nertool/core/error.h"
#include "nertool/core/json.h"
#include "nertool/data/conll.h"
#include "nertool/io/torch_pickle.h"
#include "nertool/models/hf_encoder.h"
#include "nertool/models/masked_lm.h"
#include "nertool/train/pretrainer.h"
#include "nertool/models/softmax_decoder.h"
#include "nertool/text/subword_tokenizer.h"
#include "nertool/train/config.h"
#include "nertool/train/run_dir.h"

namespace nertool::train {

namespace fs = std::filesystem;
using namespace models;  // this file turns Hugging Face checkpoints into taggers and back

namespace {

bool starts_with(const std::string& s, const std::string& p) { return s.compare(0, p.size(), p) == 0; }
bool ends_with(const std::string& s, const std::string& p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

std::string shape_str(const torch::Tensor& t) {
  std::string s = "[";
  for (int64_t i = 0; i < t.dim(); ++i) s += (i ? ", " : "") + std::to_string(t.size(i));
  return s + "]";
}

std::string list_str(const std::vector<std::string>& v, std::size_t max = 12) {
  std::string s;
  for (std::size_t i = 0; i < v.size() && i < max; ++i) s += (i ? ", " : "") + v[i];
  if (v.size() > max) s += ", ... (" + std::to_string(v.size()) + " in all)";
  return s;
}

// The encoder name and the checkpoint prefix of a model_type.
std::pair<std::string, std::string> encoder_of(const std::string& model_type) {
  if (model_type == "bert") return {"bert", "bert."};
  if (model_type == "roberta" || model_type == "xlm-roberta" || model_type == "camembert") return {"roberta", "roberta."};
  throw ConfigError("Hugging Face model_type '" + model_type + "' is not supported (bert, roberta, xlm-roberta)");
}

LabelSet read_label_option(const HfImportOptions& o) {
  if (!o.labels_file.empty()) {
    std::vector<std::string> labels;
    std::set<std::string> seen;
    std::string text = read_file(o.labels_file);
    std::size_t line_no = 0, pos = 0;
    while (pos < text.size()) {
      std::size_t end = text.find('\n', pos);
      if (end == std::string::npos) end = text.size();
      std::string line = text.substr(pos, end - pos);
      pos = end + 1;
      ++line_no;
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
      if (line.empty()) continue;
      if (!seen.insert(line).second) throw InputError(o.labels_file, line_no, "label '" + line + "' given twice");
      labels.push_back(line);
    }
    if (labels.empty()) throw InputError(o.labels_file, 0, "no labels (one label per line expected)");
    return LabelSet(labels);
  }
  if (!o.labels_data.empty()) return LabelSet::from_corpus(data::read_conll(o.labels_data));
  return LabelSet();
}

// id2label of a config.json in id order.
LabelSet labels_of_config(const nlohmann::json& config, const std::string& origin, int64_t expected) {
  if (!config.contains("id2label") || !config["id2label"].is_object())
    throw InputError(origin, 0, "config.json has no id2label, but the checkpoint has a classifier");
  std::vector<std::string> labels(static_cast<std::size_t>(expected));
  std::vector<bool> have(labels.size(), false);
  for (const auto& [k, v] : config["id2label"].items()) {
    int64_t id = -1;
    try {
      id = std::stoll(k);
    } catch (const std::exception&) {
    }
    if (id < 0 || id >= expected || !v.is_string())
      throw InputError(origin, 0, "id2label entry '" + k + "' does not fit the classifier's " + std::to_string(expected) + " labels");
    labels[static_cast<std::size_t>(id)] = v.get<std::string>();
    have[static_cast<std::size_t>(id)] = true;
  }
  for (std::size_t i = 0; i < have.size(); ++i)
    if (!have[i]) throw InputError(origin, 0, "id2label lacks id " + std::to_string(i));
  return LabelSet(labels);
}

nlohmann::json model_section(const std::string& encoder, const layers::TransformerConfig& t, double dropout,
                             int64_t max_seq_length) {
  return {{"encoder", encoder},      {"decoder", "softmax"},    {"softmax", {{"dropout", dropout}}},
          {"max_seq_length", max_seq_length}, {"stride", 0}, {"document_context", false},
          {"transformer", t.to_json()}};
}

// A temporary sibling of `dir`, renamed onto it by commit(); removed otherwise.
class StagingDir {
 public:
  explicit StagingDir(const std::string& dir) : target_(fs::absolute(fs::path(dir)).lexically_normal()) {
    if (!target_.has_filename()) target_ = target_.parent_path();  // "out/" names "out"
    if (fs::exists(target_) && !(fs::is_directory(target_) && fs::is_empty(target_)))
      throw IoError("output directory " + dir + " already exists and is not empty");
    fs::create_directories(target_.parent_path());
    remove_stale_siblings();
    path_ = target_.parent_path() / (target_.filename().string() + ".tmp." + std::to_string(::getpid()));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~StagingDir() {
    std::error_code ec;
    if (!committed_) fs::remove_all(path_, ec);
  }
  std::string path() const { return path_.string(); }
  // Staging folders of conversions that were killed (their process is gone): <target>.tmp.<pid>.
  void remove_stale_siblings() const {
    const std::string prefix = target_.filename().string() + ".tmp.";
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(target_.parent_path(), ec)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind(prefix, 0) != 0) continue;
      const std::string pid = name.substr(prefix.size());
      if (pid.empty() || pid.size() > 9 || pid.find_first_not_of("0123456789") != std::string::npos) continue;
      if (::kill(static_cast<pid_t>(std::stol(pid)), 0) == 0 || errno != ESRCH) continue;  // alive, or not ours
      spdlog::info("removing {}, left by a conversion that was killed", entry.path().string());
      fs::remove_all(entry.path(), ec);
    }
  }
  void commit() {
    if (fs::exists(target_)) fs::remove(target_);  // empty (checked above)
    fs::rename(path_, target_);
    committed_ = true;
  }

 private:
  fs::path target_, path_;
  bool committed_ = false;
};

}  // namespace

bool is_hf_checkpoint_dir(const std::string& dir) {
  const fs::path d(dir);
  return !fs::exists(d / "transformer.json") && fs::exists(d / "config.json") &&
         (fs::exists(d / "model.safetensors") || fs::exists(d / "pytorch_model.bin"));
}

io::NamedTensors read_hf_weights(const std::string& hf_dir, std::string* file_used) {
  const fs::path dir(hf_dir);
  fs::path st = dir / "model.safetensors", bin = dir / "pytorch_model.bin";
  if (fs::exists(st)) {
    if (file_used) *file_used = st.string();
    return io::read_safetensors(st.string());
  }
  if (fs::exists(bin)) {
    if (file_used) *file_used = bin.string();
    return io::read_torch_state_dict(bin.string());
  }
  throw IoError(hf_dir + " has neither model.safetensors nor pytorch_model.bin");
}

namespace {

// A checkpoint's tensors by part, under nertool's names: the encoder's ("embeddings.*", "encoder.*"), the
// classifier's ("weight", "bias") and the masked-LM head's ("dense.*", "layer_norm.*", "bias", "decoder.*").
struct HfTensorGroups {
  std::map<std::string, torch::Tensor> encoder, classifier, mlm_head;
  std::vector<std::string> mlm_head_names;  // as the checkpoint names them
  std::vector<std::string> ignored, unexpected;
};

// The masked-LM head's tensors under nertool's names (MaskedLmHead), or "" when `name` is none of them.
std::string mlm_head_name(const std::string& name) {
  static const std::vector<std::pair<std::string, std::string>> renames = {
      {"cls.predictions.transform.dense.", "dense."}, {"cls.predictions.transform.LayerNorm.", "layer_norm."},
      {"cls.predictions.decoder.", "decoder."},       {"cls.predictions.bias", "bias"},
      {"lm_head.dense.", "dense."},                   {"lm_head.layer_norm.", "layer_norm."},
      {"lm_head.decoder.", "decoder."},               {"lm_head.bias", "bias"}};
  for (const auto& [from, to] : renames)
    if (starts_with(name, from)) return to + name.substr(from.size());
  return "";
}

// Sorts tensors by part. Accepts old LayerNorm names (gamma/beta) and base-model checkpoints without the prefix.
HfTensorGroups group_hf_tensors(io::NamedTensors tensors, const std::string& prefix) {
  HfTensorGroups g;
  for (auto& [raw, tensor] : tensors) {
    std::string name = raw;
    if (name.find("LayerNorm") != std::string::npos) {
      if (ends_with(name, ".gamma")) name = name.substr(0, name.size() - 6) + ".weight";
      if (ends_with(name, ".beta")) name = name.substr(0, name.size() - 5) + ".bias";
    }
    std::string body;
    if (starts_with(name, prefix))
      body = name.substr(prefix.size());
    else if (starts_with(name, "embeddings.") || starts_with(name, "encoder.") || starts_with(name, "pooler."))
      body = name;
    const std::string head = mlm_head_name(name);
    if (starts_with(name, "classifier.")) {
      g.classifier[name.substr(11)] = tensor;
    } else if (!head.empty()) {
      g.mlm_head[head] = tensor;
      g.mlm_head_names.push_back(raw);
    } else if (starts_with(name, "cls.") || starts_with(body, "pooler.") || body == "embeddings.position_ids" ||
               body == "embeddings.token_type_ids") {
      g.ignored.push_back(raw);
    } else if (!body.empty()) {
      if (!g.encoder.emplace(body, tensor).second) g.unexpected.push_back(raw + " (given twice)");
    } else {
      g.unexpected.push_back(raw);
    }
  }
  return g;
}

// What loading one part of a checkpoint into a module found.
struct TensorMatch {
  std::vector<std::string> missing, mismatched, unexpected;
  int64_t copied = 0;

  // Copies tensors[key_prefix + name] into each parameter `name` of `part`; `hf_prefix` names them in errors.
  // Afterwards every tensor of `tensors` under key_prefix that no parameter took is unexpected.
  void copy(torch::nn::Module& part, const std::string& key_prefix, const std::map<std::string, torch::Tensor>& tensors,
            const std::string& hf_prefix) {
    torch::NoGradGuard no_grad;
    std::set<std::string> used;
    for (auto& p : part.named_parameters()) {
      const std::string key = key_prefix + p.key();
      auto it = tensors.find(key);
      if (it == tensors.end()) {
        missing.push_back(hf_prefix + key + " " + shape_str(p.value()));
        continue;
      }
      used.insert(key);
      if (it->second.sizes() != p.value().sizes()) {
        mismatched.push_back(hf_prefix + key + " is " + shape_str(it->second) + ", expected " + shape_str(p.value()));
        continue;
      }
      p.value().copy_(it->second.to(torch::kFloat32));
      ++copied;
    }
    for (const auto& [key, tensor] : tensors)
      if (starts_with(key, key_prefix) && !used.count(key)) unexpected.push_back(hf_prefix + key);
  }

  void throw_if_any(const std::string& file, const std::string& what) const {
    if (missing.empty() && unexpected.empty() && mismatched.empty()) return;
    std::string msg = "tensors do not match " + what + ":";
    if (!missing.empty()) msg += " missing: " + list_str(missing) + ";";
    if (!unexpected.empty()) msg += " unexpected: " + list_str(unexpected) + ";";
    if (!mismatched.empty()) msg += " wrong shape: " + list_str(mismatched) + ";";
    msg.pop_back();
    throw InputError(file, 0, msg);
  }
};

std::string hf_config_path(const std::string& hf_dir) { return (fs::path(hf_dir) / "config.json").string(); }

// A Hugging Face checkpoint folder's config.json: the JSON (its labels are read from there), the settings nertool
// reads, and the architecture they give.
struct CheckpointConfig {
  nlohmann::json json;
  layers::HfConfig settings;
  layers::TransformerConfig architecture;
};

CheckpointConfig read_checkpoint_config(const std::string& hf_dir) {
  const std::string config_path = hf_config_path(hf_dir);
  if (!fs::exists(config_path)) throw IoError(hf_dir + " has no config.json (not a Hugging Face checkpoint?)");
  CheckpointConfig c;
  c.json = read_json_file(config_path);
  c.settings = layers::read_hf_config(c.json, config_path);
  c.architecture = layers::TransformerConfig::from_hf_config(c.settings, config_path);
  return c;
}

// The token classifier's labels: the checkpoint's classifier and id2label, or (base checkpoint) the given set.
LabelSet checkpoint_labels(const HfTensorGroups& groups, const nlohmann::json& hf, const std::string& hf_dir,
                           const HfImportOptions& options, HfImportReport& report) {
  LabelSet option_labels = read_label_option(options);
  if (groups.classifier.empty()) {
    if (option_labels.size() == 0)
      throw ConfigError(report.weights_file + " has no classifier (a base model): give its label set, as a file of labels "
                        "or a CoNLL file to read them from");
    report.fresh_classifier = true;
    return option_labels;
  }
  auto it = groups.classifier.find("weight");
  if (it == groups.classifier.end() || it->second.dim() != 2)
    throw InputError(report.weights_file, 0, "classifier.weight is missing or not a matrix");
  LabelSet labels = labels_of_config(hf, hf_config_path(hf_dir), it->second.size(0));
  if (option_labels.size() > 0 && option_labels.labels() != labels.labels())
    throw ConfigError("the checkpoint has a classifier for labels [" + list_str(labels.labels()) +
                      "]; the given label set differs (give none to keep the checkpoint's)");
  return labels;
}

}  // namespace

Tagger import_hf_checkpoint(const std::string& hf_dir, const std::string& work_dir, const HfImportOptions& options,
                            HfImportReport* report_out) {
  HfImportReport report;
  const CheckpointConfig checkpoint = read_checkpoint_config(hf_dir);
  const nlohmann::json& hf = checkpoint.json;
  const layers::TransformerConfig& tconfig = checkpoint.architecture;
  auto [encoder_name, prefix] = encoder_of(tconfig.model_type);
  HfTensorGroups groups = group_hf_tensors(read_hf_weights(hf_dir, &report.weights_file), prefix);
  report.ignored = groups.mlm_head_names;
  report.ignored.insert(report.ignored.end(), groups.ignored.begin(), groups.ignored.end());
  for (const auto& n : report.ignored) spdlog::info("convert: ignoring {} (not part of a token classifier)", n);
  const LabelSet labels = checkpoint_labels(groups, hf, hf_dir, options, report);

  const double hf_dropout = checkpoint.settings.classifier_dropout;
  const double dropout = options.classifier_dropout >= 0 ? options.classifier_dropout
                         : hf_dropout >= 0               ? hf_dropout
                                                         : tconfig.hidden_dropout;
  // The encoder reads its architecture and tokenizer from the work directory, like a saved model.
  write_json_file((fs::path(work_dir) / "transformer.json").string(), tconfig.to_json());
  text::load_tokenizer(hf_dir)->save(text::model_tokenizer_dir(work_dir));
  BuildContext ctx;
  ctx.config = model_section(encoder_name, tconfig, dropout, options.max_seq_length);
  ctx.labels = labels;
  ctx.model_dir = work_dir;
  Tagger tagger = build_tagger(ctx);

  TensorMatch match;
  match.unexpected = groups.unexpected;
  match.copy(tagger->encoder(), "", groups.encoder, prefix);
  if (!report.fresh_classifier)
    match.copy(*tagger->decoder().named_children()["classifier"], "", groups.classifier, "classifier.");
  match.throw_if_any(report.weights_file, "a " + tconfig.model_type + " token classifier with this config.json");
  report.num_tensors = match.copied;
  tagger->eval();
  if (report_out) *report_out = report;
  return tagger;
}

MaskedLanguageModel import_hf_masked_lm(const std::string& hf_dir, HfImportReport* report_out) {
  HfImportReport report;
  const layers::TransformerConfig tconfig = read_checkpoint_config(hf_dir).architecture;
  const std::string prefix = encoder_of(tconfig.model_type).second;
  HfTensorGroups groups = group_hf_tensors(read_hf_weights(hf_dir, &report.weights_file), prefix);
  report.ignored = groups.ignored;
  for (const auto& [name, tensor] : groups.classifier) report.ignored.push_back("classifier." + name);
  MaskedLanguageModel model(tconfig);
  TensorMatch match;
  match.unexpected = groups.unexpected;
  match.copy(*model->encoder, "", groups.encoder, prefix);
  // The output projection is tied to the word embeddings: a stored copy must be that matrix (and the bias).
  auto check_tied = [&](const std::string& key, const std::map<std::string, torch::Tensor>& group,
                        const std::string& tied_to) {
    auto it = groups.mlm_head.find(key);
    if (it == groups.mlm_head.end()) return;
    auto to = group.find(tied_to);
    if (to == group.end() || it->second.sizes() != to->second.sizes() || !torch::equal(it->second, to->second))
      throw InputError(report.weights_file, 0, "the masked-LM decoder's " + key + " is not " + tied_to +
                                                   " (untied output layers are not supported)");
    groups.mlm_head.erase(it);
  };
  check_tied("decoder.weight", groups.encoder, "embeddings.word_embeddings.weight");
  check_tied("decoder.bias", groups.mlm_head, "bias");
  match.copy(*model->head, "", groups.mlm_head, "(masked-LM head) ");
  match.throw_if_any(report.weights_file, "a " + tconfig.model_type + " masked language model with this config.json");
  report.num_tensors = match.copied;
  model->eval();
  if (report_out) *report_out = report;
  return model;
}

HfImportReport convert_from_hf(const std::string& hf_dir, const std::string& model_dir, const HfImportOptions& options) {
  StagingDir staging(model_dir);
  HfImportReport report;
  Tagger tagger = import_hf_checkpoint(hf_dir, staging.path(), options, &report);
  const fs::path out(staging.path());
  io::save_weights(*tagger, (out / "model.pt").string());
  // config.json: a complete nertool config (defaults for data/train), so the directory is a model like any run's.
  nlohmann::json cfg = default_config_json();
  const std::string architecture_file = (out / "transformer.json").string();
  auto tconfig = layers::TransformerConfig::from_json(read_json_file(architecture_file), "", architecture_file);
  cfg["model"] = model_section(tconfig.model_type == "bert" ? "bert" : "roberta", tconfig,
                               options.classifier_dropout >= 0 ? options.classifier_dropout : tconfig.hidden_dropout,
                               options.max_seq_length);
  cfg["description"] = "converted from Hugging Face checkpoint " + hf_dir;
  // Normalise through the config parser, so load_model reads back exactly this.
  cfg = config_from_json(cfg, "converted config").json;
  write_json_file((out / "config.json").string(), cfg);
  write_json_file((out / "labels.json").string(), tagger->labels().to_json());
  nlohmann::json meta = {{"format_version", kRunFormatVersion},
                         {"converted_from", fs::absolute(hf_dir).string()},
                         {"weights_file", fs::path(report.weights_file).filename().string()},
                         {"weights_sha256", sha256_file(report.weights_file)},
                         {"hf_model_type", tconfig.model_type},
                         {"fresh_classifier", report.fresh_classifier},
                         {"ignored_tensors", report.ignored}};
  write_json_file((out / "metadata.json").string(), meta);
  staging.commit();
  spdlog::info("converted {} ({} tensors from {}{}) to {}", hf_dir, report.num_tensors,
               fs::path(report.weights_file).filename().string(),
               report.fresh_classifier ? ", classifier initialised fresh" : "", model_dir);
  return report;
}

namespace {

// "Bert", "Roberta", "XLMRoberta", "Camembert" + `head` ("ForTokenClassification", "ForMaskedLM").
std::string hf_architecture(const std::string& model_type, const std::string& head) {
  if (model_type == "bert") return "Bert" + head;
  if (model_type == "xlm-roberta") return "XLMRoberta" + head;
  if (model_type == "camembert") return "Camembert" + head;
  return "Roberta" + head;
}

// config.json of a checkpoint of `architecture`, as transformers 4.29.2 writes it.
nlohmann::json hf_config(const layers::TransformerConfig& t, const std::string& model_type,
                         const std::string& architecture, const text::SubwordTokenizer& tokenizer) {
  nlohmann::json config = {{"architectures", {architecture}},
                           {"model_type", model_type},
                           {"attention_probs_dropout_prob", t.attention_dropout},
                           {"classifier_dropout", nullptr},
                           {"hidden_act", "gelu"},
                           {"hidden_dropout_prob", t.hidden_dropout},
                           {"hidden_size", t.hidden_size},
                           {"initializer_range", 0.02},
                           {"intermediate_size", t.intermediate_size},
                           {"layer_norm_eps", t.layer_norm_eps},
                           {"max_position_embeddings", t.max_position_embeddings},
                           {"num_attention_heads", t.num_heads},
                           {"num_hidden_layers", t.num_layers},
                           {"pad_token_id", t.pad_token_id},
                           {"position_embedding_type", "absolute"},
                           {"torch_dtype", "float32"},
                           {"type_vocab_size", t.type_vocab_size},
                           {"use_cache", true},
                           {"vocab_size", t.vocab_size}};
  if (model_type != "bert") {
    config["bos_token_id"] = tokenizer.cls_id();
    config["eos_token_id"] = tokenizer.sep_id();
  }
  return config;
}

// The encoder's tensors under the checkpoint's names ("bert." or "roberta." + name), with the position_ids buffer
// transformers saves.
io::NamedTensors hf_encoder_tensors(const torch::nn::Module& encoder, const layers::TransformerConfig& t,
                                    const std::string& prefix) {
  io::NamedTensors tensors;
  for (const auto& p : encoder.named_parameters()) tensors.emplace_back(prefix + p.key(), p.value().detach());
  tensors.emplace_back(prefix + "embeddings.position_ids",
                       torch::arange(t.max_position_embeddings, torch::kInt64).unsqueeze(0));
  return tensors;
}

void write_hf_checkpoint(const std::string& hf_dir, const io::NamedTensors& tensors, const nlohmann::json& config,
                         const text::SubwordTokenizer& tokenizer) {
  StagingDir staging(hf_dir);
  io::write_safetensors((fs::path(staging.path()) / "model.safetensors").string(), tensors);
  write_file_atomic((fs::path(staging.path()) / "config.json").string(), config.dump(2) + "\n");
  tokenizer.save(staging.path());
  staging.commit();
}

// A pretraining run as a *ForMaskedLM checkpoint: the head under the names transformers gives it, the decoder's
// bias stored beside the head's (as transformers saves it) and the tied decoder weight left out.
void convert_masked_lm_to_hf(const std::string& run_dir, const std::string& hf_dir) {
  const MaskedLmBuild loaded = load_masked_lm(run_dir);
  const auto& t = loaded.model->config();
  const std::string& model_type = t.model_type;  // build_masked_lm fills it in
  const std::string prefix = encoder_of(model_type).second;
  io::NamedTensors tensors = hf_encoder_tensors(*loaded.model->encoder, t, prefix);
  const bool bert = model_type == "bert";
  const std::string head = bert ? "cls.predictions." : "lm_head.";
  const std::string transform = bert ? "cls.predictions.transform." : "lm_head.";
  for (const auto& p : loaded.model->head->named_parameters()) {
    std::string name = p.key();
    if (starts_with(name, "dense.")) name = transform + name;
    else if (starts_with(name, "layer_norm.")) name = transform + (bert ? "LayerNorm." + name.substr(11) : name);
    else name = head + name;
    tensors.emplace_back(name, p.value().detach());
  }
  tensors.emplace_back(head + "decoder.bias", loaded.model->head->bias.detach());
  const std::string architecture = hf_architecture(model_type, "ForMaskedLM");
  write_hf_checkpoint(hf_dir, tensors, hf_config(t, model_type, architecture, *loaded.tokenizer), *loaded.tokenizer);
  spdlog::info("wrote Hugging Face checkpoint {} ({}, {} tensors)", hf_dir, architecture, tensors.size());
}

}  // namespace

void convert_to_hf(const std::string& model_dir, const std::string& hf_dir) {
  if (is_pretraining_run(model_dir)) return convert_masked_lm_to_hf(model_dir, hf_dir);
  auto loaded = load_model(model_dir);
  auto* encoder = dynamic_cast<HfTransformerEncoder*>(&loaded.tagger->encoder());
  if (!encoder)
    throw ConfigError(model_dir + (loaded.config.model.contains("word_lstm")
                                       ? ": a BiLSTM (model.word_lstm) sits on its encoder; Hugging Face token "
                                         "classification has no such layer"
                                       : " is not a transformer model (model.encoder must be bert or roberta)"));
  if (!dynamic_cast<SoftmaxDecoder*>(&loaded.tagger->decoder()))
    throw ConfigError(model_dir + ": only the softmax decoder has a Hugging Face counterpart (this model uses " +
                      loaded.config.model.value("decoder", std::string("?")) + ")");
  const auto& t = encoder->config();
  std::string model_type = t.model_type.empty() ? loaded.config.model.value("encoder", std::string("bert")) : t.model_type;
  io::NamedTensors tensors = hf_encoder_tensors(*encoder, t, encoder_of(model_type).second);
  for (const auto& p : loaded.tagger->decoder().named_parameters())
    if (starts_with(p.key(), "classifier.")) tensors.emplace_back(p.key(), p.value().detach());

  const auto& labels = loaded.tagger->labels();
  nlohmann::json id2label = nlohmann::json::object(), label2id = nlohmann::json::object();
  for (int64_t i = 0; i < labels.size(); ++i) {
    id2label[std::to_string(i)] = labels.label(i);
    label2id[labels.label(i)] = i;
  }
  auto tokenizer = text::load_tokenizer(text::model_tokenizer_dir(model_dir));
  const std::string architecture = hf_architecture(model_type, "ForTokenClassification");
  nlohmann::json config = hf_config(t, model_type, architecture, *tokenizer);
  config["id2label"] = id2label;
  config["label2id"] = label2id;
  write_hf_checkpoint(hf_dir, tensors, config, *tokenizer);
  spdlog::info("wrote Hugging Face checkpoint {} ({}, {} tensors, {} labels)", hf_dir, architecture, tensors.size(),
               labels.size());
}

}  // namespace nertool::train
