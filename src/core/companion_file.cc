#include "nertool/core/companion_file.h"

#include <filesystem>
#include <system_error>

namespace nertool {

std::string running_program_path() {
  std::error_code ec;
  const auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : path.string();
}

std::vector<std::string> companion_file_candidates(const std::string& name, const std::string& build_path,
                                                   const char* override_path) {
  if (override_path && *override_path) return {override_path};
  std::vector<std::string> candidates;
  const std::string self = running_program_path();
  if (!self.empty()) candidates.push_back((std::filesystem::path(self).parent_path() / name).string());
  candidates.push_back(build_path);
  return candidates;
}

}  // namespace nertool
