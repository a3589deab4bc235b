#pragma once
// The message of the nertool::Error that `f` throws, or "" when it throws none: for tests that check what an
// error says.
#include <functional>
#include <string>

#include "nertool/core/error.h"

namespace nertool::testing {

inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace nertool::testing
