#include "nertool/data/conll.h"

#include <cstdint>
#include <cstring>
#include <ostream>
#include <string_view>

#include "nertool/core/atomic_file.h"
#include "nertool/core/error.h"

namespace nertool::data {

namespace {

constexpr std::string_view kDocStart = "-DOCSTART-";

bool is_separator(char c) { return c == ' ' || c == '\t'; }

// 1-based line and byte column of `offset` in `text`.
std::pair<std::size_t, std::size_t> line_and_column(const std::string& text, std::size_t offset) {
  std::size_t line = 1, line_start = 0;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return {line, offset - line_start + 1};
}

std::string hex_byte(unsigned char b) {
  static const char* digits = "0123456789ABCDEF";
  return std::string("0x") + digits[b >> 4] + digits[b & 15];
}

// Checks the whole text once (strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF) and
// rejects NUL bytes. ASCII runs are skipped eight bytes at a time, so a 3 MB file costs about a millisecond.
void validate_text(const std::string& text, const std::string& name) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  auto fail = [&](std::size_t offset, const std::string& what) {
    auto [line, column] = line_and_column(text, offset);
    throw InputError(name, line, what + " at byte column " + std::to_string(column) + " (file offset " +
                                     std::to_string(offset) + ")");
  };
  std::size_t i = 0;
  while (i < n) {
    if (i + 8 <= n) {
      std::uint64_t word;
      std::memcpy(&word, p + i, 8);
      // No high bit set and no zero byte among the eight: plain ASCII without NUL.
      const std::uint64_t high = word & 0x8080808080808080ULL;
      const std::uint64_t zero = (word - 0x0101010101010101ULL) & ~word & 0x8080808080808080ULL;
      if (high == 0 && zero == 0) {
        i += 8;
        continue;
      }
    }
    const unsigned char b = p[i];
    if (b == 0) fail(i, "NUL byte");
    if (b < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 1;
    std::uint32_t cp = 0;
    if (b >= 0xC2 && b <= 0xDF) {
      len = 2;
      cp = b & 0x1F;
    } else if (b >= 0xE0 && b <= 0xEF) {
      len = 3;
      cp = b & 0x0F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      len = 4;
      cp = b & 0x07;
    } else {
      fail(i, "invalid UTF-8 (byte " + hex_byte(b) + " cannot start a character)");
    }
    if (i + len > n) fail(i, "invalid UTF-8 (truncated character)");
    for (std::size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80)
        fail(i + k, "invalid UTF-8 (byte " + hex_byte(p[i + k]) + " is not a continuation byte)");
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) fail(i, "invalid UTF-8 (overlong encoding)");
    if (cp >= 0xD800 && cp <= 0xDFFF) fail(i, "invalid UTF-8 (encoded surrogate)");
    if (cp > 0x10FFFF) fail(i, "invalid UTF-8 (code point above U+10FFFF)");
    i += len;
  }
}

// Splits a line (no leading separator, no trailing whitespace) at runs of spaces/tabs.
void split_fields(std::string_view line, std::vector<std::string_view>& fields) {
  fields.clear();
  std::size_t i = 0;
  const std::size_t n = line.size();
  while (i < n) {
    std::size_t j = i;
    while (j < n && !is_separator(line[j])) ++j;
    fields.emplace_back(line.data() + i, j - i);
    while (j < n && is_separator(line[j])) ++j;
    i = j;
  }
}

std::string column_name(int column) {
  return column < 0 ? std::to_string(column) + " (from the end)" : std::to_string(column) + " (0-based)";
}

void append_joined(std::string& out, const std::vector<std::string>& fields, char separator) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i) out += separator;
    out += fields[i];
  }
}

// The number of lines from `pos` up to the next blank line (only spaces, tabs or CR: the usual sentence end),
// plus one, capped: what a sentence reserves, which saves most reallocations. The cap and the blank test keep
// the scans linear in the file, also when blank lines hold a space.
std::size_t lines_until_blank(const std::string& text, std::size_t pos) {
  constexpr std::size_t kMaxReserve = 1024;
  const std::size_t n = text.size();
  std::size_t lines = 1;
  for (std::size_t q = pos; q < n && lines < kMaxReserve; ++lines) {
    const void* next_nl = std::memchr(text.data() + q, '\n', n - q);
    const std::size_t end = next_nl ? static_cast<const char*>(next_nl) - text.data() : n;
    bool blank = true;
    for (std::size_t k = q; k < end && blank; ++k) blank = text[k] == ' ' || text[k] == '\t' || text[k] == '\r';
    if (blank) break;
    q = end + 1;
  }
  return lines;
}

}  // namespace

long resolve_column(int column, std::size_t num_columns) {
  const long index = column < 0 ? static_cast<long>(num_columns) + column : column;
  return index >= 0 && index < static_cast<long>(num_columns) ? index : -1;
}

std::size_t Corpus::num_tokens() const {
  std::size_t n = 0;
  for (const auto& s : sentences) n += s.size();
  return n;
}

Corpus parse_conll(const std::string& text, const std::string& name, const ReadOptions& options) {
  validate_text(text, name);
  Corpus corpus;
  corpus.path = name;
  corpus.options = options;

  std::size_t pos = 0;
  const std::size_t n = text.size();
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) pos = 3;  // byte-order mark

  corpus.sentences.reserve(text.size() / 128);
  std::vector<std::string_view> fields;
  bool separator_known = false;
  bool in_sentence = false;
  bool blank_after_last_block = true;
  std::size_t expected_columns = 0;
  std::size_t line_no = 0;

  auto finish_sentence = [&]() {
    if (!in_sentence) return;
    in_sentence = false;
    corpus.documents.back().num_sentences++;
  };

  while (pos < n) {
    const char* start = text.data() + pos;
    const void* nl = std::memchr(start, '\n', n - pos);
    std::size_t len = nl ? static_cast<const char*>(nl) - start : n - pos;
    pos += len + 1;
    ++line_no;
    while (len > 0 && (start[len - 1] == ' ' || start[len - 1] == '\t' || start[len - 1] == '\r')) --len;
    std::string_view line(start, len);

    std::size_t first = 0;
    while (first < len && is_separator(line[first])) ++first;
    if (first == len) {  // blank (or only separators)
      finish_sentence();
      blank_after_last_block = true;
      continue;
    }
    blank_after_last_block = false;
    if (line.find('\r') != std::string_view::npos)
      throw InputError(name, line_no, "carriage return inside a line (only LF or CRLF line ends are accepted)");
    if (first > 0)
      throw InputError(name, line_no,
                       "empty token: the line starts with a separator, so its first column is empty");
    split_fields(line, fields);
    if (!separator_known && fields.size() > 1) {
      separator_known = true;
      corpus.separator = fields[0].size() < line.size() ? line[fields[0].size()] : ' ';
    }

    if (fields[0] == kDocStart) {
      finish_sentence();
      Document doc;
      doc.marker.assign(fields.begin(), fields.end());
      doc.marker_line = line_no;
      doc.first_sentence = corpus.sentences.size();
      corpus.documents.push_back(std::move(doc));
      continue;
    }

    if (!in_sentence) {
      if (corpus.documents.empty()) corpus.documents.push_back(Document{});  // text before any -DOCSTART-
      in_sentence = true;
      expected_columns = fields.size();
      Sentence s;
      s.first_line = line_no;
      s.document = corpus.documents.size() - 1;
      const std::size_t lines = lines_until_blank(text, pos);
      s.tokens.reserve(lines);
      if (options.with_labels) s.labels.reserve(lines);
      s.columns.reserve(lines);
      corpus.sentences.push_back(std::move(s));
    } else if (fields.size() != expected_columns) {
      const Sentence& s = corpus.sentences.back();
      throw InputError(name, line_no,
                       "inconsistent column count: expected " + std::to_string(expected_columns) +
                           " columns (as on line " + std::to_string(s.first_line) + ", the sentence's first), found " +
                           std::to_string(fields.size()));
    }
    Sentence& s = corpus.sentences.back();
    const long token_index = resolve_column(options.token_column, fields.size());
    if (token_index < 0)
      throw InputError(name, line_no,
                       "too few columns: the line has " + std::to_string(fields.size()) + ", token column " +
                           column_name(options.token_column) + " does not exist");
    s.tokens.emplace_back(fields[token_index]);
    if (options.with_labels) {
      const long label_index = resolve_column(options.label_column, fields.size());
      if (label_index < 0 || label_index == token_index)
        throw InputError(name, line_no,
                         "too few columns: the line has " + std::to_string(fields.size()) +
                             (label_index < 0 ? std::string(", label column ") + column_name(options.label_column) +
                                                    " does not exist"
                                              : std::string(", so the label column is the token column")));
      s.labels.emplace_back(fields[label_index]);
    }
    s.columns.emplace_back(fields.begin(), fields.end());
  }
  finish_sentence();
  corpus.final_blank_line = blank_after_last_block;
  return corpus;
}

Corpus read_conll(const std::string& path, const ReadOptions& options) {
  return parse_conll(read_file(path), path, options);
}

std::string to_conll_string(const Corpus& corpus) {
  std::string out;
  std::size_t estimate = 0;
  for (const auto& s : corpus.sentences)
    for (const auto& row : s.columns)
      for (const auto& f : row) estimate += f.size() + 1;
  out.reserve(estimate + corpus.sentences.size() + 64 * corpus.documents.size());

  auto write_sentence = [&](const Sentence& s) {
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (i < s.columns.size() && !s.columns[i].empty()) {
        append_joined(out, s.columns[i], corpus.separator);
      } else {  // built in code: token and (when present) label
        out += s.tokens[i];
        if (i < s.labels.size()) {
          out += corpus.separator;
          out += s.labels[i];
        }
      }
      out += '\n';
    }
    out += '\n';
  };

  if (corpus.documents.empty()) {
    for (const auto& s : corpus.sentences) write_sentence(s);
  } else {
    for (const auto& doc : corpus.documents) {
      if (!doc.marker.empty()) {
        append_joined(out, doc.marker, corpus.separator);
        out += "\n\n";
      }
      for (std::size_t k = 0; k < doc.num_sentences; ++k) write_sentence(corpus.sentences.at(doc.first_sentence + k));
    }
  }
  if (!corpus.final_blank_line && !out.empty()) out.pop_back();
  return out;
}

void write_conll(const Corpus& corpus, std::ostream& out) {
  const std::string text = to_conll_string(corpus);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

std::vector<std::vector<std::string>> label_sequences(const Corpus& corpus) {
  std::vector<std::vector<std::string>> out;
  out.reserve(corpus.sentences.size());
  for (const auto& s : corpus.sentences) out.push_back(s.labels);
  return out;
}

std::vector<std::vector<std::string>> token_sequences(const Corpus& corpus) {
  std::vector<std::vector<std::string>> out;
  out.reserve(corpus.sentences.size());
  for (const auto& s : corpus.sentences) out.push_back(s.tokens);
  return out;
}

void set_labels(Corpus& corpus, const std::vector<std::vector<std::string>>& labels) {
  if (labels.size() != corpus.sentences.size())
    throw Error("set_labels: " + std::to_string(labels.size()) + " label sequences for " +
                std::to_string(corpus.sentences.size()) + " sentences");
  for (std::size_t k = 0; k < labels.size(); ++k) {
    Sentence& s = corpus.sentences[k];
    if (labels[k].size() != s.size())
      throw Error("set_labels: sentence " + std::to_string(k + 1) + " has " + std::to_string(s.size()) +
                  " tokens but " + std::to_string(labels[k].size()) + " labels");
    s.labels = labels[k];
    for (std::size_t i = 0; i < s.columns.size(); ++i) {
      const long index = resolve_column(corpus.options.label_column, s.columns[i].size());
      if (index >= 0) s.columns[i][index] = labels[k][i];
    }
  }
}

std::string replace_labels_in_text(const std::string& text, const Corpus& corpus,
                                   const std::vector<std::vector<std::string>>& labels) {
  if (labels.size() != corpus.sentences.size())
    throw Error("replace_labels_in_text: " + std::to_string(labels.size()) + " label sequences for " +
                std::to_string(corpus.sentences.size()) + " sentences");
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  std::size_t pos = 0, line_no = 0;
  const std::size_t n = text.size();
  std::size_t next_sentence = 0;  // sentences are in file order, their lines consecutive
  std::vector<std::string_view> fields;
  while (pos < n) {
    const char* start = text.data() + pos;
    const void* nl = std::memchr(start, '\n', n - pos);
    const std::size_t full = nl ? static_cast<const char*>(nl) - start + 1 : n - pos;
    pos += full;
    ++line_no;
    while (next_sentence < corpus.sentences.size() &&
           corpus.sentences[next_sentence].first_line + corpus.sentences[next_sentence].size() <= line_no)
      ++next_sentence;
    const Sentence* s = next_sentence < corpus.sentences.size() ? &corpus.sentences[next_sentence] : nullptr;
    if (!s || line_no < s->first_line) {
      out.append(start, full);
      continue;
    }
    const std::size_t i = line_no - s->first_line;
    if (labels[next_sentence].size() != s->size())
      throw Error("replace_labels_in_text: sentence " + std::to_string(next_sentence + 1) + " has " +
                  std::to_string(s->size()) + " tokens but " + std::to_string(labels[next_sentence].size()) +
                  " labels");
    std::size_t len = full;
    while (len > 0 && (start[len - 1] == ' ' || start[len - 1] == '\t' || start[len - 1] == '\r' ||
                       start[len - 1] == '\n'))
      --len;
    split_fields(std::string_view(start, len), fields);
    const long index = resolve_column(corpus.options.label_column, fields.size());
    if (index < 0) throw Error("replace_labels_in_text: text does not match the corpus at line " + std::to_string(line_no));
    const std::size_t field_begin = fields[index].data() - start;
    out.append(start, field_begin);
    out += labels[next_sentence][i];
    out.append(start + field_begin + fields[index].size(), full - field_begin - fields[index].size());
  }
  return out;
}

}  // namespace nertool::data
