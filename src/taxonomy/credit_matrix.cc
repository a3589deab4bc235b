#include "nertool/taxonomy/credit_matrix.h"

#include <algorithm>

#include "nertool/core/error.h"

namespace nertool::taxonomy {

CreditMatrix CreditMatrix::within(const Taxonomy& taxonomy) {
  CreditMatrix w;
  w.gold_types_ = taxonomy.type_names();
  w.pred_types_ = w.gold_types_;
  const int n = static_cast<int>(taxonomy.size());
  w.values_.reserve(static_cast<std::size_t>(n) * static_cast<std::size_t>(n));
  for (int g = 0; g < n; ++g)
    for (int p = 0; p < n; ++p) w.values_.push_back(taxonomy.credit(g, p));
  return w;
}

CreditMatrix CreditMatrix::by_name(const Taxonomy& gold, const Taxonomy& pred) {
  std::vector<int> in_gold;
  std::string missing;
  for (const auto& name : pred.type_names()) {
    if (auto i = gold.find(name)) in_gold.push_back(*i);
    else missing += (missing.empty() ? "" : ", ") + name;
  }
  if (!missing.empty())
    throw ConfigError("types of taxonomy \"" + pred.name() + "\" not found in taxonomy \"" + gold.name() +
                      "\": " + missing + " (relate the taxonomies with a type map instead)");
  CreditMatrix w;
  w.gold_types_ = gold.type_names();
  w.pred_types_ = pred.type_names();
  for (int g = 0; g < static_cast<int>(gold.size()); ++g)
    for (int p : in_gold) w.values_.push_back(gold.credit(g, p));
  return w;
}

CreditMatrix CreditMatrix::through_map(const Taxonomy& source, const TypeMap& map, const Taxonomy& target) {
  map.validate(source, target);
  CreditMatrix w;
  w.gold_types_ = source.type_names();
  w.pred_types_ = target.type_names();
  w.values_.assign(w.rows() * w.cols(), 0.0);
  for (int g = 0; g < static_cast<int>(source.size()); ++g)
    for (int s = 0; s < static_cast<int>(source.size()); ++s) {
      const auto mapped = map.map_type(source.type_name(s));
      if (!mapped) continue;
      double& cell = w.values_[static_cast<std::size_t>(g) * w.cols() + static_cast<std::size_t>(target.index(*mapped))];
      cell = std::max(cell, source.credit(g, s));
    }
  return w;
}

CreditMatrix CreditMatrix::select(const std::vector<std::string>& gold_types,
                                  const std::vector<std::string>& pred_types) const {
  std::vector<std::size_t> rows_at, cols_at;
  for (const auto& g : gold_types) {
    const auto i = gold_index(g);
    if (!i) throw Error("gold type \"" + g + "\" is not in the credit matrix");
    rows_at.push_back(*i);
  }
  for (const auto& p : pred_types) {
    const auto j = pred_index(p);
    if (!j) throw Error("predicted type \"" + p + "\" is not in the credit matrix");
    cols_at.push_back(*j);
  }
  CreditMatrix w;
  w.gold_types_ = gold_types;
  w.pred_types_ = pred_types;
  for (std::size_t i : rows_at)
    for (std::size_t j : cols_at) w.values_.push_back(at(i, j));
  return w;
}

std::optional<std::size_t> CreditMatrix::gold_index(const std::string& type) const {
  auto it = std::find(gold_types_.begin(), gold_types_.end(), type);
  if (it == gold_types_.end()) return std::nullopt;
  return static_cast<std::size_t>(it - gold_types_.begin());
}

std::optional<std::size_t> CreditMatrix::pred_index(const std::string& type) const {
  auto it = std::find(pred_types_.begin(), pred_types_.end(), type);
  if (it == pred_types_.end()) return std::nullopt;
  return static_cast<std::size_t>(it - pred_types_.begin());
}

double CreditMatrix::credit(const std::string& gold, const std::string& pred) const {
  const auto g = gold_index(gold);
  if (!g) throw Error("gold type \"" + gold + "\" is not in the credit matrix");
  const auto p = pred_index(pred);
  if (!p) throw Error("predicted type \"" + pred + "\" is not in the credit matrix");
  return at(*g, *p);
}

std::vector<double> CreditMatrix::soft_target(std::size_t gold) const {
  if (gold >= rows()) throw Error("gold row " + std::to_string(gold) + " out of range");
  std::vector<double> row(values_.begin() + static_cast<std::ptrdiff_t>(gold * cols()),
                          values_.begin() + static_cast<std::ptrdiff_t>((gold + 1) * cols()));
  double sum = 0.0;
  for (double v : row) sum += v;
  if (sum <= 0.0) throw Error("gold type \"" + gold_types_[gold] + "\" credits no predicted type; no soft target");
  for (double& v : row) v /= sum;
  return row;
}

std::vector<float> CreditMatrix::soft_targets() const {
  std::vector<float> out(values_.size(), 0.0f);
  for (std::size_t g = 0; g < rows(); ++g) {
    double sum = 0.0;
    for (std::size_t p = 0; p < cols(); ++p) sum += at(g, p);
    if (sum <= 0.0) continue;
    for (std::size_t p = 0; p < cols(); ++p) out[g * cols() + p] = static_cast<float>(at(g, p) / sum);
  }
  return out;
}

nlohmann::json CreditMatrix::to_json() const {
  nlohmann::json matrix = nlohmann::json::object();
  for (std::size_t g = 0; g < rows(); ++g)
    for (std::size_t p = 0; p < cols(); ++p)
      if (at(g, p) != 0.0) matrix[gold_types_[g]][pred_types_[p]] = at(g, p);
  return nlohmann::json{{"gold_types", gold_types_}, {"pred_types", pred_types_}, {"matrix", std::move(matrix)}};
}

}  // namespace nertool::taxonomy
