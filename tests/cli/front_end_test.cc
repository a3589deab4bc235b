// The two front ends (src/cli/torch_part.h): `nertool` links no LibTorch and hands LibTorch work to
// `nertool-torch` on the same command line; both declare the same commands and flags.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>

#include "cli_runner.h"
#include "nertool/core/atomic_file.h"
#include "test_paths.h"

namespace {

namespace fs = std::filesystem;
using nertool::testing::CliResult;
using nertool::testing::nertool_binary;
using nertool::testing::run_shell;
using nertool::testing::source_path;
using nertool::testing::TempDir;
using nertool::testing::torch_front_end_binary;

// The shared libraries an executable names in its dynamic section (readelf from binutils).
std::string needed_libraries(const std::string& binary, const TempDir& dir) {
  CliResult r = run_shell("readelf -d " + binary + " | grep NEEDED", dir);
  EXPECT_EQ(r.status, 0) << r.err;
  return r.out;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size()) text.replace(at, from.size(), to);
  return text;
}

TEST(FrontEnd, NertoolLinksNoLibTorchAndNertoolTorchDoes) {
  TempDir dir;
  const std::string light = needed_libraries(nertool_binary(), dir);
  const std::string heavy = needed_libraries(torch_front_end_binary(), dir);
  ASSERT_FALSE(light.empty());
  for (const char* lib : {"libtorch", "libc10", "libtorch_cpu"}) {
    EXPECT_EQ(light.find(lib), std::string::npos) << "nertool must start without LibTorch, but needs:\n" << light;
  }
  EXPECT_NE(heavy.find("libc10"), std::string::npos) << heavy;
}

TEST(FrontEnd, VersionIsAnsweredByTheLibTorchSide) {
  TempDir dir;
  CliResult light = run_shell(nertool_binary() + " --version", dir);
  CliResult heavy = run_shell(torch_front_end_binary() + " --version", dir);
  ASSERT_EQ(light.status, 0) << light.err;
  ASSERT_EQ(heavy.status, 0) << heavy.err;
  EXPECT_NE(light.out.find("LibTorch "), std::string::npos) << light.out;
  EXPECT_NE(light.out.find("CUDA: "), std::string::npos) << light.out;
  EXPECT_EQ(light.out, heavy.out);
}

// Flags are declared once (src/cli/cmd_*.cc) and compiled into both programs: every help text is the same.
TEST(FrontEnd, BothFrontEndsShowTheSameHelp) {
  TempDir dir;
  for (const char* command : {"", "train", "eval", "predict", "convert", "tokenize", "env"}) {
    SCOPED_TRACE(command);
    CliResult light = run_shell(nertool_binary() + " " + command + " --help", dir);
    CliResult heavy = run_shell(torch_front_end_binary() + " " + command + " --help", dir);
    EXPECT_EQ(light.status, 0);
    EXPECT_EQ(light.status, heavy.status);
    EXPECT_FALSE(light.out.empty());
    // The program's path in the usage line is the only difference.
    EXPECT_EQ(replace_all(light.out, nertool_binary(), "nertool"),
              replace_all(heavy.out, torch_front_end_binary(), "nertool"));
  }
}

// The LibTorch side beside the executable wins, and it receives the command line unchanged. A stand-in script
// records its arguments.
TEST(FrontEnd, HandsTheUnchangedCommandLineToTheCompanionBesideIt) {
  TempDir dir;
  fs::copy_file(nertool_binary(), dir.file("nertool"));
  nertool::write_file_atomic(dir.file("nertool-torch"), "#!/bin/sh\nprintf '%s|' \"$@\"\nexit 7\n");
  ::chmod(dir.file("nertool-torch").c_str(), 0755);
  CliResult r = run_shell(dir.file("nertool") + " --log-level warn train --config 'a b.json' --seed 3 --out x", dir);
  EXPECT_EQ(r.status, 7) << r.err;
  EXPECT_EQ(r.out, "--log-level|warn|train|--config|a b.json|--seed|3|--out|x|");

  r = run_shell(dir.file("nertool") + " eval --model m --data d.txt", dir);
  EXPECT_EQ(r.status, 7);
  EXPECT_EQ(r.out, "eval|--model|m|--data|d.txt|");
}

// `nertool` hands `nertool-torch` the settings of `nertool env` (core/runtime_environment.h), and never overrides
// the user's own. A stand-in companion prints what it received.
TEST(FrontEnd, HandsTheRuntimeEnvironmentToTheCompanion) {
  TempDir dir;
  fs::copy_file(nertool_binary(), dir.file("nertool"));
  nertool::write_file_atomic(dir.file("nertool-torch"),
                             "#!/bin/sh\nprintf '%s|%s' \"${GLIBC_TUNABLES-unset}\" \"${OMP_WAIT_POLICY-unset}\"\n");
  ::chmod(dir.file("nertool-torch").c_str(), 0755);
  const std::string clean = "env -u GLIBC_TUNABLES -u OMP_WAIT_POLICY -u NERTOOL_TUNE_ENVIRONMENT ";
  CliResult listed = run_shell(clean + dir.file("nertool") + " env", dir);
  ASSERT_EQ(listed.status, 0) << listed.err;
  // One NAME=value line per variable.
  const std::string name = "GLIBC_TUNABLES=";
  ASSERT_EQ(listed.out.rfind(name + "glibc.malloc.hugetlb=1:", 0), 0u) << listed.out;
  const std::size_t end = listed.out.find('\n');
  const std::string tunables = listed.out.substr(name.size(), end - name.size());
  EXPECT_EQ(listed.out.substr(end + 1), "OMP_WAIT_POLICY=PASSIVE\n") << listed.out;

  CliResult r = run_shell(clean + dir.file("nertool") + " train --config c.json", dir);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, tunables + "|PASSIVE");
  r = run_shell(clean + "GLIBC_TUNABLES=glibc.malloc.check=3 OMP_WAIT_POLICY=ACTIVE " + dir.file("nertool") +
                    " train --config c.json",
                dir);
  EXPECT_EQ(r.out, "glibc.malloc.check=3|ACTIVE");
  r = run_shell(clean + "NERTOOL_TUNE_ENVIRONMENT=0 " + dir.file("nertool") + " train --config c.json", dir);
  EXPECT_EQ(r.out, "unset|unset");
  r = run_shell(clean + "NERTOOL_TUNE_ENVIRONMENT=0 " + dir.file("nertool") + " env", dir);
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, "");
}

// `nertool-torch` started directly gives itself the same settings: `env` then has nothing left to set, where
// `nertool` (which only hands them on) lists them.
TEST(FrontEnd, NertoolTorchStartedDirectlyAppliesTheRuntimeEnvironment) {
  TempDir dir;
  const std::string clean = "env -u GLIBC_TUNABLES -u OMP_WAIT_POLICY -u NERTOOL_TUNE_ENVIRONMENT ";
  CliResult front = run_shell(clean + nertool_binary() + " env", dir);
  ASSERT_EQ(front.status, 0) << front.err;
  EXPECT_EQ(front.out.rfind("GLIBC_TUNABLES=", 0), 0u) << front.out;
  CliResult direct = run_shell(clean + nertool::testing::torch_front_end_binary() + " env", dir);
  ASSERT_EQ(direct.status, 0) << direct.err;
  EXPECT_EQ(direct.out, "") << "nertool-torch did not apply the settings to itself";
  CliResult off = run_shell(clean + "NERTOOL_TUNE_ENVIRONMENT=0 " + nertool::testing::torch_front_end_binary() + " env", dir);
  EXPECT_EQ(off.out, "");
}

// Scoring files never leaves `nertool`: with a companion that would fail, eval still prints its report.
TEST(FrontEnd, FileScoringAndSchemeConversionStayInNertool) {
  TempDir dir;
  fs::copy_file(nertool_binary(), dir.file("nertool"));
  nertool::write_file_atomic(dir.file("nertool-torch"), "#!/bin/sh\necho companion >&2\nexit 9\n");
  ::chmod(dir.file("nertool-torch").c_str(), 0755);
  const std::string sample = source_path("data/sample/test.txt");
  CliResult r = run_shell(dir.file("nertool") + " eval --gold " + sample + " --pred " + sample, dir);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("micro avg     1.0000    1.0000    1.0000"), std::string::npos) << r.out;
  r = run_shell(dir.file("nertool") + " convert --scheme IOBES --input " + sample + " --output " + dir.file("o.txt"),
                dir);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir.file("o.txt")));
}

}  // namespace
