#pragma once
// Pretrained word vector files in the three common formats:
//   GloVe text        "word v1 v2 ... vD" per line, no header
//   word2vec text     first line "N D", then GloVe-style lines (fastText .vec files are this format)
//   word2vec binary   first line "N D", then per word: the word, one space, D little-endian float32, optional '\n'
// The format is detected from the file's start unless given. Files are usually sorted by frequency, so a cap on the
// number of words keeps the most frequent ones.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace nertool::io {

enum class VectorFormat { Auto, GloveText, Word2VecText, Word2VecBinary };

std::string to_string(VectorFormat format);
// "auto", "glove", "word2vec" (text, header), "word2vec_binary"; throws ConfigError otherwise.
VectorFormat parse_vector_format(const std::string& name);

struct WordVectorOptions {
  VectorFormat format = VectorFormat::Auto;
  int64_t max_words = 0;  // keep only the first max_words distinct words (0: all)
};

class WordVectors {
 public:
  int64_t size() const { return static_cast<int64_t>(words_.size()); }
  int64_t dim() const { return dim_; }
  const std::vector<std::string>& words() const { return words_; }
  // Row of `word`, or -1. Exact match only; callers choose their fallbacks (lower-casing, digit folding).
  int64_t find(const std::string& word) const;
  const float* vector(int64_t row) const { return values_.data() + row * dim_; }
  VectorFormat format() const { return format_; }
  int64_t duplicates_skipped() const { return duplicates_; }

  // Builds from rows in memory (tests, conversions). Duplicate words keep their first vector.
  static WordVectors from_rows(const std::vector<std::string>& words, const std::vector<std::vector<float>>& rows);

 private:
  friend WordVectors read_word_vectors(const std::string& path, const WordVectorOptions& options);
  bool add(const std::string& word, const float* values);  // false for a duplicate (kept: the first)

  std::vector<std::string> words_;
  std::unordered_map<std::string, int64_t> index_;
  std::vector<float> values_;
  int64_t dim_ = 0;
  int64_t duplicates_ = 0;
  VectorFormat format_ = VectorFormat::Auto;
};

// Which format a file is in: a "N D" header followed by a parseable text line means word2vec text, a header
// followed by anything else word2vec binary, no header GloVe text. Throws IoError if unreadable, InputError if empty.
VectorFormat detect_vector_format(const std::string& path);

// Reads a vector file. Throws InputError(file, line, problem) for a wrong field count, a value that is not a
// number, a header that disagrees with the rows (dimension or, for a complete read, count), or a truncated binary
// record; IoError when the file cannot be opened. Duplicate words keep their first vector (counted, logged).
WordVectors read_word_vectors(const std::string& path, const WordVectorOptions& options = {});

}  // namespace nertool::io
