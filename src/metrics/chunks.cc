#include "nertool/metrics/chunks.h"

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <tuple>

namespace nertool::metrics {

bool Chunk::operator<(const Chunk& o) const { return std::tie(begin, end, type) < std::tie(o.begin, o.end, o.type); }

std::size_t utf8_length(const std::string& text) {
  std::size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

namespace {

// Bytes of the first code point (Python's chunk[0] / chunk[1:] work on code points, not bytes).
std::size_t first_code_point_bytes(const std::string& s) {
  unsigned char c = static_cast<unsigned char>(s[0]);
  std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
  while (n > 1 && (n > s.size() || (static_cast<unsigned char>(s[n - 1]) & 0xC0) != 0x80)) --n;
  return std::min(n, s.size());
}

}  // namespace

std::string_view label_tag(const std::string& label) {
  return std::string_view(label).substr(0, label.empty() ? 0 : first_code_point_bytes(label));
}

namespace {

// ---- default mode (get_entities) ----

struct DefaultTag {
  char tag;               // first character; a non-ASCII first character never equals a tag letter
  std::string_view type;  // chunk[1:].split('-', maxsplit=1)[-1] or '_'
};

DefaultTag default_tag(const std::string& label) {
  std::size_t n = first_code_point_bytes(label);
  char tag = static_cast<unsigned char>(label[0]) < 0x80 ? label[0] : '\x80';
  std::string_view rest(label.data() + n, label.size() - n);
  std::size_t dash = rest.find('-');
  std::string_view type = dash == std::string_view::npos ? rest : rest.substr(dash + 1);
  if (type.empty()) type = "_";
  return {tag, type};
}

bool end_of_chunk(char prev_tag, char tag, std::string_view prev_type, std::string_view type) {
  bool end = false;
  if (prev_tag == 'E') end = true;
  if (prev_tag == 'S') end = true;
  if (prev_tag == 'B' && (tag == 'B' || tag == 'S' || tag == 'O')) end = true;
  if (prev_tag == 'I' && (tag == 'B' || tag == 'S' || tag == 'O')) end = true;
  if (prev_tag != 'O' && prev_tag != '.' && prev_type != type) end = true;
  return end;
}

bool start_of_chunk(char prev_tag, char tag, std::string_view prev_type, std::string_view type) {
  bool start = false;
  if (tag == 'B') start = true;
  if (tag == 'S') start = true;
  if (prev_tag == 'E' && (tag == 'E' || tag == 'I')) start = true;
  if (prev_tag == 'S' && (tag == 'E' || tag == 'I')) start = true;
  if (prev_tag == 'O' && (tag == 'E' || tag == 'I')) start = true;
  if (tag != 'O' && tag != '.' && prev_type != type) start = true;
  return start;
}

void sort_unique(std::vector<Chunk>& chunks) {
  std::sort(chunks.begin(), chunks.end());
  chunks.erase(std::unique(chunks.begin(), chunks.end()), chunks.end());
}

// ---- strict mode (seqeval.scheme) ----

enum Prefix : std::uint8_t { kI = 1, kO = 2, kB = 4, kE = 8, kS = 16, kU = 32, kL = 64, kAny = 127 };
enum TagCond : std::uint8_t { kSame = 1, kDiff = 2, kAnyTag = 3 };

struct Pattern {
  std::uint8_t prev, cur, cond;
};

struct SchemeRules {
  std::uint8_t allowed;
  std::vector<Pattern> start, inside, end;
};

const SchemeRules& rules_for(data::TagScheme scheme) {
  using data::TagScheme;
  static const SchemeRules iob1{kI | kO | kB,
                                {{kO, kI, kAnyTag}, {kI, kI, kDiff}, {kB, kI, kAnyTag}, {kI, kB, kSame}, {kB, kB, kSame}},
                                {{kB, kI, kSame}, {kI, kI, kSame}},
                                {{kI, kI, kDiff}, {kI, kO, kAnyTag}, {kI, kB, kAnyTag}, {kB, kO, kAnyTag},
                                 {kB, kI, kDiff}, {kB, kB, kSame}}};
  static const SchemeRules ioe1{kI | kO | kE,
                                {{kO, kI, kAnyTag}, {kI, kI, kDiff}, {kE, kI, kAnyTag}, {kE, kE, kSame}},
                                {{kI, kI, kSame}, {kI, kE, kSame}},
                                {{kI, kI, kDiff}, {kI, kO, kAnyTag}, {kI, kE, kDiff}, {kE, kI, kSame}, {kE, kE, kSame}}};
  static const SchemeRules iob2{kI | kO | kB,
                                {{kAny, kB, kAnyTag}},
                                {{kB, kI, kSame}, {kI, kI, kSame}},
                                {{kI, kO, kAnyTag}, {kI, kI, kDiff}, {kI, kB, kAnyTag}, {kB, kO, kAnyTag},
                                 {kB, kI, kDiff}, {kB, kB, kAnyTag}}};
  static const SchemeRules ioe2{kI | kO | kE,
                                {{kO, kI, kAnyTag}, {kO, kE, kAnyTag}, {kE, kI, kAnyTag}, {kE, kE, kAnyTag},
                                 {kI, kI, kDiff}, {kI, kE, kDiff}},
                                {{kI, kE, kSame}, {kI, kI, kSame}},
                                {{kE, kAny, kAnyTag}}};
  static const SchemeRules iobes{kI | kO | kB | kE | kS,
                                 {{kAny, kB, kAnyTag}, {kAny, kS, kAnyTag}},
                                 {{kB, kI, kSame}, {kB, kE, kSame}, {kI, kI, kSame}, {kI, kE, kSame}},
                                 {{kS, kAny, kAnyTag}, {kE, kAny, kAnyTag}}};
  static const SchemeRules bilou{kB | kI | kL | kO | kU,
                                 {{kAny, kB, kAnyTag}, {kAny, kU, kAnyTag}},
                                 {{kB, kI, kSame}, {kB, kL, kSame}, {kI, kI, kSame}, {kI, kL, kSame}},
                                 {{kU, kAny, kAnyTag}, {kL, kAny, kAnyTag}}};
  switch (scheme) {
    case TagScheme::IOB1: return iob1;
    case TagScheme::IOE1: return ioe1;
    case TagScheme::IOB2: return iob2;
    case TagScheme::IOE2: return ioe2;
    case TagScheme::IOBES: return iobes;
    case TagScheme::BILOU: return bilou;
  }
  return iob2;
}

std::uint8_t prefix_of(char c) {
  switch (c) {
    case 'I': return kI;
    case 'O': return kO;
    case 'B': return kB;
    case 'E': return kE;
    case 'S': return kS;
    case 'U': return kU;
    case 'L': return kL;
    default: return 0;
  }
}

std::string allowed_text(std::uint8_t allowed) {
  // seqeval prints the allowed prefixes as its Flag repr, e.g. "B|O|I"; a plain list is clearer here.
  std::string out;
  for (char c : std::string("IOBESUL"))
    if (allowed & prefix_of(c)) out += out.empty() ? std::string(1, c) : std::string(", ") + c;
  return out;
}

struct StrictToken {
  std::uint8_t prefix;
  std::string_view tag;  // token[1:].strip('-') or '_'
};

StrictToken strict_token(const std::string& label) {
  std::string_view tag(label);
  tag.remove_prefix(1);
  while (!tag.empty() && tag.front() == '-') tag.remove_prefix(1);
  while (!tag.empty() && tag.back() == '-') tag.remove_suffix(1);
  if (tag.empty()) tag = "_";
  return {prefix_of(label[0]), tag};
}

bool matches(const std::vector<Pattern>& patterns, const StrictToken& prev, const StrictToken& cur) {
  for (const Pattern& p : patterns) {
    if (!(prev.prefix & p.prev) || !(cur.prefix & p.cur)) continue;
    bool same = prev.tag == cur.tag;
    if ((same && (p.cond & kSame)) || (!same && (p.cond & kDiff))) return true;
  }
  return false;
}

// A tag in the prefixes default_chunks knows (B I E S O).
std::string default_form(const std::string& tag) {
  if (tag.empty() || tag == "O") return "O";
  if (tag.size() < 2 || tag[1] != '-') return "I-" + tag;
  if (tag[0] == 'U') return "S" + tag.substr(1);
  if (tag[0] == 'L') return "E" + tag.substr(1);
  return tag;
}

}  // namespace

std::vector<Chunk> default_chunks(const std::vector<std::vector<std::string>>& sentences) {
  std::vector<Chunk> chunks;
  char prev_tag = 'O';
  std::string_view prev_type = "";
  std::size_t begin = 0, i = 0;
  auto step = [&](char tag, std::string_view type) {
    if (end_of_chunk(prev_tag, tag, prev_type, type)) chunks.push_back({std::string(prev_type), begin, i});
    if (start_of_chunk(prev_tag, tag, prev_type, type)) begin = i;
    prev_tag = tag;
    prev_type = type;
    ++i;
  };
  for (const auto& sentence : sentences) {
    for (const std::string& label : sentence) {
      DefaultTag t = default_tag(label);
      step(t.tag, t.type);
    }
    step('O', "_");  // seqeval appends an 'O' after every sentence when flattening
  }
  step('O', "_");    // and get_entities one more at the end
  sort_unique(chunks);
  return chunks;
}

std::vector<Chunk> lenient_chunks(const std::vector<std::string>& tags) {
  std::vector<std::string> normalised;
  normalised.reserve(tags.size());
  for (const std::string& tag : tags) normalised.push_back(default_form(tag));
  return default_chunks({normalised});
}

bool find_empty_label(const std::vector<std::vector<std::string>>& sentences, LabelProblem* problem) {
  for (std::size_t s = 0; s < sentences.size(); ++s)
    for (std::size_t t = 0; t < sentences[s].size(); ++t)
      if (sentences[s][t].empty()) {
        if (problem) *problem = {s, t, "empty label"};
        return true;
      }
  return false;
}

bool find_strict_label_problem(const std::vector<std::vector<std::string>>& sentences, data::TagScheme scheme,
                               LabelProblem* problem) {
  const SchemeRules& rules = rules_for(scheme);
  for (std::size_t s = 0; s < sentences.size(); ++s) {
    for (std::size_t t = 0; t < sentences[s].size(); ++t) {
      const std::string& label = sentences[s][t];
      std::string why;
      if (label.empty()) {
        why = "empty label";
      } else if (prefix_of(label[0]) == 0) {
        why = "label '" + label + "' has no prefix seqeval's strict mode knows (I, O, B, E, S, U, L)";
      } else if (!(prefix_of(label[0]) & rules.allowed)) {
        why = "label '" + label + "' is not allowed in scheme " + data::tag_scheme_name(scheme) +
              " (allowed prefixes: " + allowed_text(rules.allowed) + ")";
      }
      if (!why.empty()) {
        if (problem) *problem = {s, t, why};
        return true;
      }
    }
  }
  return false;
}

std::vector<Chunk> strict_chunks(const std::vector<std::vector<std::string>>& sentences, data::TagScheme scheme) {
  const SchemeRules& rules = rules_for(scheme);
  const StrictToken outside{kO, "_"};
  std::vector<Chunk> chunks;
  std::vector<StrictToken> ext;
  std::size_t offset = 0;  // same layout as default_chunks: an 'O' after each sentence
  for (const auto& sentence : sentences) {
    ext.clear();
    for (const std::string& label : sentence) ext.push_back(strict_token(label));
    ext.push_back(outside);  // seqeval's sentinel
    std::size_t i = 0;
    StrictToken prev = outside;
    while (i < ext.size()) {
      const StrictToken& token = ext[i];
      if (matches(rules.start, prev, token)) {
        // Walk through the inside tokens; the sentinel O is never inside, so this stops within the sentence.
        std::size_t end = i + 1;
        StrictToken last = token;
        while (end < ext.size() && matches(rules.inside, last, ext[end])) last = ext[end++];
        if (end < ext.size() && matches(rules.end, ext[end - 1], ext[end]))
          chunks.push_back({std::string(token.tag), offset + i, offset + end});
        i = end;
      } else {
        ++i;
      }
      prev = ext[i - 1];
    }
    offset += sentence.size() + 1;
  }
  sort_unique(chunks);
  return chunks;
}

}  // namespace nertool::metrics
