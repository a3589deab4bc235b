#pragma once
// Logging: spdlog to stderr, so stdout stays clean for machine-readable output.
#include <string>

namespace nertool {

// Sets up the default logger on stderr at `level` (trace, debug, info, warn, error, off).
void setup_logging(const std::string& level);
// True when stderr is a terminal (progress bars are drawn only then).
bool stderr_is_tty();

}  // namespace nertool
