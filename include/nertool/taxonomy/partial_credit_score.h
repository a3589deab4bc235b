#pragma once
// Scoring typed mentions against gold mentions: exact-type precision/recall/F1 (a prediction counts when its
// boundaries and type equal a gold mention's, as in seqeval/conlleval) and, beside it, the partial-credit score,
// where a prediction with a gold mention's boundaries earns W[gold type][predicted type].
#include <cstddef>
#include <nlohmann/json.hpp>
#include <vector>

#include "nertool/data/tag_scheme.h"
#include "nertool/taxonomy/credit_matrix.h"

namespace nertool::taxonomy {

struct PrecisionRecallF1 {
  double precision = 0.0;  // 0 when nothing was predicted
  double recall = 0.0;     // 0 when there is no gold mention
  double f1 = 0.0;         // 0 when precision + recall is 0
};

struct PartialCreditScore {
  std::size_t gold_mentions = 0;
  std::size_t predicted_mentions = 0;
  std::size_t boundary_matches = 0;  // predictions whose [begin, end) equals a gold mention's
  std::size_t exact_matches = 0;     // ... and whose type equals it too
  double credit = 0.0;               // sum of W[gold][pred] over boundary matches
  PrecisionRecallF1 exact;           // from exact_matches
  PrecisionRecallF1 partial;         // precision = credit / predicted, recall = credit / gold

  nlohmann::json to_json() const;
};

// `gold[s]` and `predicted[s]` are the mentions of sentence s (flat: a boundary pair occurs at most once per
// sentence and side). Gold types are looked up among W's gold types and predicted types among W's predicted
// types. Throws Error when the sentence counts differ, a type is not in W, or a boundary pair repeats.
PartialCreditScore score_partial_credit(const std::vector<std::vector<data::Span>>& gold,
                                        const std::vector<std::vector<data::Span>>& predicted,
                                        const CreditMatrix& credit);

}  // namespace nertool::taxonomy
