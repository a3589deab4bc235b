#pragma once
// Shared by the fuzz targets: every parser must turn any input into a value or one of nertool's own errors
// (nertool::Error). Anything else (a crash, a sanitizer report, another exception) is a finding.
#include <cstddef>
#include <cstdint>
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
