#pragma once
// Private helpers of the taxonomy area: reading a JSON file with a line-numbered error, and JSON-path strings
// for error messages.
#include <nlohmann/json.hpp>
#include <string>

namespace nertool::taxonomy::detail {

// `base` + `["key"]`, the JSON-path step for an object member whose name comes from the data.
std::string member_path(const std::string& base, const std::string& key);

// "a string", "a number", ... for "expected X, got Y" messages.
std::string json_kind(const nlohmann::json& value);

}  // namespace nertool::taxonomy::detail
