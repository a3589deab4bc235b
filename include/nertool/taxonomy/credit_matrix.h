#pragma once
// The partial-credit matrix W: W[i][j] is the credit for predicting type j (of the predicted taxonomy) when the
// gold type is i (of the gold taxonomy), and the soft gold labels y* = y W built from it (docs/taxonomy.md).
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "nertool/taxonomy/taxonomy.h"
#include "nertool/taxonomy/type_map.h"

namespace nertool::taxonomy {

class CreditMatrix {
 public:
  CreditMatrix() = default;
  // Square matrix of one taxonomy: its explicit rows where given, its rule elsewhere.
  static CreditMatrix within(const Taxonomy& taxonomy);
  // Gold types from `gold`, predicted types from `pred`, every predicted type found by name in `gold` (a target
  // taxonomy that is a part of the source one); credit is computed in `gold`'s hierarchy. ConfigError names a
  // predicted type missing from `gold`.
  static CreditMatrix by_name(const Taxonomy& gold, const Taxonomy& pred);
  // Gold types from `source`, predicted types from `target`, related through `map` (validated against both):
  // W[s][j] = max over source types s' that map to j of source credit(s, s'); 0 when nothing maps to j.
  static CreditMatrix through_map(const Taxonomy& source, const TypeMap& map, const Taxonomy& target);

  // The sub-matrix for the given gold and predicted types (e.g. only the leaves, the classes a model outputs), in
  // the given order. Throws Error naming a type not in this matrix.
  CreditMatrix select(const std::vector<std::string>& gold_types, const std::vector<std::string>& pred_types) const;

  std::size_t rows() const { return gold_types_.size(); }
  std::size_t cols() const { return pred_types_.size(); }
  const std::vector<std::string>& gold_types() const { return gold_types_; }
  const std::vector<std::string>& pred_types() const { return pred_types_; }
  std::optional<std::size_t> gold_index(const std::string& type) const;
  std::optional<std::size_t> pred_index(const std::string& type) const;
  double at(std::size_t gold, std::size_t pred) const { return values_.at(gold * cols() + pred); }
  // Credit by type names. Throws Error naming a type not in the matrix.
  double credit(const std::string& gold, const std::string& pred) const;
  // Row-major [rows x cols].
  const std::vector<double>& values() const { return values_; }

  // Soft gold distribution for gold row `gold`: the row of W divided by its sum (y* = y W, normalised so that the
  // soft cross-entropy is a cross-entropy between distributions). Throws Error when the row is all zero.
  std::vector<double> soft_target(std::size_t gold) const;
  // All rows normalised, row-major [rows x cols], as float for a tensor; an all-zero row (a gold type with no
  // credited prediction, e.g. one a type map sends to "O") stays all zero.
  std::vector<float> soft_targets() const;

  nlohmann::json to_json() const;

 private:
  std::vector<std::string> gold_types_;
  std::vector<std::string> pred_types_;
  std::vector<double> values_;
};

}  // namespace nertool::taxonomy
