#pragma once
// Learning-rate schedules as Hugging Face transformers defines them (get_linear_schedule_with_warmup,
// get_constant_schedule_with_warmup): the multiplier for optimizer step s (0-based, the number of steps taken
// before it) rises linearly from 0 over `warmup` steps, then stays at 1 (constant) or falls linearly to 0 at
// `total` steps (linear).
#include <cstdint>

#include "nertool/train/config.h"

namespace nertool::train {

class LrSchedule {
 public:
  LrSchedule(double base_lr, Schedule kind, int64_t warmup_steps, int64_t total_steps);
  // Learning rate for the optimizer step that follows `steps_done` earlier steps.
  double lr(int64_t steps_done) const;
  int64_t warmup_steps() const { return warmup_; }
  int64_t total_steps() const { return total_; }

 private:
  double base_;
  Schedule kind_;
  int64_t warmup_;
  int64_t total_;
};

// warmup_steps when set, otherwise ceil(warmup_ratio * total_steps).
int64_t resolve_warmup_steps(int64_t warmup_steps, double warmup_ratio, int64_t total_steps);

}  // namespace nertool::train
