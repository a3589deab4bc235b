#pragma once
// A directory of this process's own in the system's temporary folder ($TMPDIR or /tmp), removed with everything in
// it when the object goes, however the scope is left.
#include <string>

namespace nertool {

class TemporaryDirectory {
 public:
  // `prefix` starts the directory's name (e.g. "nertool-job-"). Throws IoError when it cannot be created.
  explicit TemporaryDirectory(const std::string& prefix);
  ~TemporaryDirectory();
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace nertool
