#include "nertool/data/tag_scheme.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <string_view>
#include <tuple>

#include "nertool/core/error.h"

namespace nertool::data {

namespace {

// A tag split into its one-letter prefix ('O' for the outside tag) and its type.
struct Tag {
  char prefix = 'O';
  std::string_view type;
  bool ok = true;  // false: neither "O" nor PREFIX-TYPE
};

Tag split_tag(const std::string& tag) {
  Tag t;
  if (tag == "O") return t;
  if (tag.size() >= 3 && tag[1] == '-') {
    t.prefix = tag[0];
    t.type = std::string_view(tag).substr(2);
    return t;
  }
  t.ok = false;
  return t;
}

const char* prefixes(TagScheme scheme) {
  switch (scheme) {
    case TagScheme::IOB1:
    case TagScheme::IOB2: return "BI";
    case TagScheme::IOE1:
    case TagScheme::IOE2: return "IE";
    case TagScheme::IOBES: return "BIES";
    case TagScheme::BILOU: return "BILU";
  }
  return "";
}

bool same_type_in(const Tag* t, std::string_view type, const char* allowed) {
  return t && t->prefix != 'O' && t->type == type && std::strchr(allowed, t->prefix) != nullptr;
}

// The scheme's rules, per token: whether the token begins a chunk, whether it ends one, and which constraint it
// breaks (nullptr when none). `prev`/`next` are null at the sequence edges.
struct Decision {
  bool begins = false;
  bool ends = false;
  const char* broken = nullptr;
};

Decision decide(TagScheme scheme, const Tag& t, const Tag* prev, const Tag* next) {
  Decision d;
  const std::string_view x = t.type;
  const char p = t.prefix;
  switch (scheme) {
    case TagScheme::IOB1:
      // I- inside; B- only starts a chunk right after a chunk of the same type.
      d.begins = p == 'B' || !same_type_in(prev, x, "BI");
      d.ends = !same_type_in(next, x, "I");
      if (p == 'B' && !same_type_in(prev, x, "BI"))
        d.broken = "B- may only start a chunk that directly follows a chunk of the same type";
      break;
    case TagScheme::IOB2:
      d.begins = p == 'B';
      d.ends = !same_type_in(next, x, "I");
      if (p == 'I' && !same_type_in(prev, x, "BI")) d.broken = "I- must follow B- or I- of the same type";
      break;
    case TagScheme::IOE1:
      // I- inside; E- only ends a chunk that is directly followed by a chunk of the same type.
      d.begins = !same_type_in(prev, x, "I");
      d.ends = p == 'E' || !same_type_in(next, x, "IE");
      if (p == 'E' && !same_type_in(next, x, "IE"))
        d.broken = "E- may only end a chunk that is directly followed by a chunk of the same type";
      break;
    case TagScheme::IOE2:
      d.begins = !same_type_in(prev, x, "I");
      d.ends = p == 'E';
      if (p == 'I' && !same_type_in(next, x, "IE")) d.broken = "I- must be followed by I- or E- of the same type";
      break;
    case TagScheme::IOBES:
    case TagScheme::BILOU: {
      const bool bilou = scheme == TagScheme::BILOU;
      const char single = bilou ? 'U' : 'S';
      const char last = bilou ? 'L' : 'E';
      const char* inner_or_last = bilou ? "IL" : "IE";
      d.begins = p == 'B' || p == single;
      d.ends = p == last || p == single;
      if ((p == 'B' || p == 'I') && !same_type_in(next, x, inner_or_last))
        d.broken = bilou ? "B-/I- must be followed by I- or L- of the same type"
                         : "B-/I- must be followed by I- or E- of the same type";
      else if ((p == 'I' || p == last) && !same_type_in(prev, x, "BI"))
        d.broken = bilou ? "I-/L- must follow B- or I- of the same type" : "I-/E- must follow B- or I- of the same type";
      break;
    }
  }
  return d;
}

// Walks the sequence once: returns the first problem, and fills `spans` (when given) for a valid sequence.
std::optional<TagProblem> walk(const std::vector<std::string>& tags, TagScheme scheme, std::vector<Span>* spans) {
  const std::size_t n = tags.size();
  std::vector<Tag> parsed(n);
  const char* allowed = prefixes(scheme);
  for (std::size_t i = 0; i < n; ++i) {
    parsed[i] = split_tag(tags[i]);
    const Tag& t = parsed[i];
    if (!t.ok || (t.prefix != 'O' && std::strchr(allowed, t.prefix) == nullptr)) {
      std::string expected;
      for (const char* c = allowed; *c; ++c) expected += std::string(expected.empty() ? "" : ", ") + *c + "-TYPE";
      return TagProblem{i, "token " + std::to_string(i + 1) + ": tag \"" + tags[i] + "\" is not a " +
                               tag_scheme_name(scheme) + " tag (expected O or " + expected + ")"};
    }
  }
  std::size_t start = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const Tag& t = parsed[i];
    if (t.prefix == 'O') continue;
    const Decision d = decide(scheme, t, i > 0 ? &parsed[i - 1] : nullptr, i + 1 < n ? &parsed[i + 1] : nullptr);
    if (d.broken) {
      return TagProblem{i, "token " + std::to_string(i + 1) + ": tag \"" + tags[i] + "\" after \"" +
                               (i > 0 ? tags[i - 1] : std::string("<start>")) + "\" and before \"" +
                               (i + 1 < n ? tags[i + 1] : std::string("<end>")) + "\" is invalid in " +
                               tag_scheme_name(scheme) + ": " + d.broken};
    }
    if (d.begins) start = i;
    if (d.ends && spans) spans->push_back(Span{start, i + 1, std::string(t.type)});
  }
  return std::nullopt;
}

}  // namespace

TagScheme parse_tag_scheme(const std::string& name) {
  std::string upper;
  for (char c : name) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper == "IOB1") return TagScheme::IOB1;
  if (upper == "IOB2" || upper == "BIO") return TagScheme::IOB2;
  if (upper == "IOE1") return TagScheme::IOE1;
  if (upper == "IOE2") return TagScheme::IOE2;
  if (upper == "IOBES" || upper == "BIOES") return TagScheme::IOBES;
  if (upper == "BILOU") return TagScheme::BILOU;
  throw ConfigError("unknown tag scheme \"" + name + "\" (known: IOB1, IOB2 (BIO), IOE1, IOE2, IOBES (BIOES), BILOU)");
}

std::string tag_scheme_name(TagScheme scheme) {
  switch (scheme) {
    case TagScheme::IOB1: return "IOB1";
    case TagScheme::IOB2: return "IOB2";
    case TagScheme::IOE1: return "IOE1";
    case TagScheme::IOE2: return "IOE2";
    case TagScheme::IOBES: return "IOBES";
    case TagScheme::BILOU: return "BILOU";
  }
  return "?";
}

bool Span::operator<(const Span& o) const { return std::tie(begin, end, type) < std::tie(o.begin, o.end, o.type); }

std::optional<TagProblem> find_tag_problem(const std::vector<std::string>& tags, TagScheme scheme) {
  return walk(tags, scheme, nullptr);
}

std::string validate_tags(const std::vector<std::string>& tags, TagScheme scheme) {
  auto problem = walk(tags, scheme, nullptr);
  return problem ? problem->message : std::string();
}

std::vector<Span> spans_from_tags(const std::vector<std::string>& tags, TagScheme scheme, const std::string& file,
                                  std::size_t line) {
  std::vector<Span> spans;
  if (auto problem = walk(tags, scheme, &spans)) {
    throw InputError(file, line > 0 ? line + problem->position : 0, problem->message);
  }
  return spans;
}

std::vector<Span> spans_from_tags(const std::vector<std::string>& tags, TagScheme scheme) {
  return spans_from_tags(tags, scheme, "", 0);
}

std::vector<std::string> tags_from_spans(const std::vector<Span>& input, std::size_t length, TagScheme scheme) {
  std::vector<Span> spans = input;
  std::sort(spans.begin(), spans.end());
  std::vector<std::string> tags(length, "O");
  for (std::size_t k = 0; k < spans.size(); ++k) {
    const Span& s = spans[k];
    if (s.begin >= s.end || s.end > length || s.type.empty())
      throw Error("tags_from_spans: span [" + std::to_string(s.begin) + ", " + std::to_string(s.end) + ") \"" +
                  s.type + "\" is empty, untyped or beyond the sequence of " + std::to_string(length) + " tokens");
    if (k > 0 && spans[k - 1].end > s.begin)
      throw Error("tags_from_spans: spans [" + std::to_string(spans[k - 1].begin) + ", " +
                  std::to_string(spans[k - 1].end) + ") and [" + std::to_string(s.begin) + ", " +
                  std::to_string(s.end) + ") overlap");
    const bool after_same = k > 0 && spans[k - 1].end == s.begin && spans[k - 1].type == s.type;
    const bool before_same = k + 1 < spans.size() && spans[k + 1].begin == s.end && spans[k + 1].type == s.type;
    const std::size_t len = s.end - s.begin;
    auto set = [&](std::size_t i, char prefix) { tags[i] = std::string(1, prefix) + "-" + s.type; };
    for (std::size_t i = s.begin; i < s.end; ++i) set(i, 'I');
    switch (scheme) {
      case TagScheme::IOB1:
        if (after_same) set(s.begin, 'B');
        break;
      case TagScheme::IOB2: set(s.begin, 'B'); break;
      case TagScheme::IOE1:
        if (before_same) set(s.end - 1, 'E');
        break;
      case TagScheme::IOE2: set(s.end - 1, 'E'); break;
      case TagScheme::IOBES:
      case TagScheme::BILOU: {
        const bool bilou = scheme == TagScheme::BILOU;
        if (len == 1) {
          set(s.begin, bilou ? 'U' : 'S');
        } else {
          set(s.begin, 'B');
          set(s.end - 1, bilou ? 'L' : 'E');
        }
        break;
      }
    }
  }
  return tags;
}

std::vector<TagScheme> compatible_schemes(const std::vector<std::vector<std::string>>& sequences) {
  static const TagScheme order[] = {TagScheme::IOB2, TagScheme::IOBES, TagScheme::BILOU,
                                    TagScheme::IOE2, TagScheme::IOB1,  TagScheme::IOE1};
  std::vector<TagScheme> out;
  for (TagScheme scheme : order) {
    bool ok = true;
    for (const auto& seq : sequences) {
      if (walk(seq, scheme, nullptr)) {
        ok = false;
        break;
      }
    }
    if (ok) out.push_back(scheme);
  }
  return out;
}

std::optional<TagScheme> detect_tag_scheme(const std::vector<std::vector<std::string>>& sequences) {
  auto schemes = compatible_schemes(sequences);
  if (schemes.empty()) return std::nullopt;
  return schemes.front();
}

std::vector<std::string> convert_tags(const std::vector<std::string>& tags, TagScheme from, TagScheme to) {
  return tags_from_spans(spans_from_tags(tags, from), tags.size(), to);
}

}  // namespace nertool::data
