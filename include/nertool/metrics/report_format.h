#pragma once
// Printed forms of a Report: seqeval's classification_report table, and a JSON object.
#include <nlohmann/json.hpp>

#include <string>

#include "nertool/metrics/scorer.h"

namespace nertool::metrics {

// Exactly what `print(seqeval.metrics.classification_report(y_true, y_pred, digits=digits))` writes: header,
// blank line, one row per type, blank line, micro/macro/weighted avg rows, blank line. Column width is
// max(longest type name in code points, len("weighted avg"), digits); numbers are '{:>9.{digits}f}'.
std::string format_classification_report(const Report& report, int digits);

// Per-type rows and averages with their counts, token accuracy and the conlleval block (NaN becomes null).
nlohmann::json report_to_json(const Report& report);

}  // namespace nertool::metrics
