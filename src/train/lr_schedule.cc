#include "nertool/train/lr_schedule.h"

#include <algorithm>
#include <cmath>

#include "nertool/core/error.h"

namespace nertool::train {

LrSchedule::LrSchedule(double base_lr, Schedule kind, int64_t warmup_steps, int64_t total_steps)
    : base_(base_lr), kind_(kind), warmup_(warmup_steps), total_(total_steps) {
  if (warmup_ < 0 || total_ < 0) throw ConfigError("learning-rate schedule: negative step counts");
}

double LrSchedule::lr(int64_t s) const {
  if (s < warmup_) return base_ * static_cast<double>(s) / static_cast<double>(std::max<int64_t>(1, warmup_));
  if (kind_ == Schedule::kConstant) return base_;
  double rest = static_cast<double>(total_ - s) / static_cast<double>(std::max<int64_t>(1, total_ - warmup_));
  return base_ * std::max(0.0, rest);
}

int64_t resolve_warmup_steps(int64_t warmup_steps, double warmup_ratio, int64_t total_steps) {
  if (warmup_steps > 0) return warmup_steps;
  return static_cast<int64_t>(std::ceil(warmup_ratio * static_cast<double>(total_steps)));
}

}  // namespace nertool::train
