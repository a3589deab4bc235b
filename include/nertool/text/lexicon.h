#pragma once
// A lexicon (gazetteer) of entity names by category, and the per-token match features Chiu & Nichols (2016, §2.4)
// feed their BiLSTM-CNN: for each category, the token's BIOES position inside the longest lexicon phrase of that
// category that covers it, phrases matched greedily left to right without overlap within a category.
//
// Matching ignores case (phrases and tokens are lower-cased as Python's str.lower does): CoNLL-2003 has all-capital headlines
// ("JAPAN GET LUCKY WIN"), and the tagger's casing feature already tells how a matched word is written.
//
// File format (docs/lexicon.md): UTF-8 text, one entry per line, `CATEGORY<TAB>phrase`, the phrase's tokens
// separated by single spaces; blank lines and lines starting with '#' are ignored.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "nertool/data/conll.h"
#include "nertool/data/tag_scheme.h"

namespace nertool::text {

// A token's position in a matched phrase, per category: the feature value (0 = no match).
enum class LexiconPosition : uint8_t { None = 0, Begin, Inside, End, Single };
constexpr int64_t kLexiconPositions = 4;  // Begin, Inside, End, Single: one feature each

class Lexicon {
 public:
  static constexpr std::size_t kMaxCategories = 32;  // categories are bits of a 32-bit mask

  // Adds one entry. Throws Error on an empty category or phrase, a token that is empty or holds a space or tab, or a
  // 33rd category.
  void add(const std::string& category, const std::vector<std::string>& phrase);

  // Reads the file format above. Throws IoError (unreadable) or InputError(path, line, problem).
  static Lexicon read(const std::string& path);
  static Lexicon parse(const std::string& text, const std::string& name);
  // The file format: entries sorted by category, then phrase.
  std::string to_text() const;

  // Every entity of the corpora (labels in `scheme`) whose type `category_of` maps to a category (nullopt: left
  // out), once it is seen at least `min_count` times as that category. A phrase without any letter is left out:
  // annotation noise such as "288" or "/." as a place would fire on every number. Throws InputError naming the file and line
  // of an invalid tag sequence or a sentence without labels.
  static Lexicon from_annotations(const std::vector<const data::Corpus*>& corpora, data::TagScheme scheme,
                                  const std::function<std::optional<std::string>(const std::string&)>& category_of,
                                  int64_t min_count = 1);

  const std::vector<std::string>& categories() const { return categories_; }  // sorted
  std::size_t size() const { return entries_.size(); }
  std::size_t max_phrase_length() const { return max_length_; }

  // Match features of a sentence: positions[t * categories().size() + c].
  std::vector<LexiconPosition> match(const std::vector<std::string>& tokens) const;

 private:
  std::set<std::pair<std::string, std::string>> entries_;  // (category, phrase as written, tokens space-joined)
  std::vector<std::string> categories_;
  std::unordered_map<std::string, uint32_t> index_;  // lower-cased phrase, tokens joined by '\x1f' -> category bits
  std::size_t max_length_ = 0;
};

}  // namespace nertool::text
