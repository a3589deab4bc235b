#pragma once
// CoNLL column files: one token per line, columns separated by spaces or tabs, a blank line between sentences,
// `-DOCSTART-` lines as document boundaries.
#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

namespace nertool::data {

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
  std::size_t num_tokens() const;
};

struct ReadOptions {
  int token_column = 0;    // 0-based; negative counts from the end
  int label_column = -1;   // 0-based; negative counts from the end (-1: last). Ignored when !with_labels
  bool with_labels = true; // false: single-column (or unlabeled) input
};

// Parses CoNLL text. `name` is used in error messages. Throws InputError (file, line, problem) on bad input:
// inconsistent column counts within a sentence, empty token, invalid UTF-8, missing label column.
Corpus parse_conll(const std::string& text, const std::string& name, const ReadOptions& options = {});
Corpus read_conll(const std::string& path, const ReadOptions& options = {});

// Writes `corpus` back: -DOCSTART- lines, sentences separated by one blank line, LF line ends. A well-formed file
// (LF, one separator, one blank line between blocks, final newline) is reproduced byte for byte.
void write_conll(const Corpus& corpus, std::ostream& out);
std::string to_conll_string(const Corpus& corpus);

// Label sequences of every sentence (the shape the scorer takes).
std::vector<std::vector<std::string>> label_sequences(const Corpus& corpus);

}  // namespace nertool::data
