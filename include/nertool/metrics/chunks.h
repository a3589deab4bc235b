#pragma once
// Chunk extraction exactly as seqeval 1.2.2 does it: the default mode (`get_entities`, the conlleval-style rules
// that also accept IOB1 and ill-formed sequences) and the strict mode (`seqeval.scheme.Entities` with a scheme).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "nertool/data/tag_scheme.h"

namespace nertool::metrics {

// A chunk over positions [begin, end) of the sentences laid end to end (sentence k starts at the sum of the
// lengths of sentences 0..k-1), so gold and predicted chunks of aligned input compare by value.
struct Chunk {
  std::string type;
  std::size_t begin = 0;
  std::size_t end = 0;
  bool operator==(const Chunk& o) const { return begin == o.begin && end == o.end && type == o.type; }
  bool operator<(const Chunk& o) const;
};

// seqeval's default mode: the sentences flattened with an "O" after each, then get_entities' rules (tag = first
// character, type = text after the first '-' of the rest, or "_"). Includes the chunks get_entities reports for
// ill-formed input (an end without a start reuses the previous start). Sorted and without duplicates (a set).
std::vector<Chunk> default_chunks(const std::vector<std::vector<std::string>>& sentences);

// The chunks of one predicted tag sequence, read leniently since a model's output need not be well-formed:
// default_chunks' rules over the tags with BILOU's U- and L- read as S- and E-, a bare type ("PER") as I-PER and
// an empty tag as O. Tags may be IOB1/IOB2/IOE/IOBES/BILOU. Positions are the tags' indices.
std::vector<Chunk> lenient_chunks(const std::vector<std::string>& tags);

// A label's tag as seqeval's default mode reads it: its first code point ("B" of "B-PER", "O" of "O").
std::string_view label_tag(const std::string& label);

// Where a label is unusable, and why (the sentence and token index of the first offending label).
struct LabelProblem {
  std::size_t sentence = 0;
  std::size_t token = 0;
  std::string problem;
};

// Empty labels cannot be scored in either mode (seqeval fails on them).
bool find_empty_label(const std::vector<std::vector<std::string>>& sentences, LabelProblem* problem);

// seqeval's strict mode: a label whose first character is not one of I O B E S U L, or whose prefix the scheme
// does not allow (e.g. S- in IOB2), is an error there; this finds the first such label.
bool find_strict_label_problem(const std::vector<std::vector<std::string>>& sentences, data::TagScheme scheme,
                               LabelProblem* problem);

// seqeval's strict mode chunks (Tokens.entities per sentence: a chunk must start with a start pattern, continue
// through inside patterns and end with an end pattern of the scheme; anything else is dropped). Labels must have
// passed find_strict_label_problem. Sorted, without duplicates.
std::vector<Chunk> strict_chunks(const std::vector<std::vector<std::string>>& sentences, data::TagScheme scheme);

// Number of UTF-8 code points in `text` (Python's len(), used for seqeval's column widths).
std::size_t utf8_length(const std::string& text);

}  // namespace nertool::metrics
