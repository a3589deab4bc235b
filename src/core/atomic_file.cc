#include "nertool/core/atomic_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "nertool/core/error.h"
#include "nertool/core/write_error.h"

namespace nertool {

namespace {
std::atomic<unsigned> g_counter{0};

// The process's own streams: renaming onto /dev/stdout would replace the link, not write to the stream.
bool is_stream_path(const std::string& path) {
  for (const char* prefix : {"/dev/std", "/dev/fd/", "/proc/"})
    if (path.rfind(prefix, 0) == 0) return true;
  return false;
}

bool is_directory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// The regular file an atomic write replaces: `path` itself, where its symbolic links lead, or "" when there is no
// regular file to protect (a device, FIFO or socket, or a stream path), so the bytes are written in place.
std::string rename_target(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return is_stream_path(path) ? "" : path;  // a new file
  if (!S_ISREG(st.st_mode) || is_stream_path(path)) return "";
  struct stat lst;
  if (::lstat(path.c_str(), &lst) == 0 && S_ISLNK(lst.st_mode)) {
    std::error_code ec;
    const std::string resolved = std::filesystem::canonical(path, ec).string();
    return ec ? path : resolved;
  }
  return path;
}
}  // namespace

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  if (is_directory(path_)) throw IoError("cannot write " + path_ + ": it is a directory");
  target_ = rename_target(path_);
  tmp_path_ = target_.empty() ? path_
                              : target_ + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(g_counter++);
  errno = 0;
  out_.open(tmp_path_, target_.empty() ? std::ios::binary | std::ios::out
                                       : std::ios::binary | std::ios::out | std::ios::trunc);
  if (!out_) throw write_error(path_);
}

AtomicFile::~AtomicFile() {
  if (committed_) return;
  out_.close();
  if (!target_.empty()) std::remove(tmp_path_.c_str());
}

void AtomicFile::commit() {
  errno = 0;
  out_.flush();
  if (!out_) throw write_error(path_);
  errno = 0;
  out_.close();
  if (!out_) throw write_error(path_);
  if (!target_.empty() && std::rename(tmp_path_.c_str(), target_.c_str()) != 0)
    throw IoError("cannot rename " + tmp_path_ + " to " + target_ + ": " + std::strerror(errno));
  committed_ = true;
}

void write_file_atomic(const std::string& path, const std::string& content) {
  AtomicFile f(path);
  f.stream().write(content.data(), static_cast<std::streamsize>(content.size()));
  f.commit();
}

void write_file_atomic(const std::string& path, const std::function<void(std::ostream&)>& fill) {
  AtomicFile f(path);
  fill(f.stream());
  f.commit();
}

void check_readable_file(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) throw IoError("cannot open " + path + ": " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) throw IoError("cannot read " + path + ": it is a directory, not a file");
}

std::string read_file(const std::string& path) {
  check_readable_file(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot open " + path + ": " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw IoError("error while reading " + path);
  return ss.str();
}

}  // namespace nertool
