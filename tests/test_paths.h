#pragma once
// Where tests find ../shared (data and fixtures); tests that need it skip with a clear message when absent.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace nertool::testing {

inline std::string shared_dir() {
  if (const char* env = std::getenv("NERTOOL_SHARED_DIR")) return env;
  return NERTOOL_SHARED_DIR;
}
inline std::string shared_path(const std::string& rel) { return shared_dir() + "/" + rel; }
inline std::string source_path(const std::string& rel) { return std::string(NERTOOL_SOURCE_DIR) + "/" + rel; }
inline std::string nertool_binary() { return NERTOOL_BINARY; }
// The LibTorch side of the front end (src/cli/torch_front_end.h).
inline std::string torch_front_end_binary() { return NERTOOL_TORCH_BINARY; }

// A fresh temporary directory, removed at the end of the test.
class TempDir {
 public:
  TempDir();
  ~TempDir() { std::error_code ec; std::filesystem::remove_all(path_, ec); }
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "nertool-test-XXXXXX").string();
  path_ = ::mkdtemp(tmpl.data()) ? tmpl : std::string();
}

}  // namespace nertool::testing

// Skips the current test when a ../shared file is missing.
#define NERTOOL_REQUIRE_SHARED(rel)                                                                      \
  do {                                                                                                   \
    if (!std::filesystem::exists(::nertool::testing::shared_path(rel)))                                  \
      GTEST_SKIP() << "shared data not found: " << ::nertool::testing::shared_path(rel)                 \
                   << " (set NERTOOL_SHARED_DIR or place ../shared beside the checkout)";                \
  } while (0)
