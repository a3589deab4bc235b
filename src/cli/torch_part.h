#pragma once
// nertool's front end is two programs built from src/cli: `nertool`, which links no LibTorch, so that scoring,
// tag-scheme conversion and tokenization start in milliseconds (loading LibTorch's shared libraries alone takes about
// half a second), and `nertool-torch`: the same commands and flags plus the LibTorch parts in src/cli/torch/.
//
// The seam is at link time. A command's flags part (src/cli/cmd_<name>.cc) asks for its LibTorch part by request
// type: run_torch_part(request). Each file of src/cli/torch/ registers the part of one request type, and only
// nertool-torch links that folder. In `nertool` no part is registered, so the request hands the whole command line
// to nertool-torch, which parses the same flags and runs the part: flags are declared once, and no command file
// holds a preprocessor switch. `nertool` links no LibTorch, so a flags part that calls into it fails to link.
#include <string>
#include <vector>

namespace nertool::cli {

// Keeps the command line for run_in_torch_front_end(); main() calls it first.
void remember_command_line(int argc, char** argv);
// The command line main() was given (argv[0] included).
std::vector<std::string> remembered_command_line();

// The LibTorch part of a request type: Request::Result (*)(const Request&).
template <typename Request>
using TorchPart = typename Request::Result (*)(const Request&);

// The part registered for Request; null in `nertool`.
template <typename Request>
TorchPart<Request>& torch_part() {
  static TorchPart<Request> part = nullptr;
  return part;
}

template <typename Request>
struct TorchPartRegistration {
  explicit TorchPartRegistration(TorchPart<Request> part) { torch_part<Request>() = part; }
};

// What nertool-torch does first (src/cli/torch/program_torch.cc). Its registration is also what tells the
// programs apart: links_torch().
struct ProgramStart {
  using Result = void;
  char** argv;
};
// The text of `--version`: LibTorch's version, CUDA, process groups.
struct VersionText {
  using Result = std::string;
};

// Whether this program is nertool-torch.
inline bool links_torch() { return torch_part<ProgramStart>() != nullptr; }

// Executes nertool-torch (core/companion_file.h finds it) with the remembered command line. Returns only by throwing
// nertool::Error: when it cannot be started, or in nertool-torch itself (a request without a part: a build error).
[[noreturn]] void run_in_torch_front_end();

// Runs the LibTorch part of `request` here, or, in `nertool`, the whole command in nertool-torch.
template <typename Request>
typename Request::Result run_torch_part(const Request& request) {
  if (const auto part = torch_part<Request>()) return part(request);
  run_in_torch_front_end();
}

}  // namespace nertool::cli
