#include "nertool/core/worker_supervisor.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>

#include "nertool/core/error.h"

extern char** environ;

namespace nertool {

namespace {

std::atomic<int> g_signal_received{0};

void remember_signal(int sig) { g_signal_received = sig; }

// This process's environment with `extra` entries added, replacing ones of the same name.
std::vector<std::string> merged_environment(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  auto name_of = [](const std::string& entry) { return entry.substr(0, entry.find('=')); };
  for (char** e = environ; *e; ++e) {
    std::string entry = *e;
    bool replaced = false;
    for (const auto& x : extra) replaced = replaced || name_of(x) == name_of(entry);
    if (!replaced) env.push_back(entry);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

pid_t start(const WorkerCommand& command) {
  std::vector<std::string> argv = command.argv;
  std::vector<std::string> env = merged_environment(command.env);
  auto argv_p = pointers(argv);
  auto env_p = pointers(env);
  const pid_t pid = ::fork();
  if (pid < 0) throw Error(std::string("cannot start a worker: fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::setpgid(0, 0);  // a group of its own: stopping a worker stops whatever it started too
    ::execve(argv_p[0], argv_p.data(), env_p.data());
    const std::string message = std::string("error: cannot start worker ") + argv[0] + ": " + std::strerror(errno) + "\n";
    [[maybe_unused]] auto n = ::write(2, message.data(), message.size());
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also here: no race with the first signal
  return pid;
}

std::string describe(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status))
    return "killed by signal " + std::to_string(WTERMSIG(status)) + " (" + ::strsignal(WTERMSIG(status)) + ")";
  return "stopped";
}

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

void signal_all(const std::vector<pid_t>& pids, const std::vector<bool>& running, int sig) {
  for (std::size_t i = 0; i < pids.size(); ++i)
    if (running[i]) ::kill(-pids[i], sig);
}

// One pass over the workers still running; records exits. Returns how many are still running.
std::size_t reap(const std::vector<pid_t>& pids, std::vector<bool>& running, JobOutcome& outcome) {
  std::size_t left = 0;
  for (std::size_t i = 0; i < pids.size(); ++i) {
    if (!running[i]) continue;
    int status = 0;
    const pid_t r = ::waitpid(pids[i], &status, WNOHANG);
    if (r == 0) {
      ++left;
      continue;
    }
    running[i] = false;
    if (r == pids[i] && exit_code_of(status) != 0 && outcome.failed_worker < 0) {
      outcome.failed_worker = static_cast<int>(i);
      outcome.exit_code = exit_code_of(status);
      outcome.reason = describe(status);
    }
  }
  return left;
}

}  // namespace

JobOutcome run_workers(const std::vector<WorkerCommand>& workers, std::chrono::milliseconds grace) {
  struct sigaction action {}, old_int {}, old_term {};
  action.sa_handler = remember_signal;
  ::sigaction(SIGINT, &action, &old_int);
  ::sigaction(SIGTERM, &action, &old_term);
  g_signal_received = 0;

  std::vector<pid_t> pids;
  for (const auto& w : workers) pids.push_back(start(w));
  std::vector<bool> running(pids.size(), true);
  JobOutcome outcome;
  auto stop_deadline = std::chrono::steady_clock::time_point::max();
  bool stopping = false;
  while (reap(pids, running, outcome) > 0) {
    const int sig = g_signal_received.exchange(0);
    if (sig) signal_all(pids, running, sig);
    if (!stopping && outcome.failed_worker >= 0) {
      stopping = true;
      signal_all(pids, running, SIGTERM);
      stop_deadline = std::chrono::steady_clock::now() + grace;
    }
    if (std::chrono::steady_clock::now() > stop_deadline) signal_all(pids, running, SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGTERM, &old_term, nullptr);
  return outcome;
}

}  // namespace nertool
