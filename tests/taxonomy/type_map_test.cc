#include "nertool/taxonomy/type_map.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "nertool/core/error.h"
#include "nertool/taxonomy/credit_matrix.h"
#include "test_paths.h"

namespace nertool::taxonomy {
namespace {

using nlohmann::json;
using testing::source_path;

struct Configs {
  Taxonomy onto = Taxonomy::load(source_path("configs/taxonomies/ontonotes5.json"));
  Taxonomy conll = Taxonomy::load(source_path("configs/taxonomies/conll2003.json"));
  TypeMap map = TypeMap::load(source_path("configs/type_maps/ontonotes5_to_conll2003.json"));
};

const std::set<std::string> kOntoNotesTypes{"PERSON", "NORP",    "FAC",     "ORG",      "GPE",     "LOC",
                                            "PRODUCT", "EVENT",  "WORK_OF_ART", "LAW",  "LANGUAGE", "DATE",
                                            "TIME",   "PERCENT", "MONEY",   "QUANTITY", "ORDINAL", "CARDINAL"};

TEST(ShippedTaxonomies, OntoNotesLeavesAreTheEighteenTypes) {
  const Configs c;
  EXPECT_EQ(c.onto.name(), "ontonotes5");
  std::set<std::string> leaves;
  for (int i : c.onto.leaves()) leaves.insert(c.onto.type_name(i));
  EXPECT_EQ(leaves, kOntoNotesTypes);
  const int gpe = c.onto.index("GPE");
  std::vector<std::string> up;
  for (int a : c.onto.ancestors(gpe)) up.push_back(c.onto.type_name(a));
  EXPECT_EQ(up, (std::vector<std::string>{"PLACE", "NAME", "ENTITY"}));
  auto credit = [&](const char* g, const char* p) { return c.onto.credit(c.onto.index(g), c.onto.index(p)); };
  EXPECT_DOUBLE_EQ(credit("GPE", "LOC"), 0.25);
  EXPECT_DOUBLE_EQ(credit("GPE", "PLACE"), 0.5);
  EXPECT_DOUBLE_EQ(credit("NORP", "ORG"), 0.25);
  EXPECT_DOUBLE_EQ(credit("GPE", "ORG"), 0.0625);
  EXPECT_DOUBLE_EQ(credit("DATE", "TIME"), 0.25);
  EXPECT_DOUBLE_EQ(credit("PERSON", "DATE"), 0.0);  // only ENTITY in common

  EXPECT_EQ(c.conll.name(), "conll2003");
  std::set<std::string> conll_leaves;
  for (int i : c.conll.leaves()) conll_leaves.insert(c.conll.type_name(i));
  EXPECT_EQ(conll_leaves, (std::set<std::string>{"PER", "ORG", "LOC", "MISC"}));
  const CreditMatrix w = CreditMatrix::within(c.conll);
  EXPECT_DOUBLE_EQ(w.credit("PER", "ORG"), 0.25);  // siblings through the root
  EXPECT_DOUBLE_EQ(w.credit("PER", "PER"), 1.0);
}

TEST(ShippedTaxonomies, OntoNotesDataUsesOnlyTaxonomyTypes) {
  NERTOOL_REQUIRE_SHARED("data/ontonotes5/dev.txt");
  const Configs c;
  std::ifstream in(testing::shared_path("data/ontonotes5/dev.txt"));
  std::string line;
  std::set<std::string> seen;
  while (std::getline(in, line)) {
    const auto space = line.rfind(' ');
    if (line.empty() || space == std::string::npos) continue;
    const std::string tag = line.substr(space + 1);
    if (tag != "O") seen.insert(tag.substr(2));
  }
  EXPECT_EQ(seen, kOntoNotesTypes);
}

TEST(TypeMap, ShippedMapValidatesAndMapsTypes) {
  const Configs c;
  EXPECT_NO_THROW(c.map.validate(c.onto, c.conll));
  EXPECT_EQ(c.map.map_type("PERSON"), std::optional<std::string>("PER"));
  EXPECT_EQ(c.map.map_type("FAC"), std::optional<std::string>("LOC"));
  EXPECT_EQ(c.map.map_type("NORP"), std::optional<std::string>("MISC"));
  EXPECT_EQ(c.map.map_type("LANGUAGE"), std::optional<std::string>("MISC"));
  EXPECT_EQ(c.map.map_type("CARDINAL"), std::nullopt);
  EXPECT_THROW(c.map.map_type("PER"), Error);
  // Reversed taxonomies and a map missing a type are reported.
  EXPECT_THROW(c.map.validate(c.conll, c.onto), ConfigError);
  json doc = c.map.to_json();
  doc["map"].erase("LAW");
  doc["map"]["LAWS"] = "MISC";
  doc["map"]["EVENT"] = "EVT";
  try {
    TypeMap::from_json(doc, "m.json").validate(c.onto, c.conll);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("source type \"LAW\" is not mapped"), std::string::npos) << what;
    EXPECT_NE(what.find("\"LAWS\" is not a type of \"ontonotes5\""), std::string::npos) << what;
    EXPECT_NE(what.find("\"EVENT\" maps to \"EVT\""), std::string::npos) << what;
  }
}

TEST(TypeMap, MapsIob2Sequences) {
  const Configs c;
  const std::vector<std::string> in{"B-GPE", "I-GPE", "B-LOC", "O", "B-DATE", "I-DATE", "B-PERSON",
                                    "B-NORP", "I-NORP", "B-CARDINAL"};
  const std::vector<std::string> want{"B-LOC", "I-LOC", "B-LOC", "O", "O", "O", "B-PER", "B-MISC", "I-MISC", "O"};
  EXPECT_EQ(c.map.map_iob2(in), want);
  EXPECT_TRUE(c.map.map_iob2({}).empty());
}

void expect_map_error(const TypeMap& m, const std::vector<std::string>& labels, const std::string& fragment) {
  try {
    m.map_iob2(labels, "in.txt", 12);
    ADD_FAILURE() << "no error (expected: " << fragment << ")";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "in.txt");
    EXPECT_EQ(e.line(), 12u);
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(TypeMap, Iob2ErrorsNameTheLabel) {
  const Configs c;
  expect_map_error(c.map, {"O", "B-PER"}, "label 2 \"B-PER\": type \"PER\" is not in type map");
  expect_map_error(c.map, {"O", "I-GPE"}, "label 2 \"I-GPE\": I- label does not continue a GPE entity");
  expect_map_error(c.map, {"B-ORG", "I-GPE"}, "I- label does not continue a GPE entity");
  expect_map_error(c.map, {"E-GPE"}, "label 1 \"E-GPE\": not an IOB2 label");
  expect_map_error(c.map, {"GPE"}, "not an IOB2 label");
  expect_map_error(c.map, {"B-"}, "not an IOB2 label");
}

void expect_file_error(const char* text, const std::string& fragment) {
  try {
    TypeMap::from_json(json::parse(text), "map.json");
    ADD_FAILURE() << "no error for " << text;
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("map.json: " + fragment), std::string::npos) << e.what();
  }
}

TEST(TypeMap, FileErrors) {
  expect_file_error(R"([])", "$: expected an object");
  expect_file_error(R"({"source": "a", "target": "b", "map": {"X": "Y"}})", "$.name: missing");
  expect_file_error(R"({"name": "m", "source": "a", "target": "b"})", "$.map: missing");
  expect_file_error(R"({"name": "m", "source": "a", "target": "b", "map": {}})", "$.map: empty map");
  expect_file_error(R"({"name": "m", "source": "a", "target": "b", "map": {"X": ""}})",
                    "$.map[\"X\"]: empty target type");
  expect_file_error(R"({"name": "m", "source": "a", "target": "b", "map": {"X": 1}})",
                    "$.map[\"X\"]: expected a target type or \"O\", got a number");
  expect_file_error(R"({"name": "m", "source": "", "target": "b", "map": {"X": "Y"}})", "$.source: empty string");
  expect_file_error(R"({"name": "m", "source": "a", "target": "b", "map": {"X": "Y"}, "extra": 1})",
                    "unknown key '$.extra'");
}

TEST(CreditMatrix, ThroughTheShippedTypeMap) {
  const Configs c;
  const CreditMatrix w = CreditMatrix::through_map(c.onto, c.map, c.conll);
  EXPECT_EQ(w.rows(), c.onto.size());
  EXPECT_EQ(w.pred_types(), c.conll.type_names());
  EXPECT_DOUBLE_EQ(w.credit("GPE", "LOC"), 1.0);
  EXPECT_DOUBLE_EQ(w.credit("NORP", "MISC"), 1.0);
  EXPECT_DOUBLE_EQ(w.credit("PERSON", "PER"), 1.0);
  EXPECT_DOUBLE_EQ(w.credit("GPE", "ORG"), 0.125);    // via GROUP: LCA NAME, 2 + 1 edges
  EXPECT_DOUBLE_EQ(w.credit("PERSON", "ORG"), 0.25);  // via GROUP: siblings under NAME
  EXPECT_DOUBLE_EQ(w.credit("PERSON", "LOC"), 0.25);  // via PLACE
  EXPECT_DOUBLE_EQ(w.credit("NORP", "ORG"), 0.5);     // via GROUP, NORP's parent
  EXPECT_DOUBLE_EQ(w.credit("PERSON", "ENTITY"), 0.0);  // nothing maps to the CoNLL root
  for (const auto& target : c.conll.type_names()) EXPECT_DOUBLE_EQ(w.credit("DATE", target), 0.0);
  EXPECT_THROW(w.soft_target(*w.gold_index("DATE")), Error);
}

}  // namespace
}  // namespace nertool::taxonomy

namespace nertool::taxonomy {
namespace {

TEST(ShippedTaxonomies, ConllLeafSoftTargets) {
  const Taxonomy conll = Taxonomy::load(source_path("configs/taxonomies/conll2003.json"));
  std::vector<std::string> leaves;
  for (int i : conll.leaves()) leaves.push_back(conll.type_name(i));
  const CreditMatrix w = CreditMatrix::within(conll).select(leaves, leaves);
  for (std::size_t g = 0; g < w.rows(); ++g) {
    const std::vector<double> soft = w.soft_target(g);
    for (std::size_t p = 0; p < w.cols(); ++p) EXPECT_DOUBLE_EQ(soft[p], (p == g ? 1.0 : 0.25) / 1.75);
  }
}

}  // namespace
}  // namespace nertool::taxonomy
