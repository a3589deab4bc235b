// The --nproc job supervisor: the first failing worker stops the others, its exit code is the job's.
#include "nertool/core/worker_supervisor.h"

#include <gtest/gtest.h>

#include <chrono>

namespace nertool {
namespace {

WorkerCommand shell(const std::string& script, std::vector<std::string> env = {}) {
  return WorkerCommand{{"/bin/sh", "-c", script}, std::move(env)};
}

TEST(WorkerSupervisor, AllSucceed) {
  const JobOutcome outcome = run_workers({shell("exit 0"), shell("exit 0"), shell("exit 0")});
  EXPECT_EQ(outcome.exit_code, 0);
  EXPECT_EQ(outcome.failed_worker, -1);
}

TEST(WorkerSupervisor, OneFailureStopsTheOthersAndGivesItsExitCode) {
  const auto start = std::chrono::steady_clock::now();
  const JobOutcome outcome =
      run_workers({shell("sleep 60"), shell("sleep 0.2; exit 3"), shell("sleep 60")}, std::chrono::seconds(2));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(outcome.exit_code, 3);
  EXPECT_EQ(outcome.failed_worker, 1);
  EXPECT_EQ(outcome.reason, "exited with status 3");
  EXPECT_LT(seconds, 10.0) << "the sleeping workers were not stopped";
}

TEST(WorkerSupervisor, AWorkerIgnoringSigtermIsKilledAfterTheGracePeriod) {
  const auto start = std::chrono::steady_clock::now();
  const JobOutcome outcome =
      run_workers({shell("trap '' TERM; sleep 60"), shell("exit 2")}, std::chrono::milliseconds(500));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(outcome.exit_code, 2);
  EXPECT_EQ(outcome.failed_worker, 1);
  EXPECT_LT(seconds, 10.0);
}

TEST(WorkerSupervisor, ASignalDeathIsAFailure) {
  const JobOutcome outcome = run_workers({shell("kill -9 $$")});
  EXPECT_EQ(outcome.exit_code, 128 + 9);
  EXPECT_EQ(outcome.failed_worker, 0);
  EXPECT_NE(outcome.reason.find("killed by signal 9"), std::string::npos) << outcome.reason;
}

TEST(WorkerSupervisor, WorkersGetTheirOwnEnvironmentOnTopOfOurs) {
  ::setenv("NERTOOL_SUPERVISOR_TEST", "ours", 1);
  const JobOutcome outcome = run_workers(
      {shell("test \"$RANK\" = 0 && test \"$NERTOOL_SUPERVISOR_TEST\" = ours", {"RANK=0"}),
       shell("test \"$RANK\" = 1 && test \"$NERTOOL_SUPERVISOR_TEST\" = theirs", {"RANK=1", "NERTOOL_SUPERVISOR_TEST=theirs"})});
  EXPECT_EQ(outcome.exit_code, 0) << "worker " << outcome.failed_worker << " " << outcome.reason;
}

TEST(WorkerSupervisor, AProgramThatCannotStartIsAFailure) {
  const JobOutcome outcome = run_workers({WorkerCommand{{"/nonexistent/nertool-torch"}, {}}});
  EXPECT_EQ(outcome.exit_code, 127);
}

}  // namespace
}  // namespace nertool
