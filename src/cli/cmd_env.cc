// `nertool env`: the environment variables nertool sets for its LibTorch side (core/runtime_environment.h), as
// NAME=VALUE lines, so that other programs can be run under the same settings, e.g. a Python peer in a benchmark:
//   env $(nertool env) python3 peer.py
#include <iostream>
#include <memory>

#include "command.h"
#include "nertool/core/runtime_environment.h"

namespace nertool::cli {
namespace {

Action setup(CLI::App& app) {
  auto explain = std::make_shared<bool>(false);
  app.footer(
      "Prints only what nertool would set: variables already in the environment are left as they are, and\n"
      "NERTOOL_TUNE_ENVIRONMENT=0 turns the settings off (then nothing is printed).");
  app.add_flag("--explain", *explain, "Precede each variable with a comment line saying why it is set");
  return [explain]() {
    for (const auto& s : runtime_environment()) {
      if (*explain) std::cout << "# " << s.why << "\n";
      std::cout << s.name << "=" << s.value << "\n";
    }
    std::cout << std::flush;
    return 0;
  };
}

CommandRegistration reg({"env", "Print the environment (malloc and OpenMP settings) nertool sets for its LibTorch side",
                         90, setup});

}  // namespace
}  // namespace nertool::cli
