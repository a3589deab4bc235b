#pragma once
// An entity-type taxonomy: a forest of named types loaded from JSON (docs/taxonomy.md), with the hierarchy
// queries that multi-label typing targets and partial-credit matrices need.
#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "nertool/core/config_keys.h"

namespace nertool::taxonomy {

// Constants of the rule that derives partial credit from the hierarchy (docs/taxonomy.md, "The credit rule").
// With `a` = edges from the gold type up to the lowest common ancestor L and `b` = edges from the predicted type
// up to L:
//   exact (a = b = 0)                  1
//   predicted is an ancestor (b = 0)   ancestor_decay^a
//   predicted is a descendant (a = 0)  descendant_decay^b
//   otherwise, L exists                sibling_credit * related_decay^(a + b - 2), and 0 when L is a root unless
//                                      credit_through_root (a root such as ENTITY says nothing about a type)
//   no common ancestor                 0
struct CreditRule {
  double ancestor_decay = 0.5;
  double descendant_decay = 0.5;
  double sibling_credit = 0.25;
  double related_decay = 0.5;
  bool credit_through_root = false;

  nlohmann::json to_json() const;
};

// The keys of a taxonomy file's "credit.rule" object (docs/taxonomy.md).
const std::vector<config::Key<CreditRule>>& credit_rule_keys();

struct TaxonomyType {
  std::string name;
  int parent = -1;  // index of the parent, -1 for a root
  std::string description;
};

class Taxonomy {
 public:
  Taxonomy() = default;
  // Parses and validates a taxonomy document. `source` names it in errors (a file path). Throws InputError
  // (source, 0, "$.json.path: problem") on any invalid content.
  static Taxonomy from_json(const nlohmann::json& doc, const std::string& source = "<taxonomy>");
  // Reads `path` (IoError when unreadable, InputError when not JSON or invalid).
  static Taxonomy load(const std::string& path);
  nlohmann::json to_json() const;

  const std::string& name() const { return name_; }
  std::size_t size() const { return types_.size(); }
  const std::vector<TaxonomyType>& types() const { return types_; }
  const std::string& type_name(int index) const { return types_.at(static_cast<std::size_t>(index)).name; }
  std::vector<std::string> type_names() const;
  // Index of a type by name: nullopt / Error naming the type and taxonomy.
  std::optional<int> find(const std::string& type) const;
  int index(const std::string& type) const;
  bool contains(const std::string& type) const { return find(type).has_value(); }

  int parent(int index) const { return types_.at(static_cast<std::size_t>(index)).parent; }
  const std::vector<int>& children(int index) const { return children_.at(static_cast<std::size_t>(index)); }
  // Proper ancestors, nearest first.
  std::vector<int> ancestors(int index) const;
  // The type and all its ancestors (the positive labels of a multi-label typing target), ascending index order.
  std::vector<int> with_ancestors(int index) const;
  // Multi-hot vector over all types: 1 for the type and its ancestors.
  std::vector<float> ancestor_targets(int index) const;
  int depth(int index) const;  // 0 for a root
  bool is_ancestor(int ancestor, int of) const;
  bool is_leaf(int index) const { return children(index).empty(); }
  std::vector<int> leaves() const;
  // Lowest common ancestor (a type is its own ancestor here), -1 when the types are in different trees.
  int lowest_common_ancestor(int a, int b) const;

  // Credit derivation: the rule, and explicit rows (gold index -> pred index -> credit) that replace derived rows.
  const CreditRule& credit_rule() const { return rule_; }
  const std::map<int, std::map<int, double>>& explicit_credit() const { return explicit_credit_; }
  // Credit for predicting `pred` when the gold is `gold`: the explicit row when the file gives one, else the rule.
  double credit(int gold, int pred) const;

 private:
  std::string name_;
  std::vector<TaxonomyType> types_;
  std::vector<std::vector<int>> children_;
  std::map<std::string, int> index_;
  CreditRule rule_;
  std::map<int, std::map<int, double>> explicit_credit_;
};

// Credit between two types of one hierarchy by `rule` alone (no explicit rows).
double rule_credit(const Taxonomy& taxonomy, const CreditRule& rule, int gold, int pred);

}  // namespace nertool::taxonomy
