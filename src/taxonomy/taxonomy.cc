#include "nertool/taxonomy/taxonomy.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "nertool/core/config_keys.h"
#include "nertool/core/error.h"
#include "nertool/core/json.h"

namespace nertool::taxonomy {

using nlohmann::json;

namespace {

// `base` + `["key"]`, the JSON-path step for an object member whose name comes from the data (a type name).
std::string member_path(const std::string& base, const std::string& key) {
  return base + "[" + json(key).dump() + "]";
}

// Every problem names the source file and the JSON path: "<file>: $.types[2].parent: <problem>".
struct Checker {
  const std::string& source;
  [[noreturn]] void fail(const std::string& path, const std::string& problem) const {
    config::fail(source, path, problem);
  }
  // The object at `path`, with only the `known` keys; its typed values are read through the returned reader.
  config::SectionReader object(const json& v, const std::string& path, const std::vector<std::string>& known) const {
    if (!v.is_object()) fail(path, "expected an object, got " + config::json_type_name(v));
    config::check_known_keys(v, known, path, source);
    return config::SectionReader(v, path, source);
  }
};

// Type names become IOB labels ("B-NAME"), so they must be non-empty, have no white space and not be "O".
std::string type_name_problem(const std::string& name) {
  if (name.empty()) return "empty type name";
  for (unsigned char c : name)
    if (std::isspace(c) || c < 0x20) return "type name \"" + name + "\" contains white space or a control character";
  if (name == "O") return "\"O\" is reserved for the outside label and cannot be a type";
  return "";
}

}  // namespace

const std::vector<config::Key<CreditRule>>& credit_rule_keys() {
  using config::key;
  using config::rate_below_one;
  // Decays and credits below 1, so that no other type ever earns the exact type's credit.
  static const std::vector<config::Key<CreditRule>> keys{
      key("ancestor_decay", &CreditRule::ancestor_decay, "credit factor per step up from the gold type",
          ">= 0 and < 1", rate_below_one()),
      key("descendant_decay", &CreditRule::descendant_decay, "credit factor per step down from the gold type",
          ">= 0 and < 1", rate_below_one()),
      key("sibling_credit", &CreditRule::sibling_credit,
          "credit of a type with the gold type's parent (types related through a lowest common ancestor L)",
          ">= 0 and < 1", rate_below_one()),
      key("related_decay", &CreditRule::related_decay, "credit factor per step further from L than a sibling",
          ">= 0 and < 1", rate_below_one()),
      key("credit_through_root", &CreditRule::credit_through_root, "credit also when L is a root"),
  };
  return keys;
}

json CreditRule::to_json() const { return config::section_json(credit_rule_keys(), *this); }

namespace {

std::string type_path(std::size_t i) { return "$.types[" + std::to_string(i) + "]"; }

// One entry of "types", checked on its own.
struct TypeEntry {
  std::string name, parent, description;
};

std::vector<TypeEntry> read_type_entries(const config::SectionReader& top, const Checker& ck) {
  const json& types = top.at("types");
  if (!types.is_array()) ck.fail("$.types", "expected an array, got " + config::json_type_name(types));
  if (types.empty()) ck.fail("$.types", "a taxonomy needs at least one type");
  std::vector<TypeEntry> entries;
  std::map<std::string, std::size_t> first;
  for (std::size_t i = 0; i < types.size(); ++i) {
    const std::string p = type_path(i);
    const config::SectionReader r = ck.object(types[i], p, {"name", "parent", "description"});
    TypeEntry e{r.str("name"), r.has("parent") ? r.str("parent") : "",
                r.has("description") ? r.str("description") : ""};
    if (const std::string problem = type_name_problem(e.name); !problem.empty()) r.fail("name", problem);
    if (auto [it, fresh] = first.emplace(e.name, i); !fresh)
      r.fail("name", "duplicate type \"" + e.name + "\" (first declared at " + type_path(it->second) + ")");
    if (r.has("parent") && e.parent.empty()) r.fail("parent", "empty parent name (leave \"parent\" out for a root)");
    entries.push_back(std::move(e));
  }
  return entries;
}

// Each entry's parent index (-1 for a root); a parent may be declared after its children, but not in a cycle.
std::vector<int> parent_indices(const std::vector<TypeEntry>& entries, const std::map<std::string, int>& index,
                                const Checker& ck) {
  std::vector<int> parents(entries.size(), -1);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].parent.empty()) continue;
    auto it = index.find(entries[i].parent);
    if (it == index.end())
      ck.fail(type_path(i) + ".parent",
              "unknown parent \"" + entries[i].parent + "\" of type \"" + entries[i].name + "\"");
    parents[i] = it->second;
  }
  for (std::size_t i = 0; i < entries.size(); ++i) {
    std::vector<int> path{static_cast<int>(i)};
    for (int p = parents[i]; p >= 0; p = parents[static_cast<std::size_t>(p)]) {
      if (auto seen = std::find(path.begin(), path.end(), p); seen != path.end()) {
        std::string cycle;
        for (auto c = seen; c != path.end(); ++c) cycle += entries[static_cast<std::size_t>(*c)].name + " -> ";
        ck.fail(type_path(static_cast<std::size_t>(*seen)) + ".parent",
                "cycle in the hierarchy: " + cycle + entries[static_cast<std::size_t>(p)].name);
      }
      path.push_back(p);
    }
  }
  return parents;
}

// One row of "credit.matrix": the credits of predicted types for the gold type `gold`.
std::map<int, double> read_credit_row(const Taxonomy& t, int gold, const json& row, const std::string& rp,
                                      const Checker& ck) {
  if (!row.is_object()) ck.fail(rp, "expected an object, got " + config::json_type_name(row));
  std::map<int, double> entries;
  for (auto cell = row.begin(); cell != row.end(); ++cell) {
    const std::string cp = member_path(rp, cell.key());
    const auto pred = t.find(cell.key());
    if (!pred) ck.fail(cp, "unknown predicted type \"" + cell.key() + "\" in taxonomy \"" + t.name() + "\"");
    if (!cell.value().is_number() || !std::isfinite(cell.value().get<double>()))
      ck.fail(cp, "expected a finite number, got " + config::json_type_name(cell.value()) + " " + cell.value().dump());
    const double c = cell.value().get<double>();
    if (c < 0.0 || c > 1.0) ck.fail(cp, "credit " + cell.value().dump() + " outside [0, 1]");
    entries[*pred] = c;
  }
  auto exact = entries.find(gold);
  if (exact == entries.end() || exact->second != 1.0)
    ck.fail(rp, "the exact type \"" + t.type_name(gold) + "\" must get credit 1 in its own row");
  for (const auto& [pred, c] : entries)
    if (pred != gold && c >= 1.0)
      ck.fail(member_path(rp, t.type_name(pred)),
              "credit 1 for a type other than the gold one; the exact type must be the unique maximum");
  return entries;
}

}  // namespace

Taxonomy Taxonomy::from_json(const json& doc, const std::string& source) {
  const Checker ck{source};
  const config::SectionReader top = ck.object(doc, "$", {"name", "description", "types", "credit"});
  Taxonomy t;
  t.name_ = top.str("name");
  if (t.name_.empty()) top.fail("name", "empty taxonomy name");
  if (top.has("description")) top.str("description");
  const std::vector<TypeEntry> entries = read_type_entries(top, ck);
  for (std::size_t i = 0; i < entries.size(); ++i) t.index_.emplace(entries[i].name, static_cast<int>(i));
  const std::vector<int> parents = parent_indices(entries, t.index_, ck);
  t.children_.assign(entries.size(), {});
  for (std::size_t i = 0; i < entries.size(); ++i) {
    t.types_.push_back(TaxonomyType{entries[i].name, parents[i], entries[i].description});
    if (parents[i] >= 0) t.children_[static_cast<std::size_t>(parents[i])].push_back(static_cast<int>(i));
  }
  if (!top.has("credit")) return t;
  const config::SectionReader credit = ck.object(doc.at("credit"), "$.credit", {"rule", "matrix"});
  t.rule_ = config::read_section(credit_rule_keys(), config::member_or_null(doc.at("credit"), "rule"),
                                 "$.credit.rule", source);
  if (!credit.has("matrix")) return t;
  const json& matrix = credit.at("matrix");
  if (!matrix.is_object()) credit.fail("matrix", "expected an object, got " + config::json_type_name(matrix));
  for (auto row = matrix.begin(); row != matrix.end(); ++row) {
    const std::string rp = member_path("$.credit.matrix", row.key());
    const auto gold = t.find(row.key());
    if (!gold) ck.fail(rp, "unknown gold type \"" + row.key() + "\" in taxonomy \"" + t.name_ + "\"");
    t.explicit_credit_[*gold] = read_credit_row(t, *gold, row.value(), rp, ck);
  }
  return t;
}

Taxonomy Taxonomy::load(const std::string& path) { return from_json(read_json_file(path), path); }

json Taxonomy::to_json() const {
  json types = json::array();
  for (const auto& ty : types_) {
    json j{{"name", ty.name}};
    if (ty.parent >= 0) j["parent"] = type_name(ty.parent);
    if (!ty.description.empty()) j["description"] = ty.description;
    types.push_back(std::move(j));
  }
  json credit{{"rule", rule_.to_json()}};
  if (!explicit_credit_.empty()) {
    json matrix = json::object();
    for (const auto& [gold, row] : explicit_credit_)
      for (const auto& [pred, c] : row) matrix[type_name(gold)][type_name(pred)] = c;
    credit["matrix"] = std::move(matrix);
  }
  return json{{"name", name_}, {"types", std::move(types)}, {"credit", std::move(credit)}};
}

std::vector<std::string> Taxonomy::type_names() const {
  std::vector<std::string> names;
  names.reserve(types_.size());
  for (const auto& ty : types_) names.push_back(ty.name);
  return names;
}

std::optional<int> Taxonomy::find(const std::string& type) const {
  auto it = index_.find(type);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

int Taxonomy::index(const std::string& type) const {
  if (auto i = find(type)) return *i;
  throw Error("unknown type \"" + type + "\" in taxonomy \"" + name_ + "\"");
}

std::vector<int> Taxonomy::ancestors(int index) const {
  std::vector<int> out;
  for (int p = parent(index); p >= 0; p = parent(p)) out.push_back(p);
  return out;
}

std::vector<int> Taxonomy::with_ancestors(int index) const {
  std::vector<int> out = ancestors(index);
  out.push_back(index);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<float> Taxonomy::ancestor_targets(int index) const {
  std::vector<float> out(size(), 0.0f);
  for (int i : with_ancestors(index)) out[static_cast<std::size_t>(i)] = 1.0f;
  return out;
}

int Taxonomy::depth(int index) const { return static_cast<int>(ancestors(index).size()); }

bool Taxonomy::is_ancestor(int ancestor, int of) const {
  for (int p = parent(of); p >= 0; p = parent(p))
    if (p == ancestor) return true;
  return false;
}

std::vector<int> Taxonomy::leaves() const {
  std::vector<int> out;
  for (std::size_t i = 0; i < types_.size(); ++i)
    if (children_[i].empty()) out.push_back(static_cast<int>(i));
  return out;
}

int Taxonomy::lowest_common_ancestor(int a, int b) const {
  std::set<int> up{a};
  for (int p = parent(a); p >= 0; p = parent(p)) up.insert(p);
  for (int q = b; q >= 0; q = parent(q))
    if (up.count(q)) return q;
  return -1;
}

double Taxonomy::credit(int gold, int pred) const {
  if (auto row = explicit_credit_.find(gold); row != explicit_credit_.end()) {
    auto cell = row->second.find(pred);
    return cell == row->second.end() ? 0.0 : cell->second;
  }
  return rule_credit(*this, rule_, gold, pred);
}

double rule_credit(const Taxonomy& t, const CreditRule& rule, int gold, int pred) {
  if (gold == pred) return 1.0;
  const int lca = t.lowest_common_ancestor(gold, pred);
  if (lca < 0) return 0.0;
  const int a = t.depth(gold) - t.depth(lca);
  const int b = t.depth(pred) - t.depth(lca);
  if (b == 0) return std::pow(rule.ancestor_decay, a);
  if (a == 0) return std::pow(rule.descendant_decay, b);
  if (t.parent(lca) < 0 && !rule.credit_through_root) return 0.0;
  return rule.sibling_credit * std::pow(rule.related_decay, a + b - 2);
}

}  // namespace nertool::taxonomy
