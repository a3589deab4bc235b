#include "json_document.h"

#include <algorithm>

#include "nertool/core/atomic_file.h"
#include "nertool/core/error.h"

namespace nertool::taxonomy::detail {

nlohmann::json read_json_file(const std::string& path) {
  const std::string text = read_file(path);
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is 1-based and may point one past the end; the line is where the parser stopped.
    const std::size_t stop = std::min<std::size_t>(e.byte > 0 ? e.byte - 1 : 0, text.size());
    const std::size_t line = 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + stop, '\n'));
    std::string what = e.what();
    const std::size_t colon = what.find(": ");  // drop nlohmann's "[json.exception.parse_error.101] " prefix
    throw InputError(path, line, "invalid JSON: " + (colon == std::string::npos ? what : what.substr(colon + 2)));
  }
}

std::string member_path(const std::string& base, const std::string& key) {
  return base + "[" + nlohmann::json(key).dump() + "]";
}

std::string json_kind(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::null: return "null";
    case nlohmann::json::value_t::object: return "an object";
    case nlohmann::json::value_t::array: return "an array";
    case nlohmann::json::value_t::string: return "a string";
    case nlohmann::json::value_t::boolean: return "a boolean";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float: return "a number";
    default: return "an unsupported value";
  }
}

}  // namespace nertool::taxonomy::detail
