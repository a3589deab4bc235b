// Hand-over from the LibTorch-free `nertool` to `nertool-torch` (torch_part.h says why there are two).
#include "torch_part.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "nertool/core/companion_file.h"
#include "nertool/core/error.h"
#include "nertool/core/runtime_environment.h"

namespace nertool::cli {
namespace {
std::vector<char*> g_argv;
}  // namespace

void remember_command_line(int argc, char** argv) { g_argv.assign(argv, argv + argc); }

std::vector<std::string> remembered_command_line() { return {g_argv.begin(), g_argv.end()}; }

[[noreturn]] void run_in_torch_front_end() {
  if (links_torch()) throw Error("internal: this command's LibTorch part is not in this build of nertool-torch");
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  export_runtime_environment();  // glibc reads it before nertool-torch's main() runs
  std::vector<char*> argv = g_argv;
  argv.push_back(nullptr);
  std::string tried;
  for (const std::string& path : companion_file_candidates("nertool-torch", NERTOOL_TORCH_FRONT_END_PATH)) {
    if (::access(path.c_str(), X_OK) != 0) {
      tried += "\n  " + path + ": " + std::strerror(errno);
      continue;
    }
    argv[0] = const_cast<char*>(path.c_str());
    ::execv(path.c_str(), argv.data());
    tried += "\n  " + path + ": " + std::strerror(errno);
  }
  throw Error("this command needs LibTorch, which nertool runs in its companion program nertool-torch; it could "
              "not be started:" + tried + "\n(install nertool-torch beside nertool, or rebuild: scripts/build.sh)");
}

}  // namespace nertool::cli
