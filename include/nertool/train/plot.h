#pragma once
// The F1-per-epoch figure of a run (dev and, when present, test), drawn with gnuplot.
#include <optional>
#include <string>
#include <vector>

namespace nertool::train {

struct F1Point {
  int epoch = 0;
  double dev_f1 = 0;
  std::optional<double> test_f1;
};

// Writes a PNG (pngcairo terminal, or png where cairo is missing) atomically. Returns false, with a warning
// logged, when gnuplot is not installed or fails; training results never depend on it.
bool plot_f1(const std::vector<F1Point>& points, const std::string& png_path, const std::string& title);

}  // namespace nertool::train
