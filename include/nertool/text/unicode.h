#pragma once
// Unicode helpers with the exact semantics the Hugging Face (Python) tokenizers rely on: Python's str.isspace,
// str.lower, unicodedata categories and NFD, and the `regex` module's \s, \p{L}, \p{N}. Built on utf8proc.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace nertool::text {

// Decodes the code point at byte offset `pos` and advances `pos`. An invalid or truncated UTF-8 sequence yields
// U+FFFD and consumes one byte, so every byte string can be walked.
char32_t next_code_point(std::string_view s, std::size_t& pos);
void append_utf8(std::string& out, char32_t cp);
bool is_valid_utf8(std::string_view s);
std::size_t count_code_points(std::string_view s);

// Two-letter Unicode general category ("Lu", "Mn", "Zs", "Cn", ...), as unicodedata.category.
const char* unicode_category(char32_t cp);
bool is_letter(char32_t cp);       // \p{L}
bool is_number(char32_t cp);       // \p{N}
bool is_white_space(char32_t cp);  // the `regex` module's \s (Unicode White_Space)
bool is_python_space(char32_t cp); // Python str.isspace (White_Space plus U+001C..U+001F)

// Python str.lower() of a single character (full mapping: U+0130 becomes "i" + U+0307).
void append_python_lower(std::string& out, char32_t cp);
std::string python_lower(std::string_view s);
// unicodedata.normalize("NFD", s) with every nonspacing mark (Mn) removed: BertTokenizer's accent stripping.
std::string strip_accents(std::string_view s);

// The four Unicode normalization forms (a tokenizer.json normalizer may ask for one).
enum class UnicodeForm { NFC, NFD, NFKC, NFKD };
// "NFC", "NFD", "NFKC" or "NFKD" (the names tokenizer.json uses); nullopt for anything else.
std::optional<UnicodeForm> parse_unicode_form(std::string_view name);
const char* unicode_form_name(UnicodeForm form);
// unicodedata.normalize(form, s). Invalid UTF-8 is returned unchanged (callers clean it first).
std::string normalize(std::string_view s, UnicodeForm form);

// Python str.strip()/lstrip()/rstrip() without arguments.
std::string_view python_lstrip(std::string_view s);
std::string_view python_rstrip(std::string_view s);

}  // namespace nertool::text
