#include "nertool/text/subword_tokenizer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>

#include "nertool/core/atomic_file.h"
#include "nertool/core/error.h"
#include "nertool/text/unicode.h"

namespace nertool::text {

void SubwordTokenizer::set_special_tokens(SpecialTokens tokens) {
  auto resolve = [this](SpecialToken& t) {
    if (t.id < 0 && !t.content.empty()) t.id = token_to_id(t.content);
  };
  for (SpecialToken* t : {&tokens.cls, &tokens.sep, &tokens.pad, &tokens.unk, &tokens.mask}) resolve(*t);
  for (auto& t : tokens.extra) resolve(t);
  cls_ = tokens.cls;
  sep_ = tokens.sep;
  pad_ = tokens.pad;
  unk_ = tokens.unk;
  mask_ = tokens.mask;
  no_split_.clear();
  for (const SpecialToken* t : {&cls_, &sep_, &pad_, &unk_, &mask_})
    if (!t->content.empty()) no_split_.push_back(*t);
  for (const auto& t : tokens.extra)
    if (!t.content.empty()) no_split_.push_back(t);
  // Longest first, so that a token that is a prefix of another never wins (HF's trie takes the longest match).
  std::stable_sort(no_split_.begin(), no_split_.end(),
                   [](const SpecialToken& a, const SpecialToken& b) { return a.content.size() > b.content.size(); });
  no_split_.erase(std::unique(no_split_.begin(), no_split_.end(),
                              [](const SpecialToken& a, const SpecialToken& b) { return a.content == b.content; }),
                  no_split_.end());
}

void SubwordTokenizer::tokenize(std::string_view text, bool split_into_words, std::vector<int64_t>& out) const {
  const std::string prepared = prepare(text, split_into_words);
  const std::string_view t = prepared;
  struct Part {
    std::string_view text;
    const SpecialToken* special;
  };
  std::vector<Part> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i < t.size();) {
    const SpecialToken* hit = nullptr;
    for (const auto& sp : no_split_) {
      if (t.compare(i, sp.content.size(), sp.content) == 0) {
        hit = &sp;
        break;
      }
    }
    if (!hit) {
      ++i;
      continue;
    }
    parts.push_back({t.substr(start, i - start), nullptr});
    parts.push_back({hit->content, hit});
    i += hit->content.size();
    start = i;
  }
  parts.push_back({t.substr(start), nullptr});
  // A special token found in text strips the whitespace next to it (AddedToken lstrip/rstrip).
  for (std::size_t k = 0; k < parts.size(); ++k) {
    const SpecialToken* sp = parts[k].special;
    if (!sp) continue;
    if (sp->rstrip && k + 1 < parts.size() && !parts[k + 1].special)
      parts[k + 1].text = python_lstrip(parts[k + 1].text);
    if (sp->lstrip && k > 0 && !parts[k - 1].special) parts[k - 1].text = python_rstrip(parts[k - 1].text);
  }
  for (const Part& part : parts) {
    if (part.special)
      out.push_back(part.special->id >= 0 ? part.special->id : unk_.id);
    else if (!part.text.empty() && settings_.normalize_before.empty())
      tokenize_chunk(part.text, out);
    else if (!part.text.empty())
      tokenize_chunk(normalize_all(part.text, settings_.normalize_before), out);
  }
}

std::vector<int64_t> SubwordTokenizer::encode_word(const std::string& word) const {
  std::vector<int64_t> ids;
  tokenize(word, /*split_into_words=*/true, ids);
  return ids;
}

WordEncoding SubwordTokenizer::encode_words(const std::vector<std::string>& words) const {
  WordEncoding enc;
  enc.input_ids.reserve(words.size() * 2 + 2);
  enc.word_first_subword.reserve(words.size());
  enc.word_num_subwords.reserve(words.size());
  if (cls_.id >= 0) enc.input_ids.push_back(cls_.id);
  for (const std::string& word : words) {
    const std::size_t before = enc.input_ids.size();
    tokenize(word, /*split_into_words=*/true, enc.input_ids);
    const std::size_t n = enc.input_ids.size() - before;
    enc.word_first_subword.push_back(n > 0 ? static_cast<int64_t>(before) : -1);
    enc.word_num_subwords.push_back(static_cast<int64_t>(n));
  }
  if (sep_.id >= 0) enc.input_ids.push_back(sep_.id);
  return enc;
}

std::vector<int64_t> SubwordTokenizer::encode_text(const std::string& text, bool add_special_tokens) const {
  std::vector<int64_t> ids;
  if (add_special_tokens && cls_.id >= 0) ids.push_back(cls_.id);
  tokenize(text, /*split_into_words=*/false, ids);
  if (add_special_tokens && sep_.id >= 0) ids.push_back(sep_.id);
  return ids;
}

void SubwordTokenizer::save(const std::string& dir) const {
  namespace fs = std::filesystem;
  if (source_dir_.empty() || files_.empty())
    throw ConfigError("cannot save a tokenizer that was not loaded from files");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw IoError("cannot create directory " + dir + ": " + ec.message());
  bool has_config = false;
  for (const std::string& name : files_) {
    const std::string src = source_dir_ + "/" + name;
    const std::string dst = dir + "/" + name;
    if (name == "tokenizer_config.json") has_config = true;
    if (fs::exists(dst) && fs::equivalent(src, dst, ec)) continue;
    write_file_atomic(dst, read_file(src));
  }
  if (!has_config) write_file_atomic(dir + "/tokenizer_config.json", default_config_json());
}

std::string normalize_all(std::string_view text, const std::vector<UnicodeForm>& forms) {
  std::string out(text);
  for (UnicodeForm form : forms) out = normalize(out, form);
  return out;
}

std::string model_tokenizer_dir(const std::string& model_dir) { return model_dir + "/tokenizer"; }

}  // namespace nertool::text
