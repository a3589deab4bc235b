#include "nertool/core/json.h"

#include <algorithm>

#include "nertool/core/atomic_file.h"
#include "nertool/core/error.h"

namespace nertool {
namespace {

// 1-based line and column of byte `offset` of `text`.
std::pair<std::size_t, std::size_t> line_and_column(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  const std::size_t line = 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + offset, '\n'));
  const std::size_t line_start = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  const std::size_t column = line_start == std::string_view::npos || offset == 0 ? offset + 1 : offset - line_start;
  return {line, column};
}

// The byte offset where objects and arrays first nest deeper than kMaxJsonDepth, or npos. Brackets inside strings
// do not count; invalid JSON is left to the parser.
std::size_t too_deep_at(std::string_view text) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) return i;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return std::string_view::npos;
}

[[noreturn]] void fail(std::string_view text, const std::string& source, std::size_t offset,
                       const std::string& problem) {
  const auto [line, column] = line_and_column(text, offset);
  throw InputError(source, line, "invalid JSON at column " + std::to_string(column) + ": " + problem);
}

}  // namespace

nlohmann::json parse_json(std::string_view text, const std::string& source) {
  if (const std::size_t at = too_deep_at(text); at != std::string_view::npos)
    fail(text, source, at,
         "objects and arrays nest deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  try {
    return nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is 1-based and may point one past the end: the parser stopped there.
    std::string what = e.what();
    const std::size_t colon = what.find(": ");  // drop nlohmann's "[json.exception.parse_error.101] " prefix
    fail(text, source, e.byte > 0 ? e.byte - 1 : 0,
         colon == std::string::npos ? what : what.substr(colon + 2));
  } catch (const nlohmann::json::exception& e) {  // e.g. a number too large for a double: no position given
    std::string what = e.what();
    const std::size_t colon = what.find("] ");
    throw InputError(source, 0, "invalid JSON: " + (colon == std::string::npos ? what : what.substr(colon + 2)));
  }
}

nlohmann::json read_json_file(const std::string& path) { return parse_json(read_file(path), path); }

void write_json_file(const std::string& path, const nlohmann::json& j) { write_file_atomic(path, j.dump(2) + "\n"); }

}  // namespace nertool
