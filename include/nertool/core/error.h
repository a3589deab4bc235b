#pragma once
// Typed errors thrown by the library. Only the CLI prints them and chooses exit codes.
#include <cstddef>
#include <stdexcept>
#include <string>

namespace nertool {

// Base of every error the library raises on purpose.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// Bad input data: names the file, the 1-based line (0 when not line-specific) and the problem.
class InputError : public Error {
 public:
  InputError(std::string file, std::size_t line, std::string problem);
  const std::string& file() const { return file_; }
  std::size_t line() const { return line_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string file_;
  std::size_t line_;
  std::string problem_;
};

// Invalid configuration or command-line values.
class ConfigError : public Error {
 public:
  explicit ConfigError(const std::string& message) : Error(message) {}
};

// A file could not be opened, read or written.
class IoError : public Error {
 public:
  explicit IoError(const std::string& message) : Error(message) {}
};

}  // namespace nertool
