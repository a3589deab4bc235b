// nertool: named-entity tagging toolkit. This file only dispatches to subcommands and reports errors.
#include <spdlog/spdlog.h>

#include "torch_front_end.h"
#if NERTOOL_CLI_TORCH
#include <torch/cuda.h>
#include <torch/version.h>

#include "nertool/train/distributed.h"
#endif

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>

#include "command.h"
#include "nertool/build_info.h"
#include "nertool/core/error.h"
#include "nertool/core/huge_page_heap.h"
#include "nertool/core/logging.h"
#include "nertool/core/runtime_environment.h"

namespace nertool::cli {

std::vector<Command>& command_registry() {
  static std::vector<Command> registry;
  return registry;
}

#if NERTOOL_CLI_TORCH
static std::string version_text() {
  std::string text = std::string("nertool ") + NERTOOL_VERSION + " (commit " + NERTOOL_GIT_COMMIT + ")\n";
  text += std::string("LibTorch ") + TORCH_VERSION + "\n";
  bool cuda = torch::cuda::is_available();
  text += std::string("CUDA: ") + (cuda ? "usable (" + std::to_string(torch::cuda::device_count()) + " device(s))"
                                        : "not usable");
#ifdef NERTOOL_HAVE_CUDA
  text += ", nertool CUDA kernels built";
#else
  text += ", nertool CUDA kernels not built";
#endif
  std::string groups;
  for (const auto& g : train::available_process_groups()) groups += (groups.empty() ? "" : ", ") + g;
  text += "\nprocess groups (distributed training): " + (groups.empty() ? std::string("none") : groups);
  return text;
}
#endif

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
  if (show_version) {
#if NERTOOL_CLI_TORCH
    std::cout << version_text() << std::endl;
    return 0;
#else
    run_in_torch_front_end();  // the LibTorch version and CUDA are facts of the LibTorch side
#endif
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
  std::cerr << "error: cannot write standard output" << (errno ? std::string(": ") + std::strerror(errno) : "")
            << std::endl;
  return status == 0 ? 1 : status;
}

}  // namespace nertool::cli

int main(int argc, char** argv) {
  nertool::cli::remember_command_line(argc, argv);
#if NERTOOL_CLI_TORCH
  // Started directly rather than through `nertool`: give this program the same malloc settings, which glibc reads
  // only at start-up, by starting it again with them (once: afterwards they are set). If that fails, run as is.
  if (!nertool::runtime_environment().empty()) {
    nertool::export_runtime_environment();
    ::execv("/proc/self/exe", argv);
  }
#endif
#if !NERTOOL_CLI_TORCH
  // Scoring and conversion parse whole files into small strings (core/huge_page_heap.h). Not in nertool-torch:
  // its large tensors are better served by malloc's own mmap threshold.
  nertool::reserve_huge_page_heap(std::size_t{64} << 20);
#endif
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
