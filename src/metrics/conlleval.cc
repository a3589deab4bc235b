#include "nertool/metrics/conlleval.h"

#include <algorithm>
#include <cstdio>
#include <map>

namespace nertool::metrics {
namespace {

struct Tag {
  std::string_view tag;   // text before the first '-' (the whole label when it has none)
  std::string_view type;  // text after it; "" and "0" both read as no type (Perl truth)
};

Tag split_label(std::string_view label) {
  std::size_t dash = label.find('-');
  Tag t;
  if (dash == std::string_view::npos) {
    t.tag = label;
    t.type = "";
  } else {
    t.tag = label.substr(0, dash);
    t.type = label.substr(dash + 1);
  }
  if (t.type == "0") t.type = "";
  return t;
}

bool end_of_chunk(std::string_view prev_tag, std::string_view tag, std::string_view prev_type,
                  std::string_view type) {
  bool end = false;
  if (prev_tag == "B" && (tag == "B" || tag == "O")) end = true;
  if (prev_tag == "I" && (tag == "B" || tag == "O")) end = true;
  if (prev_tag == "E" && (tag == "E" || tag == "I" || tag == "O")) end = true;
  if (prev_tag != "O" && prev_tag != "." && prev_type != type) end = true;
  if (prev_tag == "]" || prev_tag == "[") end = true;  // bracket chunks have length 1
  return end;
}

bool start_of_chunk(std::string_view prev_tag, std::string_view tag, std::string_view prev_type,
                    std::string_view type) {
  bool start = false;
  if (tag == "B" && (prev_tag == "B" || prev_tag == "I" || prev_tag == "O")) start = true;
  if (prev_tag == "O" && (tag == "I" || tag == "E")) start = true;
  if (prev_tag == "E" && (tag == "E" || tag == "I")) start = true;
  if (tag != "O" && tag != "." && prev_type != type) start = true;
  if (tag == "[" || tag == "]") start = true;
  return start;
}

double percent(std::size_t part, std::size_t whole) {
  return whole > 0 ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

double fb1(double precision, double recall) {
  return precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0.0;
}

std::string printf_string(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

using TypeCounts = std::map<std::string, std::size_t, std::less<>>;

// What conlleval.pl counts while it reads the lines: tokens, right tags, and chunks by type.
struct ChunkCounts {
  std::size_t tokens = 0, correct_tags = 0, gold = 0, found = 0, correct = 0;
  TypeCounts gold_by_type, found_by_type, correct_by_type;
};

void bump(TypeCounts& counts, std::string_view type) {
  auto it = counts.find(type);
  if (it == counts.end()) it = counts.emplace(std::string(type), 0).first;
  ++it->second;
}

// conlleval.pl's main loop. Untyped: types still delimit chunks, but chunks match whatever their types, and all
// count as kUntypedType.
ChunkCounts count_chunks(const std::vector<ConllevalLine>& lines, bool untyped) {
  auto same_type = [untyped](std::string_view a, std::string_view b) { return untyped || a == b; };
  auto counted_as = [untyped](std::string_view type) { return untyped ? std::string_view(kUntypedType) : type; };
  ChunkCounts c;
  std::string_view last_correct = "O", last_guessed = "O", last_correct_type = "", last_guessed_type = "";
  bool in_correct = false;
  for (const ConllevalLine& line : lines) {
    Tag guessed = line.boundary ? Tag{"O", ""} : split_label(line.pred);
    Tag correct = line.boundary ? Tag{"O", ""} : split_label(line.gold);
    bool correct_ends = end_of_chunk(last_correct, correct.tag, last_correct_type, correct.type);
    bool guessed_ends = end_of_chunk(last_guessed, guessed.tag, last_guessed_type, guessed.type);
    if (in_correct) {
      if (correct_ends && guessed_ends && same_type(last_guessed_type, last_correct_type)) {
        in_correct = false;
        ++c.correct;
        bump(c.correct_by_type, counted_as(last_correct_type));
      } else if (correct_ends != guessed_ends || !same_type(guessed.type, correct.type)) {
        in_correct = false;
      }
    }
    bool correct_starts = start_of_chunk(last_correct, correct.tag, last_correct_type, correct.type);
    bool guessed_starts = start_of_chunk(last_guessed, guessed.tag, last_guessed_type, guessed.type);
    if (correct_starts && guessed_starts && same_type(guessed.type, correct.type)) in_correct = true;
    if (correct_starts) {
      ++c.gold;
      bump(c.gold_by_type, counted_as(correct.type));
    }
    if (guessed_starts) {
      ++c.found;
      bump(c.found_by_type, counted_as(guessed.type));
    }
    if (!line.boundary) {
      if (correct.tag == guessed.tag && same_type(guessed.type, correct.type)) ++c.correct_tags;
      ++c.tokens;
    }
    last_guessed = guessed.tag;
    last_correct = correct.tag;
    last_guessed_type = guessed.type;
    last_correct_type = correct.type;
  }
  if (in_correct) {
    ++c.correct;
    bump(c.correct_by_type, counted_as(last_correct_type));
  }
  return c;
}

// One row per chunk type, in percentages. conlleval sorts the keys of both tables together and skips a repeat only
// when the previous key is true in Perl's sense, so an empty type is listed once per table that has it.
std::vector<TypeScores> per_type_rows(const ChunkCounts& c) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : c.gold_by_type) keys.push_back(k);
  for (const auto& [k, v] : c.found_by_type) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  std::vector<TypeScores> rows;
  const std::string* last = nullptr;
  for (const std::string& key : keys) {
    if (last && !last->empty() && *last == key) continue;
    last = &key;
    auto get = [&key](const TypeCounts& counts) {
      auto it = counts.find(key);
      return it == counts.end() ? std::size_t{0} : it->second;
    };
    TypeScores row;
    row.name = key;
    row.correct = get(c.correct_by_type);
    row.predicted = get(c.found_by_type);
    row.support = get(c.gold_by_type);
    row.precision = percent(row.correct, row.predicted);
    row.recall = percent(row.correct, row.support);
    row.f1 = fb1(row.precision, row.recall);
    rows.push_back(row);
  }
  return rows;
}

}  // namespace

ConllevalSummary conlleval(const std::vector<ConllevalLine>& lines, bool untyped) {
  const ChunkCounts c = count_chunks(lines, untyped);
  ConllevalSummary s;
  s.tokens = c.tokens;
  s.correct_tags = c.correct_tags;
  s.gold_phrases = c.gold;
  s.found_phrases = c.found;
  s.correct_phrases = c.correct;
  s.precision = percent(s.correct_phrases, s.found_phrases);
  s.recall = percent(s.correct_phrases, s.gold_phrases);
  s.f1 = fb1(s.precision, s.recall);
  s.accuracy = percent(s.correct_tags, s.tokens);
  s.per_type = per_type_rows(c);
  return s;
}

std::string format_conlleval(const ConllevalSummary& s) {
  std::string out = "processed " + std::to_string(s.tokens) + " tokens with " + std::to_string(s.gold_phrases) +
                    " phrases; found: " + std::to_string(s.found_phrases) +
                    " phrases; correct: " + std::to_string(s.correct_phrases) + ".\n";
  if (s.tokens > 0) {
    out += printf_string("accuracy: %6.2f%%; ", s.accuracy);
    out += printf_string("precision: %6.2f%%; ", s.precision);
    out += printf_string("recall: %6.2f%%; ", s.recall);
    out += printf_string("FB1: %6.2f\n", s.f1);
  }
  for (const TypeScores& row : s.per_type) {
    // Perl's %17s pads by bytes.
    out += row.name.size() < 17 ? std::string(17 - row.name.size(), ' ') + row.name : row.name;
    out += ": ";
    out += printf_string("precision: %6.2f%%; ", row.precision);
    out += printf_string("recall: %6.2f%%; ", row.recall);
    out += printf_string("FB1: %6.2f", row.f1) + "  " + std::to_string(row.predicted) + "\n";
  }
  return out;
}

}  // namespace nertool::metrics
