// Run directories come from other people's machines, and disks fail: one tiny run is trained once, and each case
// copies it, damages one file and runs `predict` and `eval --model` on it (a damaged checkpoint: `train --resume`). Each must end with an error that names the damaged file, no
// internal error, no output file, and the run directory as it was.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "case_catalog.h"
#include "cli_runner.h"
#include "nertool/core/atomic_file.h"
#include "test_paths.h"

namespace {

namespace fs = std::filesystem;
using nertool::testing::case_name;
using nertool::testing::CliResult;
using nertool::testing::folder_snapshot;
using nertool::testing::run_nertool;
using nertool::testing::source_path;
using nertool::testing::TempDir;

struct Damage {
  std::string name;
  std::string file;                                     // the run-directory file damaged (and named in the error)
  std::function<void(const std::string& path)> damage;  // applied to a copy of the run
};

void truncate_to_half(const std::string& path) {
  const std::string bytes = nertool::read_file(path);
  nertool::write_file_atomic(path, bytes.substr(0, bytes.size() / 2));
}
void write(const std::string& path, const std::string& text) { nertool::write_file_atomic(path, text); }

std::vector<Damage> damages() {
  return {
      {"model.pt truncated", "model.pt", truncate_to_half},
      {"model.pt empty", "model.pt", [](const std::string& p) { write(p, ""); }},
      {"model.pt not an archive", "model.pt", [](const std::string& p) { write(p, "PK\x03\x04 no zip at all"); }},
      {"model.pt removed", "model.pt", [](const std::string& p) { fs::remove(p); }},
      {"config.json invalid JSON", "config.json", truncate_to_half},
      {"config.json unknown encoder", "config.json",
       [](const std::string& p) { write(p, R"({"model": {"encoder": "lstm_of_doom"}})"); }},
      {"labels.json removed", "labels.json", [](const std::string& p) { fs::remove(p); }},
      {"labels.json wrong type", "labels.json", [](const std::string& p) { write(p, R"({"labels": 3})"); }},
      {"labels.json truncated", "labels.json", truncate_to_half},
      {"vocabulary truncated", "bilstm_cnn_vocab.json", truncate_to_half},
      {"vocabulary wrong types", "bilstm_cnn_vocab.json",
       [](const std::string& p) { write(p, R"({"words": 7, "chars": [1, 2]})"); }},
  };
}

class DamagedRunDir : public ::testing::TestWithParam<Damage> {
 protected:
  // One tiny BiLSTM-CNN trained for one epoch on the bundled sample, shared by every case.
  static void SetUpTestSuite() {
    trained_ = std::make_unique<TempDir>();
    CliResult r = run_nertool("train --config " + source_path("configs/bilstm_cnn.json") + " --data " +
                                  source_path("data/sample") + " --out " + trained_->file("run") +
                                  " --set train.max_epochs=1 --set model.bilstm_cnn.hidden_size=8"
                                  " --set model.bilstm_cnn.word_dim=8 --set model.bilstm_cnn.char_filters=4"
                                  " --set train.device=cpu --set train.num_threads=1",
                              *trained_);
    ASSERT_EQ(r.status, 0) << r.err;
  }
  static void TearDownTestSuite() { trained_.reset(); }
  static std::unique_ptr<TempDir> trained_;
};
std::unique_ptr<TempDir> DamagedRunDir::trained_;

TEST_P(DamagedRunDir, ClearErrorNamingTheFileAndNothingWritten) {
  const Damage& d = GetParam();
  ASSERT_TRUE(fs::exists(trained_->file("run/" + d.file))) << "the run has no " << d.file;
  TempDir dir;
  const std::string run = dir.file("run");
  fs::copy(trained_->file("run"), run, fs::copy_options::recursive);
  d.damage(run + "/" + d.file);
  const auto before = folder_snapshot(run);
  const std::string data = source_path("data/sample/test.txt");
  for (const std::string command : {"predict --model " + run + " --input " + data + " --output " + dir.file("out"),
                                    "eval --model " + run + " --data " + data}) {
    CliResult r = run_nertool(command, dir);
    EXPECT_TRUE(r.status == 1 || r.status == 2) << d.name << ": " << command << "\n" << r.status << " " << r.err;
    EXPECT_NE(r.err.find(run + "/" + d.file), std::string::npos) << d.name << ": " << command << "\n" << r.err;
    EXPECT_EQ(r.err.find("internal error"), std::string::npos) << d.name << ": " << r.err;
    EXPECT_TRUE(r.out.empty()) << d.name << ": " << r.out;
  }
  EXPECT_FALSE(fs::exists(dir.file("out"))) << d.name;
  EXPECT_EQ(folder_snapshot(run), before) << d.name << ": the run directory changed";
}

INSTANTIATE_TEST_SUITE_P(Catalog, DamagedRunDir, ::testing::ValuesIn(damages()), case_name<Damage>);

// A damaged checkpoint.pt: `train --resume` (one more epoch) refuses it, naming the file, and changes nothing.
class DamagedCheckpoint : public DamagedRunDir {};

TEST_P(DamagedCheckpoint, ResumeRefusesItAndChangesNothing) {
  const Damage& d = GetParam();
  TempDir dir;
  const std::string run = dir.file("run");
  fs::copy(trained_->file("run"), run, fs::copy_options::recursive);
  d.damage(run + "/" + d.file);
  const auto before = folder_snapshot(run);
  CliResult r = run_nertool("train --resume --out " + run + " --data " + source_path("data/sample") +
                                " --set train.max_epochs=2",
                            dir);
  EXPECT_TRUE(r.status == 1 || r.status == 2) << d.name << ": " << r.status << " " << r.err;
  EXPECT_NE(r.err.find(run + "/checkpoint.pt"), std::string::npos) << d.name << ": " << r.err;
  EXPECT_EQ(r.err.find("internal error"), std::string::npos) << d.name << ": " << r.err;
  EXPECT_EQ(folder_snapshot(run), before) << d.name << ": the run directory changed";
}

INSTANTIATE_TEST_SUITE_P(Catalog, DamagedCheckpoint,
                         ::testing::Values(Damage{"truncated", "checkpoint.pt", truncate_to_half},
                                           Damage{"empty", "checkpoint.pt", [](const std::string& p) { write(p, ""); }},
                                           Damage{"not an archive", "checkpoint.pt",
                                                  [](const std::string& p) { write(p, "PK\x03\x04 no zip"); }}),
                         case_name<Damage>);

}  // namespace
