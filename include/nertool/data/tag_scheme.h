#pragma once
// Tag schemes (IOB1, IOB2/BIO, IOE1, IOE2, IOBES, BILOU): chunks (typed spans), detection, validation, and
// lossless conversion between schemes through spans.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace nertool::data {

enum class TagScheme { IOB1, IOB2, IOE1, IOE2, IOBES, BILOU };

// "IOB1", "IOB2" (also "BIO"), "IOE1", "IOE2", "IOBES" (also "BIOES"), "BILOU"; case-insensitive.
// Throws ConfigError on an unknown name.
TagScheme parse_tag_scheme(const std::string& name);
std::string tag_scheme_name(TagScheme scheme);

// A typed chunk over token positions [begin, end).
struct Span {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::string type;
  bool operator==(const Span& o) const { return begin == o.begin && end == o.end && type == o.type; }
  bool operator<(const Span& o) const;
};

// Chunks of a well-formed sequence in `scheme`. Throws InputError (problem text only; file/line left to callers
// through the overload with a name) when the sequence is not valid in the scheme.
std::vector<Span> spans_from_tags(const std::vector<std::string>& tags, TagScheme scheme);
// Tags in `scheme` for `spans` over `length` tokens (spans must not overlap).
std::vector<std::string> tags_from_spans(const std::vector<Span>& spans, std::size_t length, TagScheme scheme);

// The same, naming `file` and the 1-based `line` of the sentence's first token (the error names the offending
// token's line: `line` + its position).
std::vector<Span> spans_from_tags(const std::vector<std::string>& tags, TagScheme scheme, const std::string& file,
                                  std::size_t line);

// The first tag that makes a sequence invalid in a scheme.
struct TagProblem {
  std::size_t position = 0;  // 0-based index into the sequence
  std::string message;       // names the 1-based position, the tag and the rule it breaks
};
std::optional<TagProblem> find_tag_problem(const std::vector<std::string>& tags, TagScheme scheme);

// Empty when valid; otherwise a message naming the first offending position and tag.
std::string validate_tags(const std::vector<std::string>& tags, TagScheme scheme);

// The schemes in which every sequence is valid, in the preference order IOB2, IOBES, BILOU, IOE2, IOB1, IOE1.
// The schemes overlap only on degenerate data: all-O data is valid in every scheme (IOB2 wins), and data with only
// I- and O tags is valid in IOB1 and IOE1 (IOB1 wins: it is the common one).
std::vector<TagScheme> compatible_schemes(const std::vector<std::vector<std::string>>& sequences);
// The most plausible scheme of the data, or nullopt when no scheme accepts it.
std::optional<TagScheme> detect_tag_scheme(const std::vector<std::vector<std::string>>& sequences);

std::vector<std::string> convert_tags(const std::vector<std::string>& tags, TagScheme from, TagScheme to);

}  // namespace nertool::data
