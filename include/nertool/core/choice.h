#pragma once
// Option values named by words (an optimizer, a precision, an output format). Each enum lists its names once, in a
// ChoiceNames specialisation beside it, and is parsed from text once, where the text comes in: a config key (the
// key tables of core/config_keys.h) or a command-line flag (src/cli/choice_flags.h). The library takes the enum and never
// checks a string again.
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "nertool/core/error.h"  // kept: files that include config.h have relied on it

namespace nertool {

template <typename E>
struct Choice {
  const char* name;
  E value;
};

// Specialised beside each enum: `static constexpr std::array<Choice<E>, N> all{{{"name", E::kValue}, ...}};`. The
// first name of a value is the one written back (configs, metadata); later ones are accepted aliases.
template <typename E>
struct ChoiceNames;

template <typename E>
const char* choice_name(E value) {
  for (const auto& c : ChoiceNames<E>::all)
    if (c.value == value) return c.name;
  return "?";
}

template <typename E>
std::optional<E> find_choice(std::string_view text) {
  for (const auto& c : ChoiceNames<E>::all)
    if (text == c.name) return c.value;
  return std::nullopt;
}

// What a value must be, for messages and docs: "fp32 or bf16", "one of nadam, adam, adamw, sgd".
template <typename E>
std::string choice_rule() {
  const auto& all = ChoiceNames<E>::all;
  std::string names;
  for (std::size_t i = 0; i < all.size(); ++i) {
    const char* separator = i == 0 ? "" : (all.size() == 2 ? " or " : ", ");
    names += separator + std::string(all[i].name);
  }
  return all.size() == 2 ? names : "one of " + names;
}

}  // namespace nertool
