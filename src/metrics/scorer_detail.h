#pragma once
// Shared by scorer.cc and corpus_score.cc (private to the metrics area).
#include <functional>
#include <string>
#include <vector>

#include "nertool/metrics/chunks.h"
#include "nertool/metrics/conlleval.h"
#include "nertool/metrics/scorer.h"

namespace nertool::metrics::detail {

// Scores aligned, validated labels; `lines` is conlleval's view of the same data.
Report score_prepared(const std::vector<std::vector<std::string>>& gold,
                      const std::vector<std::vector<std::string>>& pred, const std::vector<ConllevalLine>& lines,
                      const ScoreOptions& options);

// Calls `fail` with the first label the mode cannot score.
void check_labels(const std::vector<std::vector<std::string>>& labels, const ScoreOptions& options,
                  const std::function<void(const LabelProblem&)>& fail);

// Throws ConfigError when strict mode has no scheme.
void check_options(const ScoreOptions& options);

}  // namespace nertool::metrics::detail
