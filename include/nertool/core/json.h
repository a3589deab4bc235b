#pragma once
// The one way nertool parses JSON (configs, run directories, taxonomies, type maps, tokenizer files, Hugging Face
// config.json, safetensors headers): errors name the source, the line and the column, and nesting is bounded.
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace nertool {

// Objects and arrays nested deeper than this are refused before parsing: code that walks a value (dump, compare,
// copy) recurses once per level, so a hostile file 100k levels deep would otherwise exhaust the stack.
constexpr int kMaxJsonDepth = 256;

// Parses `text`. InputError(source, line, "invalid JSON at column C: ...") when it is not valid JSON or nests
// deeper than kMaxJsonDepth.
nlohmann::json parse_json(std::string_view text, const std::string& source);

// Reads and parses a file: IoError when unreadable, InputError as parse_json.
nlohmann::json read_json_file(const std::string& path);

// Writes `j` pretty-printed (2 spaces, final newline), atomically.
void write_json_file(const std::string& path, const nlohmann::json& j);

}  // namespace nertool
