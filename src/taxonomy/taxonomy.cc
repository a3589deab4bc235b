#include "nertool/taxonomy/taxonomy.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "json_document.h"
#include "nertool/core/error.h"
#include "nertool/core/json.h"

namespace nertool::taxonomy {

using detail::json_kind;
using detail::member_path;
using nlohmann::json;

namespace {

// Validation context: every problem names the source and the JSON path.
struct Checker {
  const std::string& source;
  [[noreturn]] void fail(const std::string& path, const std::string& problem) const {
    throw InputError(source, 0, path + ": " + problem);
  }
  void only_keys(const json& obj, const std::string& path, std::initializer_list<const char*> allowed) const {
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      bool ok = false;
      std::string list;
      for (const char* a : allowed) {
        ok = ok || it.key() == a;
        list += list.empty() ? std::string("\"") + a + "\"" : std::string(", \"") + a + "\"";
      }
      if (!ok) fail(member_path(path, it.key()), "unknown key (allowed: " + list + ")");
    }
  }
  const json& object_at(const json& v, const std::string& path) const {
    if (!v.is_object()) fail(path, "expected an object, got " + json_kind(v));
    return v;
  }
  std::string string_at(const json& v, const std::string& path) const {
    if (!v.is_string()) fail(path, "expected a string, got " + json_kind(v));
    return v.get<std::string>();
  }
  double number_at(const json& v, const std::string& path) const {
    if (!v.is_number()) fail(path, "expected a number, got " + json_kind(v));
    const double d = v.get<double>();
    if (!std::isfinite(d)) fail(path, "expected a finite number");
    return d;
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

CreditRule parse_rule(const json& v, const std::string& path, const Checker& ck) {
  ck.object_at(v, path);
  ck.only_keys(v, path, {"ancestor_decay", "descendant_decay", "sibling_credit", "related_decay",
                         "credit_through_root"});
  CreditRule rule;
  auto constant = [&](const char* key, double& out) {
    if (!v.contains(key)) return;
    const std::string p = path + "." + key;
    out = ck.number_at(v.at(key), p);
    // Below 1, so that no other type ever earns the exact type's credit.
    if (out < 0.0 || out >= 1.0) ck.fail(p, "must be in [0, 1), got " + json(out).dump());
  };
  constant("ancestor_decay", rule.ancestor_decay);
  constant("descendant_decay", rule.descendant_decay);
  constant("sibling_credit", rule.sibling_credit);
  constant("related_decay", rule.related_decay);
  if (v.contains("credit_through_root")) {
    if (!v.at("credit_through_root").is_boolean())
      ck.fail(path + ".credit_through_root", "expected a boolean, got " + json_kind(v.at("credit_through_root")));
    rule.credit_through_root = v.at("credit_through_root").get<bool>();
  }
  return rule;
}

}  // namespace

json CreditRule::to_json() const {
  return json{{"ancestor_decay", ancestor_decay},
              {"descendant_decay", descendant_decay},
              {"sibling_credit", sibling_credit},
              {"related_decay", related_decay},
              {"credit_through_root", credit_through_root}};
}

Taxonomy Taxonomy::from_json(const json& doc, const std::string& source) {
  const Checker ck{source};
  ck.object_at(doc, "$");
  ck.only_keys(doc, "$", {"name", "description", "types", "credit"});
  Taxonomy t;
  if (!doc.contains("name")) ck.fail("$", "missing \"name\"");
  t.name_ = ck.string_at(doc.at("name"), "$.name");
  if (t.name_.empty()) ck.fail("$.name", "empty taxonomy name");
  if (doc.contains("description")) ck.string_at(doc.at("description"), "$.description");

  if (!doc.contains("types")) ck.fail("$", "missing \"types\"");
  const json& types = doc.at("types");
  if (!types.is_array()) ck.fail("$.types", "expected an array, got " + json_kind(types));
  if (types.empty()) ck.fail("$.types", "a taxonomy needs at least one type");

  // First pass: names (so that a parent may be declared after its children).
  std::vector<std::string> parent_names(types.size());
  for (std::size_t i = 0; i < types.size(); ++i) {
    const std::string p = "$.types[" + std::to_string(i) + "]";
    const json& ty = ck.object_at(types[i], p);
    ck.only_keys(ty, p, {"name", "parent", "description"});
    if (!ty.contains("name")) ck.fail(p, "missing \"name\"");
    TaxonomyType out;
    out.name = ck.string_at(ty.at("name"), p + ".name");
    if (const std::string problem = type_name_problem(out.name); !problem.empty()) ck.fail(p + ".name", problem);
    if (auto [it, fresh] = t.index_.emplace(out.name, static_cast<int>(i)); !fresh)
      ck.fail(p + ".name", "duplicate type \"" + out.name + "\" (first declared at $.types[" +
                               std::to_string(it->second) + "])");
    if (ty.contains("parent")) {
      parent_names[i] = ck.string_at(ty.at("parent"), p + ".parent");
      if (parent_names[i].empty()) ck.fail(p + ".parent", "empty parent name (leave \"parent\" out for a root)");
    }
    if (ty.contains("description")) out.description = ck.string_at(ty.at("description"), p + ".description");
    t.types_.push_back(std::move(out));
  }
  // Second pass: parents, then cycles.
  for (std::size_t i = 0; i < types.size(); ++i) {
    if (parent_names[i].empty()) continue;
    auto it = t.index_.find(parent_names[i]);
    if (it == t.index_.end())
      ck.fail("$.types[" + std::to_string(i) + "].parent",
              "unknown parent \"" + parent_names[i] + "\" of type \"" + t.types_[i].name + "\"");
    t.types_[i].parent = it->second;
  }
  for (std::size_t i = 0; i < t.types_.size(); ++i) {
    std::vector<int> path{static_cast<int>(i)};
    for (int p = t.types_[i].parent; p >= 0; p = t.types_[static_cast<std::size_t>(p)].parent) {
      if (auto seen = std::find(path.begin(), path.end(), p); seen != path.end()) {
        std::string cycle;
        for (auto c = seen; c != path.end(); ++c) cycle += t.types_[static_cast<std::size_t>(*c)].name + " -> ";
        ck.fail("$.types[" + std::to_string(*seen) + "].parent",
                "cycle in the hierarchy: " + cycle + t.types_[static_cast<std::size_t>(p)].name);
      }
      path.push_back(p);
    }
  }
  t.children_.assign(t.types_.size(), {});
  for (std::size_t i = 0; i < t.types_.size(); ++i)
    if (t.types_[i].parent >= 0) t.children_[static_cast<std::size_t>(t.types_[i].parent)].push_back(static_cast<int>(i));

  if (doc.contains("credit")) {
    const json& credit = ck.object_at(doc.at("credit"), "$.credit");
    ck.only_keys(credit, "$.credit", {"rule", "matrix"});
    if (credit.contains("rule")) t.rule_ = parse_rule(credit.at("rule"), "$.credit.rule", ck);
    if (credit.contains("matrix")) {
      const json& matrix = ck.object_at(credit.at("matrix"), "$.credit.matrix");
      for (auto row = matrix.begin(); row != matrix.end(); ++row) {
        const std::string rp = member_path("$.credit.matrix", row.key());
        const auto gold = t.find(row.key());
        if (!gold) ck.fail(rp, "unknown gold type \"" + row.key() + "\" in taxonomy \"" + t.name_ + "\"");
        ck.object_at(row.value(), rp);
        std::map<int, double> entries;
        for (auto cell = row.value().begin(); cell != row.value().end(); ++cell) {
          const std::string cp = member_path(rp, cell.key());
          const auto pred = t.find(cell.key());
          if (!pred) ck.fail(cp, "unknown predicted type \"" + cell.key() + "\" in taxonomy \"" + t.name_ + "\"");
          const double c = ck.number_at(cell.value(), cp);
          if (c < 0.0 || c > 1.0) ck.fail(cp, "credit " + cell.value().dump() + " outside [0, 1]");
          entries[*pred] = c;
        }
        auto exact = entries.find(*gold);
        if (exact == entries.end() || exact->second != 1.0)
          ck.fail(rp, "the exact type \"" + row.key() + "\" must get credit 1 in its own row");
        for (const auto& [pred, c] : entries)
          if (pred != *gold && c >= 1.0)
            ck.fail(member_path(rp, t.type_name(pred)),
                    "credit 1 for a type other than the gold one; the exact type must be the unique maximum");
        t.explicit_credit_[*gold] = std::move(entries);
      }
    }
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
