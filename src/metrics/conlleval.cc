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

}  // namespace

ConllevalSummary conlleval(const std::vector<ConllevalLine>& lines, bool untyped) {
  ConllevalSummary s;
  // Untyped: types still delimit chunks, but chunks match whatever their types, and all count as kUntypedType.
  auto same_type = [untyped](std::string_view a, std::string_view b) { return untyped || a == b; };
  auto row = [untyped](std::string_view type) { return untyped ? std::string_view(kUntypedType) : type; };
  std::map<std::string, std::size_t, std::less<>> found_correct, found_guessed, correct_chunk;
  std::string_view last_correct = "O", last_guessed = "O", last_correct_type = "", last_guessed_type = "";
  bool in_correct = false;
  auto bump = [](auto& map, std::string_view key) {
    auto it = map.find(key);
    if (it == map.end()) it = map.emplace(std::string(key), 0).first;
    ++it->second;
  };
  for (const ConllevalLine& line : lines) {
    Tag guessed = line.boundary ? Tag{"O", ""} : split_label(line.pred);
    Tag correct = line.boundary ? Tag{"O", ""} : split_label(line.gold);
    bool correct_ends = end_of_chunk(last_correct, correct.tag, last_correct_type, correct.type);
    bool guessed_ends = end_of_chunk(last_guessed, guessed.tag, last_guessed_type, guessed.type);
    if (in_correct) {
      if (correct_ends && guessed_ends && same_type(last_guessed_type, last_correct_type)) {
        in_correct = false;
        ++s.correct_phrases;
        bump(correct_chunk, row(last_correct_type));
      } else if (correct_ends != guessed_ends || !same_type(guessed.type, correct.type)) {
        in_correct = false;
      }
    }
    bool correct_starts = start_of_chunk(last_correct, correct.tag, last_correct_type, correct.type);
    bool guessed_starts = start_of_chunk(last_guessed, guessed.tag, last_guessed_type, guessed.type);
    if (correct_starts && guessed_starts && same_type(guessed.type, correct.type)) in_correct = true;
    if (correct_starts) {
      ++s.gold_phrases;
      bump(found_correct, row(correct.type));
    }
    if (guessed_starts) {
      ++s.found_phrases;
      bump(found_guessed, row(guessed.type));
    }
    if (!line.boundary) {
      if (correct.tag == guessed.tag && same_type(guessed.type, correct.type)) ++s.correct_tags;
      ++s.tokens;
    }
    last_guessed = guessed.tag;
    last_correct = correct.tag;
    last_guessed_type = guessed.type;
    last_correct_type = correct.type;
  }
  if (in_correct) {
    ++s.correct_phrases;
    bump(correct_chunk, row(last_correct_type));
  }

  s.precision = percent(s.correct_phrases, s.found_phrases);
  s.recall = percent(s.correct_phrases, s.gold_phrases);
  s.f1 = fb1(s.precision, s.recall);
  s.accuracy = percent(s.correct_tags, s.tokens);

  // conlleval sorts the keys of both tables together and skips a repeat only when the previous key is true in
  // Perl's sense, so an empty type is listed once per table that has it.
  std::vector<std::string> keys;
  for (const auto& [k, v] : found_correct) keys.push_back(k);
  for (const auto& [k, v] : found_guessed) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  const std::string* last = nullptr;
  for (const std::string& key : keys) {
    if (last && !last->empty() && *last == key) continue;
    last = &key;
    TypeScores row;
    row.name = key;
    auto get = [&](const auto& map) {
      auto it = map.find(key);
      return it == map.end() ? std::size_t{0} : it->second;
    };
    row.correct = get(correct_chunk);
    row.predicted = get(found_guessed);
    row.support = get(found_correct);
    row.precision = row.predicted ? 100.0 * static_cast<double>(row.correct) / static_cast<double>(row.predicted)
                                  : 0.0;
    row.recall = row.support ? 100.0 * static_cast<double>(row.correct) / static_cast<double>(row.support) : 0.0;
    row.f1 = row.precision + row.recall == 0.0 ? 0.0 : 2 * row.precision * row.recall / (row.precision + row.recall);
    s.per_type.push_back(row);
  }
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
