#include "nertool/taxonomy/partial_credit_score.h"

#include <map>
#include <utility>

#include "nertool/core/error.h"

namespace nertool::taxonomy {

namespace {

PrecisionRecallF1 prf(double hits, std::size_t predicted, std::size_t gold) {
  PrecisionRecallF1 out;
  out.precision = predicted > 0 ? hits / static_cast<double>(predicted) : 0.0;
  out.recall = gold > 0 ? hits / static_cast<double>(gold) : 0.0;
  const double sum = out.precision + out.recall;
  out.f1 = sum > 0.0 ? 2.0 * out.precision * out.recall / sum : 0.0;
  return out;
}

nlohmann::json prf_json(const PrecisionRecallF1& s) {
  return nlohmann::json{{"precision", s.precision}, {"recall", s.recall}, {"f1", s.f1}};
}

}  // namespace

nlohmann::json PartialCreditScore::to_json() const {
  return nlohmann::json{{"gold_mentions", gold_mentions},     {"predicted_mentions", predicted_mentions},
                        {"boundary_matches", boundary_matches}, {"exact_matches", exact_matches},
                        {"credit", credit},                   {"exact", prf_json(exact)},
                        {"partial_credit", prf_json(partial)}};
}

PartialCreditScore score_partial_credit(const std::vector<std::vector<data::Span>>& gold,
                                        const std::vector<std::vector<data::Span>>& predicted,
                                        const CreditMatrix& credit) {
  if (gold.size() != predicted.size())
    throw Error("partial-credit scoring: " + std::to_string(gold.size()) + " gold sentences but " +
                std::to_string(predicted.size()) + " predicted ones");
  PartialCreditScore score;
  for (std::size_t s = 0; s < gold.size(); ++s) {
    auto where = [&](const data::Span& m) {
      return "sentence " + std::to_string(s + 1) + ", mention [" + std::to_string(m.begin) + ", " +
             std::to_string(m.end) + ") " + m.type;
    };
    std::map<std::pair<std::size_t, std::size_t>, std::size_t> gold_at;  // boundaries -> gold row of W
    for (const auto& m : gold[s]) {
      const auto row = credit.gold_index(m.type);
      if (!row) throw Error(where(m) + ": gold type \"" + m.type + "\" is not in the credit matrix");
      if (!gold_at.emplace(std::make_pair(m.begin, m.end), *row).second)
        throw Error(where(m) + ": two gold mentions with the same boundaries");
    }
    std::map<std::pair<std::size_t, std::size_t>, bool> seen;
    for (const auto& m : predicted[s]) {
      const auto col = credit.pred_index(m.type);
      if (!col) throw Error(where(m) + ": predicted type \"" + m.type + "\" is not in the credit matrix");
      if (!seen.emplace(std::make_pair(m.begin, m.end), true).second)
        throw Error(where(m) + ": two predicted mentions with the same boundaries");
      auto g = gold_at.find({m.begin, m.end});
      if (g == gold_at.end()) continue;
      ++score.boundary_matches;
      if (credit.gold_types()[g->second] == m.type) ++score.exact_matches;
      score.credit += credit.at(g->second, *col);
    }
    score.gold_mentions += gold[s].size();
    score.predicted_mentions += predicted[s].size();
  }
  score.exact = prf(static_cast<double>(score.exact_matches), score.predicted_mentions, score.gold_mentions);
  score.partial = prf(score.credit, score.predicted_mentions, score.gold_mentions);
  return score;
}

}  // namespace nertool::taxonomy
