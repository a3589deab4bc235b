#pragma once
// Reading a component's own config section (model.<name>): known keys only, typed values, range rules, each
// error naming the full key. Private to src/models.
#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <type_traits>

#include "nertool/core/error.h"

namespace nertool::models::section {

// Throws ConfigError unless `j` is null or an object whose keys are all in `known`.
inline void check_keys(const nlohmann::json& j, const std::string& where, const std::set<std::string>& known) {
  if (j.is_null()) return;
  if (!j.is_object()) throw ConfigError(where + ": expected an object, got " + j.dump());
  for (const auto& [key, value] : j.items())
    if (!known.count(key)) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      throw ConfigError("unknown key " + where + "." + key + " (known: " + list + ")");
    }
}

// Reads one option when present, checking its JSON type; `where` names the section in messages.
template <typename T>
void read(const nlohmann::json& j, const char* key, T& out, const std::string& where) {
  if (!j.is_object()) return;
  auto it = j.find(key);
  if (it == j.end()) return;
  const auto& v = *it;
  bool ok;
  if constexpr (std::is_same_v<T, bool>) ok = v.is_boolean();
  else if constexpr (std::is_same_v<T, int64_t>) ok = v.is_number_integer();
  else if constexpr (std::is_same_v<T, double>) ok = v.is_number();
  else ok = v.is_string();
  if (!ok) throw ConfigError(where + "." + key + ": expected " +
                             (std::is_same_v<T, bool> ? "true or false" : std::is_same_v<T, int64_t> ? "an integer"
                              : std::is_same_v<T, double> ? "a number" : "a string") + ", got " + v.dump());
  out = v.get<T>();
}

inline void require(bool ok, const std::string& where, const char* key, const std::string& rule,
                    const std::string& value) {
  if (!ok) throw ConfigError(where + "." + key + " = " + value + ": must be " + rule);
}

}  // namespace nertool::models::section
