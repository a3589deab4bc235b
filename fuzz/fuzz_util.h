#pragma once
// Shared by the fuzz targets: every parser must turn any input into a value or one of nertool's own errors
// (nertool::Error). Anything else (a crash, a sanitizer report, another exception) is a finding.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>

#include "nertool/core/error.h"

#define NERTOOL_FUZZ_TARGET(...)                                                       \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {       \
    const std::string input(reinterpret_cast<const char*>(data), size);                \
    try {                                                                              \
      __VA_ARGS__                                                                      \
    } catch (const nertool::Error&) {                                                  \
    }                                                                                  \
    return 0;                                                                          \
  }

// For readers that take a path: writes `input` to a file of this process's own and returns its path.
inline std::string write_scratch_file(const std::string& input, const std::string& suffix) {
  static const std::string stem = "/tmp/nertool-fuzz-" + std::to_string(::getpid());
  const std::string path = stem + suffix;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << input;
  return path;
}
