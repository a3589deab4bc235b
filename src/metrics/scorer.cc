#include "nertool/metrics/scorer.h"

#include <algorithm>
#include <limits>
#include <map>
#include <string_view>

#include "nertool/core/error.h"
#include "nertool/metrics/chunks.h"
#include "nertool/metrics/conlleval.h"
#include "scorer_detail.h"

namespace nertool::metrics {
namespace {

// numpy's pairwise summation (np.add.reduce on a contiguous float64 array); the order of additions decides the
// last bit of seqeval's macro and weighted averages.
double pairwise_sum(const double* a, std::size_t n) {
  if (n < 8) {
    double res = -0.0;
    for (std::size_t i = 0; i < n; ++i) res += a[i];
    return res;
  }
  if (n <= 128) {
    double r[8];
    for (int j = 0; j < 8; ++j) r[j] = a[j];
    std::size_t i = 8;
    for (; i < n - (n % 8); i += 8)
      for (int j = 0; j < 8; ++j) r[j] += a[i + j];
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  std::size_t n2 = n / 2;
  n2 -= n2 % 8;
  return pairwise_sum(a, n2) + pairwise_sum(a + n2, n - n2);
}

double numpy_sum(const std::vector<double>& a) { return 0.0 + pairwise_sum(a.data(), a.size()); }

double numpy_mean(const std::vector<double>& a) {
  if (a.empty()) return std::numeric_limits<double>::quiet_NaN();
  return numpy_sum(a) / static_cast<double>(a.size());
}

double numpy_weighted_average(const std::vector<double>& a, const std::vector<double>& weights) {
  std::vector<double> products(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) products[i] = a[i] * weights[i];
  return numpy_sum(products) / numpy_sum(weights);
}

double divide_or_zero(std::size_t numerator, std::size_t denominator) {
  return denominator > 0 ? static_cast<double>(numerator) / static_cast<double>(denominator) : 0.0;
}

double f1_of(double p, double r) { return p + r > 0 ? 2 * p * r / (p + r) : 0.0; }

void fill_scores(TypeScores& row) {
  row.precision = divide_or_zero(row.correct, row.predicted);
  row.recall = divide_or_zero(row.correct, row.support);
  row.f1 = f1_of(row.precision, row.recall);
}

using Sentences = std::vector<std::vector<std::string>>;

// Untyped scoring: every chunk as kUntypedType, duplicates (one span read with two types) merged.
void drop_types(std::vector<Chunk>& chunks) {
  for (Chunk& c : chunks) c.type = kUntypedType;
  std::sort(chunks.begin(), chunks.end());
  chunks.erase(std::unique(chunks.begin(), chunks.end()), chunks.end());
}

bool same_token_label(const std::string& gold, const std::string& pred, bool untyped) {
  return untyped ? label_tag(gold) == label_tag(pred) : gold == pred;
}

}  // namespace

namespace detail {

Report score_prepared(const Sentences& gold, const Sentences& pred, const std::vector<ConllevalLine>& lines,
                      const ScoreOptions& options) {
  Report report;
  std::vector<Chunk> gold_chunks, pred_chunks;
  if (options.mode == Mode::Strict) {
    gold_chunks = strict_chunks(gold, *options.scheme);
    pred_chunks = strict_chunks(pred, *options.scheme);
  } else {
    gold_chunks = default_chunks(gold);
    pred_chunks = default_chunks(pred);
  }
  if (options.untyped) {
    drop_types(gold_chunks);
    drop_types(pred_chunks);
  }

  // Per type: |gold|, |pred|, |gold ∩ pred| (both lists are sorted sets).
  std::map<std::string, TypeScores> rows;
  for (const Chunk& c : gold_chunks) ++rows[c.type].support;
  for (const Chunk& c : pred_chunks) ++rows[c.type].predicted;
  std::vector<Chunk> common;
  std::set_intersection(gold_chunks.begin(), gold_chunks.end(), pred_chunks.begin(), pred_chunks.end(),
                        std::back_inserter(common));
  for (const Chunk& c : common) ++rows[c.type].correct;

  std::vector<double> ps, rs, fs, supports;
  TypeScores micro;
  micro.name = "micro avg";
  for (auto& [name, row] : rows) {
    row.name = name;
    fill_scores(row);
    report.per_type.push_back(row);
    ps.push_back(row.precision);
    rs.push_back(row.recall);
    fs.push_back(row.f1);
    supports.push_back(static_cast<double>(row.support));
    micro.support += row.support;
    micro.predicted += row.predicted;
    micro.correct += row.correct;
  }
  fill_scores(micro);
  report.micro = micro;

  TypeScores macro = micro;
  macro.name = "macro avg";
  macro.precision = numpy_mean(ps);
  macro.recall = numpy_mean(rs);
  macro.f1 = numpy_mean(fs);
  report.macro = macro;

  TypeScores weighted = micro;
  weighted.name = "weighted avg";
  if (micro.support == 0) {
    // seqeval: with no gold chunk, weighted precision/recall/F1 are the zero_division value (0).
    weighted.precision = weighted.recall = weighted.f1 = 0.0;
  } else {
    weighted.precision = numpy_weighted_average(ps, supports);
    weighted.recall = numpy_weighted_average(rs, supports);
    weighted.f1 = numpy_weighted_average(fs, supports);
  }
  report.weighted = weighted;

  for (std::size_t s = 0; s < gold.size(); ++s) {
    report.tokens += gold[s].size();
    for (std::size_t t = 0; t < gold[s].size(); ++t)
      report.correct_tokens += same_token_label(gold[s][t], pred[s][t], options.untyped);
  }
  report.accuracy = report.tokens > 0
                        ? static_cast<double>(report.correct_tokens) / static_cast<double>(report.tokens)
                        : std::numeric_limits<double>::quiet_NaN();
  report.conlleval = conlleval(lines, options.untyped);
  return report;
}

void check_labels(const std::vector<std::vector<std::string>>& labels, const ScoreOptions& options,
                  const std::function<void(const LabelProblem&)>& fail) {
  LabelProblem problem;
  bool bad = options.mode == Mode::Strict ? find_strict_label_problem(labels, *options.scheme, &problem)
                                          : find_empty_label(labels, &problem);
  if (bad) fail(problem);
}

void check_options(const ScoreOptions& options) {
  if (options.mode == Mode::Strict && !options.scheme)
    throw ConfigError("strict mode needs a tag scheme (IOB1, IOB2, IOE1, IOE2, IOBES or BILOU)");
}

}  // namespace detail

Report score(const std::vector<std::vector<std::string>>& gold, const std::vector<std::vector<std::string>>& pred,
             const ScoreOptions& options) {
  detail::check_options(options);
  if (gold.size() != pred.size())
    throw InputError("", 0, "gold has " + std::to_string(gold.size()) + " sentences but the prediction has " +
                                std::to_string(pred.size()));
  for (std::size_t s = 0; s < gold.size(); ++s)
    if (gold[s].size() != pred[s].size())
      throw InputError("", 0, "sentence " + std::to_string(s + 1) + " has " + std::to_string(gold[s].size()) +
                                  " gold labels but " + std::to_string(pred[s].size()) + " predicted labels");
  auto fail = [](const char* which) {
    return [which](const LabelProblem& p) {
      throw InputError("", 0, std::string(which) + " sentence " + std::to_string(p.sentence + 1) + ", token " +
                                  std::to_string(p.token + 1) + ": " + p.problem);
    };
  };
  detail::check_labels(gold, options, fail("gold"));
  detail::check_labels(pred, options, fail("predicted"));

  std::vector<ConllevalLine> lines;
  for (std::size_t s = 0; s < gold.size(); ++s) {
    for (std::size_t t = 0; t < gold[s].size(); ++t) lines.push_back({gold[s][t], pred[s][t], false});
    lines.push_back({"", "", true});
  }
  return detail::score_prepared(gold, pred, lines, options);
}

}  // namespace nertool::metrics
