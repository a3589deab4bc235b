// nertool: named-entity tagging toolkit. This file only dispatches to subcommands and reports errors.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <iostream>
#include <memory>

#include "command.h"
#include "nertool/core/error.h"
#include "nertool/core/huge_page_heap.h"
#include "nertool/core/logging.h"
#include "nertool/core/write_error.h"
#include "torch_part.h"

namespace nertool::cli {

std::vector<Command>& command_registry() {
  static std::vector<Command> registry;
  return registry;
}

static int run(int argc, char** argv) {
  CLI::App app{"nertool: train, evaluate and apply named-entity taggers (BiLSTM-CNN, BERT, RoBERTa; softmax or CRF)."};
  app.set_help_all_flag("--help-all", "Print help for every subcommand");
  app.require_subcommand(0, 1);
  bool show_version = false;
  app.add_flag("--version", show_version,
               "Print nertool's version, the LibTorch version, whether CUDA is usable and the process groups "
               "distributed training can use");
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "Log level: trace, debug, info, warn, error, off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));

  auto& commands = command_registry();
  std::sort(commands.begin(), commands.end(),
            [](const Command& a, const Command& b) { return a.order != b.order ? a.order < b.order : a.name < b.name; });
  std::vector<std::pair<CLI::App*, Action>> actions;
  for (const auto& command : commands) {
    CLI::App* sub = app.add_subcommand(command.name, command.description);
    actions.emplace_back(sub, command.setup(*sub));
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --help-all
    // Every other flag error is bad input (2), worded as the library's errors are.
    std::cerr << "error: " << e.what() << " (see nertool --help, or nertool SUBCOMMAND --help)" << std::endl;
    return 2;
  }
  setup_logging(log_level);
  if (show_version) {  // the LibTorch version and CUDA are facts of the LibTorch side
    std::cout << run_torch_part(VersionText{}) << std::endl;
    return 0;
  }
  for (auto& [sub, action] : actions) {
    if (sub->parsed()) return action();
  }
  std::cout << app.help() << std::flush;
  return 0;
}

// Whatever went to stdout (a report, converted text, --dump-config) must not be lost silently: a full disk, a
// closed pipe or `> /dev/full` turns a successful exit into an error.
static int check_stdout(int status) {
  errno = 0;
  std::cout.flush();
  const bool failed = !std::cout || std::fflush(stdout) != 0 || std::ferror(stdout);
  if (!failed) return status;
  std::cerr << "error: " << write_error("standard output").what() << std::endl;
  return status == 0 ? 1 : status;
}

}  // namespace nertool::cli

int main(int argc, char** argv) {
  nertool::cli::remember_command_line(argc, argv);
  if (const auto start = nertool::cli::torch_part<nertool::cli::ProgramStart>()) {
    start({argv});
  } else {
    // `nertool`: scoring and conversion parse whole files into small strings (core/huge_page_heap.h). Not in
    // nertool-torch: its large tensors are better served by malloc's own mmap threshold.
    nertool::reserve_huge_page_heap(std::size_t{64} << 20);
  }
  try {
    return nertool::cli::check_stdout(nertool::cli::run(argc, argv));
  } catch (const nertool::InputError& e) {
    std::cerr << "error: " << e.what() << std::endl;
    return 2;
  } catch (const nertool::ConfigError& e) {
    std::cerr << "error: " << e.what() << std::endl;
    return 2;
  } catch (const nertool::Error& e) {
    std::cerr << "error: " << e.what() << std::endl;
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "internal error: " << e.what() << std::endl;
    return 3;
  }
}
