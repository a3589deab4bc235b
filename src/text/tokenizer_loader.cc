// load_tokenizer: detects the tokenizer kind from the files of a directory and applies the settings of
// tokenizer_config.json / special_tokens_map.json the way transformers' from_pretrained does.
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <filesystem>

#include "nertool/core/atomic_file.h"
#include "nertool/core/error.h"
#include "nertool/core/json.h"
#include "nertool/text/byte_level_bpe_tokenizer.h"
#include "nertool/text/sentencepiece_tokenizer.h"
#include "nertool/text/subword_tokenizer.h"
#include "nertool/text/wordpiece_tokenizer.h"

namespace nertool::text {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

bool exists(const std::string& dir, const std::string& name) { return fs::is_regular_file(dir + "/" + name); }

json read_json(const std::string& path) { return read_json_file(path); }

// The SentencePiece model of a directory: sentencepiece.bpe.model, else the first *.model by name.
std::string find_sentencepiece_model(const std::string& dir) {
  if (exists(dir, "sentencepiece.bpe.model")) return "sentencepiece.bpe.model";
  std::vector<std::string> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.is_regular_file() && entry.path().extension() == ".model") found.push_back(entry.path().filename());
  std::sort(found.begin(), found.end());
  return found.empty() ? std::string() : found.front();
}

// One special-token entry: a plain string keeps the kind's strip defaults, an AddedToken object brings its own.
void apply_token(const json& value, SpecialToken& token, const std::string& file, const std::string& key) {
  if (value.is_string()) {
    token.content = value.get<std::string>();
  } else if (value.is_object() && value.contains("content") && value["content"].is_string()) {
    token.content = value["content"].get<std::string>();
    token.lstrip = value.value("lstrip", false);
    token.rstrip = value.value("rstrip", false);
  } else if (!value.is_null()) {
    throw InputError(file, 0, "'" + key + "' is neither a string nor an AddedToken object");
  }
}

struct ConfigFiles {
  json config = json::object();   // tokenizer_config.json merged with special_tokens_map.json (the latter wins)
  std::vector<std::string> names;  // which of the two exist
};

ConfigFiles read_config_files(const std::string& dir) {
  ConfigFiles c;
  for (const char* name : {"tokenizer_config.json", "special_tokens_map.json"}) {
    if (!exists(dir, name)) continue;
    json j = read_json(dir + "/" + name);
    if (!j.is_object()) throw InputError(dir + "/" + name, 0, "expected a JSON object");
    for (auto it = j.begin(); it != j.end(); ++it) c.config[it.key()] = it.value();
    c.names.push_back(name);
  }
  return c;
}

void apply_settings(const json& c, const std::string& file, TokenizerSettings& s, SpecialTokens& sp) {
  auto get_bool = [&](const char* key, bool& out) {
    if (!c.contains(key) || c[key].is_null()) return;
    if (!c[key].is_boolean()) throw InputError(file, 0, std::string("'") + key + "' must be true or false");
    out = c[key].get<bool>();
  };
  get_bool("do_lower_case", s.do_lower_case);
  get_bool("tokenize_chinese_chars", s.tokenize_chinese_chars);
  get_bool("do_basic_tokenize", s.do_basic_tokenize);
  get_bool("add_prefix_space", s.add_prefix_space);
  if (c.contains("strip_accents") && !c["strip_accents"].is_null()) {
    if (!c["strip_accents"].is_boolean()) throw InputError(file, 0, "'strip_accents' must be true, false or null");
    s.strip_accents = c["strip_accents"].get<bool>();
  }
  if (c.contains("model_max_length") && c["model_max_length"].is_number()) {
    double v = c["model_max_length"].get<double>();
    if (v > 0 && v < 1e18) s.model_max_length = static_cast<int64_t>(v);  // 1e30 is HF's "no limit"
  }
  if (c.contains("never_split") && c["never_split"].is_array())
    for (const auto& t : c["never_split"])
      if (t.is_string()) s.never_split.push_back(t.get<std::string>());
  const std::pair<const char*, SpecialToken*> keys[] = {
      {"cls_token", &sp.cls}, {"sep_token", &sp.sep}, {"pad_token", &sp.pad}, {"unk_token", &sp.unk},
      {"mask_token", &sp.mask}};
  for (const auto& [key, token] : keys)
    if (c.contains(key)) apply_token(c[key], *token, file, key);
  if (c.contains("additional_special_tokens") && c["additional_special_tokens"].is_array()) {
    for (const auto& v : c["additional_special_tokens"]) {
      SpecialToken t;
      t.lstrip = t.rstrip = v.is_string();  // plain strings strip both neighbours
      apply_token(v, t, file, "additional_special_tokens");
      sp.extra.push_back(t);
    }
  }
}

// A whole number from 0 to below `limit`, named `what` in the error: a float, or a number beyond the range, is
// refused before any conversion (converting one to an integer is undefined behaviour).
int64_t whole_number(const json& v, const std::string& file, const std::string& what, int64_t limit) {
  if (!v.is_number_integer()) throw InputError(file, 0, what + " is not a whole number");
  // The JSON reader keeps a non-negative number as unsigned: compared as such, a number beyond int64 cannot wrap.
  const bool in_range = v.is_number_unsigned() ? v.get<uint64_t>() < static_cast<uint64_t>(limit)
                                               : v.get<int64_t>() >= 0 && v.get<int64_t>() < limit;
  if (!in_range) throw InputError(file, 0, what + " (" + v.dump() + ") is not from 0 to " + std::to_string(limit - 1));
  return v.get<int64_t>();
}

// The id of `token` in a model's vocab object or among the special tokens, below `limit` (an id that would size
// the vocabulary beyond its entries is refused before it is used).
int64_t vocab_id(const json& v, const std::string& file, const std::string& token, int64_t limit = INT64_MAX) {
  return whole_number(v, file, "the id of token '" + token + "'", limit);
}

// [token, id] pairs of BertProcessing / RobertaProcessing.
SpecialToken processing_token(const json& v, const std::string& file) {
  SpecialToken t;
  if (!v.is_array() || v.size() != 2 || !v[0].is_string() || !v[1].is_number_integer())
    throw InputError(file, 0, "post_processor special token is not a [token, id] pair");
  t.content = v[0].get<std::string>();
  t.id = vocab_id(v[1], file, t.content);
  return t;
}

// A tokenizer.json normalizer: Unicode normalization forms around at most one BertNormalizer, the only parts the
// tokenizers mapped onto here can honour exactly. Sequences are flattened in order.
struct NormalizerParts {
  json bert;  // the BertNormalizer object; null when there is none
  std::vector<UnicodeForm> before, after;
};

void collect_normalizer(const json& n, const std::string& file, NormalizerParts& parts, int depth) {
  if (n.is_null()) return;
  if (depth > 16) throw InputError(file, 0, "normalizer Sequences nested more than 16 deep");
  const std::string type = n.is_object() ? n.value("type", std::string()) : std::string();
  if (type == "Sequence") {
    if (!n.contains("normalizers") || !n["normalizers"].is_array())
      throw InputError(file, 0, "normalizer Sequence without a 'normalizers' list");
    for (const auto& part : n["normalizers"]) collect_normalizer(part, file, parts, depth + 1);
  } else if (type == "BertNormalizer") {
    if (!parts.bert.is_null()) throw ConfigError(file + ": a normalizer with two BertNormalizers is not supported");
    parts.bert = n;
  } else if (auto form = parse_unicode_form(type)) {
    (parts.bert.is_null() ? parts.before : parts.after).push_back(*form);
  } else {
    throw ConfigError(file + ": normalizer '" + (type.empty() ? n.dump() : type) +
                      "' is not supported (supported: BertNormalizer, NFC, NFD, NFKC, NFKD and Sequences of them)");
  }
}

NormalizerParts read_normalizer(const json& n, const std::string& file) {
  NormalizerParts parts;
  collect_normalizer(n, file, parts, 0);
  return parts;
}

// The model type of a tokenizer.json; files written by tokenizers < 0.10 name none: inferred from the fields.
std::string model_type(const json& model) {
  std::string type = model.value("type", std::string());
  if (!type.empty()) return type;
  if (model.contains("merges")) return "BPE";
  if (model.contains("vocab") && model["vocab"].is_array()) return "Unigram";
  if (model.contains("vocab") && model["vocab"].is_object()) return "WordPiece";
  return type;
}

std::string type_of(const json& v) { return v.is_object() ? v.value("type", std::string("?")) : std::string(); }

// The tokens a post-processor puts around a sequence (cls before, sep after).
SpecialTokens post_processor_tokens(const json& post, const std::string& file) {
  SpecialTokens special;
  const std::string post_type = type_of(post);
  if (post_type == "BertProcessing" || post_type == "RobertaProcessing") {
    special.cls = processing_token(post.at("cls"), file);
    special.sep = processing_token(post.at("sep"), file);
  } else if (post_type == "TemplateProcessing") {
    const json& single = post.at("single");
    bool seen_sequence = false;
    if (!single.is_array() || single.empty()) throw InputError(file, 0, "TemplateProcessing 'single' is not a list");
    for (const auto& piece : single) {
      if (piece.contains("SpecialToken")) {
        std::string id = piece["SpecialToken"].value("id", std::string());
        if (!seen_sequence && special.cls.content.empty())
          special.cls.content = id;
        else if (seen_sequence && special.sep.content.empty())
          special.sep.content = id;
        else
          throw ConfigError(file + ": TemplateProcessing with more than one token on a side is not supported");
      } else if (piece.contains("Sequence")) {
        seen_sequence = true;
      }
    }
  } else if (!post_type.empty()) {
    throw ConfigError(file + ": post_processor type '" + post_type + "' is not supported (supported: BertProcessing, "
                      "RobertaProcessing, TemplateProcessing)");
  }
  return special;
}

// Added special tokens: never split, each with its own strip flags.
std::vector<SpecialToken> added_special_tokens(const json& j, const std::string& file) {
  std::vector<SpecialToken> added;
  if (!j.contains("added_tokens") || !j["added_tokens"].is_array()) return added;
  for (const auto& a : j["added_tokens"]) {
    if (!a.value("special", false)) continue;
    SpecialToken t;
    t.content = a.value("content", std::string());
    if (a.contains("id") && !a["id"].is_null()) t.id = vocab_id(a["id"], file, t.content);
    t.lstrip = a.value("lstrip", false);
    t.rstrip = a.value("rstrip", false);
    added.push_back(t);
  }
  return added;
}

// The first added token named `name`, copied into `out` (left as it is when there is none).
void take_added(const std::vector<SpecialToken>& added, const std::string& name, SpecialToken& out) {
  for (const auto& a : added)
    if (a.content == name) {
      out = a;
      return;
    }
}

// The parts of a tokenizer.json every model kind needs.
struct TokenizerJson {
  std::string file;
  json model, pre;
  NormalizerParts normalizer;
  SpecialTokens around;  // from the post-processor
  std::vector<SpecialToken> added;
};

std::unique_ptr<SubwordTokenizer> wordpiece_from_json(const TokenizerJson& t, const ConfigFiles& cfg,
                                                      const std::string& dir) {
  const json& normalizer = t.normalizer.bert;
  if (normalizer.is_null())
    throw ConfigError(t.file + ": WordPiece without a BertNormalizer is not supported (the BERT rules need one)");
  const std::string pre_type = type_of(t.pre);
  if (pre_type != "BertPreTokenizer")
    throw ConfigError(t.file + ": WordPiece with pre_tokenizer '" + (pre_type.empty() ? "null" : pre_type) +
                      "' is not supported (supported: BertPreTokenizer)");
  if (!normalizer.value("clean_text", true))
    throw ConfigError(t.file + ": BertNormalizer with clean_text=false is not supported");
  WordPieceOptions options;
  options.settings.do_lower_case = normalizer.value("lowercase", false);
  options.settings.tokenize_chinese_chars = normalizer.value("handle_chinese_chars", true);
  if (normalizer.contains("strip_accents") && normalizer["strip_accents"].is_boolean())
    options.settings.strip_accents = normalizer["strip_accents"].get<bool>();
  options.settings.normalize_before = t.normalizer.before;
  options.settings.normalize_after = t.normalizer.after;
  options.continuing_subword_prefix = t.model.value("continuing_subword_prefix", std::string("##"));
  if (t.model.contains("max_input_chars_per_word"))
    options.max_input_chars_per_word = static_cast<int>(
        whole_number(t.model["max_input_chars_per_word"], t.file, "max_input_chars_per_word", INT_MAX));
  const json& vocab = t.model.at("vocab");
  std::vector<std::string> tokens;
  for (auto it = vocab.begin(); it != vocab.end(); ++it) {
    // WordPiece ids index the token list: dense, below the number of entries.
    const int64_t id = vocab_id(it.value(), t.file, it.key(), static_cast<int64_t>(vocab.size()));
    if (static_cast<std::size_t>(id) >= tokens.size()) tokens.resize(static_cast<std::size_t>(id) + 1);
    tokens[static_cast<std::size_t>(id)] = it.key();
  }
  for (auto [dst, src] : {std::pair{&options.special.cls, &t.around.cls}, std::pair{&options.special.sep, &t.around.sep}})
    if (!src->content.empty()) {
      dst->content = src->content;
      dst->id = src->id;
    }
  if (t.model.contains("unk_token") && t.model["unk_token"].is_string())
    options.special.unk.content = t.model["unk_token"].get<std::string>();
  take_added(t.added, "[PAD]", options.special.pad);
  take_added(t.added, "[MASK]", options.special.mask);
  for (SpecialToken* s : {&options.special.cls, &options.special.sep, &options.special.pad, &options.special.unk,
                          &options.special.mask})
    s->lstrip = s->rstrip = true;
  apply_settings(cfg.config, dir + "/tokenizer_config.json", options.settings, options.special);
  return std::make_unique<WordPieceTokenizer>(std::move(tokens), options);
}

// merges as "a b" strings or [a, b] pairs.
std::vector<std::pair<std::string, std::string>> merges_from_json(const json& list, const std::string& file) {
  std::vector<std::pair<std::string, std::string>> merges;
  for (const auto& m : list) {
    if (m.is_string()) {
      const std::string s = m.get<std::string>();
      const auto space = s.find(' ');
      if (space == std::string::npos) throw InputError(file, 0, "merge '" + s + "' is not 'a b'");
      merges.emplace_back(s.substr(0, space), s.substr(space + 1));
    } else if (m.is_array() && m.size() == 2) {
      merges.emplace_back(m[0].get<std::string>(), m[1].get<std::string>());
    } else {
      throw InputError(file, 0, "a merge is neither 'a b' nor [a, b]");
    }
  }
  return merges;
}

// The BPE features this loader does not implement, named.
void check_byte_level_bpe(const TokenizerJson& t) {
  const std::string pre_type = type_of(t.pre);
  if (pre_type != "ByteLevel")
    throw ConfigError(t.file + ": BPE with pre_tokenizer '" + (pre_type.empty() ? "null" : pre_type) +
                      "' is not supported (supported: ByteLevel, i.e. GPT-2/RoBERTa byte-level BPE)");
  if (!t.pre.value("use_regex", true))
    throw ConfigError(t.file + ": ByteLevel pre_tokenizer with use_regex=false is not supported");
  if (!t.normalizer.bert.is_null())
    throw ConfigError(t.file + ": byte-level BPE with a BertNormalizer is not supported");
  if (t.model.contains("dropout") && !t.model["dropout"].is_null())
    throw ConfigError(t.file + ": BPE dropout is not supported");
  for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"})
    if (t.model.contains(key) && t.model[key].is_string() && !t.model[key].get<std::string>().empty())
      throw ConfigError(t.file + ": BPE " + key + " is not supported");
  if (t.model.value("byte_fallback", false)) throw ConfigError(t.file + ": BPE byte_fallback is not supported");
}

std::unique_ptr<SubwordTokenizer> bpe_from_json(const TokenizerJson& t, const ConfigFiles& cfg, const std::string& dir) {
  check_byte_level_bpe(t);
  ByteLevelBpeOptions options;
  options.settings.add_prefix_space = t.pre.value("add_prefix_space", false);
  options.settings.normalize_before = t.normalizer.before;  // no BertNormalizer here, so every form comes before
  std::unordered_map<std::string, int64_t> vocab;
  for (auto it = t.model.at("vocab").begin(); it != t.model.at("vocab").end(); ++it)
    vocab[it.key()] = vocab_id(it.value(), t.file, it.key());
  auto merges = merges_from_json(t.model.at("merges"), t.file);
  if (!t.around.cls.content.empty()) options.special.cls = t.around.cls;
  if (!t.around.sep.content.empty()) options.special.sep = t.around.sep;
  if (t.model.contains("unk_token") && t.model["unk_token"].is_string())
    options.special.unk.content = t.model["unk_token"].get<std::string>();
  take_added(t.added, "<pad>", options.special.pad);
  take_added(t.added, "<mask>", options.special.mask);
  apply_settings(cfg.config, dir + "/tokenizer_config.json", options.settings, options.special);
  return std::make_unique<ByteLevelBpeTokenizer>(std::move(vocab), std::move(merges), options);
}

// tokenizer.json (the Hugging Face tokenizers format): WordPiece with the BERT normalizer/pre-tokenizer and
// byte-level BPE are mapped onto the slow-tokenizer implementations; anything else is named in the error.
std::unique_ptr<SubwordTokenizer> load_tokenizer_json(const std::string& dir, const ConfigFiles& cfg) {
  TokenizerJson t;
  t.file = dir + "/tokenizer.json";
  const json j = read_json(t.file);
  if (!j.is_object() || !j.contains("model") || !j["model"].is_object())
    throw InputError(t.file, 0, "no 'model' object");
  t.model = j["model"];
  t.pre = j.value("pre_tokenizer", json());
  t.normalizer = read_normalizer(j.value("normalizer", json()), t.file);
  t.around = post_processor_tokens(j.value("post_processor", json()), t.file);
  t.added = added_special_tokens(j, t.file);
  const std::string type = model_type(t.model);
  if (type == "WordPiece") return wordpiece_from_json(t, cfg, dir);
  if (type == "BPE") return bpe_from_json(t, cfg, dir);
  throw ConfigError(t.file + ": model type '" + type + "' is not supported from tokenizer.json (supported: WordPiece, "
                    "BPE with ByteLevel); for SentencePiece (Unigram) models put the .model file in " + dir);
}

}  // namespace

bool has_tokenizer_files(const std::string& dir) {
  return exists(dir, "vocab.txt") || (exists(dir, "vocab.json") && exists(dir, "merges.txt")) ||
         !find_sentencepiece_model(dir).empty() || exists(dir, "tokenizer.json");
}

// The fast tokenizer that users load reads tokenizer.json, also where the slow files lie beside it: Unicode
// normalizations its normalizer asks for apply to the slow files too. A normalizer this loader cannot follow
// changes nothing here: the slow files define the tokenizer then, as they always did.
static void apply_fast_normalizer(const std::string& dir, TokenizerSettings& settings) {
  if (!exists(dir, "tokenizer.json")) return;
  const std::string file = dir + "/tokenizer.json";
  const std::string text = read_file(file);
  // Most files (bert-base-cased, roberta-base) name no Unicode form: skip parsing their megabytes at start-up.
  if (text.find("\"NF") == std::string::npos) return;
  const json j = parse_json(text, file);
  if (!j.is_object()) return;
  try {
    const NormalizerParts parts = read_normalizer(j.value("normalizer", json()), file);
    settings.normalize_before = parts.before;
    settings.normalize_after = parts.after;
  } catch (const ConfigError& e) {
    spdlog::debug("{}: normalizer not followed for the slow files: {}", file, e.what());
  }
}

// load_tokenizer without the guard against JSON values of unexpected types.
static std::unique_ptr<SubwordTokenizer> load_tokenizer_files(const std::string& dir) {
  const ConfigFiles cfg = read_config_files(dir);
  const std::string cfg_file = dir + "/" + (cfg.names.empty() ? "tokenizer_config.json" : cfg.names.back());
  std::unique_ptr<SubwordTokenizer> tok;
  std::vector<std::string> files;
  if (exists(dir, "vocab.txt")) {
    WordPieceOptions options;
    options.settings.do_lower_case = true;  // BertTokenizer's default when the config does not say
    if (!cfg.config.contains("do_lower_case"))
      spdlog::warn("{}: no do_lower_case in tokenizer_config.json; lower-casing as BertTokenizer does by default",
                   dir);
    apply_settings(cfg.config, cfg_file, options.settings, options.special);
    apply_fast_normalizer(dir, options.settings);
    tok = std::make_unique<WordPieceTokenizer>(WordPieceTokenizer::read_vocab_file(dir + "/vocab.txt"), options);
    files = {"vocab.txt"};
  } else if (exists(dir, "vocab.json") && exists(dir, "merges.txt")) {
    ByteLevelBpeOptions options;
    apply_settings(cfg.config, cfg_file, options.settings, options.special);
    apply_fast_normalizer(dir, options.settings);
    tok = std::make_unique<ByteLevelBpeTokenizer>(ByteLevelBpeTokenizer::read_vocab_file(dir + "/vocab.json"),
                                                  ByteLevelBpeTokenizer::read_merges_file(dir + "/merges.txt"),
                                                  options);
    files = {"vocab.json", "merges.txt"};
  } else if (std::string model = find_sentencepiece_model(dir); !model.empty()) {
    SentencePieceOptions options;
    apply_settings(cfg.config, cfg_file, options.settings, options.special);
    tok = std::make_unique<SentencePieceTokenizer>(dir + "/" + model, options);
    files = {model};
  } else if (exists(dir, "tokenizer.json")) {
    tok = load_tokenizer_json(dir, cfg);
    files = {"tokenizer.json"};
  } else {
    throw ConfigError("no tokenizer files in " + dir +
                      " (expected vocab.txt, vocab.json + merges.txt, a SentencePiece *.model or tokenizer.json)");
  }
  if (exists(dir, "tokenizer.json") && files.front() != "tokenizer.json") files.push_back("tokenizer.json");
  for (const auto& name : cfg.names) files.push_back(name);
  tok->set_source(dir, files);
  return tok;
}

std::unique_ptr<SubwordTokenizer> load_tokenizer(const std::string& dir) {
  if (!fs::is_directory(dir)) throw IoError("tokenizer directory not found: " + dir);
  try {
    return load_tokenizer_files(dir);
  } catch (const json::exception& e) {  // a value of another JSON type than the file format has there
    std::string what = e.what();
    const std::size_t cut = what.find("] ");
    throw InputError(dir, 0, "tokenizer files with unexpected content: " +
                                 (cut == std::string::npos ? what : what.substr(cut + 2)));
  }
}

}  // namespace nertool::text
