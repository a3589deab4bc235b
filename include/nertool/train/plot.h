#pragma once
// Per-epoch figures of a run, drawn with gnuplot: F1 of a tagging run (dev and, when present, test), losses of a
// pretraining run.
#include <optional>
#include <string>
#include <vector>

namespace nertool::train {

struct F1Point {
  int epoch = 0;
  double dev_f1 = 0;
  std::optional<double> test_f1;
};

// One line of a figure: a value per epoch (NaN: none that epoch).
struct EpochCurve {
  std::string title;
  std::vector<std::pair<int, double>> points;
};

// Writes a PNG of the curves against the epoch. Returns false, with a warning logged, when gnuplot is not
// installed or fails.
bool plot_epoch_curves(const std::vector<EpochCurve>& curves, const std::string& y_label, const std::string& png_path,
                       const std::string& title);

// Writes a PNG (pngcairo terminal, or png where cairo is missing) atomically. Returns false, with a warning
// logged, when gnuplot is not installed or fails; training results never depend on it.
bool plot_f1(const std::vector<F1Point>& points, const std::string& png_path, const std::string& title);

}  // namespace nertool::train
