#include "nertool/text/byte_level_bpe_tokenizer.h"

#include <nlohmann/json.hpp>

#include <array>
#include <climits>

#include "nertool/core/atomic_file.h"
#include "nertool/core/error.h"
#include "nertool/core/json.h"
#include "nertool/text/unicode.h"

namespace nertool::text {
namespace {

// bytes_to_unicode: printable Latin-1 bytes stand for themselves, the others (controls, space, ...) for
// U+0100 onwards, in byte order.
std::array<std::string, 256> make_byte_symbols() {
  std::array<std::string, 256> table;
  int n = 0;
  for (int b = 0; b < 256; ++b) {
    bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    char32_t cp = printable ? static_cast<char32_t>(b) : static_cast<char32_t>(256 + n++);
    append_utf8(table[static_cast<std::size_t>(b)], cp);
  }
  return table;
}

enum class CharClass : unsigned char { kSpace, kLetter, kNumber, kOther };

CharClass classify(char32_t cp) {
  if (is_white_space(cp)) return CharClass::kSpace;
  if (is_letter(cp)) return CharClass::kLetter;
  if (is_number(cp)) return CharClass::kNumber;
  return CharClass::kOther;
}

}  // namespace

ByteLevelBpeOptions::ByteLevelBpeOptions() {
  special.cls.content = "<s>";
  special.sep.content = "</s>";
  special.pad.content = "<pad>";
  special.unk.content = "<unk>";
  special.mask.content = "<mask>";
  special.mask.lstrip = true;  // RobertaTokenizer: AddedToken(mask_token, lstrip=True, rstrip=False)
}

const std::string& ByteLevelBpeTokenizer::byte_symbol(unsigned char b) {
  static const std::array<std::string, 256> table = make_byte_symbols();
  return table[b];
}

std::unordered_map<std::string, int64_t> ByteLevelBpeTokenizer::read_vocab_file(const std::string& path) {
  const nlohmann::json j = read_json_file(path);
  if (!j.is_object()) throw InputError(path, 0, "expected a JSON object mapping tokens to ids");
  std::unordered_map<std::string, int64_t> vocab;
  vocab.reserve(j.size() * 2);
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!it.value().is_number_integer()) throw InputError(path, 0, "id of token '" + it.key() + "' is not an integer");
    vocab[it.key()] = it.value().get<int64_t>();
  }
  return vocab;
}

std::vector<std::pair<std::string, std::string>> ByteLevelBpeTokenizer::read_merges_file(const std::string& path) {
  std::string data = read_file(path);
  // HF opens it as UTF-8 and fails on anything else.
  if (!is_valid_utf8(data)) throw InputError(path, 0, "merges file is not valid UTF-8");
  // Python's universal newlines, then read().split("\n")[1:-1].
  std::string text;
  text.reserve(data.size());
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (data[i] == '\r') {
      text.push_back('\n');
      if (i + 1 < data.size() && data[i + 1] == '\n') ++i;
    } else {
      text.push_back(data[i]);
    }
  }
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '\n') {
      lines.emplace_back(std::string_view(text).substr(start, i - start));
      start = i + 1;
    }
  }
  std::vector<std::pair<std::string, std::string>> merges;
  for (std::size_t i = 1; i + 1 < lines.size(); ++i) {
    std::string_view line = lines[i];
    std::vector<std::string> parts;
    std::size_t p = 0, part_start = std::string_view::npos;
    while (p < line.size()) {
      std::size_t here = p;
      char32_t cp = next_code_point(line, p);
      if (is_python_space(cp)) {
        if (part_start != std::string_view::npos) parts.emplace_back(line.substr(part_start, here - part_start));
        part_start = std::string_view::npos;
      } else if (part_start == std::string_view::npos) {
        part_start = here;
      }
    }
    if (part_start != std::string_view::npos) parts.emplace_back(line.substr(part_start));
    // HF would rank such a line and never match it; a merges file that holds one is damaged, so it is an error.
    if (parts.size() != 2)
      throw InputError(path, i + 1, "expected a merge 'a b', found " + std::to_string(parts.size()) + " fields");
    merges.emplace_back(std::move(parts[0]), std::move(parts[1]));
  }
  return merges;
}

ByteLevelBpeTokenizer::ByteLevelBpeTokenizer(std::unordered_map<std::string, int64_t> vocab,
                                             std::vector<std::pair<std::string, std::string>> merges,
                                             ByteLevelBpeOptions options)
    : options_(std::move(options)), vocab_(std::move(vocab)) {
  settings_ = options_.settings;
  for (const auto& [token, id] : vocab_) id_to_token_[id] = token;
  ranks_.reserve(merges.size() * 2);
  for (std::size_t i = 0; i < merges.size(); ++i) {
    if (merges[i].first.empty()) continue;
    ranks_[merges[i].first + " " + merges[i].second] = static_cast<int>(i);  // a repeated merge keeps its last rank
  }
  set_special_tokens(options_.special);
}

std::string ByteLevelBpeTokenizer::id_to_token(int64_t id) const {
  auto it = id_to_token_.find(id);
  if (it == id_to_token_.end()) throw Error("token id " + std::to_string(id) + " outside the vocabulary");
  return it->second;
}

int64_t ByteLevelBpeTokenizer::token_to_id(const std::string& token) const {
  auto it = vocab_.find(token);
  return it == vocab_.end() ? -1 : it->second;
}

// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+ with the `regex` module's classes,
// tried in that order at each position as the regex engine does.
std::vector<std::string_view> ByteLevelBpeTokenizer::pre_tokenize(std::string_view text) {
  std::vector<std::size_t> offset;  // byte offset of each code point, plus the end
  std::vector<CharClass> cls;
  std::vector<char32_t> cps;
  std::size_t pos = 0;
  while (pos < text.size()) {
    offset.push_back(pos);
    char32_t cp = next_code_point(text, pos);
    cps.push_back(cp);
    cls.push_back(classify(cp));
  }
  offset.push_back(text.size());
  const std::size_t n = cps.size();
  std::vector<std::string_view> out;
  std::size_t i = 0;
  auto emit = [&](std::size_t from, std::size_t to) {
    out.push_back(text.substr(offset[from], offset[to] - offset[from]));
    i = to;
  };
  auto run_end = [&](std::size_t from, CharClass c) {
    std::size_t j = from;
    while (j < n && cls[j] == c) ++j;
    return j;
  };
  while (i < n) {
    if (cps[i] == '\'' && i + 1 < n) {
      char32_t a = cps[i + 1];
      char32_t b = i + 2 < n ? cps[i + 2] : 0;
      if (a == 's' || a == 't' || a == 'm' || a == 'd') {
        emit(i, i + 2);
        continue;
      }
      if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) {
        emit(i, i + 3);
        continue;
      }
    }
    if (cps[i] == ' ' && i + 1 < n && cls[i + 1] != CharClass::kSpace) {
      emit(i, run_end(i + 1, cls[i + 1]));
      continue;
    }
    if (cls[i] != CharClass::kSpace) {
      emit(i, run_end(i, cls[i]));
      continue;
    }
    std::size_t j = run_end(i, CharClass::kSpace);
    if (j == n || j - i == 1)
      emit(i, j);  // \s+(?!\S) at the end of the text, or \s+ for a single space before a non-space
    else
      emit(i, j - 1);  // \s+(?!\S) backs off one character, leaving it to prefix the next word
  }
  return out;
}

std::vector<std::string> ByteLevelBpeTokenizer::merge(const std::string& mapped) const {
  std::vector<std::string> word;
  std::size_t pos = 0;
  while (pos < mapped.size()) {
    std::size_t start = pos;
    next_code_point(mapped, pos);
    word.emplace_back(mapped.substr(start, pos - start));
  }
  std::string key;
  std::vector<std::string> merged;
  while (word.size() > 1) {
    int best = INT_MAX;
    std::size_t best_at = 0;
    for (std::size_t k = 0; k + 1 < word.size(); ++k) {
      key.assign(word[k]).append(" ").append(word[k + 1]);
      auto it = ranks_.find(key);
      if (it != ranks_.end() && it->second < best) {
        best = it->second;
        best_at = k;
      }
    }
    if (best == INT_MAX) break;
    const std::string first = word[best_at], second = word[best_at + 1];
    merged.clear();
    for (std::size_t k = 0; k < word.size();) {
      if (k + 1 < word.size() && word[k] == first && word[k + 1] == second) {
        merged.push_back(first + second);
        k += 2;
      } else {
        merged.push_back(std::move(word[k]));
        k += 1;
      }
    }
    word.swap(merged);
  }
  return word;
}

std::vector<std::string> ByteLevelBpeTokenizer::bpe(std::string_view pre_token) const {
  std::string mapped;
  for (unsigned char b : pre_token) mapped += byte_symbol(b);
  return merge(mapped);
}

std::size_t ByteLevelBpeTokenizer::cache_size() const {
  std::lock_guard<std::mutex> lock(cache_mutex_);
  return cache_.size();
}

void ByteLevelBpeTokenizer::tokenize_chunk(std::string_view chunk, std::vector<int64_t>& out) const {
  std::string mapped;
  for (std::string_view piece : pre_tokenize(chunk)) {
    mapped.clear();
    for (unsigned char b : piece) mapped += byte_symbol(b);
    {
      std::lock_guard<std::mutex> lock(cache_mutex_);
      auto it = cache_.find(mapped);
      if (it != cache_.end()) {
        out.insert(out.end(), it->second.begin(), it->second.end());
        continue;
      }
    }
    std::vector<int64_t> ids;
    for (const std::string& token : merge(mapped)) {
      int64_t id = token_to_id(token);
      ids.push_back(id >= 0 ? id : unk_id());
    }
    out.insert(out.end(), ids.begin(), ids.end());
    std::lock_guard<std::mutex> lock(cache_mutex_);
    if (cache_.size() >= options_.cache_capacity) cache_.clear();
    cache_.emplace(mapped, std::move(ids));
  }
}

std::string ByteLevelBpeTokenizer::prepare(std::string_view text, bool split_into_words) const {
  // RobertaTokenizer.prepare_for_tokenization: pre-split words always get the leading space.
  if ((split_into_words || settings_.add_prefix_space) && !text.empty()) {
    std::size_t pos = 0;
    if (!is_python_space(next_code_point(text, pos))) return " " + std::string(text);
  }
  return std::string(text);
}

std::string ByteLevelBpeTokenizer::default_config_json() const {
  nlohmann::ordered_json j;
  j["tokenizer_class"] = "RobertaTokenizer";
  j["add_prefix_space"] = settings_.add_prefix_space;
  if (settings_.model_max_length) j["model_max_length"] = *settings_.model_max_length;
  j["bos_token"] = options_.special.cls.content;
  j["cls_token"] = options_.special.cls.content;
  j["eos_token"] = options_.special.sep.content;
  j["sep_token"] = options_.special.sep.content;
  j["pad_token"] = options_.special.pad.content;
  j["unk_token"] = options_.special.unk.content;
  j["mask_token"] = options_.special.mask.content;
  return j.dump(2) + "\n";
}

}  // namespace nertool::text
