#pragma once
// Hand-made word features of Chiu & Nichols (2016): a casing class per word and a type per character. Ids are
// stable (saved models depend on them); 0 is padding in both.
#include <cstdint>
#include <string>
#include <vector>

namespace nertool::layers {

// Casing classes, in the order of their ids. Decided in this order (first match wins):
//   numeric         every character is a digit                        "1996"
//   mainly_numeric  more than half of the characters are digits       "12-3", "1,000"
//   lowercase       has a letter; every letter is lower case          "the", "e-mail"
//   allCaps         has a letter; every letter is upper case          "EU", "U.S."
//   upperInitial    first character is an upper-case letter           "Germany", "McDonald"
//   contains_digit  has a digit                                        "a4"
//   punctuation     every character is punctuation                     ",", "--", "(", "'s" is not
//   mixedCaps       has both upper- and lower-case letters             "iPhone"
//   other           anything else (symbols, letters without case)      "$", "東京"
enum class Casing : int64_t {
  Padding = 0, Numeric, MainlyNumeric, Lowercase, AllCaps, UpperInitial, ContainsDigit, Punctuation, MixedCaps, Other
};
constexpr int64_t kNumCasings = 10;
const char* casing_name(Casing c);
Casing casing_of(const std::vector<char32_t>& word);

// Character types: upper-case letter, lower-case letter, digit (Unicode Nd), punctuation (Unicode P*), other.
enum class CharType : int64_t { Padding = 0, Upper, Lower, Digit, Punctuation, Other };
constexpr int64_t kNumCharTypes = 6;
CharType char_type_of(char32_t c);

// UTF-8 → code points. Invalid bytes become U+FFFD (input files are validated when read; this never throws).
std::vector<char32_t> utf8_code_points(const std::string& text);
std::string utf8_encode(char32_t c);
// Unicode-aware lower-casing (utf8proc simple case mapping) of a UTF-8 string.
std::string utf8_lower(const std::string& text);
// Replaces every Unicode decimal digit by '0' (so "1996" and "2003" share a vocabulary entry).
std::string fold_digits(const std::string& text);

}  // namespace nertool::layers
