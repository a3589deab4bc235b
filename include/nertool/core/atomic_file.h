#pragma once
// Files are written to a temporary sibling and renamed into place, so a crash or an error never leaves a
// partial output file behind. Only regular files are ever replaced: devices, FIFOs, sockets and the process's
// own streams (/dev/stdout, /proc/self/fd/N) are written in place, and a symbolic link to a regular file keeps
// its link (the file it points to is replaced).
#include <fstream>
#include <functional>
#include <string>

namespace nertool {

class AtomicFile {
 public:
  // Opens `path`.tmp.<pid>.<n> (beside the file a link points to) for writing, binary; or `path` itself when it
  // is not a regular file. Throws IoError, also when `path` is a directory.
  explicit AtomicFile(std::string path);
  // Removes the temporary file unless commit() succeeded.
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  std::ostream& stream() { return out_; }
  // Flushes, closes and renames onto the target. Throws IoError if anything failed.
  void commit();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::string target_;    // the regular file renamed onto; empty when writing in place
  std::string tmp_path_;  // where the bytes go: a temporary file beside target_, or path_ itself
  std::ofstream out_;
  bool committed_ = false;
};

// Writes the whole content atomically.
void write_file_atomic(const std::string& path, const std::string& content);
// Calls `fill` with a stream onto a temporary file, then commits it atomically.
void write_file_atomic(const std::string& path, const std::function<void(std::ostream&)>& fill);
// Reads a whole file. Throws IoError naming the path (see check_readable_file).
std::string read_file(const std::string& path);
// Throws IoError unless `path` can be read as a file: a regular file, a FIFO or a device. Names the path and
// the problem ("no such file", "it is a directory, not a file").
void check_readable_file(const std::string& path);

}  // namespace nertool
