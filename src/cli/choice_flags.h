#pragma once
// Flags whose value is a word from a fixed set: parsed into the library's enum here, at the edge, so that the
// library never sees the text (core/choice.h).
#include <CLI/CLI.hpp>

#include <string>
#include <type_traits>

#include "nertool/core/choice.h"
#include "nertool/train/device_request.h"

namespace nertool::cli {

// One of E's names: shown as `a|b|c` with the default; anything else is refused with the names, and the name is
// converted to E here.
template <typename E>
CLI::Option* add_choice_flag(CLI::App& app, const std::string& names, E& target, const std::string& help) {
  auto to_value = [](std::string& text) -> std::string {
    const auto value = find_choice<E>(text);
    if (!value) return "must be " + choice_rule<E>() + ", not '" + text + "'";
    text = std::to_string(static_cast<std::underlying_type_t<E>>(*value));  // CLI11 reads enums as numbers
    return {};
  };
  std::string shown;
  for (const auto& c : ChoiceNames<E>::all) shown += (shown.empty() ? "" : "|") + std::string(c.name);
  return app.add_option(names, target, help)
      ->transform(CLI::Validator(to_value, ""))
      ->type_name(shown)
      ->default_str(choice_name(target));
}

// --device: auto, cpu, cuda or cuda:N.
inline CLI::Option* add_device_flag(CLI::App& app, train::DeviceRequest& target, const std::string& help) {
  auto check = [](std::string& text) {
    return train::parse_device_request(text) ? std::string()
                                             : "must be " + std::string(train::kDeviceRule) + ", not '" + text + "'";
  };
  return app
      .add_option_function<std::string>(
          "--device", [&target](const std::string& text) { target = *train::parse_device_request(text); }, help)
      ->check(CLI::Validator(check, "DEVICE"))
      ->default_str(target.text());
}

}  // namespace nertool::cli
