// kill -9 anywhere: training is killed at pseudo-random moments (before its first checkpoint, inside an epoch,
// during a checkpoint write) and resumed each time; the finished run must equal an uninterrupted one, and the
// run directory must be loadable whenever it holds a checkpoint.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <random>
#include <sstream>
#include <string>

#include "cli_runner.h"
#include "nertool/core/atomic_file.h"
#include "test_paths.h"

namespace {

namespace fs = std::filesystem;
using nertool::testing::CliResult;
using nertool::testing::nertool_binary;
using nertool::testing::run_nertool;
using nertool::testing::run_shell;
using nertool::testing::source_path;
using nertool::testing::TempDir;

// A small BiLSTM-CNN on the bundled sample: 6 epochs of well under a second each, on one thread (bit-for-bit resume).
std::string train_args(const std::string& out) {
  return "train --config " + source_path("configs/bilstm_cnn.json") + " --data " + source_path("data/sample") +
         " --out " + out +
         " --set train.max_epochs=6 --set train.patience=0 --set train.num_threads=1 --set train.device=cpu"
         " --set model.bilstm_cnn.hidden_size=64 --set data.test=test.txt --seed 7";
}

// What must not differ between runs: every epoch's losses and scores (times left out), and the tagging output
// with probabilities.
std::string fingerprint(const TempDir& dir, const std::string& run) {
  std::ostringstream out;
  std::istringstream metrics(nertool::read_file(run + "/metrics.jsonl"));
  for (std::string line; std::getline(metrics, line);) {
    auto j = nlohmann::json::parse(line);
    j.erase("seconds");
    j.erase("tokens_per_s");
    out << j.dump() << "\n";
  }
  CliResult r = run_nertool("predict --model " + run + " --input " + source_path("data/sample/test.txt") +
                                " --format jsonl --probs",
                            dir);
  EXPECT_EQ(r.status, 0) << r.err;
  return out.str() + r.out;
}

// Epochs a run directory has recorded so far (0 before its first).
std::size_t recorded_epochs(const std::string& run) {
  if (!fs::exists(run + "/metrics.jsonl")) return 0;
  std::istringstream metrics(nertool::read_file(run + "/metrics.jsonl"));
  std::size_t n = 0;
  for (std::string line; std::getline(metrics, line);) n += !line.empty();
  return n;
}

TEST(KillResume, KilledAtRandomMomentsAndResumedEqualsUninterrupted) {
  TempDir dir;
  const std::string reference = dir.file("reference");
  const auto t0 = std::chrono::steady_clock::now();
  CliResult r = run_nertool(train_args(reference), dir);
  ASSERT_EQ(r.status, 0) << r.err;
  // Kills land anywhere in a run: from start-up (before the first checkpoint) to the last epoch's checkpoint.
  int run_ms = static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count());
  const std::string expected = fingerprint(dir, reference);

  const std::string run = dir.file("killed");
  std::mt19937 rng(12345);
  int kills = 0, attempts = 0;
  // Under changing load a run can go faster than the reference did and finish before two kills: then it starts
  // over with delays half as long. It can also go slower, so that start-up and an epoch outlast the delays: each
  // kill that left no new epoch makes the next delays 1.5 times as long (the same draws, scaled).
  for (int round = 0; round < 4 && kills < 2; ++round, run_ms /= 2) {
    fs::remove_all(run);
    kills = 0;
    double slowdown = 1.0;
    std::uniform_int_distribution<int> delay_ms(run_ms / 20, run_ms / 2);
    for (attempts = 0; attempts < 40; ++attempts) {
      const bool started = fs::exists(run);
      const std::size_t epochs_before = recorded_epochs(run);
      const int ms = static_cast<int>(delay_ms(rng) * slowdown);
      r = run_shell("timeout -s KILL " + std::to_string(ms / 1000.0) + " " + nertool_binary() + " " +
                        train_args(run) + (started ? " --resume" : ""),
                    dir);
      if (r.status == 0) break;
      ASSERT_EQ(r.status, 137) << "attempt " << attempts << ": " << r.err;  // killed by the signal, nothing else
      ++kills;
      if (recorded_epochs(run) == epochs_before) slowdown *= 1.5;
      // Whenever a checkpoint is there, the directory loads as a model.
      if (fs::exists(run + "/model.pt")) {
        CliResult e = run_nertool("eval --model " + run + " --data " + source_path("data/sample/test.txt"), dir);
        EXPECT_EQ(e.status, 0) << "after kill " << kills << ": " << e.err;
      }
    }
    ASSERT_EQ(r.status, 0) << "did not finish in " << attempts << " attempts";
  }
  EXPECT_GE(kills, 2) << "the delays never caught the run in flight";
  EXPECT_EQ(fingerprint(dir, run), expected) << "after " << kills << " kills";
  for (const auto& e : fs::directory_iterator(run))
    EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos) << e.path();
}

}  // namespace
