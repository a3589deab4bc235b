#include "nertool/text/wordpiece_tokenizer.h"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "nertool/core/atomic_file.h"
#include "nertool/core/error.h"
#include "nertool/text/unicode.h"

namespace nertool::text {
namespace {

// BasicTokenizer._is_control: categories C* except tab, newline and carriage return.
bool is_control(char32_t cp) {
  if (cp == '\t' || cp == '\n' || cp == '\r') return false;
  return unicode_category(cp)[0] == 'C';
}

// BasicTokenizer._is_whitespace: space, tab, newline, carriage return and category Zs.
bool is_bert_whitespace(char32_t cp) {
  if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r') return true;
  const char* cat = unicode_category(cp);
  return cat[0] == 'Z' && cat[1] == 's';
}

// BasicTokenizer._is_punctuation: every non-alphanumeric ASCII symbol, plus Unicode category P*.
bool is_punctuation(char32_t cp) {
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126))
    return true;
  return unicode_category(cp)[0] == 'P';
}

// BasicTokenizer._is_chinese_char: the CJK Unified Ideographs blocks (not Hangul, Hiragana or Katakana).
bool is_cjk(char32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF) ||
         (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

// whitespace_tokenize: Python's str.split() without arguments.
void split_python_whitespace(std::string_view text, std::vector<std::string_view>& out) {
  std::size_t pos = 0, start = std::string_view::npos;
  while (pos < text.size()) {
    std::size_t here = pos;
    char32_t cp = next_code_point(text, pos);
    if (is_python_space(cp)) {
      if (start != std::string_view::npos) out.push_back(text.substr(start, here - start));
      start = std::string_view::npos;
    } else if (start == std::string_view::npos) {
      start = here;
    }
  }
  if (start != std::string_view::npos) out.push_back(text.substr(start));
}

}  // namespace

WordPieceOptions::WordPieceOptions() {
  special.cls.content = "[CLS]";
  special.sep.content = "[SEP]";
  special.pad.content = "[PAD]";
  special.unk.content = "[UNK]";
  special.mask.content = "[MASK]";
  for (SpecialToken* t : {&special.cls, &special.sep, &special.pad, &special.unk, &special.mask})
    t->lstrip = t->rstrip = true;  // plain-string special tokens: HF strips both neighbours
}

std::vector<std::string> WordPieceTokenizer::read_vocab_file(const std::string& path) {
  std::string data = read_file(path);
  std::vector<std::string> vocab;
  std::string line;
  for (std::size_t i = 0; i < data.size(); ++i) {
    char c = data[i];
    if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < data.size() && data[i + 1] == '\n') ++i;
      vocab.push_back(std::move(line));
      line.clear();
    } else {
      line.push_back(c);
    }
  }
  if (!line.empty()) vocab.push_back(std::move(line));
  if (vocab.empty()) throw InputError(path, 0, "empty WordPiece vocabulary");
  if (!is_valid_utf8(data)) throw InputError(path, 0, "vocabulary is not valid UTF-8");
  return vocab;
}

WordPieceTokenizer::WordPieceTokenizer(std::vector<std::string> vocab, WordPieceOptions options)
    : options_(std::move(options)), id_to_token_(std::move(vocab)) {
  settings_ = options_.settings;
  vocab_.reserve(id_to_token_.size() * 2);
  for (std::size_t i = 0; i < id_to_token_.size(); ++i) {
    vocab_[id_to_token_[i]] = static_cast<int64_t>(i);
    max_piece_bytes_ = std::max(max_piece_bytes_, id_to_token_[i].size());
  }
  set_special_tokens(options_.special);
  unk_id_ = unk_id();
  if (unk_id_ < 0) throw ConfigError("WordPiece vocabulary has no unknown token '" + options_.special.unk.content + "'");
}

std::string WordPieceTokenizer::id_to_token(int64_t id) const {
  if (id < 0 || id >= vocab_size()) throw Error("token id " + std::to_string(id) + " outside the vocabulary");
  return id_to_token_[static_cast<std::size_t>(id)];
}

int64_t WordPieceTokenizer::token_to_id(const std::string& token) const {
  auto it = vocab_.find(token);
  return it == vocab_.end() ? -1 : it->second;
}

bool WordPieceTokenizer::is_never_split(std::string_view token) const {
  for (const auto& t : options_.settings.never_split)
    if (t == token) return true;
  const SpecialTokens& sp = options_.special;
  for (const SpecialToken* t : {&sp.cls, &sp.sep, &sp.pad, &sp.unk, &sp.mask})
    if (t->content == token) return true;
  for (const auto& t : sp.extra)
    if (t.content == token) return true;
  return false;
}

std::vector<std::string> WordPieceTokenizer::basic_tokenize(std::string_view text) const {
  const TokenizerSettings& s = options_.settings;
  // _clean_text and _tokenize_chinese_chars.
  std::string cleaned;
  cleaned.reserve(text.size() + 8);
  std::size_t pos = 0;
  while (pos < text.size()) {
    char32_t cp = next_code_point(text, pos);
    if (cp == 0 || cp == 0xFFFD || is_control(cp)) continue;
    if (is_bert_whitespace(cp)) {
      cleaned.push_back(' ');
    } else if (s.tokenize_chinese_chars && is_cjk(cp)) {
      cleaned.push_back(' ');
      append_utf8(cleaned, cp);
      cleaned.push_back(' ');
    } else {
      append_utf8(cleaned, cp);
    }
  }
  // No Unicode normalization of its own: transformers 4.29.2's BasicTokenizer has none (NFC came in 4.31) and the
  // fast BertNormalizer never had one, so a decomposed accent stays two code points, as the model saw in training.
  std::vector<std::string_view> words;
  split_python_whitespace(cleaned, words);
  const bool strip = s.strip_accents.has_value() ? *s.strip_accents : s.do_lower_case;
  std::vector<std::string> out;
  for (std::string_view word : words) {
    if (is_never_split(word)) {
      out.emplace_back(word);
      continue;
    }
    std::string token(word);
    if (s.do_lower_case) token = python_lower(token);
    if (strip) token = strip_accents(token);
    if (!s.normalize_after.empty()) token = normalize_all(token, s.normalize_after);
    // _run_split_on_punc: every punctuation character becomes a token of its own.
    std::size_t p = 0;
    std::string current;
    while (p < token.size()) {
      std::size_t start = p;
      char32_t cp = next_code_point(token, p);
      if (is_punctuation(cp)) {
        if (!current.empty()) out.push_back(std::move(current));
        current.clear();
        out.emplace_back(token.substr(start, p - start));
      } else {
        current.append(token, start, p - start);
      }
    }
    if (!current.empty()) out.push_back(std::move(current));
  }
  // The final whitespace_tokenize(" ".join(...)) re-splits on whitespace and drops empty tokens; lower-casing and
  // accent stripping create no whitespace, so dropping empties is all that remains of it.
  out.erase(std::remove_if(out.begin(), out.end(), [](const std::string& t) { return t.empty(); }), out.end());
  return out;
}

void WordPieceTokenizer::wordpiece_ids(std::string_view token, std::vector<int64_t>& out) const {
  // Byte offsets of the code point boundaries.
  std::vector<std::size_t> bounds;
  bounds.reserve(token.size() + 1);
  std::size_t pos = 0;
  while (pos < token.size()) {
    bounds.push_back(pos);
    next_code_point(token, pos);
  }
  bounds.push_back(token.size());
  const std::size_t num_chars = bounds.size() - 1;
  if (num_chars > static_cast<std::size_t>(options_.max_input_chars_per_word)) {
    out.push_back(unk_id_);
    return;
  }
  const std::size_t first = out.size();
  std::string candidate;
  std::size_t start = 0;
  while (start < num_chars) {
    int64_t found = -1;
    std::size_t end = num_chars;
    const std::string& prefix = start > 0 ? options_.continuing_subword_prefix : std::string();
    for (; end > start; --end) {
      std::size_t bytes = bounds[end] - bounds[start];
      if (prefix.size() + bytes > max_piece_bytes_) continue;  // longer than every vocabulary entry
      candidate.assign(prefix);
      candidate.append(token.substr(bounds[start], bytes));
      auto it = vocab_.find(candidate);
      if (it != vocab_.end()) {
        found = it->second;
        break;
      }
    }
    if (found < 0) {  // the whole word becomes [UNK]
      out.resize(first);
      out.push_back(unk_id_);
      return;
    }
    out.push_back(found);
    start = end;
  }
}

std::vector<std::string> WordPieceTokenizer::wordpiece(std::string_view token) const {
  std::vector<int64_t> ids;
  wordpiece_ids(token, ids);
  std::vector<std::string> pieces;
  for (int64_t id : ids) pieces.push_back(id >= 0 ? id_to_token(id) : options_.special.unk.content);
  return pieces;
}

void WordPieceTokenizer::tokenize_chunk(std::string_view chunk, std::vector<int64_t>& out) const {
  if (!options_.settings.do_basic_tokenize) {
    std::vector<std::string_view> words;
    split_python_whitespace(chunk, words);
    for (std::string_view w : words) wordpiece_ids(w, out);
    return;
  }
  for (const std::string& token : basic_tokenize(chunk)) {
    if (is_never_split(token)) {
      int64_t id = token_to_id(token);
      out.push_back(id >= 0 ? id : unk_id_);
    } else {
      wordpiece_ids(token, out);
    }
  }
}

std::string WordPieceTokenizer::default_config_json() const {
  nlohmann::ordered_json j;
  j["tokenizer_class"] = "BertTokenizer";
  j["do_lower_case"] = settings_.do_lower_case;
  if (settings_.strip_accents.has_value())
    j["strip_accents"] = *settings_.strip_accents;
  else
    j["strip_accents"] = nullptr;
  j["tokenize_chinese_chars"] = settings_.tokenize_chinese_chars;
  j["do_basic_tokenize"] = settings_.do_basic_tokenize;
  if (settings_.model_max_length) j["model_max_length"] = *settings_.model_max_length;
  j["cls_token"] = options_.special.cls.content;
  j["sep_token"] = options_.special.sep.content;
  j["pad_token"] = options_.special.pad.content;
  j["unk_token"] = options_.special.unk.content;
  j["mask_token"] = options_.special.mask.content;
  return j.dump(2) + "\n";
}

}  // namespace nertool::text
