#pragma once
// CoNLL column files: one token per line, columns separated by spaces or tabs, a blank line between sentences,
// `-DOCSTART-` lines as document boundaries.
#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

namespace nertool::data {

struct ReadOptions {
  int token_column = 0;    // 0-based; negative counts from the end
  int label_column = -1;   // 0-based; negative counts from the end (-1: last). Ignored when !with_labels
  bool with_labels = true; // false: single-column (or unlabeled) input
};

struct Sentence {
  std::vector<std::string> tokens;                // the selected token column
  std::vector<std::string> labels;                // the selected label column (empty when read without labels)
  std::vector<std::vector<std::string>> columns;  // every column of every token line (kept for writing back)
  std::size_t first_line = 0;                     // 1-based line of the first token in its file (0: built in code)
  std::size_t document = 0;                       // index into Corpus::documents
  std::size_t size() const { return tokens.size(); }
};

struct Document {
  std::vector<std::string> marker;  // fields of the -DOCSTART- line; empty for text before any marker
  std::size_t marker_line = 0;
  std::size_t first_sentence = 0;   // index into Corpus::sentences
  std::size_t num_sentences = 0;
};

struct Corpus {
  std::string path;                  // file it was read from (for messages)
  std::vector<Sentence> sentences;   // all sentences, in file order
  std::vector<Document> documents;   // at least one when sentences is non-empty
  char separator = ' ';              // column separator seen in the file (' ' or '\t')
  bool final_blank_line = true;      // the last block was followed by a blank line (CoNLL-2003 files end so)
  ReadOptions options;               // the options it was read with (which columns are token and label)
  std::size_t num_tokens() const;
};

// Parses CoNLL text. `name` is used in error messages. Throws InputError (file, line, problem) on bad input:
// inconsistent column counts within a sentence, empty token, invalid UTF-8, missing label column.
// Reading rules: LF or CRLF line ends; trailing spaces/tabs/CR ignored; a line of only spaces/tabs is blank;
// fields are split at runs of spaces/tabs (Corpus::separator remembers the first separator seen, for writing);
// a line starting with a space or tab has an empty first field (error); several blank lines in a row are one;
// a leading UTF-8 byte-order mark is skipped; NUL bytes and CR inside a line are errors.
Corpus parse_conll(const std::string& text, const std::string& name, const ReadOptions& options = {});
Corpus read_conll(const std::string& path, const ReadOptions& options = {});

// Writes `corpus` back: -DOCSTART- lines, sentences separated by one blank line, LF line ends. A well-formed file
// (LF, one separator, one blank line between blocks, final newline) is reproduced byte for byte.
void write_conll(const Corpus& corpus, std::ostream& out);
std::string to_conll_string(const Corpus& corpus);

// Label sequences of every sentence (the shape the scorer takes).
std::vector<std::vector<std::string>> label_sequences(const Corpus& corpus);
// Token sequences of every sentence.
std::vector<std::vector<std::string>> token_sequences(const Corpus& corpus);

// The 0-based index that `column` (negative: from the end) names in a line of `num_columns` columns, or -1 when
// the line has no such column.
long resolve_column(int column, std::size_t num_columns);

// Replaces the labels of every sentence (one sequence per sentence, same lengths) in `labels` and in the label
// column of `columns`. Throws Error when the shapes differ.
void set_labels(Corpus& corpus, const std::vector<std::vector<std::string>>& labels);

// `text` (which `corpus` was parsed from) with only the bytes of each token line's label field replaced by
// `labels`: line ends, separators, blank lines and every other byte stay as they were.
std::string replace_labels_in_text(const std::string& text, const Corpus& corpus,
                                   const std::vector<std::vector<std::string>>& labels);

}  // namespace nertool::data
