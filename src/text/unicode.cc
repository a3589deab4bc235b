#include "nertool/text/unicode.h"

#include <utf8proc.h>

#include <cstdlib>
#include <memory>

namespace nertool::text {

char32_t next_code_point(std::string_view s, std::size_t& pos) {
  utf8proc_int32_t cp = -1;
  utf8proc_ssize_t n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + pos),
                                        static_cast<utf8proc_ssize_t>(s.size() - pos), &cp);
  if (n <= 0 || cp < 0) {
    pos += 1;
    return 0xFFFD;
  }
  pos += static_cast<std::size_t>(n);
  return static_cast<char32_t>(cp);
}

void append_utf8(std::string& out, char32_t cp) {
  utf8proc_uint8_t buf[4];
  utf8proc_ssize_t n = utf8proc_encode_char(static_cast<utf8proc_int32_t>(cp), buf);
  out.append(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(n));
}

bool is_valid_utf8(std::string_view s) {
  std::size_t pos = 0;
  while (pos < s.size()) {
    utf8proc_int32_t cp = -1;
    utf8proc_ssize_t n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + pos),
                                          static_cast<utf8proc_ssize_t>(s.size() - pos), &cp);
    if (n <= 0 || cp < 0) return false;
    pos += static_cast<std::size_t>(n);
  }
  return true;
}

std::size_t count_code_points(std::string_view s) {
  std::size_t pos = 0, n = 0;
  while (pos < s.size()) {
    next_code_point(s, pos);
    ++n;
  }
  return n;
}

const char* unicode_category(char32_t cp) {
  return utf8proc_category_string(static_cast<utf8proc_int32_t>(cp));
}

bool is_letter(char32_t cp) {
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(cp))) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
      return true;
    default:
      return false;
  }
}

bool is_number(char32_t cp) {
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(cp))) {
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

bool is_white_space(char32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
         cp == 0x3000;
}

bool is_python_space(char32_t cp) { return is_white_space(cp) || (cp >= 0x1C && cp <= 0x1F); }

void append_python_lower(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp));
    return;
  }
  if (cp == 0x130) {  // the one unconditional multi-character lower-case mapping (SpecialCasing.txt)
    out.push_back('i');
    append_utf8(out, 0x307);
    return;
  }
  append_utf8(out, static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(cp))));
}

std::string python_lower(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t pos = 0;
  while (pos < s.size()) append_python_lower(out, next_code_point(s, pos));
  return out;
}

std::string strip_accents(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t pos = 0;
  utf8proc_int32_t buf[32];
  while (pos < s.size()) {
    char32_t cp = next_code_point(s, pos);
    int last_boundclass = 0;
    utf8proc_ssize_t n = utf8proc_decompose_char(static_cast<utf8proc_int32_t>(cp), buf, 32,
                                                 UTF8PROC_DECOMPOSE, &last_boundclass);
    if (n < 0 || n > 32) {
      append_utf8(out, cp);
      continue;
    }
    // Canonical reordering only moves combining marks among themselves; since every Mn mark is dropped and the
    // remaining characters keep their order, per-character decomposition gives the same result as NFD here.
    for (utf8proc_ssize_t i = 0; i < n; ++i) {
      if (utf8proc_category(buf[i]) == UTF8PROC_CATEGORY_MN) continue;
      append_utf8(out, static_cast<char32_t>(buf[i]));
    }
  }
  return out;
}

std::optional<UnicodeForm> parse_unicode_form(std::string_view name) {
  for (UnicodeForm form : {UnicodeForm::NFC, UnicodeForm::NFD, UnicodeForm::NFKC, UnicodeForm::NFKD})
    if (name == unicode_form_name(form)) return form;
  return std::nullopt;
}

const char* unicode_form_name(UnicodeForm form) {
  switch (form) {
    case UnicodeForm::NFC: return "NFC";
    case UnicodeForm::NFD: return "NFD";
    case UnicodeForm::NFKC: return "NFKC";
    case UnicodeForm::NFKD: return "NFKD";
  }
  return "?";
}

std::string normalize(std::string_view s, UnicodeForm form) {
  bool ascii = true;
  for (unsigned char c : s) ascii = ascii && c < 0x80;
  if (ascii) return std::string(s);  // every form leaves ASCII as it is
  int options = UTF8PROC_STABLE;
  if (form == UnicodeForm::NFC || form == UnicodeForm::NFKC) options |= UTF8PROC_COMPOSE;
  else options |= UTF8PROC_DECOMPOSE;
  if (form == UnicodeForm::NFKC || form == UnicodeForm::NFKD) options |= UTF8PROC_COMPAT;
  utf8proc_uint8_t* out = nullptr;
  utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(s.data()),
                                    static_cast<utf8proc_ssize_t>(s.size()), &out,
                                    static_cast<utf8proc_option_t>(options));
  if (n < 0) return std::string(s);
  std::string result(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
  std::free(out);
  return result;
}

std::string_view python_lstrip(std::string_view s) {
  std::size_t pos = 0;
  while (pos < s.size()) {
    std::size_t next = pos;
    if (!is_python_space(next_code_point(s, next))) break;
    pos = next;
  }
  return s.substr(pos);
}

std::string_view python_rstrip(std::string_view s) {
  std::size_t end = s.size();
  while (end > 0) {
    std::size_t start = end - 1;
    while (start > 0 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
    std::size_t p = start;
    char32_t cp = next_code_point(s, p);
    if (p != end || !is_python_space(cp)) break;
    end = start;
  }
  return s.substr(0, end);
}

}  // namespace nertool::text
