#pragma once
// The one wording of a failed write, whatever was being written: "cannot write TARGET: REASON".
#include <string>

#include "nertool/core/error.h"

namespace nertool {

// An IoError for a failed write to `target` (a path, or "standard output"); the reason is errno's text, or
// "the write failed" when the stream gave none. Call it straight after the failing operation.
IoError write_error(const std::string& target);

}  // namespace nertool
