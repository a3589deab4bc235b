#include "nertool/models/hf_encoder.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <algorithm>
#include <filesystem>

#include "nertool/core/config_keys.h"
#include "nertool/core/error.h"
#include "nertool/core/json.h"
#include "nertool/text/subword_tokenizer.h"
#include "nertool/io/weights.h"

namespace nertool::models {

namespace fs = std::filesystem;

WindowPlan plan_windows(const std::vector<std::vector<int64_t>>& pieces_in, const SpecialIds& specials,
                        const WindowOptions& options, const std::vector<int64_t>& left,
                        const std::vector<int64_t>& right) {
  const int64_t budget = options.max_seq_length - 2;
  if (budget < 1) throw ConfigError("max_seq_length must be at least 3 (two special tokens and one subword)");
  const std::size_t n = pieces_in.size();
  // A word with no subwords still needs a vector: it reads [UNK]. A word longer than a window keeps its first
  // pieces (its vector is its first subword's anyway).
  std::vector<std::vector<int64_t>> pieces(n);
  std::vector<int64_t> len(n);
  int64_t total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    pieces[i] = pieces_in[i].empty() ? std::vector<int64_t>{specials.unk} : pieces_in[i];
    if (static_cast<int64_t>(pieces[i].size()) > budget) pieces[i].resize(static_cast<std::size_t>(budget));
    len[i] = static_cast<int64_t>(pieces[i].size());
    total += len[i];
  }
  WindowPlan plan;
  plan.word_window.assign(n, 0);
  plan.word_position.assign(n, 0);

  if (total <= budget) {
    // One window; spare room goes to context, split evenly, a side that has less leaving its share to the other.
    int64_t room = options.document_context ? budget - total : 0;
    int64_t nl = std::min<int64_t>(static_cast<int64_t>(left.size()), room / 2);
    int64_t nr = std::min<int64_t>(static_cast<int64_t>(right.size()), room - nl);
    nl = std::min<int64_t>(static_cast<int64_t>(left.size()), room - nr);
    WindowPlan::Window w;
    w.ids.push_back(specials.cls);
    w.ids.insert(w.ids.end(), left.end() - nl, left.end());
    for (std::size_t i = 0; i < n; ++i) {
      plan.word_position[i] = static_cast<int64_t>(w.ids.size());
      w.ids.insert(w.ids.end(), pieces[i].begin(), pieces[i].end());
    }
    w.ids.insert(w.ids.end(), right.begin(), right.begin() + nr);
    w.ids.push_back(specials.sep);
    plan.windows.push_back(std::move(w));
    return plan;
  }

  // Overlapping windows of whole words, each starting about `stride` subwords after the previous one.
  const int64_t stride = options.stride > 0 ? std::min(options.stride, budget) : std::max<int64_t>(1, budget / 2);
  std::vector<std::pair<std::size_t, std::size_t>> ranges;
  std::size_t s = 0;
  while (true) {
    std::size_t e = s;
    int64_t used = 0;
    while (e < n && used + len[e] <= budget) used += len[e++];
    if (e == s) e = s + 1;  // unreachable: every word fits a window on its own
    ranges.emplace_back(s, e);
    if (e == n) break;
    std::size_t next = s;
    int64_t advanced = 0;
    while (next < e && advanced < stride) advanced += len[next++];
    s = std::max(next, s + 1);
  }
  // Each word reads the window where it has the most context on its poorer side.
  std::vector<int64_t> best_score(n, -1);
  for (std::size_t w = 0; w < ranges.size(); ++w) {
    auto [b, e] = ranges[w];
    WindowPlan::Window win;
    win.ids.push_back(specials.cls);
    int64_t window_len = 0;
    for (std::size_t i = b; i < e; ++i) window_len += len[i];
    int64_t before = 0;
    for (std::size_t i = b; i < e; ++i) {
      int64_t after = window_len - before - len[i];
      int64_t score = std::min(before, after);
      if (score > best_score[i]) {
        best_score[i] = score;
        plan.word_window[i] = static_cast<int64_t>(w);
        plan.word_position[i] = static_cast<int64_t>(win.ids.size());
      }
      win.ids.insert(win.ids.end(), pieces[i].begin(), pieces[i].end());
      before += len[i];
    }
    win.ids.push_back(specials.sep);
    plan.windows.push_back(std::move(win));
  }
  return plan;
}

HfTransformerEncoder::HfTransformerEncoder(const layers::TransformerConfig& config, const WindowOptions& windows,
                                           SpecialIds specials, WordSplitter splitter)
    : config_(config), windows_(windows), specials_(specials), splitter_(std::move(splitter)) {
  if (windows_.max_seq_length < 3) throw ConfigError("model.max_seq_length must be at least 3");
  if (windows_.max_seq_length > config_.max_position_embeddings - (config_.padding_aware_positions ? config_.pad_token_id + 1 : 0))
    throw ConfigError("model.max_seq_length " + std::to_string(windows_.max_seq_length) +
                      " exceeds the model's position embeddings (" + std::to_string(config_.max_position_embeddings) + ")");
  if (windows_.stride < 0) throw ConfigError("model.stride must be >= 0");
  embeddings = register_module("embeddings", layers::TransformerEmbeddings(config_));
  encoder = register_module("encoder", layers::TransformerStack(config_));
}

int64_t HfTransformerEncoder::compute_length(const data::Sentence& sentence) const {
  int64_t n = 2;
  for (const auto& p : splitter_(sentence.tokens)) n += std::max<int64_t>(1, static_cast<int64_t>(p.size()));
  return n;
}

torch::Tensor HfTransformerEncoder::hidden_states(const torch::Tensor& input_ids, const torch::Tensor& attention_mask) {
  return encoder->forward(embeddings->forward(input_ids, attention_mask), attention_mask);
}

namespace {
// Subword ids of the sentences before (nearest last) and after (nearest first) sentence `index` in its document,
// at most `limit` of each.
void document_context(const data::Corpus& corpus, std::size_t index, int64_t limit,
                      const HfTransformerEncoder::WordSplitter& split, std::vector<int64_t>& left,
                      std::vector<int64_t>& right) {
  const auto& sentence = corpus.sentences[index];
  if (sentence.document >= corpus.documents.size()) return;
  const auto& doc = corpus.documents[sentence.document];
  for (std::size_t j = index; j > doc.first_sentence && static_cast<int64_t>(left.size()) < limit; --j) {
    std::vector<int64_t> ids;
    for (const auto& p : split(corpus.sentences[j - 1].tokens)) ids.insert(ids.end(), p.begin(), p.end());
    left.insert(left.begin(), ids.begin(), ids.end());
  }
  if (static_cast<int64_t>(left.size()) > limit) left.erase(left.begin(), left.end() - limit);
  for (std::size_t j = index + 1; j < doc.first_sentence + doc.num_sentences && j < corpus.sentences.size() &&
                                  static_cast<int64_t>(right.size()) < limit;
       ++j)
    for (const auto& p : split(corpus.sentences[j].tokens)) right.insert(right.end(), p.begin(), p.end());
  if (static_cast<int64_t>(right.size()) > limit) right.resize(static_cast<std::size_t>(limit));
}
}  // namespace

void HfTransformerEncoder::featurize(Batch& batch) const {
  const int64_t b = batch.size();
  int64_t t = 0;
  for (const auto* s : batch.sentences) t = std::max<int64_t>(t, static_cast<int64_t>(s->size()));
  std::vector<WindowPlan> plans;
  plans.reserve(static_cast<std::size_t>(b));
  const int64_t budget = windows_.max_seq_length - 2;
  for (const auto* s : batch.sentences) {
    std::vector<int64_t> left, right;
    if (windows_.document_context && batch.corpus && !batch.corpus->sentences.empty()) {
      const auto* first = batch.corpus->sentences.data();
      if (s >= first && s < first + batch.corpus->sentences.size())
        document_context(*batch.corpus, static_cast<std::size_t>(s - first), budget, splitter_, left, right);
    }
    plans.push_back(plan_windows(splitter_(s->tokens), specials_, windows_, left, right));
  }
  int64_t num_windows = 0, seq = 0;
  for (const auto& p : plans)
    for (const auto& w : p.windows) {
      ++num_windows;
      seq = std::max<int64_t>(seq, static_cast<int64_t>(w.ids.size()));
    }
  auto ids = torch::full({num_windows, seq}, specials_.pad, torch::kInt64);
  auto mask = torch::zeros({num_windows, seq}, torch::kInt64);
  auto index = torch::zeros({b, t}, torch::kInt64);
  auto ids_a = ids.accessor<int64_t, 2>();
  auto mask_a = mask.accessor<int64_t, 2>();
  auto index_a = index.accessor<int64_t, 2>();
  int64_t w0 = 0;
  for (int64_t i = 0; i < b; ++i) {
    const auto& p = plans[static_cast<std::size_t>(i)];
    for (std::size_t w = 0; w < p.windows.size(); ++w)
      for (std::size_t k = 0; k < p.windows[w].ids.size(); ++k) {
        ids_a[w0 + static_cast<int64_t>(w)][static_cast<int64_t>(k)] = p.windows[w].ids[k];
        mask_a[w0 + static_cast<int64_t>(w)][static_cast<int64_t>(k)] = 1;
      }
    for (std::size_t j = 0; j < p.word_window.size(); ++j)
      index_a[i][static_cast<int64_t>(j)] = (w0 + p.word_window[j]) * seq + p.word_position[j];
    w0 += static_cast<int64_t>(p.windows.size());
  }
  batch.inputs["subword_ids"] = ids;
  batch.inputs["subword_mask"] = mask;
  batch.inputs["word_subword_index"] = index;
}

torch::Tensor HfTransformerEncoder::forward(const Batch& batch) {
  const auto& index = batch.input("word_subword_index");
  auto hidden = hidden_states(batch.input("subword_ids"), batch.input("subword_mask"));
  auto flat = hidden.reshape({-1, hidden.size(-1)});
  return flat.index_select(0, index.reshape({-1})).view({index.size(0), index.size(1), hidden.size(-1)});
}

HfTransformerEncoder::WordSplitter word_splitter(std::shared_ptr<const text::SubwordTokenizer> tokenizer) {
  return [tokenizer](const std::vector<std::string>& words) {
    auto enc = tokenizer->encode_words(words);
    std::vector<std::vector<int64_t>> out(words.size());
    for (std::size_t i = 0; i < words.size(); ++i) {
      int64_t first = enc.word_first_subword[i], count = enc.word_num_subwords[i];
      if (first >= 0 && count > 0)
        out[i].assign(enc.input_ids.begin() + first, enc.input_ids.begin() + first + count);
    }
    return out;
  };
}

const std::vector<config::Key<WindowOptions>>& window_keys() {
  using O = WindowOptions;
  using config::at_least;
  using config::key;
  static const std::vector<config::Key<O>> keys = {
      key("max_seq_length", &O::max_seq_length, "subwords per window, special tokens included", ">= 3",
          at_least<int64_t>(3)),
      key("stride", &O::stride, "window advance in subwords for long sentences; 0: half the window", ">= 0",
          at_least<int64_t>(0)),
      key("document_context", &O::document_context,
          "fill each window with the neighbouring sentences of the document (Devlin et al.'s CoNLL setting)"),
  };
  return keys;
}

namespace {

WindowOptions window_options_of(const nlohmann::json& model) {
  WindowOptions w;
  config::read_present_keys(window_keys(), model, "model", w);
  return w;
}

// model.pretrained: the directory of a converted model or a pretraining run ("" or absent: none).
std::string pretrained_of(const BuildContext& context) {
  return config::SectionReader(context.config, "model", "").str_or_empty("pretrained");
}

// The encoder of a pretrained model.pt (a converted model's or a pretraining run's "encoder" part) into `encoder`.
void load_pretrained_weights(HfTransformerEncoder& encoder, const std::string& pretrained, const std::string& kind) {
  const std::string weights = (fs::path(pretrained) / "model.pt").string();
  if (!io::load_weights_part(encoder, weights, "encoder")) throw IoError(weights + " holds no encoder weights");
  spdlog::info("{} encoder: weights from {} ({} layers, hidden {})", kind, weights, encoder.config().num_layers,
               encoder.config().hidden_size);
}

}  // namespace

layers::TransformerConfig transformer_config_of(const BuildContext& context) {
  const auto& cfg = context.config;
  const bool fresh = context.train != nullptr;
  const fs::path model_dir = context.model_dir;
  const std::string pretrained = pretrained_of(context);
  // A file's architecture: errors name the file.
  auto from_file = [](const fs::path& file) {
    return layers::TransformerConfig::from_json(read_json_file(file.string()), "", file.string());
  };
  if (!fresh && !model_dir.empty() && fs::exists(model_dir / "transformer.json"))
    return from_file(model_dir / "transformer.json");
  if (cfg.contains("transformer")) return layers::TransformerConfig::from_json(cfg.at("transformer"));
  if (!pretrained.empty()) return from_file(fs::path(pretrained) / "transformer.json");
  throw ConfigError("model." + cfg.value("encoder", std::string()) +
                    " needs \"pretrained\" (a directory converted from a Hugging Face checkpoint, or a pretraining "
                    "run) or \"transformer\" (the architecture)");
}

std::string tokenizer_dir_of(const BuildContext& context) {
  const auto& cfg = context.config;
  const bool fresh = context.train != nullptr;
  const std::string model_dir = context.model_dir;
  const std::string pretrained = pretrained_of(context);
  const std::string own = text::model_tokenizer_dir(model_dir);
  if (!fresh && !model_dir.empty() && text::has_tokenizer_files(own)) return own;
  if (!pretrained.empty()) return text::model_tokenizer_dir(pretrained);
  if (cfg.contains("tokenizer")) return config::SectionReader(cfg, "model", "").str("tokenizer");
  if (!model_dir.empty() && text::has_tokenizer_files(own)) return own;
  throw ConfigError("model." + cfg.value("encoder", std::string()) +
                    ": no tokenizer (give \"pretrained\" or \"tokenizer\": a directory)");
}

SpecialIds checked_special_ids(const text::SubwordTokenizer& tokenizer, const layers::TransformerConfig& config,
                               const std::string& tokenizer_dir) {
  SpecialIds specials{tokenizer.cls_id(), tokenizer.sep_id(), tokenizer.pad_id(), tokenizer.unk_id()};
  if (specials.cls < 0 || specials.sep < 0 || specials.pad < 0 || specials.unk < 0)
    throw ConfigError("tokenizer in " + tokenizer_dir + " lacks one of the cls, sep, pad, unk tokens");
  if (specials.pad != config.pad_token_id)
    throw ConfigError("tokenizer in " + tokenizer_dir + " pads with id " + std::to_string(specials.pad) +
                      " but the transformer's pad_token_id is " + std::to_string(config.pad_token_id));
  if (tokenizer.vocab_size() > config.vocab_size)
    throw ConfigError("tokenizer in " + tokenizer_dir + " has " + std::to_string(tokenizer.vocab_size()) +
                      " ids, more than the transformer's vocab_size " + std::to_string(config.vocab_size));
  return specials;
}

std::shared_ptr<HfTransformerEncoder> build_hf_encoder(const BuildContext& context) {
  const std::string kind = context.config.value("encoder", std::string());
  const bool fresh = context.train != nullptr;
  const fs::path model_dir = context.model_dir;
  const auto tconfig = transformer_config_of(context);
  const std::string tok_dir = tokenizer_dir_of(context);
  std::shared_ptr<const text::SubwordTokenizer> tokenizer = text::load_tokenizer(tok_dir);
  const SpecialIds specials = checked_special_ids(*tokenizer, tconfig, tok_dir);

  auto encoder = std::make_shared<HfTransformerEncoder>(tconfig, window_options_of(context.config), specials,
                                                        word_splitter(tokenizer));
  if (fresh && !model_dir.empty()) {
    // The run directory keeps what the model needs to be rebuilt without the pretrained directory.
    write_json_file((model_dir / "transformer.json").string(), tconfig.to_json());
    const std::string own = text::model_tokenizer_dir(model_dir.string());
    if (fs::absolute(own) != fs::absolute(tok_dir)) tokenizer->save(own);
  }
  if (fresh && !pretrained_of(context).empty()) load_pretrained_weights(*encoder, pretrained_of(context), kind);
  return encoder;
}

void register_hf_encoders() {
  std::vector<std::string> model_keys = config::key_names(window_keys());
  model_keys.insert(model_keys.end(), {"pretrained", "transformer", "tokenizer"});
  for (const char* name : {"bert", "roberta"})
    register_encoder(
        name, [](const BuildContext& c) -> std::shared_ptr<Encoder> { return build_hf_encoder(c); }, model_keys);
}

}  // namespace nertool::models
