#pragma once
// Runs a command line through the shell for the CLI tests: the exit status, stdout, and stderr (collected in a
// file of the test's temporary directory so that the two streams stay apart).
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "test_paths.h"

namespace nertool::testing {

struct CliResult {
  int status = -1;  // exit status; -1 when the process did not exit normally
  std::string out, err;
};

inline CliResult run_shell(const std::string& command, const TempDir& dir) {
  const std::string err_path = dir.file("stderr.txt");
  const std::string line = command + " 2>" + err_path;
  CliResult run;
  FILE* pipe = ::popen(line.c_str(), "r");
  if (!pipe) return run;
  char buffer[65536];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) run.out.append(buffer, n);
  const int status = ::pclose(pipe);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream err(err_path, std::ios::binary);
  run.err.assign(std::istreambuf_iterator<char>(err), std::istreambuf_iterator<char>());
  return run;
}

// `nertool ARGS` (the LibTorch-free front end, which hands LibTorch work to nertool-torch).
inline CliResult run_nertool(const std::string& args, const TempDir& dir) {
  return run_shell(nertool_binary() + " " + args, dir);
}

}  // namespace nertool::testing
