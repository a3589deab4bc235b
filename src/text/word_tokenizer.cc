#include "nertool/text/word_tokenizer.h"

#include <utf8proc.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <unordered_set>

#include "nertool/core/error.h"

namespace nertool::text {

namespace {

enum class Kind { Space, Letter, Digit, Punct, Other };

// A base character with the marks and modifiers that belong to it.
struct Unit {
  std::size_t begin = 0, end = 0;            // bytes
  std::size_t char_begin = 0, char_end = 0;  // code points
  char32_t cp = 0;                           // the base character
  Kind kind = Kind::Other;
};

Kind kind_of(char32_t cp) {
  if (cp == 0x200B || cp == 0xFEFF) return Kind::Space;
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(cp))) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO: return Kind::Letter;
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO: return Kind::Digit;
    case UTF8PROC_CATEGORY_PC:
    case UTF8PROC_CATEGORY_PD:
    case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE:
    case UTF8PROC_CATEGORY_PI:
    case UTF8PROC_CATEGORY_PF:
    case UTF8PROC_CATEGORY_PO:
    case UTF8PROC_CATEGORY_SM:
    case UTF8PROC_CATEGORY_SC:
    case UTF8PROC_CATEGORY_SK:
    case UTF8PROC_CATEGORY_SO: return Kind::Punct;
    case UTF8PROC_CATEGORY_ZS:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
    case UTF8PROC_CATEGORY_CC: return Kind::Space;
    default: return Kind::Other;
  }
}

// Code points that never start a unit: combining marks, format characters, emoji skin-tone modifiers.
bool attaches(char32_t cp) {
  if (cp >= 0x1F3FB && cp <= 0x1F3FF) return true;
  if (cp == 0x200B || cp == 0xFEFF) return false;
  const auto cat = utf8proc_category(static_cast<utf8proc_int32_t>(cp));
  return cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_MC || cat == UTF8PROC_CATEGORY_ME ||
         cat == UTF8PROC_CATEGORY_CF;
}

bool regional_indicator(char32_t cp) { return cp >= 0x1F1E6 && cp <= 0x1F1FF; }

// Strict UTF-8 decoding into units.
std::vector<Unit> decode_units(std::string_view s, const std::string& file, std::size_t line) {
  std::vector<Unit> units;
  units.reserve(s.size());
  std::size_t pos = 0, chars = 0;
  bool join_next = false;  // after a zero-width joiner
  while (pos < s.size()) {
    utf8proc_int32_t cp = 0;
    const auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + pos),
                                    static_cast<utf8proc_ssize_t>(s.size() - pos), &cp);
    if (n <= 0 || cp == 0)
      throw InputError(file, line,
                       (cp == 0 && n > 0 ? std::string("NUL byte") : std::string("invalid UTF-8")) +
                           " at byte column " + std::to_string(pos + 1));
    const char32_t c = static_cast<char32_t>(cp);
    const bool attach = !units.empty() && units.back().kind != Kind::Space &&
                        ((join_next && kind_of(c) != Kind::Space) || attaches(c) ||
                         (regional_indicator(c) && regional_indicator(units.back().cp) &&
                          units.back().char_end - units.back().char_begin == 1));
    if (attach) {
      units.back().end = pos + n;
      units.back().char_end = chars + 1;
    } else {
      Unit u;
      u.begin = pos;
      u.end = pos + n;
      u.char_begin = chars;
      u.char_end = chars + 1;
      u.cp = c;
      u.kind = attaches(c) ? Kind::Other : kind_of(c);
      units.push_back(u);
    }
    join_next = c == 0x200D;
    pos += n;
    ++chars;
  }
  return units;
}

bool is_apostrophe(char32_t c) { return c == '\'' || c == 0x2019; }

const std::unordered_set<std::string>& abbreviations() {
  static const std::unordered_set<std::string> set = {
      "Mr",   "Mrs",  "Ms",   "Dr",   "Prof", "St",    "Jr",   "Sr",   "Inc",  "Corp", "Ltd",  "Co",   "Bros",
      "vs",   "etc",  "Gen",  "Sen",  "Rep",  "Gov",   "Lt",   "Col",  "Capt", "Sgt",  "Maj",  "Adm",  "Rev",
      "Mt",   "Ft",   "No",   "Nos",  "Jan",  "Feb",   "Mar",  "Apr",  "Jun",  "Jul",  "Aug",  "Sep",  "Sept",
      "Oct",  "Nov",  "Dec",  "Calif", "Fla", "Ill",   "Mass", "Mich", "Minn", "Ariz", "Colo", "Conn", "Ga",
      "Ky",   "La",   "Md",   "Mo",   "Nev",  "Okla",  "Ore",  "Pa",   "Tenn", "Tex",  "Va",   "Wash", "Wis",
      "Wyo",  "Ala",  "Ark",  "Del",  "Kan",  "Neb",   "Vt",   "Ave",  "Blvd", "Dept", "Univ", "approx", "Mme",
      "Messrs", "Pty", "Cie", "Supt", "Cmdr", "Msgr", "Fr", "vol", "Vol"};
  return set;
}

class ChunkTokenizer {
 public:
  ChunkTokenizer(std::string_view text, const std::vector<Unit>& units, std::vector<WordToken>& out)
      : text_(text), u_(units), out_(out) {}

  void run(std::size_t a, std::size_t b, bool first_chunk) {
    if (is_url_or_email(a, b)) return url(a, b);
    const std::size_t chunk_start = a;
    std::vector<std::pair<std::size_t, std::size_t>> tail;  // tokens split off the end, last first
    // Leading punctuation.
    while (a < b) {
      if (!punct(a)) break;
      if ((cp(a) == '+' || cp(a) == '-' || cp(a) == '.') && a + 1 < b && digit(a + 1)) break;
      if (is_apostrophe(cp(a)) && clitic_at(a, b) == b) break;  // a clitic written alone: 's n't
      const std::size_t r = run_end(a, b);
      emit(a, r);
      a = r;
    }
    // Trailing punctuation; a final period may stay on an abbreviation.
    bool keep_period = false;
    while (b > a) {
      const std::size_t last = b - 1;
      if (!punct(last)) break;
      if (cp(last) == '.' && last > a && cp(last - 1) != '.' &&
          abbreviation(a, last, first_chunk && a == chunk_start)) {
        keep_period = true;
        break;
      }
      // Kept on the word: a suspended hyphen ("non-", "6-"), a rating's sign ("AA+", "BBB-"), C$ US$.
      if ((cp(last) == '-' || cp(last) == '+') && last > a && alnum(last - 1)) break;
      if (cp(last) == '$' && currency_prefix(a, last)) break;
      const std::size_t r = run_begin(a, b);
      tail.emplace_back(r, b);
      b = r;
    }
    if (a < b) core(a, b, keep_period);
    for (auto it = tail.rbegin(); it != tail.rend(); ++it) emit(it->first, it->second);
  }

 private:
  char32_t cp(std::size_t i) const { return u_[i].cp; }
  bool letter(std::size_t i) const { return u_[i].kind == Kind::Letter; }
  bool digit(std::size_t i) const { return u_[i].kind == Kind::Digit; }
  bool alnum(std::size_t i) const { return letter(i) || digit(i); }
  bool punct(std::size_t i) const { return u_[i].kind == Kind::Punct; }
  std::string_view bytes(std::size_t a, std::size_t b) const {
    return text_.substr(u_[a].begin, u_[b - 1].end - u_[a].begin);
  }

  void emit(std::size_t a, std::size_t b) {
    if (a >= b) return;
    WordToken t;
    t.begin = u_[a].begin;
    t.end = u_[b - 1].end;
    t.char_begin = u_[a].char_begin;
    t.char_end = u_[b - 1].char_end;
    t.text = std::string(text_.substr(t.begin, t.end - t.begin));
    out_.push_back(std::move(t));
  }

  // Runs of one of . - ` * = ~ _ ("...", "--", "``", "**") are one token; other punctuation is one character.
  static bool run_char(char32_t c) {
    return c == '.' || c == '-' || c == '`' || c == '*' || c == '=' || c == '~' || c == '_';
  }
  std::size_t run_end(std::size_t a, std::size_t b) const {
    std::size_t r = a + 1;
    if (run_char(cp(a)))
      while (r < b && cp(r) == cp(a)) ++r;
    return r;
  }
  std::size_t run_begin(std::size_t a, std::size_t b) const {
    std::size_t r = b - 1;
    if (run_char(cp(r)))
      while (r > a && cp(r - 1) == cp(b - 1)) --r;
    return r;
  }
  // Uppercase letters (one to three) right before `i`, from `start`: the C$ US$ HK$ currency prefixes.
  bool currency_prefix(std::size_t start, std::size_t i) const {
    if (i <= start || i - start > 3) return false;
    for (std::size_t k = start; k < i; ++k)
      if (!(letter(k) && cp(k) < 128 && std::isupper(static_cast<int>(cp(k))))) return false;
    return true;
  }

  static bool starts_with_ci(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
    return true;
  }

  bool is_url_or_email(std::size_t a, std::size_t b) const {
    // Skip opening brackets/quotes before looking.
    while (a < b && punct(a) && !alnum(a) && (cp(a) == '(' || cp(a) == '[' || cp(a) == '<' || cp(a) == '"' ||
                                              is_apostrophe(cp(a)) || cp(a) == 0x201C))
      ++a;
    if (a >= b) return false;
    const std::string_view s = bytes(a, b);
    if (starts_with_ci(s, "http://") || starts_with_ci(s, "https://") || starts_with_ci(s, "ftp://") ||
        (starts_with_ci(s, "www.") && s.size() > 4))
      return true;
    // local@domain.tld: letters/digits on both sides of '@' and a dot followed by a letter in the domain.
    for (std::size_t i = a + 1; i + 1 < b; ++i) {
      if (cp(i) != '@') continue;
      if (!alnum(i - 1) || !alnum(i + 1)) return false;
      for (std::size_t j = i + 2; j + 1 < b; ++j)
        if (cp(j) == '.' && letter(j + 1) && alnum(j - 1)) return true;
      return false;
    }
    return false;
  }

  void url(std::size_t a, std::size_t b) {
    auto opening = [&](std::size_t i) {
      return punct(i) && (cp(i) == '(' || cp(i) == '[' || cp(i) == '<' || cp(i) == '"' || is_apostrophe(cp(i)) ||
                          cp(i) == 0x201C);
    };
    auto closing = [&](std::size_t i) {
      static const char32_t closers[] = {')', ']', '>', '"', '\'', 0x2019, 0x201D, '.', ',', ';', ':', '!', '?'};
      return std::find(std::begin(closers), std::end(closers), cp(i)) != std::end(closers);
    };
    while (a < b && opening(a)) {
      emit(a, a + 1);
      ++a;
    }
    std::size_t e = b;
    while (e > a && closing(e - 1)) --e;
    emit(a, e);
    for (std::size_t i = e; i < b; ++i) emit(i, i + 1);
  }

  // Whether [a, last) followed by the period at `last` is an abbreviation.
  bool abbreviation(std::size_t a, std::size_t last, bool first_chunk) const {
    for (std::size_t i = last; i > a + 1; --i)  // only the part after the last hyphen: Iraq-U.N.
      if (cp(i - 1) == '-' && alnum(i - 2)) {
        a = i;
        first_chunk = false;
        break;
      }
    if (a >= last) return false;
    bool letters_and_dots = true, inner_dot = false, all_digits = true;
    for (std::size_t i = a; i < last; ++i) {
      if (cp(i) == '.') {
        if (i == a || !letter(i - 1) || i + 1 >= last || !letter(i + 1)) letters_and_dots = false;
        inner_dot = true;
      } else if (!letter(i)) {
        letters_and_dots = false;
      }
      if (!digit(i)) all_digits = false;
    }
    if (letters_and_dots && inner_dot) return true;              // U.S.  a.m.  F.C.
    if (last - a == 1 && letter(a)) return true;                  // an initial: M.
    if (all_digits && first_chunk) return true;                   // "1." at the start of a line
    return abbreviations().count(std::string(bytes(a, last))) > 0;
  }

  // If [i, b) starts with a clitic that runs exactly to b ('s 're 've 'll 'd 'm, or n't when i is the 'n'),
  // returns b; otherwise returns i.
  std::size_t clitic_at(std::size_t i, std::size_t b) const {
    std::string rest;
    for (std::size_t k = i; k < b; ++k) {
      const char32_t c = cp(k);
      if (is_apostrophe(c)) {
        rest += '\'';
      } else if (c < 128 && u_[k].char_end - u_[k].char_begin == 1) {
        rest += static_cast<char>(std::tolower(static_cast<int>(c)));
      } else {
        return i;
      }
    }
    static const char* clitics[] = {"'s", "'re", "'ve", "'ll", "'d", "'m", "n't"};
    for (const char* c : clitics)
      if (rest == c) return b;
    return i;
  }

  // The middle of a chunk: clitics split off the end, then split at punctuation that does not connect.
  void core(std::size_t a, std::size_t b, bool keep_period) {
    const std::size_t stem_end = keep_period ? b - 1 : b;
    std::size_t clitic = stem_end;
    if (!keep_period) {
      for (std::size_t len = 2; len <= 3 && len <= stem_end - a; ++len) {
        const std::size_t i = stem_end - len;
        if (clitic_at(i, stem_end) == stem_end) {
          // n't needs a letter before the n; the others a letter or digit before the apostrophe.
          if (i > a && (cp(i) == 'n' || cp(i) == 'N' ? letter(i - 1) : alnum(i - 1) || cp(i - 1) == '.'))
            clitic = i;  // (after a period too: U.S.'s)
          if (i == a) clitic = i;  // the chunk is the clitic itself
        }
      }
      if (clitic == stem_end && stem_end - a >= 2 && is_apostrophe(cp(stem_end - 1)) && letter(stem_end - 2))
        clitic = stem_end - 1;  // Jones'
    }
    std::size_t start = a;
    for (std::size_t i = a; i < clitic; ++i) {
      if (!punct(i) || connects(a, i, clitic)) continue;
      if (cp(i) == '$' && currency_prefix(start, i)) {  // C$5 -> C$ 5
        emit(start, i + 1);
        start = i + 1;
        continue;
      }
      emit(start, i);
      const std::size_t r = std::min(run_end(i, clitic), clitic);
      emit(i, r);
      start = r;
      i = r - 1;
    }
    if (keep_period) {
      emit(start, b);  // the abbreviation with its period
    } else {
      emit(start, clitic);
      emit(clitic, b);  // the clitic, if any
    }
  }

  // Whether the punctuation at i (inside [a, e)) joins its neighbours into one token.
  bool connects(std::size_t a, std::size_t i, std::size_t e) const {
    const char32_t c = cp(i);
    if (i == a) return (c == '+' || c == '-' || c == '.') && i + 1 < e && digit(i + 1);  // +44 -0.5 .5
    if (i + 1 >= e)  // non-  AA+ (kept by the trailing rule); an abbreviation before a clitic: U.S.'s
      return ((c == '-' || c == '+') && alnum(i - 1)) || (c == '.' && i >= a + 2 && letter(i - 1) && cp(i - 2) == '.');
    const bool both_alnum = alnum(i - 1) && alnum(i + 1);
    const bool both_digits = digit(i - 1) && digit(i + 1);
    switch (c) {
      case '.':  // also an abbreviation's period before a hyphen: U.S.-based, Wash.-based
        return both_alnum || (letter(i - 1) && i >= a + 2 && cp(i - 2) == '.') ||
               (letter(i - 1) && cp(i + 1) == '-' && i + 2 < e && alnum(i + 2));
      case '-':
        return both_alnum || (alnum(i + 1) && cp(i - 1) == '.' && i >= a + 2 && letter(i - 2));
      case 0x2010:
      case 0x2011:
      case '/':
      case '&':
      case '_':
      case '@': return both_alnum;
      case ',':
      case ':': return both_digits;
      case '\'':
      case 0x2019: return letter(i - 1) && letter(i + 1);
      default: return false;
    }
  }

  std::string_view text_;
  const std::vector<Unit>& u_;
  std::vector<WordToken>& out_;
};

}  // namespace

std::vector<WordToken> tokenize_words(std::string_view text, const std::string& file, std::size_t line) {
  const std::vector<Unit> units = decode_units(text, file, line);
  std::vector<WordToken> out;
  ChunkTokenizer tokenizer(text, units, out);
  std::size_t i = 0;
  bool first = true;
  while (i < units.size()) {
    if (units[i].kind == Kind::Space) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < units.size() && units[j].kind != Kind::Space) ++j;
    tokenizer.run(i, j, first);
    first = false;
    i = j;
  }
  return out;
}

std::vector<std::string> tokenize_words_text(std::string_view text) {
  std::vector<std::string> out;
  for (auto& t : tokenize_words(text)) out.push_back(std::move(t.text));
  return out;
}

}  // namespace nertool::text
