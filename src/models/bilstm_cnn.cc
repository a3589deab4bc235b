#include "nertool/models/bilstm_cnn.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "nertool/core/atomic_file.h"
#include "nertool/core/error.h"
#include "nertool/layers/word_features.h"

namespace nertool::models {

namespace {

// Reads one option of a config object, checking its JSON type; `where` names the section in messages.
template <typename T>
void read_option(const nlohmann::json& j, const char* key, T& out, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end()) return;
  const auto& v = *it;
  bool ok;
  if constexpr (std::is_same_v<T, bool>) ok = v.is_boolean();
  else if constexpr (std::is_same_v<T, int64_t>) ok = v.is_number_integer();
  else if constexpr (std::is_same_v<T, double>) ok = v.is_number();
  else ok = v.is_string();
  if (!ok) throw ConfigError(where + "." + key + ": expected " +
                             (std::is_same_v<T, bool> ? "true or false" : std::is_same_v<T, int64_t> ? "an integer"
                              : std::is_same_v<T, double> ? "a number" : "a string") + ", got " + v.dump());
  out = v.get<T>();
}

void require(bool ok, const std::string& where, const char* key, const std::string& rule, const std::string& value) {
  if (!ok) throw ConfigError(where + "." + key + " = " + value + ": must be " + rule);
}

const char* kSection = "model.bilstm_cnn";

}  // namespace

BiLstmCnnOptions BiLstmCnnOptions::from_json(const nlohmann::json& j) {
  BiLstmCnnOptions o;
  if (j.is_null()) return o;
  if (!j.is_object()) throw ConfigError(std::string(kSection) + ": expected an object");
  static const std::set<std::string> known = {
      "word_dim", "embeddings", "embeddings_format", "max_vocab", "word_min_count", "lowercase_words",
      "normalize_digits", "unk_replace", "casing_dim", "char_dim", "char_type_dim", "char_filters", "char_width",
      "char_dropout", "max_word_length", "hidden_size", "num_layers", "dropout", "embedding_dropout"};
  for (const auto& [key, value] : j.items())
    if (!known.count(key)) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      throw ConfigError("unknown key " + std::string(kSection) + "." + key + " (known: " + list + ")");
    }
  const std::string w = kSection;
  read_option(j, "word_dim", o.word_dim, w);
  read_option(j, "embeddings", o.embeddings, w);
  read_option(j, "embeddings_format", o.embeddings_format, w);
  read_option(j, "max_vocab", o.max_vocab, w);
  read_option(j, "word_min_count", o.word_min_count, w);
  read_option(j, "lowercase_words", o.lowercase_words, w);
  read_option(j, "normalize_digits", o.normalize_digits, w);
  read_option(j, "unk_replace", o.unk_replace, w);
  read_option(j, "casing_dim", o.casing_dim, w);
  read_option(j, "char_dim", o.char_dim, w);
  read_option(j, "char_type_dim", o.char_type_dim, w);
  read_option(j, "char_filters", o.char_filters, w);
  read_option(j, "char_width", o.char_width, w);
  read_option(j, "char_dropout", o.char_dropout, w);
  read_option(j, "max_word_length", o.max_word_length, w);
  read_option(j, "hidden_size", o.hidden_size, w);
  read_option(j, "num_layers", o.num_layers, w);
  read_option(j, "dropout", o.dropout, w);
  read_option(j, "embedding_dropout", o.embedding_dropout, w);
  auto s = [](auto x) { return std::to_string(x); };
  require(o.word_dim >= 1, w, "word_dim", ">= 1", s(o.word_dim));
  if (o.embeddings_format != "none") io::parse_vector_format(o.embeddings_format);
  require(o.max_vocab >= 0, w, "max_vocab", ">= 0 (0 = no cap)", s(o.max_vocab));
  require(o.word_min_count >= 1, w, "word_min_count", ">= 1", s(o.word_min_count));
  require(o.casing_dim >= 0, w, "casing_dim", ">= 0 (0 = no casing feature)", s(o.casing_dim));
  require(o.char_dim >= 1, w, "char_dim", ">= 1", s(o.char_dim));
  require(o.char_type_dim >= 0, w, "char_type_dim", ">= 0", s(o.char_type_dim));
  require(o.char_filters >= 1, w, "char_filters", ">= 1", s(o.char_filters));
  require(o.char_width >= 1 && o.char_width % 2 == 1, w, "char_width", "an odd number >= 1", s(o.char_width));
  require(o.max_word_length >= 1, w, "max_word_length", ">= 1", s(o.max_word_length));
  require(o.hidden_size >= 1, w, "hidden_size", ">= 1", s(o.hidden_size));
  require(o.num_layers >= 1, w, "num_layers", ">= 1", s(o.num_layers));
  for (auto [k, v] : {std::pair{"dropout", o.dropout}, {"embedding_dropout", o.embedding_dropout},
                      {"char_dropout", o.char_dropout}, {"unk_replace", o.unk_replace}})
    require(v >= 0.0 && v < 1.0, w, k, "in [0, 1)", s(v));
  return o;
}

nlohmann::json BiLstmCnnOptions::to_json() const {
  return {{"word_dim", word_dim}, {"embeddings", embeddings}, {"embeddings_format", embeddings_format},
          {"max_vocab", max_vocab}, {"word_min_count", word_min_count}, {"lowercase_words", lowercase_words},
          {"normalize_digits", normalize_digits}, {"unk_replace", unk_replace}, {"casing_dim", casing_dim},
          {"char_dim", char_dim}, {"char_type_dim", char_type_dim}, {"char_filters", char_filters},
          {"char_width", char_width}, {"char_dropout", char_dropout}, {"max_word_length", max_word_length},
          {"hidden_size", hidden_size}, {"num_layers", num_layers}, {"dropout", dropout},
          {"embedding_dropout", embedding_dropout}};
}

BiLstmCnnEncoder::BiLstmCnnEncoder(BiLstmCnnOptions options, layers::Vocabulary words, layers::Vocabulary chars,
                                   const io::WordVectors* vectors, const std::vector<int64_t>& singleton_ids)
    : options_(std::move(options)), words_(std::move(words)), chars_(std::move(chars)) {
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
                          std::to_string(vectors->dim()) + " (set word_dim to match)");
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
  for (int64_t l = 0; l < options_.num_layers; ++l) {
    lstms_.push_back(register_module(
        "lstm" + std::to_string(l),
        nn::LSTM(nn::LSTMOptions(in, options_.hidden_size).num_layers(1).bidirectional(true).batch_first(true))));
    in = 2 * options_.hidden_size;
  }
  auto singleton = torch::zeros({V}, torch::kBool);
  for (int64_t id : singleton_ids) singleton[id] = true;
  singleton_ = register_buffer("singleton", singleton);
}

std::string BiLstmCnnEncoder::word_key(const std::string& token) const {
  std::string key = options_.lowercase_words ? layers::utf8_lower(token) : token;
  return options_.normalize_digits ? layers::fold_digits(key) : key;
}

int64_t BiLstmCnnEncoder::word_id(const std::string& token) const {
  std::string key = word_key(token);
  int64_t id = words_.find(key);
  if (id < 0 && !options_.lowercase_words) id = words_.find(layers::utf8_lower(key));
  return id < 0 ? layers::Vocabulary::kUnknown : id;
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
  if (!batch.word_mask.defined()) batch.word_mask = mask;
}

torch::Tensor BiLstmCnnEncoder::forward(const Batch& batch) {
  namespace rnn = torch::nn::utils::rnn;
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
  // Packed sequences: the backward direction starts at each sentence's last real word, never at padding, so a
  // sentence's features do not depend on the rest of the batch.
  auto lengths = mask.sum(1).clamp_min(1).to(torch::kCPU, torch::kInt64);
  for (auto& lstm : lstms_) {
    auto packed = rnn::pack_padded_sequence(x, lengths, /*batch_first=*/true, /*enforce_sorted=*/false);
    auto out = std::get<0>(lstm->forward_with_packed_input(packed));
    x = std::get<0>(rnn::pad_packed_sequence(out, /*batch_first=*/true, 0.0, T));
    x = dropout_->forward(x);
  }
  return x;
}

void BiLstmCnnEncoder::save_vocabularies(const std::string& dir) const {
  std::filesystem::create_directories(dir);
  nlohmann::json j = {{"words", words_.to_json()}, {"chars", chars_.to_json()}};
  write_file_atomic(dir + "/" + kVocabularyFile, j.dump() + "\n");
}

std::shared_ptr<BiLstmCnnEncoder> BiLstmCnnEncoder::build(const BuildContext& context) {
  auto options = BiLstmCnnOptions::from_json(context.config.value("bilstm_cnn", nlohmann::json()));
  // Loading a saved model, or starting from another one's weights (--init): the vocabularies of that model's
  // directory, so word and character ids keep their rows; weights come later.
  const std::string path =
      (context.train ? context.init_dir : context.model_dir) + "/" + std::string(kVocabularyFile);
  if (!context.train || (!context.init_dir.empty() && std::filesystem::exists(path))) {
    if (!std::filesystem::exists(path)) throw IoError("model directory has no " + std::string(kVocabularyFile) + ": " + path);
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(read_file(path));
    } catch (const nlohmann::json::exception& e) {
      throw InputError(path, 0, std::string("not valid JSON: ") + e.what());
    }
    try {
      auto words = layers::Vocabulary::from_json(j.at("words"));
      auto chars = layers::Vocabulary::from_json(j.at("chars"));
      auto encoder = std::make_shared<BiLstmCnnEncoder>(options, std::move(words), std::move(chars), nullptr,
                                                        std::vector<int64_t>{});
      if (context.train && !context.model_dir.empty()) encoder->save_vocabularies(context.model_dir);
      return encoder;
    } catch (const nlohmann::json::exception& e) {
      throw InputError(path, 0, std::string("bad vocabulary file: ") + e.what());
    }
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
  std::vector<int64_t> singletons;
  for (const auto& [k, n] : by_count) {
    if (n < options.word_min_count || words.contains(k)) continue;
    if (vectors && !options.lowercase_words && words.contains(layers::utf8_lower(k))) continue;
    int64_t id = words.add(k);
    if (n == 1) singletons.push_back(id);
  }
  for (const auto& [c, n] : char_counts) chars.add(c);
  spdlog::info("bilstm_cnn: {} words ({} from the vector file), {} characters", words.size(),
               vectors ? keyed.size() : 0, chars.size());
  auto encoder = std::make_shared<BiLstmCnnEncoder>(options, std::move(words), std::move(chars),
                                                    vectors ? &keyed : nullptr, singletons);
  if (!context.model_dir.empty()) encoder->save_vocabularies(context.model_dir);
  return encoder;
}

void register_bilstm_cnn_encoder() {
  register_encoder("bilstm_cnn", [](const BuildContext& context) { return BiLstmCnnEncoder::build(context); });
}

}  // namespace nertool::models
