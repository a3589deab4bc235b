#include "nertool/train/progress.h"

#include <spdlog/spdlog.h>

#include <cstdio>

namespace nertool::train {

std::string format_duration(double seconds) {
  if (!(seconds >= 0) || seconds > 1e8) return "?";
  long s = static_cast<long>(seconds + 0.5);
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  else std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  return buf;
}

Progress::Progress(int epoch, int max_epochs, int64_t total_batches, int log_percent, bool tty)
    : epoch_(epoch), max_epochs_(max_epochs), total_(total_batches), log_percent_(log_percent),
      next_percent_(log_percent), tty_(tty), start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

double Progress::seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::update_sum(int64_t tokens, double loss_sum, int64_t units) {
  ++done_;
  tokens_ += tokens;
  units_ += units < 0 ? tokens : units;
  loss_sum_ += loss_sum;
  draw(done_ == total_);
}

void Progress::draw(bool force) {
  const double secs = seconds();
  const double tps = secs > 0 ? static_cast<double>(tokens_) / secs : 0.0;
  const double frac = total_ > 0 ? static_cast<double>(done_) / static_cast<double>(total_) : 1.0;
  const double eta = frac > 0 ? secs * (1 - frac) / frac : -1;
  if (tty_) {
    auto now = std::chrono::steady_clock::now();
    if (!force && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    const int width = 30;
    int filled = static_cast<int>(frac * width);
    std::string bar(static_cast<std::size_t>(filled), '=');
    if (filled < width) bar += '>', bar += std::string(static_cast<std::size_t>(width - filled - 1), ' ');
    std::fprintf(stderr, "\r\033[Kepoch %d/%d [%s] %3d%% %.0f tok/s loss %.4f ETA %s", epoch_, max_epochs_,
                 bar.c_str(), static_cast<int>(frac * 100), tps, mean_loss(), format_duration(eta).c_str());
    std::fflush(stderr);
    return;
  }
  int percent = static_cast<int>(frac * 100);
  if (percent >= next_percent_ && done_ < total_) {
    spdlog::info("epoch {}/{}: {}% ({}/{} batches), {:.0f} tok/s, loss {:.4f}, ETA {}", epoch_, max_epochs_, percent,
                 done_, total_, tps, mean_loss(), format_duration(eta));
    while (next_percent_ <= percent) next_percent_ += log_percent_;
  }
}

void Progress::finish() {
  if (tty_) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
  }
}

}  // namespace nertool::train
