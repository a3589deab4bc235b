#include "nertool/text/lexicon.h"

#include <algorithm>
#include <map>

#include "nertool/core/atomic_file.h"
#include "nertool/core/error.h"
#include "nertool/text/unicode.h"

namespace nertool::text {

namespace {

constexpr char kJoin = '\x1f';  // never in a token (tokens are text without control characters here)

bool has_letter(const std::vector<std::string>& phrase) {
  for (const auto& token : phrase)
    for (std::size_t pos = 0; pos < token.size();)
      if (is_letter(next_code_point(token, pos))) return true;
  return false;
}

std::vector<std::string> split_spaces(const std::string& text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    std::size_t j = i;
    while (j < text.size() && text[j] != ' ') ++j;
    if (j > i) out.push_back(text.substr(i, j - i));
    i = j;
  }
  return out;
}

std::string join(const std::vector<std::string>& tokens, char sep) {
  std::string out;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (i) out.push_back(sep);
    out += tokens[i];
  }
  return out;
}

}  // namespace

void Lexicon::add(const std::string& category, const std::vector<std::string>& phrase) {
  if (category.empty() || category.find_first_of(" \t\n\r") != std::string::npos)
    throw Error("lexicon: category '" + category + "' is empty or holds white space");
  if (phrase.empty()) throw Error("lexicon: empty phrase for category " + category);
  std::string key;
  for (const auto& token : phrase) {
    if (token.empty() || token.find_first_of(" \t\n\r\x1f") != std::string::npos)
      throw Error("lexicon: token '" + token + "' is empty or holds white space");
    if (!is_valid_utf8(token)) throw Error("lexicon: token is not valid UTF-8");
    if (!key.empty()) key.push_back(kJoin);
    key += python_lower(token);
  }
  auto it = std::lower_bound(categories_.begin(), categories_.end(), category);
  if (it == categories_.end() || *it != category) {
    if (categories_.size() == kMaxCategories)
      throw Error("lexicon: more than " + std::to_string(kMaxCategories) + " categories (adding " + category + ")");
    // Category bits are positions in the sorted list: shift the bits of every later category up by one.
    const uint32_t at = static_cast<uint32_t>(it - categories_.begin());
    const uint32_t low = (1u << at) - 1u;
    for (auto& [k, bits] : index_) bits = (bits & low) | ((bits & ~low) << 1);
    categories_.insert(it, category);
  }
  const auto bit = static_cast<uint32_t>(
      std::lower_bound(categories_.begin(), categories_.end(), category) - categories_.begin());
  index_[key] |= 1u << bit;
  entries_.emplace(category, join(phrase, ' '));
  max_length_ = std::max(max_length_, phrase.size());
}

Lexicon Lexicon::parse(const std::string& text, const std::string& name) {
  Lexicon lexicon;
  std::size_t pos = 0, line = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string row = text.substr(pos, end - pos);
    pos = end + 1;
    ++line;
    if (!row.empty() && row.back() == '\r') row.pop_back();
    if (row.find('\0') != std::string::npos) throw InputError(name, line, "NUL byte in the line");
    if (!is_valid_utf8(row)) throw InputError(name, line, "the line is not valid UTF-8");
    if (row.find_first_not_of(" \t") == std::string::npos || row[0] == '#') continue;
    const std::size_t tab = row.find('\t');
    if (tab == std::string::npos) throw InputError(name, line, "expected CATEGORY<TAB>phrase, found no tab");
    const std::string category = row.substr(0, tab);
    const std::string phrase = row.substr(tab + 1);
    if (category.empty()) throw InputError(name, line, "empty category before the tab");
    if (phrase.find('\t') != std::string::npos) throw InputError(name, line, "more than one tab");
    auto tokens = split_spaces(phrase);
    if (tokens.empty()) throw InputError(name, line, "empty phrase after the tab");
    try {
      lexicon.add(category, tokens);
    } catch (const Error& e) {
      throw InputError(name, line, e.what());
    }
  }
  return lexicon;
}

Lexicon Lexicon::read(const std::string& path) { return parse(read_file(path), path); }

std::string Lexicon::to_text() const {
  std::string out;
  for (const auto& [category, phrase] : entries_) out += category + "\t" + phrase + "\n";
  return out;
}

Lexicon Lexicon::from_annotations(const std::vector<const data::Corpus*>& corpora, data::TagScheme scheme,
                                  const std::function<std::optional<std::string>(const std::string&)>& category_of,
                                  int64_t min_count) {
  std::map<std::pair<std::string, std::vector<std::string>>, int64_t> counts;
  for (const data::Corpus* corpus : corpora)
    for (const auto& s : corpus->sentences) {
      if (s.labels.size() != s.tokens.size())
        throw InputError(corpus->path, s.first_line, "sentence has no label column");
      for (const auto& span : data::spans_from_tags(s.labels, scheme, corpus->path, s.first_line)) {
        std::optional<std::string> category;
        try {
          category = category_of(span.type);
        } catch (const InputError&) {
          throw;
        } catch (const Error& e) {  // e.g. a type the type map does not know: say where it stands
          throw InputError(corpus->path, s.first_line + span.begin, e.what());
        }
        if (!category) continue;
        std::vector<std::string> phrase(s.tokens.begin() + static_cast<std::ptrdiff_t>(span.begin),
                                        s.tokens.begin() + static_cast<std::ptrdiff_t>(span.end));
        if (!has_letter(phrase)) continue;
        ++counts[{*category, std::move(phrase)}];
      }
    }
  Lexicon lexicon;
  for (const auto& [entry, n] : counts)
    if (n >= min_count) lexicon.add(entry.first, entry.second);
  return lexicon;
}

std::vector<LexiconPosition> Lexicon::match(const std::vector<std::string>& tokens) const {
  const std::size_t n = tokens.size(), K = categories_.size();
  std::vector<LexiconPosition> out(n * K, LexiconPosition::None);
  if (K == 0 || n == 0) return out;
  std::vector<std::string> lower(n);
  for (std::size_t t = 0; t < n; ++t) lower[t] = python_lower(tokens[t]);
  std::vector<std::size_t> free_from(K, 0);  // per category: first position not inside an earlier match
  std::vector<uint32_t> bits(max_length_ + 1);
  for (std::size_t i = 0; i < n; ++i) {
    // bits[len]: categories holding the phrase tokens[i, i + len).
    const std::size_t longest = std::min(max_length_, n - i);
    std::string key;
    for (std::size_t len = 1; len <= longest; ++len) {
      if (len > 1) key.push_back(kJoin);
      key += lower[i + len - 1];
      auto it = index_.find(key);
      bits[len] = it == index_.end() ? 0u : it->second;
    }
    for (std::size_t c = 0; c < K; ++c) {
      if (free_from[c] > i) continue;
      for (std::size_t len = longest; len >= 1; --len) {
        if (!(bits[len] >> c & 1u)) continue;
        for (std::size_t t = i; t < i + len; ++t)
          out[t * K + c] = len == 1 ? LexiconPosition::Single
                           : t == i ? LexiconPosition::Begin
                           : t + 1 == i + len ? LexiconPosition::End
                                              : LexiconPosition::Inside;
        free_from[c] = i + len;
        break;
      }
    }
  }
  return out;
}

}  // namespace nertool::text
