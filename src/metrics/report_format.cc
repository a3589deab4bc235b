#include "nertool/metrics/report_format.h"

#include <cmath>
#include <cstdio>

#include "nertool/metrics/chunks.h"

namespace nertool::metrics {
namespace {

// Python's '{:>{width}s}': right-aligned, padded by code points.
std::string right(const std::string& text, std::size_t width) {
  std::size_t n = utf8_length(text);
  return n < width ? std::string(width - n, ' ') + text : text;
}

// Python's '{:>9.{digits}f}' (glibc's %f rounds the exact binary value half-to-even, as Python does).
std::string number(double value, int digits) {
  if (std::isnan(value)) return right("nan", 9);
  char buffer[512];
  std::snprintf(buffer, sizeof buffer, "%9.*f", digits, value);
  return buffer;
}

std::string row(const TypeScores& s, std::size_t width, int digits) {
  return right(s.name, width) + " " + " " + number(s.precision, digits) + " " + number(s.recall, digits) + " " +
         number(s.f1, digits) + " " + right(std::to_string(s.support), 9);
}

nlohmann::json finite_or_null(double value) { return std::isnan(value) ? nlohmann::json() : nlohmann::json(value); }

nlohmann::json scores_json(const TypeScores& s) {
  return {{"precision", finite_or_null(s.precision)}, {"recall", finite_or_null(s.recall)},
          {"f1", finite_or_null(s.f1)},               {"support", s.support},
          {"predicted", s.predicted},                 {"correct", s.correct}};
}

}  // namespace

std::string format_classification_report(const Report& report, int digits) {
  std::size_t name_width = 0;
  for (const TypeScores& s : report.per_type) name_width = std::max(name_width, utf8_length(s.name));
  std::size_t width = std::max({name_width, std::string("weighted avg").size(), static_cast<std::size_t>(digits)});
  std::string out = std::string(width, ' ') + " " + " precision" + "    recall" + "  f1-score" + "   support" + "\n\n";
  for (const TypeScores& s : report.per_type) out += row(s, width, digits) + "\n";
  out += "\n";
  out += row(report.micro, width, digits) + "\n";
  out += row(report.macro, width, digits) + "\n";
  out += row(report.weighted, width, digits) + "\n";
  out += "\n";  // the report ends with a newline and print() adds one
  return out;
}

nlohmann::json report_to_json(const Report& report) {
  nlohmann::json types = nlohmann::json::object();
  for (const TypeScores& s : report.per_type) types[s.name] = scores_json(s);
  const ConllevalSummary& c = report.conlleval;
  nlohmann::json conlleval_types = nlohmann::json::array();
  for (const TypeScores& s : c.per_type) {
    nlohmann::json row = scores_json(s);
    row["type"] = s.name;
    row["found"] = s.predicted;
    conlleval_types.push_back(row);
  }
  return {{"per_type", types},
          {"micro avg", scores_json(report.micro)},
          {"macro avg", scores_json(report.macro)},
          {"weighted avg", scores_json(report.weighted)},
          {"accuracy", finite_or_null(report.accuracy)},
          {"tokens", report.tokens},
          {"correct_tokens", report.correct_tokens},
          {"conlleval",
           {{"tokens", c.tokens},
            {"gold_phrases", c.gold_phrases},
            {"found_phrases", c.found_phrases},
            {"correct_phrases", c.correct_phrases},
            {"correct_tags", c.correct_tags},
            {"accuracy", c.accuracy},
            {"precision", c.precision},
            {"recall", c.recall},
            {"f1", c.f1},
            {"per_type", conlleval_types}}}};
}

}  // namespace nertool::metrics
