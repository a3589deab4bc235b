// What `nertool` sets for `nertool-torch` (core/runtime_environment.h): the known answer, and the rule that a
// user's own setting always wins.
#include "nertool/core/runtime_environment.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace {

nertool::EnvironmentLookup lookup_in(std::map<std::string, std::string> env) {
  return [env](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

const char* kTunables =
    "glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824";

TEST(RuntimeEnvironment, MallocTunablesAndPassiveOpenMpWhenUnset) {
  auto settings = nertool::runtime_environment(lookup_in({{"OPENBLAS_CORETYPE", "Haswell"}}));
  ASSERT_EQ(settings.size(), 2u);
  EXPECT_EQ(settings[0].name, "GLIBC_TUNABLES");
  EXPECT_EQ(settings[0].value, kTunables);
  EXPECT_EQ(settings[1].name, "OMP_WAIT_POLICY");
  EXPECT_EQ(settings[1].value, "PASSIVE");
  for (const auto& s : settings) EXPECT_FALSE(s.why.empty()) << s.name;
}

TEST(RuntimeEnvironment, VariablesTheUserSetAreLeftAlone) {
  auto names = [](const std::vector<nertool::EnvironmentSetting>& settings) {
    std::string out;
    for (const auto& s : settings) out += s.name + " ";
    return out;
  };
  EXPECT_EQ(names(nertool::runtime_environment(lookup_in({{"GLIBC_TUNABLES", "glibc.malloc.check=3"}}))),
            "OMP_WAIT_POLICY ");
  EXPECT_EQ(names(nertool::runtime_environment(lookup_in({{"GLIBC_TUNABLES", ""}}))), "OMP_WAIT_POLICY ");  // empty
  EXPECT_EQ(names(nertool::runtime_environment(lookup_in({{"OMP_WAIT_POLICY", "ACTIVE"}}))), "GLIBC_TUNABLES ");
  EXPECT_TRUE(
      nertool::runtime_environment(lookup_in({{"GLIBC_TUNABLES", "x"}, {"OMP_WAIT_POLICY", "ACTIVE"}})).empty());
}

TEST(RuntimeEnvironment, TurnedOffByNertoolTuneEnvironmentZero) {
  EXPECT_TRUE(nertool::runtime_environment(lookup_in({{"NERTOOL_TUNE_ENVIRONMENT", "0"}})).empty());
  EXPECT_EQ(nertool::runtime_environment(lookup_in({{"NERTOOL_TUNE_ENVIRONMENT", "1"}})).size(), 2u);
}

}  // namespace
