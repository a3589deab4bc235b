#pragma once
// nertool's front end is built twice from src/cli: `nertool`, which links no LibTorch, so that scoring, tag-scheme
// conversion and tokenization start in milliseconds (loading LibTorch's shared libraries alone takes about half a
// second), and `nertool-torch` (compiled with NERTOOL_CLI_TORCH=1): the same commands and flags with LibTorch
// linked. A command keeps its LibTorch work under `#if NERTOOL_CLI_TORCH`; in `nertool` the same spot calls
// run_in_torch_front_end(), which replaces the process with `nertool-torch` on the same command line, so flags
// are declared once and both programs parse them identically.
#ifndef NERTOOL_CLI_TORCH
#define NERTOOL_CLI_TORCH 0
#endif

#include <string>
#include <vector>

namespace nertool::cli {

// Keeps the command line for run_in_torch_front_end(); main() calls it first.
void remember_command_line(int argc, char** argv);
// The command line main() was given (argv[0] included).
std::vector<std::string> remembered_command_line();

#if !NERTOOL_CLI_TORCH
// Executes `nertool-torch` with the remembered command line: the one beside this executable, else the one in the
// build tree it was built in. Returns only by throwing nertool::Error when neither can be started.
[[noreturn]] void run_in_torch_front_end();
#endif

}  // namespace nertool::cli
