#pragma once
// A job of several local processes watched as one: `nertool train --nproc N` starts its workers with it. The
// first worker that fails (non-zero exit or a signal) stops the others: SIGTERM, then SIGKILL after a grace
// period. Each worker runs in a process group of its own, so whatever it starts is stopped with it. SIGINT and
// SIGTERM sent to the supervisor are passed on to the workers.
#include <chrono>
#include <string>
#include <vector>

namespace nertool {

struct WorkerCommand {
  std::vector<std::string> argv;  // argv[0] is the program's path
  std::vector<std::string> env;   // NAME=value entries added to (or replacing in) this process's environment
};

struct JobOutcome {
  int exit_code = 0;       // 0 when every worker succeeded; else the first failure's code (128 + signal if killed)
  int failed_worker = -1;  // index of the first worker that failed
  std::string reason;      // "exited with status 2", "killed by signal 9 (Killed)"
};

// Starts every command and waits for all of them. Throws Error when a worker cannot be started.
JobOutcome run_workers(const std::vector<WorkerCommand>& workers,
                       std::chrono::milliseconds grace = std::chrono::seconds(10));

}  // namespace nertool
