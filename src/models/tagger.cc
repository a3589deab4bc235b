#include "nertool/models/tagger.h"

#include <algorithm>
#include <map>
#include <set>

#include "nertool/core/config_keys.h"
#include "nertool/core/error.h"
#include "nertool/models/precision.h"
#include "nertool/models/word_lstm_encoder.h"

namespace nertool::models {

LabelSet::LabelSet(std::vector<std::string> labels) : labels_(std::move(labels)) {}

LabelSet LabelSet::from_corpus(const data::Corpus& corpus) {
  std::set<std::string> seen;
  for (const auto& s : corpus.sentences) seen.insert(s.labels.begin(), s.labels.end());
  std::vector<std::string> labels;
  if (seen.erase("O")) labels.push_back("O");
  labels.insert(labels.end(), seen.begin(), seen.end());
  return LabelSet(std::move(labels));
}

int64_t LabelSet::id(const std::string& label) const {
  auto it = std::find(labels_.begin(), labels_.end(), label);
  if (it == labels_.end()) throw Error("label '" + label + "' is not in the model's label set");
  return it - labels_.begin();
}

bool LabelSet::contains(const std::string& label) const {
  return std::find(labels_.begin(), labels_.end(), label) != labels_.end();
}

nlohmann::json LabelSet::to_json() const { return labels_; }

LabelSet LabelSet::from_json(const nlohmann::json& j, const std::string& source) {
  auto bad = [&](const std::string& what) { return InputError(source, 0, "expected an array of label strings: " + what); };
  if (!j.is_array() || j.empty()) throw bad(j.is_array() ? "it is empty" : "got " + std::string(j.type_name()));
  std::vector<std::string> labels;
  for (const auto& label : j) {
    if (!label.is_string() || label.get_ref<const std::string&>().empty())
      throw bad("item " + std::to_string(labels.size()) + " is " + label.dump());
    labels.push_back(label.get<std::string>());
  }
  const std::set<std::string> distinct(labels.begin(), labels.end());
  if (distinct.size() != labels.size()) throw bad("a label is listed twice");
  return LabelSet(std::move(labels));
}

TaggerImpl::TaggerImpl(std::shared_ptr<Encoder> encoder, std::shared_ptr<Decoder> decoder, LabelSet labels)
    : encoder_(register_module("encoder", std::move(encoder))),
      decoder_(register_module("decoder", std::move(decoder))),
      labels_(std::move(labels)) {}

// Decoders run in float32 on float32 features, whatever precision the encoder ran in (models/precision.h).
torch::Tensor TaggerImpl::loss(const Batch& batch) {
  auto features = encoder_->forward(batch);
  Float32Scope fp32;
  return decoder_->loss(to_float32(features), batch.labels, batch.word_mask);
}

std::vector<std::vector<std::string>> TaggerImpl::predict(const Batch& batch) {
  auto features = encoder_->forward(batch);
  Float32Scope fp32;
  auto ids = decoder_->decode(to_float32(features), batch.word_mask);
  std::vector<std::vector<std::string>> out(ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i)
    for (int64_t id : ids[i]) out[i].push_back(labels_.label(id));
  return out;
}

torch::Tensor TaggerImpl::probabilities(const Batch& batch) {
  auto features = encoder_->forward(batch);
  Float32Scope fp32;
  return decoder_->probabilities(to_float32(features), batch.word_mask);
}

namespace {
// What register_encoder was given for one encoder.
struct EncoderEntry {
  EncoderBuilder build;
  std::vector<std::string> model_keys;
  ModelConfigCompleter complete;  // may be empty
};
std::map<std::string, EncoderEntry>& encoders() {
  static std::map<std::string, EncoderEntry> m;
  return m;
}
std::map<std::string, DecoderBuilder>& decoders() {
  static std::map<std::string, DecoderBuilder> m;
  return m;
}
template <typename Map>
std::vector<std::string> keys(const Map& m) {
  std::vector<std::string> out;
  for (const auto& kv : m) out.push_back(kv.first);
  return out;
}
std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}
}  // namespace

void register_encoder(const std::string& name, EncoderBuilder builder, std::vector<std::string> model_keys,
                      ModelConfigCompleter complete) {
  encoders()[name] = EncoderEntry{std::move(builder), std::move(model_keys), std::move(complete)};
}

nlohmann::json completed_model_config(nlohmann::json model) {
  register_builtin_models();
  auto encoder = model.find("encoder");
  if (encoder == model.end() || !encoder->is_string()) return model;
  auto entry = encoders().find(encoder->get<std::string>());
  if (entry != encoders().end() && entry->second.complete) entry->second.complete(model);
  return model;
}
void register_decoder(const std::string& name, DecoderBuilder builder) { decoders()[name] = std::move(builder); }
std::vector<std::string> encoder_names() { register_builtin_models(); return keys(encoders()); }
std::vector<std::string> decoder_names() { register_builtin_models(); return keys(decoders()); }

std::vector<std::string> model_config_keys(const std::string& encoder) {
  register_builtin_models();
  if (!encoders().count(encoder)) return {};
  std::vector<std::string> out = {"encoder", "decoder", "word_lstm"};
  for (const auto& kv : encoders()) out.push_back(kv.first);
  for (const auto& kv : decoders()) out.push_back(kv.first);
  for (const auto& key : encoders().at(encoder).model_keys) out.push_back(key);
  return out;
}

Tagger build_tagger(const BuildContext& context) {
  register_builtin_models();
  const auto& cfg = context.config;
  const config::SectionReader model(cfg, "model", "");
  const std::string enc = model.str_or_empty("encoder");
  const std::string dec = model.has("decoder") ? model.str("decoder") : "softmax";
  auto e = encoders().find(enc);
  if (e == encoders().end())
    throw ConfigError("unknown encoder '" + enc + "' (model.encoder; known: " + join(keys(encoders())) + ")");
  auto d = decoders().find(dec);
  if (d == decoders().end())
    throw ConfigError("unknown decoder '" + dec + "' (model.decoder; known: " + join(keys(decoders())) + ")");
  // LibTorch's own errors (an allocation a config asks for that this machine cannot give) name the model part.
  try {
    auto encoder = e->second.build(context);
    if (auto w = cfg.find("word_lstm"); w != cfg.end() && !w->is_null())
      encoder = std::make_shared<WordLstmEncoder>(std::move(encoder), WordLstmOptions::from_json(*w));
    auto decoder = d->second(context, encoder->output_dim(), encoder->num_directions());
    return Tagger(encoder, decoder, context.labels);
  } catch (const c10::Error& err) {
    throw ConfigError("cannot build the model (model.encoder '" + enc + "', model.decoder '" + dec +
                      "'): " + err.what_without_backtrace());
  }
}

}  // namespace nertool::models
