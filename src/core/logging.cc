#include "nertool/core/logging.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

namespace nertool {

void setup_logging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("nertool");
  logger->set_pattern("[%H:%M:%S.%e] [%^%l%$] %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(level));
}

bool stderr_is_tty() { return ::isatty(STDERR_FILENO) == 1; }

}  // namespace nertool
