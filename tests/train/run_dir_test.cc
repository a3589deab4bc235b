// TrainingRunDir: the run directory `nertool train` opens: refusal, lock, leftovers, restart, removal on failure.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <stdexcept>

#include "nertool/core/atomic_file.h"
#include "nertool/core/error.h"
#include "nertool/train/run_dir.h"
#include "error_of.h"
#include "test_paths.h"

namespace nertool::train {
namespace {

namespace fs = std::filesystem;
using nertool::testing::TempDir;

using nertool::testing::error_of;

TEST(TrainingRunDir, ASecondRunOnTheSameDirectoryIsRefusedWhileTheFirstHoldsIt) {
  TempDir tmp;
  const std::string run = tmp.file("run");
  {
    TrainingRunDir first(run, false);
    write_file_atomic(run + "/config.json", std::string("{}"));
    EXPECT_NE(error_of([&] { TrainingRunDir second(run, true); }).find("is in use by another nertool train"),
              std::string::npos);
    EXPECT_TRUE(fs::exists(run + "/config.json"));  // the refused run removed nothing
    first.keep();
  }
  // Released with its holder: a resume may take it now.
  EXPECT_NO_THROW(TrainingRunDir again(run, true));
}

TEST(TrainingRunDir, NonEmptyWithoutResumeAndForeignDirectoriesAreRefused) {
  TempDir tmp;
  fs::create_directories(tmp.file("full"));
  write_file_atomic(tmp.file("full/notes.txt"), std::string("mine"));
  EXPECT_NE(error_of([&] { TrainingRunDir r(tmp.file("full"), false); }).find("already exists and is not empty"),
            std::string::npos);
  EXPECT_NE(error_of([&] { TrainingRunDir r(tmp.file("full"), true); }).find("not a nertool run directory"),
            std::string::npos);
  EXPECT_EQ(read_file(tmp.file("full/notes.txt")), "mine");
  EXPECT_NE(error_of([&] { TrainingRunDir r(tmp.file("absent"), true); }).find("does not exist"), std::string::npos);
  write_file_atomic(tmp.file("plain"), std::string("x"));
  EXPECT_NE(error_of([&] { TrainingRunDir r(tmp.file("plain"), false); }).find("is a file, not a directory"),
            std::string::npos);
}

TEST(TrainingRunDir, ResumeRemovesLeftoverTemporaryFiles) {
  TempDir tmp;
  const std::string run = tmp.file("run");
  fs::create_directories(run);
  write_file_atomic(run + "/checkpoint.pt", std::string("ckpt"));
  write_file_atomic(run + "/checkpoint.pt.tmp.4242.0", std::string("half"));
  write_file_atomic(run + "/f1.png.tmp.4242.png", std::string("half"));
  TrainingRunDir r(run, true);
  EXPECT_TRUE(r.resume());
  EXPECT_FALSE(fs::exists(run + "/checkpoint.pt.tmp.4242.0"));
  EXPECT_FALSE(fs::exists(run + "/f1.png.tmp.4242.png"));
  EXPECT_EQ(read_file(run + "/checkpoint.pt"), "ckpt");
}

// A run killed before its first checkpoint has config.json and no checkpoint.pt: --resume starts it again.
TEST(TrainingRunDir, ResumeWithoutCheckpointStartsOver) {
  TempDir tmp;
  const std::string run = tmp.file("run");
  fs::create_directories(run);
  write_file_atomic(run + "/config.json", std::string("{}"));
  write_file_atomic(run + "/labels.json", std::string("[]"));
  TrainingRunDir r(run, true);
  EXPECT_FALSE(r.resume());
  EXPECT_TRUE(fs::is_empty(run));
}

TEST(TrainingRunDir, RemovedOnFailureUntilItsFirstCheckpoint) {
  TempDir tmp;
  const std::string run = tmp.file("run");
  try {
    TrainingRunDir r(run, false);
    write_file_atomic(run + "/config.json", std::string("{}"));
    throw std::runtime_error("bad model settings");
  } catch (const std::runtime_error&) {
  }
  EXPECT_FALSE(fs::exists(run));
  try {
    TrainingRunDir r(run, false);
    r.keep();
    throw std::runtime_error("failed in epoch 3");
  } catch (const std::runtime_error&) {
  }
  EXPECT_TRUE(fs::exists(run));
}

// A full disk while the LibTorch archive is written: an IoError naming the file, not std::terminate (LibTorch's
// writer throws from its destructor when it sees the failure). /dev/full fails every write with ENOSPC.
TEST(SaveArchive, AFullDiskIsAnErrorNotAnAbort) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full here";
  torch::nn::Linear layer(64, 64);
  try {
    io::save_weights(*layer, "/dev/full");
    FAIL() << "no error writing to /dev/full";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("/dev/full"), std::string::npos) << e.what();
  }
  EXPECT_EQ(fs::status("/dev/full").type(), fs::file_type::character);  // still the device
}

}  // namespace
}  // namespace nertool::train
