#include "json_document.h"

#include <algorithm>

#include "nertool/core/atomic_file.h"
#include "nertool/core/error.h"

namespace nertool::taxonomy::detail {

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
