#include "nertool/core/config_keys.h"

#include <algorithm>
#include <climits>
#include <cmath>

#include "nertool/core/error.h"

namespace nertool::config {

using nlohmann::json;

std::string closest_key(const std::string& key, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_d = std::string::npos;
  for (const auto& c : candidates) {
    std::vector<std::size_t> prev(c.size() + 1), cur(c.size() + 1);
    for (std::size_t j = 0; j <= c.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= key.size(); ++i) {
      cur[0] = i;
      for (std::size_t j = 1; j <= c.size(); ++j)
        cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (key[i - 1] == c[j - 1] ? 0 : 1)});
      std::swap(prev, cur);
    }
    std::size_t d = prev[c.size()];
    bool substring = c.find(key) != std::string::npos || key.find(c) != std::string::npos;
    if (substring) d = std::min<std::size_t>(d, 1);
    if (d < best_d) best_d = d, best = c;
  }
  // Suggest only plausible typos: at most a third of the key's letters wrong.
  if (best_d == std::string::npos || best_d > std::max<std::size_t>(2, key.size() / 3)) return "";
  return best;
}

std::string json_type_name(const json& v) {
  if (v.is_boolean()) return "a boolean";
  if (v.is_number()) return "a number";
  if (v.is_string()) return "a string";
  if (v.is_array()) return "an array";
  if (v.is_object()) return "an object";
  return "null";
}

void fail(const std::string& source, const std::string& key, const std::string& problem) {
  throw ConfigError((source.empty() ? "" : source + ": ") + key + ": " + problem);
}

void check_known_keys(const json& section, const std::vector<std::string>& known, const std::string& name,
                      const std::string& source) {
  for (const auto& item : section.items()) {
    if (std::find(known.begin(), known.end(), item.key()) != known.end()) continue;
    const std::string hint = closest_key(item.key(), known);
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
    throw ConfigError((source.empty() ? "" : source + ": ") + "unknown key '" + full_key(name, item.key()) + "'" +
                      (hint.empty() ? " (known: " + list + ")" : " (did you mean '" + full_key(name, hint) + "'?)"));
  }
}

SectionReader::SectionReader(const json& section, std::string name, std::string source)
    : section_(section), name_(std::move(name)), source_(std::move(source)) {}

void SectionReader::fail(const std::string& k, const std::string& problem) const {
  config::fail(source_, key(k), problem);
}

std::string SectionReader::str(const std::string& k) const {
  const json& v = at(k);
  if (!v.is_string()) fail(k, "expected a string, got " + json_type_name(v) + " " + v.dump());
  return v.get<std::string>();
}

std::string SectionReader::str_or_empty(const std::string& k) const {
  return has(k) && !at(k).is_null() ? str(k) : "";
}

double SectionReader::number(const std::string& k) const {
  const json& v = at(k);
  if (!v.is_number()) fail(k, "expected a number, got " + json_type_name(v) + " " + v.dump());
  const double x = v.get<double>();
  if (!std::isfinite(x)) fail(k, "expected a finite number");
  return x;
}

bool SectionReader::boolean(const std::string& k) const {
  const json& v = at(k);
  if (!v.is_boolean()) fail(k, "expected true or false, got " + json_type_name(v) + " " + v.dump());
  return v.get<bool>();
}

int64_t SectionReader::integer(const std::string& k) const {
  const json& v = at(k);
  if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
    fail(k, "integer " + v.dump() + " is out of range");
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_float()) {
    const double x = v.get<double>();
    if (std::isfinite(x) && x == std::floor(x) && std::fabs(x) < 9e15) return static_cast<int64_t>(x);
  }
  fail(k, "expected an integer, got " + json_type_name(v) + " " + v.dump());
}

int SectionReader::int32(const std::string& k) const {
  const int64_t x = integer(k);
  if (x < INT32_MIN || x > INT32_MAX) fail(k, "integer " + std::to_string(x) + " is out of range");
  return static_cast<int>(x);
}

std::vector<std::string> SectionReader::strings(const std::string& k) const {
  const json& v = at(k);
  if (!v.is_array()) fail(k, "expected an array of strings, got " + v.dump());
  std::vector<std::string> out;
  for (const auto& x : v) {
    if (!x.is_string()) fail(k, "expected an array of strings, got element " + x.dump());
    out.push_back(x.get<std::string>());
  }
  return out;
}

std::vector<double> SectionReader::numbers(const std::string& k) const {
  const json& v = at(k);
  if (!v.is_array()) fail(k, "expected an array of numbers, got " + v.dump());
  std::vector<double> out;
  for (const auto& x : v) {
    if (!x.is_number()) fail(k, "expected an array of numbers, got element " + x.dump());
    out.push_back(x.get<double>());
  }
  return out;
}

void SectionReader::check(bool ok, const std::string& k, const std::string& requirement) const {
  if (!ok) fail(k, "must be " + requirement + " (got " + at(k).dump() + ")");
}

}  // namespace nertool::config
