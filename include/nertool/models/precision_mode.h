#pragma once
// The precision an encoder runs in (models/precision.h applies it). Free of LibTorch, so that the front end parses
// `--precision` into it.
#include "nertool/core/choice.h"

namespace nertool::models {

enum class Precision { kFloat32, kBFloat16 };

}  // namespace nertool::models

namespace nertool {

template <>
struct ChoiceNames<models::Precision> {
  static constexpr std::array<Choice<models::Precision>, 2> all{
      {{"fp32", models::Precision::kFloat32}, {"bf16", models::Precision::kBFloat16}}};
};

}  // namespace nertool
