#pragma once
// The one way a config section is declared and read. Each key is written once, in a table of `key(...)` lines
// (name, the member its value goes to, meaning, rule, check); defaults are the members' initializers. From the
// table come the typed reads and their errors, unknown-key errors with the closest known key, the section written
// back (run directories, --dump-config) and the documentation rows (docs/configuration.md).
//
// Every error has one form: "<source>: <key>: <problem>" ("<key>: <problem>" when no file is known), with the
// full key ("train.lr", "model.bilstm_cnn.word_dim").
//
// train/config.cc declares data, train and pretrain; each model component declares its own model.<name> section.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <type_traits>
#include <vector>

#include "nertool/core/choice.h"

namespace nertool::config {

// The closest of `candidates` to `key` by edit distance, or "" when none is reasonably close.
std::string closest_key(const std::string& key, const std::vector<std::string>& candidates);

// The full name of `key` in `section`: "train.lr", or "lr" when the section has no name (a file of its own).
inline std::string full_key(const std::string& section, const std::string& key) {
  return section.empty() ? key : section + "." + key;
}

// "a number", "a string", ... for messages.
std::string json_type_name(const nlohmann::json& value);

// Throws ConfigError("<source>: <key>: <problem>"), or without the source when it is empty.
[[noreturn]] void fail(const std::string& source, const std::string& key, const std::string& problem);

// Refuses keys of `section` (an object) that are not in `known`, naming the closest known one.
void check_known_keys(const nlohmann::json& section, const std::vector<std::string>& known, const std::string& name,
                      const std::string& source);

// Reads typed values of one section (an object), naming the full key in every error.
class SectionReader {
 public:
  SectionReader(const nlohmann::json& section, std::string name, std::string source);
  std::string key(const std::string& k) const { return full_key(name_, k); }
  bool has(const std::string& k) const { return section_.is_object() && section_.contains(k); }
  // The value of `k`; "<key>: missing" when the section does not hold it (so every typed read below requires
  // its key: optional keys are read under has()).
  const nlohmann::json& at(const std::string& k) const {
    if (!has(k)) fail(k, "missing");
    return section_.at(k);
  }

  std::string str(const std::string& k) const;
  std::string str_or_empty(const std::string& k) const;  // "" when absent or null
  double number(const std::string& k) const;  // finite
  bool boolean(const std::string& k) const;
  int64_t integer(const std::string& k) const;  // whole numbers written as 3.0 too; out of range is an error
  int int32(const std::string& k) const;        // an integer that must fit an int: never a wrapped value
  std::vector<std::string> strings(const std::string& k) const;
  std::vector<double> numbers(const std::string& k) const;
  // Throws "<key>: must be <requirement> (got <value>)" unless ok.
  void check(bool ok, const std::string& k, const std::string& requirement) const;
  [[noreturn]] void fail(const std::string& k, const std::string& problem) const;

 private:
  const nlohmann::json& section_;
  std::string name_;
  std::string source_;
};

template <class Section>
struct Key {
  std::string name, type, rule, help;
  std::function<nlohmann::json(const Section&)> get;
  std::function<void(const SectionReader&, Section&)> read;  // the typed read and the rule
};

// How a member type is read, written and documented.
template <class T, class = void>
struct KeyType;
template <>
struct KeyType<std::string> {
  static constexpr const char* name = "string";
  static std::string read(const SectionReader& r, const std::string& k) { return r.str(k); }
};
template <>
struct KeyType<bool> {
  static constexpr const char* name = "boolean";
  static bool read(const SectionReader& r, const std::string& k) { return r.boolean(k); }
};
template <>
struct KeyType<double> {
  static constexpr const char* name = "number";
  static double read(const SectionReader& r, const std::string& k) { return r.number(k); }
};
template <>
struct KeyType<int> {
  static constexpr const char* name = "integer (32-bit)";
  static int read(const SectionReader& r, const std::string& k) { return r.int32(k); }
};
template <>
struct KeyType<int64_t> {
  static constexpr const char* name = "integer";
  static int64_t read(const SectionReader& r, const std::string& k) { return r.integer(k); }
};
template <>
struct KeyType<uint64_t> {
  static constexpr const char* name = "integer";
  static uint64_t read(const SectionReader& r, const std::string& k) {
    const int64_t x = r.integer(k);
    r.check(x >= 0, k, "0 to 2^63-1");
    return static_cast<uint64_t>(x);
  }
};
template <>
struct KeyType<std::vector<std::string>> {
  static constexpr const char* name = "array of strings";
  static std::vector<std::string> read(const SectionReader& r, const std::string& k) { return r.strings(k); }
};
template <>
struct KeyType<std::vector<double>> {
  static constexpr const char* name = "array of numbers";
  static std::vector<double> read(const SectionReader& r, const std::string& k) { return r.numbers(k); }
};
// An option named by words (core/choice.h): written as its name, read by its names.
template <class E>
struct KeyType<E, std::enable_if_t<std::is_enum_v<E>>> {
  static constexpr const char* name = "string";
  static std::string rule() { return choice_rule<E>(); }
  static nlohmann::json write(E v) { return choice_name(v); }
  static E read(const SectionReader& r, const std::string& k) {
    const auto value = find_choice<E>(r.str(k));
    r.check(value.has_value(), k, rule());
    return *value;
  }
};

// A type's own rule (enums: their names) and writer, when it has them.
template <class T, class = void>
struct HasRule : std::false_type {};
template <class T>
struct HasRule<T, std::void_t<decltype(KeyType<T>::rule())>> : std::true_type {};
template <class T, class = void>
struct HasWrite : std::false_type {};
template <class T>
struct HasWrite<T, std::void_t<decltype(KeyType<T>::write(std::declval<const T&>()))>> : std::true_type {};

template <class T>
std::string type_rule() {
  if constexpr (HasRule<T>::value) return KeyType<T>::rule();
  else return "";
}
template <class T>
nlohmann::json write_value(const T& v) {
  if constexpr (HasWrite<T>::value) return KeyType<T>::write(v);
  else return nlohmann::json(v);
}

// One table line. `ok` checks the value; `rule` says what it must be ("" and no `ok`: any value of the type).
template <class Section, class T>
Key<Section> key(const char* name, T Section::*member, const char* help, const char* rule = "",
                 std::function<bool(const T&)> ok = nullptr) {
  Key<Section> k{name, KeyType<T>::name, *rule ? std::string(rule) : type_rule<T>(), help, nullptr, nullptr};
  k.get = [member](const Section& s) { return write_value(s.*member); };
  k.read = [member, ok, name = std::string(name), rule = std::string(rule)](const SectionReader& r, Section& s) {
    s.*member = KeyType<T>::read(r, name);
    if (ok) r.check(ok(s.*member), name, rule);
  };
  return k;
}

// Checks that table lines share.
template <class T>
std::function<bool(const T&)> at_least(T low) {
  return [low](const T& v) { return v >= low; };
}
inline std::function<bool(const double&)> rate_below_one() {
  return [](const double& v) { return v >= 0.0 && v < 1.0; };
}

template <class Section>
std::vector<std::string> key_names(const std::vector<Key<Section>>& keys) {
  std::vector<std::string> names;
  for (const auto& k : keys) names.push_back(k.name);
  return names;
}

// The section as JSON: every key with its value.
template <class Section>
nlohmann::json section_json(const std::vector<Key<Section>>& keys, const Section& values) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& k : keys) out[k.name] = k.get(values);
  return out;
}

// The member `name` of `parent` when `parent` is an object holding it, else null (a section left out).
inline const nlohmann::json& member_or_null(const nlohmann::json& parent, const std::string& name) {
  static const nlohmann::json null;
  if (!parent.is_object()) return null;
  const auto it = parent.find(name);
  return it == parent.end() ? null : *it;
}

// Reads the table's keys that `section` (an object) holds into `out`, leaving other keys alone: for keys that sit
// beside others' in one object (the transformers' model.max_seq_length).
template <class Section>
void read_present_keys(const std::vector<Key<Section>>& keys, const nlohmann::json& section, const std::string& name,
                       Section& out, const std::string& source = "") {
  if (!section.is_object()) return;
  const SectionReader reader(section, name, source);
  for (const auto& k : keys)
    if (reader.has(k.name)) k.read(reader, out);
}

// Reads `section` (null: every default) into a Section: an object whose keys are all in the table; keys it leaves
// out keep their defaults. `name` is the section's full key ("model.crf").
template <class Section>
Section read_section(const std::vector<Key<Section>>& keys, const nlohmann::json& section, const std::string& name,
                     const std::string& source = "") {
  Section out{};
  if (section.is_null()) return out;
  if (!section.is_object()) fail(source, name, "expected an object, got " + json_type_name(section));
  check_known_keys(section, key_names(keys), name, source);
  read_present_keys(keys, section, name, out, source);
  return out;
}

// Markdown rows "| `name.key` | type | `default` | rule | meaning |" for docs/configuration.md.
template <class Section>
void append_key_rows(std::string& out, const std::string& name, const std::vector<Key<Section>>& keys) {
  const Section defaults{};
  for (const auto& k : keys)
    out += "| `" + full_key(name, k.name) + "` | " + k.type + " | `" + k.get(defaults).dump() + "` | " +
           (k.rule.empty() ? "-" : k.rule) + " | " + k.help + " |\n";
}

}  // namespace nertool::config
