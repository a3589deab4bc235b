#pragma once
// Training progress on stderr: a bar redrawn in place on a terminal (tokens/s, loss, ETA), plain spdlog lines
// otherwise (one every `log_percent` percent of the epoch), so logs stay readable in files and CI.
#include <chrono>
#include <cstdint>
#include <string>

namespace nertool::train {

class Progress {
 public:
  Progress(int epoch, int max_epochs, int64_t total_batches, int log_percent, bool tty);
  // After each step: tokens in it and its loss (a mean per token), or the sum of its batches' loss x units and
  // the units it averages over (training_task.h; the tokens when left out).
  void update(int64_t tokens, double loss) { update_sum(tokens, loss * static_cast<double>(tokens)); }
  void update_sum(int64_t tokens, double loss_sum, int64_t units = -1);
  // Clears the bar (TTY) before the epoch summary line.
  void finish();
  double seconds() const;
  int64_t tokens() const { return tokens_; }
  double mean_loss() const { return units_ > 0 ? loss_sum_ / static_cast<double>(units_) : 0.0; }

 private:
  void draw(bool force);
  int epoch_, max_epochs_;
  int64_t total_, done_ = 0, tokens_ = 0, units_ = 0;
  double loss_sum_ = 0.0;
  int log_percent_;
  int next_percent_;
  bool tty_;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

std::string format_duration(double seconds);

}  // namespace nertool::train
