#include "nertool/core/error.h"

#include <cerrno>
#include <cstring>
#include <utility>

#include "nertool/core/write_error.h"

namespace nertool {

static std::string format_input_error(const std::string& file, std::size_t line, const std::string& problem) {
  std::string where = file.empty() ? std::string("<input>") : file;
  if (line > 0) where += ":" + std::to_string(line);
  return where + ": " + problem;
}

InputError::InputError(std::string file, std::size_t line, std::string problem)
    : Error(format_input_error(file, line, problem)),
      file_(std::move(file)),
      line_(line),
      problem_(std::move(problem)) {}

IoError write_error(const std::string& target) {
  const int err = errno;
  return IoError("cannot write " + target + ": " + (err != 0 ? std::strerror(err) : "the write failed"));
}

}  // namespace nertool
