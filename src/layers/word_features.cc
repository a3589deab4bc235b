#include "nertool/layers/word_features.h"

#include <utf8proc.h>

namespace nertool::layers {

namespace {
utf8proc_category_t category(char32_t c) { return utf8proc_category(static_cast<utf8proc_int32_t>(c)); }
bool is_digit(char32_t c) { return category(c) == UTF8PROC_CATEGORY_ND; }
bool is_upper(char32_t c) { return category(c) == UTF8PROC_CATEGORY_LU || category(c) == UTF8PROC_CATEGORY_LT; }
bool is_lower(char32_t c) { return category(c) == UTF8PROC_CATEGORY_LL; }
bool is_punct(char32_t c) {
  auto k = category(c);
  return k >= UTF8PROC_CATEGORY_PC && k <= UTF8PROC_CATEGORY_PO;
}
}  // namespace

const char* casing_name(Casing c) {
  static const char* names[] = {"padding",   "numeric",        "mainly_numeric", "lowercase", "allCaps",
                                "upperInitial", "contains_digit", "punctuation", "mixedCaps", "other"};
  return names[static_cast<int64_t>(c)];
}

Casing casing_of(const std::vector<char32_t>& word) {
  if (word.empty()) return Casing::Other;
  std::size_t digits = 0, upper = 0, lower = 0, punct = 0;
  for (char32_t c : word) {
    digits += is_digit(c);
    upper += is_upper(c);
    lower += is_lower(c);
    punct += is_punct(c);
  }
  const std::size_t n = word.size();
  if (digits == n) return Casing::Numeric;
  if (2 * digits > n) return Casing::MainlyNumeric;
  if (lower > 0 && upper == 0) return Casing::Lowercase;
  if (upper > 0 && lower == 0) return Casing::AllCaps;
  if (is_upper(word[0])) return Casing::UpperInitial;
  if (digits > 0) return Casing::ContainsDigit;
  if (punct == n) return Casing::Punctuation;
  if (upper > 0 && lower > 0) return Casing::MixedCaps;
  return Casing::Other;
}

CharType char_type_of(char32_t c) {
  if (is_upper(c)) return CharType::Upper;
  if (is_lower(c)) return CharType::Lower;
  if (is_digit(c)) return CharType::Digit;
  if (is_punct(c)) return CharType::Punctuation;
  return CharType::Other;
}

std::vector<char32_t> utf8_code_points(const std::string& text) {
  std::vector<char32_t> out;
  out.reserve(text.size());
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(text.size());
  while (left > 0) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
    if (n <= 0) {  // invalid byte: replacement character, move one byte on
      out.push_back(0xFFFD);
      n = 1;
    } else {
      out.push_back(static_cast<char32_t>(cp));
    }
    p += n;
    left -= n;
  }
  return out;
}

std::string utf8_encode(char32_t c) {
  utf8proc_uint8_t buf[4];
  auto n = utf8proc_encode_char(static_cast<utf8proc_int32_t>(c), buf);
  return std::string(reinterpret_cast<char*>(buf), static_cast<std::size_t>(n));
}

std::string utf8_lower(const std::string& text) {
  bool ascii = true;
  for (unsigned char ch : text) ascii &= ch < 0x80;
  std::string out;
  out.reserve(text.size());
  if (ascii) {
    for (char ch : text) out.push_back(ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch - 'A' + 'a') : ch);
    return out;
  }
  for (char32_t c : utf8_code_points(text))
    out += utf8_encode(static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c))));
  return out;
}

std::string fold_digits(const std::string& text) {
  bool ascii = true;
  for (unsigned char ch : text) ascii &= ch < 0x80;
  if (ascii) {
    std::string out = text;
    for (char& ch : out)
      if (ch >= '0' && ch <= '9') ch = '0';
    return out;
  }
  std::string out;
  for (char32_t c : utf8_code_points(text)) out += is_digit(c) ? std::string("0") : utf8_encode(c);
  return out;
}

}  // namespace nertool::layers
