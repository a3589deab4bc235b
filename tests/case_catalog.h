#pragma once
// Helpers of the table-driven catalogs of bad input (tests/cli/hostile_input_test.cc, damaged_run_dir_test.cc).
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <map>
#include <string>

#include "nertool/core/atomic_file.h"

namespace nertool::testing {

// Every regular file under `dir` with its bytes, files called `skip` left out: equal snapshots before and after a
// command mean it wrote nothing there and lost nothing.
inline std::map<std::string, std::string> folder_snapshot(const std::string& dir, const std::string& skip = "") {
  std::map<std::string, std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.is_regular_file() && e.path().filename() != skip) files[e.path().string()] = read_file(e.path().string());
  return files;
}

// A test name from a case's `name` (GoogleTest allows only letters, digits and underscores there).
template <typename Case>
std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  std::string name;
  for (char ch : info.param.name) name += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  return name;
}

}  // namespace nertool::testing
