#include "nertool/core/atomic_file.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "nertool/core/error.h"

namespace nertool {

namespace {
std::atomic<unsigned> g_counter{0};
}

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  tmp_path_ = path_ + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(g_counter++);
  out_.open(tmp_path_, std::ios::binary | std::ios::trunc);
  if (!out_) throw IoError("cannot write " + path_ + ": " + std::strerror(errno));
}

AtomicFile::~AtomicFile() {
  if (!committed_) {
    out_.close();
    std::remove(tmp_path_.c_str());
  }
}

void AtomicFile::commit() {
  out_.flush();
  if (!out_) throw IoError("error while writing " + path_);
  out_.close();
  if (!out_) throw IoError("error while closing " + path_);
  if (std::rename(tmp_path_.c_str(), path_.c_str()) != 0)
    throw IoError("cannot rename " + tmp_path_ + " to " + path_ + ": " + std::strerror(errno));
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

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot open " + path + ": " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw IoError("error while reading " + path);
  return ss.str();
}

}  // namespace nertool
