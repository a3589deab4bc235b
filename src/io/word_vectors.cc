#include "nertool/io/word_vectors.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>

#include <spdlog/spdlog.h>

#include "nertool/core/atomic_file.h"
#include "nertool/core/error.h"

namespace nertool::io {

std::string to_string(VectorFormat format) {
  switch (format) {
    case VectorFormat::Auto: return "auto";
    case VectorFormat::GloveText: return "glove";
    case VectorFormat::Word2VecText: return "word2vec";
    case VectorFormat::Word2VecBinary: return "word2vec_binary";
  }
  return "auto";
}

VectorFormat parse_vector_format(const std::string& name) {
  for (auto f : {VectorFormat::Auto, VectorFormat::GloveText, VectorFormat::Word2VecText, VectorFormat::Word2VecBinary})
    if (to_string(f) == name) return f;
  throw ConfigError("unknown word vector format '" + name + "' (expected auto, glove, word2vec or word2vec_binary)");
}

int64_t WordVectors::find(const std::string& word) const {
  auto it = index_.find(word);
  return it == index_.end() ? -1 : it->second;
}

bool WordVectors::add(const std::string& word, const float* values) {
  if (!index_.emplace(word, size()).second) {
    ++duplicates_;
    return false;
  }
  words_.push_back(word);
  values_.insert(values_.end(), values, values + dim_);
  return true;
}

WordVectors WordVectors::from_rows(const std::vector<std::string>& words, const std::vector<std::vector<float>>& rows) {
  if (words.size() != rows.size()) throw Error("WordVectors::from_rows: words and rows differ in number");
  WordVectors v;
  v.dim_ = rows.empty() ? 0 : static_cast<int64_t>(rows[0].size());
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (static_cast<int64_t>(rows[i].size()) != v.dim_) throw Error("WordVectors::from_rows: rows differ in size");
    v.add(words[i], rows[i].data());
  }
  return v;
}

namespace {

// Splits on spaces and tabs (GloVe and word2vec text use single spaces; tolerate runs and trailing blanks).
std::vector<std::string> split_fields(const std::string& line) {
  std::vector<std::string> out;
  std::size_t i = 0, n = line.size();
  while (i < n) {
    while (i < n && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    std::size_t j = i;
    while (j < n && line[j] != ' ' && line[j] != '\t' && line[j] != '\r') ++j;
    if (j > i) out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

bool parse_int(const std::string& s, int64_t& out) {
  if (s.empty()) return false;
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (errno != 0 || *end != '\0' || v < 0) return false;
  out = v;
  return true;
}

// A finite float (strtof would also take "nan" and "inf", which poison every sum they reach).
bool parse_float(const std::string& s, float& out) {
  char* end = nullptr;
  errno = 0;
  out = std::strtof(s.c_str(), &end);
  return end != s.c_str() && *end == '\0' && errno != ERANGE && std::isfinite(out);
}

// The index of the first value that is NaN or infinite, or -1.
int64_t first_non_finite(const float* values, int64_t dim) {
  for (int64_t i = 0; i < dim; ++i)
    if (!std::isfinite(values[i])) return i;
  return -1;
}

// A header's dimension must fit the file: each value takes 4 bytes in a binary file and at least 2 ("0 ") in a
// text one. Checked before anything is allocated for it.
void check_dimension_fits(const std::string& path, int64_t dim, bool binary) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  const int64_t per_value = binary ? 4 : 2;
  if (!ec && dim > static_cast<int64_t>(size) / per_value)
    throw InputError(path, 1, "header says vectors of dimension " + std::to_string(dim) + ", more than the file's " +
                                  std::to_string(size) + " bytes can hold");
}

// "N D" header: two non-negative integers and nothing else.
bool parse_header(const std::string& line, int64_t& count, int64_t& dim) {
  auto f = split_fields(line);
  return f.size() == 2 && parse_int(f[0], count) && parse_int(f[1], dim) && dim > 0;
}

bool is_text_row(const std::string& line, int64_t dim) {
  auto f = split_fields(line);
  if (static_cast<int64_t>(f.size()) != dim + 1) return false;
  float x;
  for (std::size_t i = 1; i < f.size(); ++i)
    if (!parse_float(f[i], x)) return false;
  return true;
}

std::ifstream open(const std::string& path) {
  check_readable_file(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot open word vector file " + path + ": " + std::strerror(errno));
  return in;
}

void read_text(std::ifstream& in, const std::string& path, bool has_header, int64_t max_words, WordVectors& v,
               int64_t& dim, int64_t& header_count, const std::function<bool(const std::string&, const float*)>& add) {
  std::string line;
  std::size_t line_no = 0;
  std::vector<float> values;
  int64_t rows = 0;
  bool capped = false;
  if (has_header) {
    std::getline(in, line);
    line_no = 1;
  }
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;  // blank lines carry nothing
    auto f = split_fields(line);
    if (dim == 0) {  // GloVe: the first row fixes the dimension
      if (f.size() < 2) throw InputError(path, line_no, "expected a word and its vector values");
      dim = static_cast<int64_t>(f.size()) - 1;
    }
    if (static_cast<int64_t>(f.size()) != dim + 1)
      throw InputError(path, line_no,
                       "expected a word and " + std::to_string(dim) + " values" +
                           (has_header ? " (as the header says)" : " (as the first row has)") + ", found " +
                           std::to_string(static_cast<int64_t>(f.size()) - 1) + " fields after the word");
    values.resize(static_cast<std::size_t>(dim));
    for (int64_t i = 0; i < dim; ++i)
      if (!parse_float(f[static_cast<std::size_t>(i) + 1], values[static_cast<std::size_t>(i)]))
        throw InputError(path, line_no, "value " + std::to_string(i + 1) + " ('" + f[static_cast<std::size_t>(i) + 1] +
                                            "') of word '" + f[0] + "' is not a finite number");
    ++rows;
    if (add(f[0], values.data()) && max_words > 0 && v.size() >= max_words) {
      capped = true;
      break;
    }
  }
  if (has_header && !capped && rows != header_count)
    throw InputError(path, 1,
                     "header says " + std::to_string(header_count) + " words but the file has " + std::to_string(rows));
}

}  // namespace

VectorFormat detect_vector_format(const std::string& path) {
  auto in = open(path);
  std::string first;
  if (!std::getline(in, first)) throw InputError(path, 1, "empty word vector file");
  int64_t count = 0, dim = 0;
  if (!parse_header(first, count, dim)) return VectorFormat::GloveText;
  // Look at the first record: a text row of dim numbers, or binary floats.
  std::string second;
  std::getline(in, second);
  if (!second.empty() && second.back() == '\r') second.pop_back();
  if (count == 0 || is_text_row(second, dim)) return VectorFormat::Word2VecText;
  return VectorFormat::Word2VecBinary;
}

WordVectors read_word_vectors(const std::string& path, const WordVectorOptions& options) {
  VectorFormat format = options.format == VectorFormat::Auto ? detect_vector_format(path) : options.format;
  auto in = open(path);
  WordVectors v;
  v.format_ = format;
  int64_t count = 0, dim = 0;
  if (format != VectorFormat::GloveText) {
    std::string header;
    std::getline(in, header);
    if (!parse_header(header, count, dim))
      throw InputError(path, 1, "expected a header 'WORDS DIMENSION', found '" + header.substr(0, 80) + "'");
    check_dimension_fits(path, dim, format == VectorFormat::Word2VecBinary);
    in.seekg(0);
  }
  v.dim_ = dim;
  auto add = [&](const std::string& w, const float* x) {
    if (v.dim_ == 0) v.dim_ = dim;
    return v.add(w, x);
  };
  if (format == VectorFormat::Word2VecBinary) {
    std::string header;
    std::getline(in, header);
    std::vector<float> values(static_cast<std::size_t>(dim));
    for (int64_t r = 0; r < count; ++r) {
      // Records are numbered like lines (header = 1) so messages point at the same place as for text files.
      std::size_t rec_line = static_cast<std::size_t>(r) + 2;
      std::string word;
      int c;
      while ((c = in.get()) != EOF && (c == '\n' || c == ' ')) {
      }
      while (c != EOF && c != ' ') {
        word.push_back(static_cast<char>(c));
        c = in.get();
      }
      if (c == EOF)
        throw InputError(path, rec_line, "binary file ends inside record " + std::to_string(r + 1) + " of " +
                                             std::to_string(count) + " (header promises more words)");
      in.read(reinterpret_cast<char*>(values.data()), static_cast<std::streamsize>(dim * sizeof(float)));
      if (in.gcount() != static_cast<std::streamsize>(dim * sizeof(float)))
        throw InputError(path, rec_line, "binary record of word '" + word + "' is truncated (expected " +
                                             std::to_string(dim) + " float32 values)");
      if (const int64_t bad = first_non_finite(values.data(), dim); bad >= 0)
        throw InputError(path, rec_line, "value " + std::to_string(bad + 1) + " of word '" + word + "' is not finite");
      if (v.add(word, values.data()) && options.max_words > 0 && v.size() >= options.max_words) break;
    }
  } else {
    read_text(in, path, format == VectorFormat::Word2VecText, options.max_words, v, dim, count, add);
    v.dim_ = dim;
  }
  if (v.size() == 0) throw InputError(path, 0, "no word vectors in file");
  if (v.duplicates_ > 0)
    spdlog::warn("{}: {} duplicate words ignored (the first vector of each word is kept)", path, v.duplicates_);
  return v;
}

}  // namespace nertool::io
