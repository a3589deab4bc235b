#pragma once
// Subcommand registry of the thin front end: every src/cli/cmd_<name>.cc defines one CommandRegistration whose
// `setup` declares the flags on its CLI11 subcommand and returns the action that runs after parsing.
#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

namespace nertool::cli {

using Action = std::function<int()>;

struct Command {
  std::string name;
  std::string description;
  int order;  // position in `nertool --help`
  std::function<Action(CLI::App&)> setup;
};

std::vector<Command>& command_registry();

struct CommandRegistration {
  explicit CommandRegistration(Command command) { command_registry().push_back(std::move(command)); }
};

}  // namespace nertool::cli
