#include "nertool/models/bilstm_cnn.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "nertool/core/atomic_file.h"
#include "nertool/core/config_keys.h"
#include "nertool/core/error.h"
#include "nertool/core/json.h"
#include "nertool/layers/bilstm_stack.h"
#include "nertool/layers/word_features.h"

namespace nertool::models {

namespace {

const char* kSection = "model.bilstm_cnn";

bool is_vector_format(const std::string& name) {
  if (name == "none") return true;
  try {
    io::parse_vector_format(name);
    return true;
  } catch (const ConfigError&) {
    return false;
  }
}

}  // namespace

const std::vector<config::Key<BiLstmCnnOptions>>& bilstm_cnn_keys() {
  using O = BiLstmCnnOptions;
  using config::at_least;
  using config::key;
  static const std::vector<config::Key<O>> keys = {
      key("word_dim", &O::word_dim, "word vector size; with a vector file, training takes the file's dimension",
          ">= 1", at_least<int64_t>(1)),
      key("embeddings", &O::embeddings, "pretrained word vector file (\"\": random initialisation)"),
      key("embeddings_format", &O::embeddings_format, "the vector file's format (auto: detected from its start)",
          "one of auto, glove, word2vec, word2vec_binary", std::function<bool(const std::string&)>(is_vector_format)),
      key("max_vocab", &O::max_vocab, "words taken from the vector file, most frequent first", ">= 0 (0 = all)",
          at_least<int64_t>(0)),
      key("word_min_count", &O::word_min_count, "training words seen fewer times are <unk> (unless in the file)",
          ">= 1", at_least<int64_t>(1)),
      key("lowercase_words", &O::lowercase_words, "look words up lower-cased (casing still reaches the model)"),
      key("normalize_digits", &O::normalize_digits, "every digit becomes 0 for word lookup"),
      key("unk_replace", &O::unk_replace, "training: chance that a word seen once is fed as <unk>", "in [0, 1]",
          std::function<bool(const double&)>([](double v) { return v >= 0.0 && v <= 1.0; })),
      key("casing_dim", &O::casing_dim, "casing feature size (Chiu & Nichols' capitalisation classes)",
          ">= 0 (0 = no casing feature)", at_least<int64_t>(0)),
      key("char_dim", &O::char_dim, "character embedding size", ">= 1", at_least<int64_t>(1)),
      key("char_type_dim", &O::char_type_dim, "character-type embedding size", ">= 0 (0 = none)",
          at_least<int64_t>(0)),
      key("char_filters", &O::char_filters, "character-CNN filters (its output size)", ">= 1", at_least<int64_t>(1)),
      key("char_width", &O::char_width, "character-CNN window", "an odd number >= 1",
          std::function<bool(const int64_t&)>([](int64_t v) { return v >= 1 && v % 2 == 1; })),
      key("char_dropout", &O::char_dropout, "dropout on the pooled character vector", "in [0, 1)",
          config::rate_below_one()),
      key("max_word_length", &O::max_word_length, "characters of a word the CNN sees (bounds memory on URLs)",
          ">= 1", at_least<int64_t>(1)),
      key("hidden_size", &O::hidden_size, "LSTM state per direction", ">= 1", at_least<int64_t>(1)),
      key("num_layers", &O::num_layers, "stacked single-layer BiLSTMs", ">= 1", at_least<int64_t>(1)),
      key("dropout", &O::dropout, "dropout on each BiLSTM's output", "in [0, 1)", config::rate_below_one()),
      key("embedding_dropout", &O::embedding_dropout, "dropout on the word representation before the first LSTM",
          "in [0, 1)", config::rate_below_one()),
      key("lexicon", &O::lexicon, "lexicon file (text/lexicon.h; \"\": none), copied into the model directory"),
  };
  return keys;
}

BiLstmCnnOptions BiLstmCnnOptions::from_json(const nlohmann::json& j) {
  return config::read_section(bilstm_cnn_keys(), j, kSection);
}

nlohmann::json BiLstmCnnOptions::to_json() const { return config::section_json(bilstm_cnn_keys(), *this); }

BiLstmCnnEncoder::BiLstmCnnEncoder(BiLstmCnnOptions options, layers::Vocabulary words, layers::Vocabulary chars,
                                   const io::WordVectors* vectors, const std::vector<int64_t>& singleton_ids,
                                   std::shared_ptr<const text::Lexicon> lexicon)
    : options_(std::move(options)), words_(std::move(words)), chars_(std::move(chars)), lexicon_(std::move(lexicon)) {
  namespace nn = torch::nn;
  const int64_t V = words_.size(), D = options_.word_dim;
  word_embedding_ = register_module("word_embedding", nn::Embedding(nn::EmbeddingOptions(V, D).padding_idx(0)));
  {
    // Random rows: uniform with the per-value variance of the pretrained vectors when a file is given (so random
    // and pretrained rows have the same scale), else U(-sqrt(3/D), sqrt(3/D)) (unit expected squared norm).
    torch::NoGradGuard guard;
    auto& weight = word_embedding_->weight;
    double bound = std::sqrt(3.0 / static_cast<double>(D));
    if (vectors && vectors->size() > 0) {
      if (vectors->dim() != D)
        throw ConfigError("model.bilstm_cnn.word_dim = " + std::to_string(D) + " but the vector file has dimension " +
                          std::to_string(vectors->dim()) + " (they must agree)");
      auto all = torch::from_blob(const_cast<float*>(vectors->vector(0)), {vectors->size(), D}, torch::kFloat32);
      bound = std::sqrt(3.0) * all.std().item<double>();
    }
    weight.uniform_(-bound, bound);
    int64_t copied = 0;
    if (vectors) {
      auto acc = weight.accessor<float, 2>();
      for (int64_t id = 2; id < V; ++id) {
        int64_t row = vectors->find(words_.item(id));
        if (row < 0) continue;
        const float* x = vectors->vector(row);
        for (int64_t k = 0; k < D; ++k) acc[id][k] = x[k];
        ++copied;
      }
      spdlog::info("bilstm_cnn: {} of {} vocabulary words initialised from {}", copied, V, options_.embeddings);
    }
    weight[0].zero_();
  }
  int64_t in = D;
  if (options_.casing_dim > 0) {
    casing_embedding_ = register_module(
        "casing_embedding",
        nn::Embedding(nn::EmbeddingOptions(layers::kNumCasings, options_.casing_dim).padding_idx(0)));
    in += options_.casing_dim;
  }
  layers::CharCnnOptions co;
  co.num_chars = chars_.size();
  co.char_dim = options_.char_dim;
  co.char_type_dim = options_.char_type_dim;
  co.filters = options_.char_filters;
  co.width = options_.char_width;
  co.dropout = options_.char_dropout;
  char_cnn_ = register_module("char_cnn", layers::CharCnn(co));
  in += options_.char_filters;
  embedding_dropout_ = register_module("embedding_dropout", nn::Dropout(options_.embedding_dropout));
  dropout_ = register_module("dropout", nn::Dropout(options_.dropout));
  if (lexicon_) in += text::kLexiconPositions * static_cast<int64_t>(lexicon_->categories().size());
  lstms_ = layers::register_bilstm_stack(*this, in, options_.hidden_size, options_.num_layers);
  auto singleton = torch::zeros({V}, torch::kBool);
  for (int64_t id : singleton_ids) singleton[id] = true;
  singleton_ = register_buffer("singleton", singleton);
}

std::string BiLstmCnnEncoder::word_key(const std::string& token) const {
  std::string key = options_.lowercase_words ? layers::utf8_lower(token) : token;
  return options_.normalize_digits ? layers::fold_digits(key) : key;
}

namespace {

// The embedding row of a word key: the key itself, else (keys keep their case) its lower-cased form, else <unk>.
int64_t find_word_row(const layers::Vocabulary& words, const std::string& key, bool lowercase_words) {
  int64_t id = words.find(key);
  if (id < 0 && !lowercase_words) id = words.find(layers::utf8_lower(key));
  return id < 0 ? layers::Vocabulary::kUnknown : id;
}

}  // namespace

int64_t BiLstmCnnEncoder::word_id(const std::string& token) const {
  return find_word_row(words_, word_key(token), options_.lowercase_words);
}

void BiLstmCnnEncoder::featurize(Batch& batch) const {
  const int64_t B = batch.size();
  int64_t T = 1, C = 1;
  for (const auto* s : batch.sentences) T = std::max<int64_t>(T, static_cast<int64_t>(s->size()));
  std::vector<std::vector<std::vector<char32_t>>> cps(static_cast<std::size_t>(B));
  for (int64_t b = 0; b < B; ++b) {
    const auto& tokens = batch.sentences[static_cast<std::size_t>(b)]->tokens;
    auto& row = cps[static_cast<std::size_t>(b)];
    row.reserve(tokens.size());
    for (const auto& t : tokens) {
      row.push_back(layers::utf8_code_points(t));
      C = std::max<int64_t>(C, std::min<int64_t>(static_cast<int64_t>(row.back().size()), options_.max_word_length));
    }
  }
  auto words = torch::zeros({B, T}, torch::kInt64);
  auto casing = torch::zeros({B, T}, torch::kInt64);
  auto chars = torch::zeros({B, T, C}, torch::kInt64);
  auto types = torch::zeros({B, T, C}, torch::kInt64);
  auto mask = torch::zeros({B, T}, torch::kBool);
  auto* wp = words.data_ptr<int64_t>();
  auto* kp = casing.data_ptr<int64_t>();
  auto* cp = chars.data_ptr<int64_t>();
  auto* tp = types.data_ptr<int64_t>();
  auto* mp = mask.data_ptr<bool>();
  for (int64_t b = 0; b < B; ++b) {
    const auto& tokens = batch.sentences[static_cast<std::size_t>(b)]->tokens;
    for (int64_t t = 0; t < static_cast<int64_t>(tokens.size()); ++t) {
      const auto& word = cps[static_cast<std::size_t>(b)][static_cast<std::size_t>(t)];
      const int64_t i = b * T + t;
      mp[i] = true;
      wp[i] = word_id(tokens[static_cast<std::size_t>(t)]);
      kp[i] = static_cast<int64_t>(layers::casing_of(word));
      const int64_t n = std::min<int64_t>(static_cast<int64_t>(word.size()), options_.max_word_length);
      if (n == 0) {  // an empty token still needs one character for the CNN
        cp[i * C] = layers::Vocabulary::kUnknown;
        tp[i * C] = static_cast<int64_t>(layers::CharType::Other);
      }
      for (int64_t c = 0; c < n; ++c) {
        char32_t ch = word[static_cast<std::size_t>(c)];
        cp[i * C + c] = chars_.id(layers::utf8_encode(ch));
        tp[i * C + c] = static_cast<int64_t>(layers::char_type_of(ch));
      }
    }
  }
  batch.inputs["words"] = words;
  batch.inputs["casing"] = casing;
  batch.inputs["chars"] = chars;
  batch.inputs["char_types"] = types;
  if (lexicon_) {
    const int64_t K = static_cast<int64_t>(lexicon_->categories().size()), F = text::kLexiconPositions * K;
    auto features = torch::zeros({B, T, F}, torch::kFloat32);
    auto* fp = features.data_ptr<float>();
    for (int64_t b = 0; b < B; ++b) {
      const auto& tokens = batch.sentences[static_cast<std::size_t>(b)]->tokens;
      const auto positions = lexicon_->match(tokens);
      for (int64_t t = 0; t < static_cast<int64_t>(tokens.size()); ++t)
        for (int64_t c = 0; c < K; ++c) {
          const auto p = static_cast<int64_t>(positions[static_cast<std::size_t>(t * K + c)]);
          if (p != 0) fp[(b * T + t) * F + c * text::kLexiconPositions + (p - 1)] = 1.f;
        }
    }
    batch.inputs["lexicon"] = features;
  }
  if (!batch.word_mask.defined()) batch.word_mask = mask;
}

torch::Tensor BiLstmCnnEncoder::forward(const Batch& batch) {
  const auto& mask = batch.word_mask;
  const int64_t B = mask.size(0), T = mask.size(1);
  auto words = batch.input("words");
  if (is_training() && options_.unk_replace > 0) {
    auto drop = singleton_.index({words}) &
                (torch::rand(words.sizes(), torch::TensorOptions().device(words.device())) < options_.unk_replace);
    words = words.masked_fill(drop, layers::Vocabulary::kUnknown);
  }
  std::vector<torch::Tensor> parts{word_embedding_->forward(words)};
  if (casing_embedding_) parts.push_back(casing_embedding_->forward(batch.input("casing")));
  // The char CNN runs once over every real word of the batch, then its vectors are scattered back to [B, T, F].
  auto chars = batch.input("chars").index({mask});
  auto types = batch.input("char_types").index({mask});
  auto char_vectors = char_cnn_->forward(chars, types);
  auto char_features = torch::zeros({B, T, char_vectors.size(1)}, char_vectors.options()).index_put({mask}, char_vectors);
  parts.push_back(char_features);
  auto x = embedding_dropout_->forward(torch::cat(parts, -1));
  if (lexicon_) x = torch::cat({x, batch.input("lexicon").to(x.dtype())}, -1);
  return layers::run_bilstm_stack(lstms_, dropout_, x, mask);
}

void BiLstmCnnEncoder::save_vocabularies(const std::string& dir) const {
  std::filesystem::create_directories(dir);
  nlohmann::json j = {{"words", words_.to_json()}, {"chars", chars_.to_json()}};
  write_file_atomic(dir + "/" + kVocabularyFile, j.dump() + "\n");
  if (lexicon_) write_file_atomic(dir + "/" + kLexiconFile, lexicon_->to_text());
}

namespace {

// The lexicon of a model: the copy in `saved_dir` when there is one (a saved model, or --init), else the file the
// options name. Null without the option.
std::shared_ptr<const text::Lexicon> load_lexicon(const BiLstmCnnOptions& options, const std::string& saved_dir,
                                                  bool saved_copy_required) {
  if (options.lexicon.empty()) return nullptr;
  const std::string copy = saved_dir + "/" + BiLstmCnnEncoder::kLexiconFile;
  if (!saved_dir.empty() && std::filesystem::exists(copy))
    return std::make_shared<const text::Lexicon>(text::Lexicon::read(copy));
  if (saved_copy_required) throw IoError("model directory has no " + std::string(BiLstmCnnEncoder::kLexiconFile) +
                                         " although model.bilstm_cnn.lexicon is set: " + copy);
  try {
    check_readable_file(options.lexicon);
  } catch (const IoError& e) {
    throw IoError(std::string("model.bilstm_cnn.lexicon: ") + e.what());
  }
  auto lexicon = std::make_shared<const text::Lexicon>(text::Lexicon::read(options.lexicon));
  spdlog::info("bilstm_cnn: lexicon of {} entries in {} categories from {}", lexicon->size(),
               lexicon->categories().size(), options.lexicon);
  return lexicon;
}

// The word and character vocabularies a run saved (kVocabularyFile); anything else is an InputError naming it.
std::pair<layers::Vocabulary, layers::Vocabulary> read_vocabularies(const std::string& path) {
  const nlohmann::json j = read_json_file(path);
  try {
    if (!j.is_object() || !j.contains("words") || !j.contains("chars"))
      throw Error("expected an object with \"words\" and \"chars\"");
    return {layers::Vocabulary::from_json(j.at("words")), layers::Vocabulary::from_json(j.at("chars"))};
  } catch (const nlohmann::json::exception& e) {
    throw InputError(path, 0, std::string("bad vocabulary file: ") + e.what());
  } catch (const Error& e) {
    throw InputError(path, 0, std::string("bad vocabulary file: ") + e.what());
  }
}

}  // namespace

std::shared_ptr<BiLstmCnnEncoder> BiLstmCnnEncoder::build(const BuildContext& context) {
  auto options = BiLstmCnnOptions::from_json(context.config.value("bilstm_cnn", nlohmann::json()));
  // Loading a saved model, or starting from another one's weights (--init): the vocabularies of that model's
  // directory, so word and character ids keep their rows; weights come later.
  const std::string path =
      (context.train ? context.init_dir : context.model_dir) + "/" + std::string(kVocabularyFile);
  if (!context.train || (!context.init_dir.empty() && std::filesystem::exists(path))) {
    if (!std::filesystem::exists(path)) throw IoError(path + " does not exist (the run's vocabularies)");
    auto [words, chars] = read_vocabularies(path);
    auto lexicon = load_lexicon(options, context.train ? context.init_dir : context.model_dir, !context.train);
    auto encoder = std::make_shared<BiLstmCnnEncoder>(options, std::move(words), std::move(chars), nullptr,
                                                      std::vector<int64_t>{}, std::move(lexicon));
    if (context.train && !context.model_dir.empty()) encoder->save_vocabularies(context.model_dir);
    return encoder;
  }
  std::unique_ptr<io::WordVectors> vectors;
  if (!options.embeddings.empty() && options.embeddings != "none") {
    io::WordVectorOptions vo;
    vo.format = io::parse_vector_format(options.embeddings_format);
    vo.max_words = options.max_vocab;
    vectors = std::make_unique<io::WordVectors>(io::read_word_vectors(options.embeddings, vo));
  }
  // Temporary encoder-less key function (same rules as word_key).
  auto key = [&](const std::string& t) {
    std::string k = options.lowercase_words ? layers::utf8_lower(t) : t;
    return options.normalize_digits ? layers::fold_digits(k) : k;
  };
  layers::Vocabulary words, chars;
  std::map<std::string, int64_t> counts;
  std::map<std::string, int64_t> char_counts;
  for (const auto& s : context.train->sentences)
    for (const auto& t : s.tokens) {
      ++counts[key(t)];
      int64_t n = 0;
      for (char32_t c : layers::utf8_code_points(t))
        if (n++ < options.max_word_length) ++char_counts[layers::utf8_encode(c)];
    }
  // Pretrained words first, in file order (frequency order, usually), under their lookup keys.
  io::WordVectors keyed;
  if (vectors) {
    std::vector<std::string> ws;
    std::vector<std::vector<float>> rows;
    for (int64_t r = 0; r < vectors->size(); ++r) {
      std::string k = key(vectors->words()[static_cast<std::size_t>(r)]);
      if (words.contains(k)) continue;  // several file words fold onto one key: the first (most frequent) wins
      words.add(k);
      ws.push_back(k);
      rows.emplace_back(vectors->vector(r), vectors->vector(r) + vectors->dim());
    }
    keyed = io::WordVectors::from_rows(ws, rows);
  }
  // Then training words without a pretrained vector (exact or lower-cased), most frequent first.
  std::vector<std::pair<std::string, int64_t>> by_count(counts.begin(), counts.end());
  std::stable_sort(by_count.begin(), by_count.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  for (const auto& [k, n] : by_count) {
    if (n < options.word_min_count || words.contains(k)) continue;
    if (vectors && !options.lowercase_words && words.contains(layers::utf8_lower(k))) continue;
    words.add(k);
  }
  // Singletons are counted per embedding row, whichever way training tokens reach it (own row, a pretrained row,
  // a lower-cased pretrained row): unk_replace must also teach <unk> when every training word has a vector.
  std::vector<int64_t> row_count(static_cast<std::size_t>(words.size()), 0);
  for (const auto& [k, n] : counts)
    row_count[static_cast<std::size_t>(find_word_row(words, k, options.lowercase_words))] += n;
  std::vector<int64_t> singletons;
  for (int64_t id = 2; id < words.size(); ++id)
    if (row_count[static_cast<std::size_t>(id)] == 1) singletons.push_back(id);
  for (const auto& [c, n] : char_counts) chars.add(c);
  spdlog::info("bilstm_cnn: {} words ({} from the vector file), {} characters", words.size(),
               vectors ? keyed.size() : 0, chars.size());
  auto encoder = std::make_shared<BiLstmCnnEncoder>(options, std::move(words), std::move(chars),
                                                    vectors ? &keyed : nullptr, singletons,
                                                    load_lexicon(options, "", false));
  if (!context.model_dir.empty()) encoder->save_vocabularies(context.model_dir);
  return encoder;
}

namespace {

// word_dim follows the vector file: its header (or first row) decides. A missing file is left to build() to report.
void take_word_dim_from_vectors(nlohmann::json& model) {
  auto section = model.find("bilstm_cnn");
  if (section == model.end() || section->is_null()) return;
  const BiLstmCnnOptions options = BiLstmCnnOptions::from_json(*section);
  const std::string& file = options.embeddings;
  if (file.empty() || file == "none" || !std::filesystem::is_regular_file(file)) return;
  io::WordVectorOptions first_row;
  first_row.format = io::parse_vector_format(options.embeddings_format);
  first_row.max_words = 1;
  const int64_t dim = io::read_word_vectors(file, first_row).dim();
  if (dim == options.word_dim) return;
  spdlog::info("{}.word_dim: {}, the dimension of {} (the config said {})", kSection, dim, file, options.word_dim);
  (*section)["word_dim"] = dim;
}

}  // namespace

void register_bilstm_cnn_encoder() {
  register_encoder(
      "bilstm_cnn", [](const BuildContext& context) { return BiLstmCnnEncoder::build(context); }, {},
      take_word_dim_from_vectors);
}

}  // namespace nertool::models
