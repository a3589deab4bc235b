#include "nertool/core/companion_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

namespace nertool {
namespace {

TEST(CompanionFile, RunningProgramIsThisTestProgram) {
  const std::string self = running_program_path();
  ASSERT_FALSE(self.empty());
  EXPECT_TRUE(std::filesystem::equivalent(self, "/proc/self/exe"));
}

TEST(CompanionFile, BesideTheProgramFirstThenWhereTheBuildPutIt) {
  const auto folder = std::filesystem::path(running_program_path()).parent_path();
  const std::vector<std::string> expected{(folder / "nertool-torch").string(), "/build/nertool-torch"};
  EXPECT_EQ(companion_file_candidates("nertool-torch", "/build/nertool-torch"), expected);
  EXPECT_EQ(companion_file_candidates("nertool-torch", "/build/nertool-torch", ""), expected);
}

TEST(CompanionFile, AnOverrideIsTheOnlyCandidate) {
  const std::vector<std::string> expected{"/opt/spm.so"};
  EXPECT_EQ(companion_file_candidates("libnertool_spm_bridge.so", "/build/x.so", "/opt/spm.so"), expected);
}

}  // namespace
}  // namespace nertool
