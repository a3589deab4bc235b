#include "nertool/taxonomy/taxonomy.h"

#include <gtest/gtest.h>

#include <fstream>

#include "nertool/core/error.h"
#include "small_taxonomy.h"
#include "test_paths.h"

namespace nertool::taxonomy {
namespace {

using nlohmann::json;

Taxonomy small() { return Taxonomy::from_json(testing::small_taxonomy_json(), "small.json"); }

TEST(Taxonomy, HierarchyQueries) {
  const Taxonomy t = small();
  EXPECT_EQ(t.name(), "small");
  ASSERT_EQ(t.size(), 8u);
  const int a = t.index("A"), b = t.index("B"), d = t.index("D"), e = t.index("E"), g = t.index("G"),
            f = t.index("F"), x = t.index("X");
  EXPECT_EQ(t.parent(g), e);
  EXPECT_EQ(t.parent(a), -1);
  EXPECT_EQ(t.ancestors(g), (std::vector<int>{e, b, a}));
  EXPECT_EQ(t.with_ancestors(g), (std::vector<int>{a, b, e, g}));
  EXPECT_EQ(t.ancestor_targets(d), (std::vector<float>{1, 1, 0, 1, 0, 0, 0, 0}));
  EXPECT_EQ(t.ancestor_targets(x), (std::vector<float>{0, 0, 0, 0, 0, 0, 0, 1}));
  EXPECT_EQ(t.depth(g), 3);
  EXPECT_TRUE(t.is_ancestor(a, g));
  EXPECT_FALSE(t.is_ancestor(g, a));
  EXPECT_FALSE(t.is_ancestor(d, d));
  EXPECT_EQ(t.leaves(), (std::vector<int>{d, f, g, x}));
  EXPECT_EQ(t.children(b), (std::vector<int>{d, e}));
  EXPECT_EQ(t.lowest_common_ancestor(d, g), b);
  EXPECT_EQ(t.lowest_common_ancestor(d, f), a);
  EXPECT_EQ(t.lowest_common_ancestor(g, e), e);
  EXPECT_EQ(t.lowest_common_ancestor(d, x), -1);
  EXPECT_FALSE(t.find("Z").has_value());
  EXPECT_THROW(t.index("Z"), Error);
  EXPECT_EQ(t.types()[static_cast<std::size_t>(g)].description, "declared after its parent");
}

TEST(Taxonomy, DefaultRuleKnownAnswers) {
  const Taxonomy t = small();
  auto c = [&](const char* gold, const char* pred) { return t.credit(t.index(gold), t.index(pred)); };
  EXPECT_DOUBLE_EQ(c("D", "D"), 1.0);
  EXPECT_DOUBLE_EQ(c("D", "B"), 0.5);     // parent
  EXPECT_DOUBLE_EQ(c("D", "A"), 0.25);    // grandparent
  EXPECT_DOUBLE_EQ(c("G", "A"), 0.125);   // three levels up
  EXPECT_DOUBLE_EQ(c("B", "D"), 0.5);     // child (descendant_decay)
  EXPECT_DOUBLE_EQ(c("B", "G"), 0.25);    // grandchild
  EXPECT_DOUBLE_EQ(c("D", "E"), 0.25);    // siblings
  EXPECT_DOUBLE_EQ(c("D", "G"), 0.125);   // sibling's child: 0.25 * 0.5
  EXPECT_DOUBLE_EQ(c("G", "D"), 0.125);
  EXPECT_DOUBLE_EQ(c("D", "F"), 0.0);     // only the root in common
  EXPECT_DOUBLE_EQ(c("B", "C"), 0.0);
  EXPECT_DOUBLE_EQ(c("D", "X"), 0.0);     // different trees
  EXPECT_DOUBLE_EQ(c("X", "A"), 0.0);
}

TEST(Taxonomy, ConfiguredRule) {
  json doc = testing::small_taxonomy_json();
  doc["credit"] = json::parse(R"({"rule": {"ancestor_decay": 0.8, "descendant_decay": 0, "sibling_credit": 0.3,
                                           "related_decay": 0.1, "credit_through_root": true}})");
  const Taxonomy t = Taxonomy::from_json(doc, "rule.json");
  auto c = [&](const char* gold, const char* pred) { return t.credit(t.index(gold), t.index(pred)); };
  EXPECT_DOUBLE_EQ(c("G", "A"), 0.8 * 0.8 * 0.8);
  EXPECT_DOUBLE_EQ(c("B", "D"), 0.0);
  EXPECT_DOUBLE_EQ(c("D", "E"), 0.3);
  EXPECT_DOUBLE_EQ(c("D", "G"), 0.3 * 0.1);
  EXPECT_DOUBLE_EQ(c("B", "C"), 0.3);               // through the root now
  EXPECT_DOUBLE_EQ(c("D", "F"), 0.3 * 0.1 * 0.1);
  EXPECT_DOUBLE_EQ(c("D", "X"), 0.0);
  EXPECT_DOUBLE_EQ(t.credit_rule().ancestor_decay, 0.8);
  // Round trip through to_json keeps hierarchy and rule.
  const Taxonomy back = Taxonomy::from_json(t.to_json(), "round-trip");
  EXPECT_EQ(back.type_names(), t.type_names());
  for (int g = 0; g < static_cast<int>(t.size()); ++g)
    for (int p = 0; p < static_cast<int>(t.size()); ++p) EXPECT_DOUBLE_EQ(back.credit(g, p), t.credit(g, p));
}

TEST(Taxonomy, ExplicitRowsReplaceRuleRows) {
  json doc = testing::small_taxonomy_json();
  doc["credit"] = json::parse(R"({"matrix": {"D": {"D": 1, "F": 0.7}}})");
  const Taxonomy t = Taxonomy::from_json(doc, "matrix.json");
  auto c = [&](const char* gold, const char* pred) { return t.credit(t.index(gold), t.index(pred)); };
  EXPECT_DOUBLE_EQ(c("D", "D"), 1.0);
  EXPECT_DOUBLE_EQ(c("D", "F"), 0.7);
  EXPECT_DOUBLE_EQ(c("D", "B"), 0.0);  // the explicit row lists no B
  EXPECT_DOUBLE_EQ(c("G", "A"), 0.125);  // other rows follow the default rule
  const Taxonomy back = Taxonomy::from_json(t.to_json(), "round-trip");
  EXPECT_DOUBLE_EQ(back.credit(t.index("D"), t.index("F")), 0.7);
  EXPECT_DOUBLE_EQ(back.credit(t.index("D"), t.index("B")), 0.0);
}

// Expects a ConfigError whose message names the source and contains `fragment` (the JSON path and problem): the
// one form of core/config_keys.h, "<file>: <path>: <problem>".
void expect_error(const json& doc, const std::string& fragment) {
  try {
    Taxonomy::from_json(doc, "bad.json");
    ADD_FAILURE() << "no error for " << doc.dump() << " (expected: " << fragment << ")";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("bad.json: ", 0), 0u) << e.what();
    EXPECT_NE(std::string(e.what()).find("bad.json: "), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what() << "\n  expected: " << fragment;
  }
}

json with_types(const char* types) {
  return json{{"name", "t"}, {"types", json::parse(types)}};
}

json with_credit(const char* credit) {
  json doc = testing::small_taxonomy_json();
  doc["credit"] = json::parse(credit);
  return doc;
}

TEST(Taxonomy, StructureErrorsNamePathAndProblem) {
  expect_error(json::array(), "$: expected an object, got an array");
  expect_error(json{{"types", json::array()}}, "$.name: missing");
  expect_error(json{{"name", "t"}}, "$.types: missing");
  expect_error(json{{"name", "t"}, {"types", json::array()}}, "$.types: a taxonomy needs at least one type");
  expect_error(json{{"name", "t"}, {"types", json::array()}, {"typo", 1}},
               "unknown key '$.typo' (did you mean '$.types'?)");
  expect_error(with_types(R"([{"name": "A"}, {"name": "B", "parent": "Q"}])"),
               "$.types[1].parent: unknown parent \"Q\" of type \"B\"");
  expect_error(with_types(R"([{"name": "A"}, {"name": "A"}])"),
               "$.types[1].name: duplicate type \"A\" (first declared at $.types[0])");
  expect_error(with_types(R"([{"name": ""}])"), "$.types[0].name: empty type name");
  expect_error(with_types(R"([{"name": "B C"}])"), "$.types[0].name: type name \"B C\" contains white space");
  expect_error(with_types(R"([{"name": "O"}])"), "$.types[0].name: \"O\" is reserved");
  expect_error(with_types(R"([{"name": 3}])"), "$.types[0].name: expected a string, got a number 3");
  expect_error(with_types(R"([{"name": "A", "parnt": "B"}])"),
               "unknown key '$.types[0].parnt' (did you mean '$.types[0].parent'?)");
  expect_error(with_types(R"([{"name": "A", "parent": ""}])"), "$.types[0].parent: empty parent name");
  expect_error(with_types(R"([{"name": "A", "parent": "A"}])"), "cycle in the hierarchy: A -> A");
  expect_error(with_types(R"([{"name": "R"}, {"name": "A", "parent": "C"}, {"name": "B", "parent": "A"},
                              {"name": "C", "parent": "B"}])"),
               "$.types[1].parent: cycle in the hierarchy: A -> C -> B -> A");
}

TEST(Taxonomy, CreditErrorsNamePathAndProblem) {
  expect_error(with_credit(R"({"matrix": {"Q": {"Q": 1}}})"), "$.credit.matrix[\"Q\"]: unknown gold type \"Q\"");
  expect_error(with_credit(R"({"matrix": {"D": {"D": 1, "Q": 0.5}}})"),
               "$.credit.matrix[\"D\"][\"Q\"]: unknown predicted type \"Q\"");
  expect_error(with_credit(R"({"matrix": {"D": {"D": 1, "E": 1.5}}})"),
               "$.credit.matrix[\"D\"][\"E\"]: credit 1.5 outside [0, 1]");
  expect_error(with_credit(R"({"matrix": {"D": {"D": 1, "E": -0.1}}})"), "credit -0.1 outside [0, 1]");
  expect_error(with_credit(R"({"matrix": {"D": {"E": 0.5}}})"),
               "$.credit.matrix[\"D\"]: the exact type \"D\" must get credit 1 in its own row");
  expect_error(with_credit(R"({"matrix": {"D": {"D": 0.9, "E": 0.5}}})"), "must get credit 1");
  expect_error(with_credit(R"({"matrix": {"D": {"D": 1, "E": 1}}})"),
               "$.credit.matrix[\"D\"][\"E\"]: credit 1 for a type other than the gold one");
  expect_error(with_credit(R"({"matrix": {"D": {"D": "1"}}})"),
               "$.credit.matrix[\"D\"][\"D\"]: expected a finite number, got a string");
  expect_error(with_credit(R"({"rule": {"ancestor_decay": 1.0}})"),
               "$.credit.rule.ancestor_decay: must be >= 0 and < 1 (got 1.0)");
  expect_error(with_credit(R"({"rule": {"sibling_credit": -1}})"),
               "$.credit.rule.sibling_credit: must be >= 0 and < 1 (got -1)");
  expect_error(with_credit(R"({"rule": {"decay": 0.5}})"), "unknown key '$.credit.rule.decay'");
  expect_error(with_credit(R"({"rule": {"credit_through_root": 1}})"),
               "$.credit.rule.credit_through_root: expected true or false");
  expect_error(with_credit(R"({"weights": {}})"), "unknown key '$.credit.weights'");
}

TEST(Taxonomy, LoadReportsFileAndLine) {
  testing::TempDir dir;
  const std::string path = dir.file("broken.json");
  std::ofstream(path) << "{\n  \"name\": \"t\",\n  \"types\": [\n    {\"name\": \"A\",}\n  ]\n}\n";
  try {
    Taxonomy::load(path);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), path);
    EXPECT_EQ(e.line(), 4u) << e.what();
    EXPECT_NE(e.problem().find("invalid JSON"), std::string::npos) << e.what();
  }
  EXPECT_THROW(Taxonomy::load(dir.file("missing.json")), IoError);
  const std::string good = dir.file("good.json");
  std::ofstream(good) << testing::small_taxonomy_json().dump();
  EXPECT_EQ(Taxonomy::load(good).size(), 8u);
  const std::string bad = dir.file("bad.json");
  std::ofstream(bad) << R"({"name": "t", "types": [{"name": "A", "parent": "Q"}]})";
  try {
    Taxonomy::load(bad);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), bad + ": $.types[0].parent: unknown parent \"Q\" of type \"A\"");
  }
}

}  // namespace
}  // namespace nertool::taxonomy
