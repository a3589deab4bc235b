#include "nertool/taxonomy/credit_matrix.h"

#include <gtest/gtest.h>

#include "nertool/core/error.h"
#include "small_taxonomy.h"

namespace nertool::taxonomy {
namespace {

using nlohmann::json;

TEST(CreditMatrix, WithinSmallTaxonomy) {
  const Taxonomy t = Taxonomy::from_json(testing::small_taxonomy_json(), "small.json");
  const CreditMatrix w = CreditMatrix::within(t);
  ASSERT_EQ(w.rows(), 8u);
  ASSERT_EQ(w.cols(), 8u);
  // Row of D over A B C D E F G X: ancestors 1/2, 1/4; sibling E 1/4; sibling's child G 1/8.
  const std::vector<double> row_d{0.25, 0.5, 0, 1, 0.25, 0, 0.125, 0};
  const std::size_t d = *w.gold_index("D");
  for (std::size_t p = 0; p < 8; ++p) EXPECT_DOUBLE_EQ(w.at(d, p), row_d[p]) << w.pred_types()[p];
  for (std::size_t i = 0; i < 8; ++i) EXPECT_DOUBLE_EQ(w.at(i, i), 1.0);
  EXPECT_DOUBLE_EQ(w.credit("G", "B"), 0.25);
  EXPECT_THROW(w.credit("Q", "B"), Error);
  EXPECT_THROW(w.credit("B", "Q"), Error);

  // y* = y W, normalised: the row divided by 2.125.
  const std::vector<double> soft = w.soft_target(d);
  const long double sum = 0.25L + 0.5L + 1 + 0.25L + 0.125L;
  for (std::size_t p = 0; p < 8; ++p)
    EXPECT_NEAR(soft[p], static_cast<double>(row_d[p] / sum), 1e-15) << w.pred_types()[p];
  EXPECT_NEAR(soft[3], 1.0 / 2.125, 1e-15);
  // A type in its own tree with no relatives keeps all the mass.
  const std::vector<double> soft_x = w.soft_target(*w.gold_index("X"));
  EXPECT_EQ(soft_x, (std::vector<double>{0, 0, 0, 0, 0, 0, 0, 1}));
  const std::vector<float> all = w.soft_targets();
  ASSERT_EQ(all.size(), 64u);
  for (std::size_t p = 0; p < 8; ++p) EXPECT_FLOAT_EQ(all[d * 8 + p], static_cast<float>(soft[p]));
  EXPECT_THROW(w.soft_target(8), Error);

  const json j = w.to_json();
  EXPECT_EQ(j["matrix"]["D"]["G"].get<double>(), 0.125);
  EXPECT_FALSE(j["matrix"]["D"].contains("F"));
}

TEST(CreditMatrix, ByNameUsesTheGoldHierarchy) {
  const Taxonomy big = Taxonomy::from_json(testing::small_taxonomy_json(), "small.json");
  const Taxonomy part = Taxonomy::from_json(json::parse(R"({"name": "part", "types": [{"name": "E"},
                                                            {"name": "B"}, {"name": "X"}]})"), "part.json");
  const CreditMatrix w = CreditMatrix::by_name(big, part);
  EXPECT_EQ(w.rows(), 8u);
  EXPECT_EQ(w.pred_types(), (std::vector<std::string>{"E", "B", "X"}));
  EXPECT_DOUBLE_EQ(w.credit("G", "E"), 0.5);
  EXPECT_DOUBLE_EQ(w.credit("G", "B"), 0.25);
  EXPECT_DOUBLE_EQ(w.credit("D", "E"), 0.25);
  EXPECT_DOUBLE_EQ(w.credit("C", "B"), 0.0);
  EXPECT_DOUBLE_EQ(w.credit("X", "X"), 1.0);
  // A row with no credited prediction has no soft target; soft_targets() leaves it zero.
  EXPECT_THROW(w.soft_target(*w.gold_index("F")), Error);
  const std::vector<float> all = w.soft_targets();
  const std::size_t f = *w.gold_index("F");
  EXPECT_EQ(all[f * 3] + all[f * 3 + 1] + all[f * 3 + 2], 0.0f);

  const Taxonomy foreign = Taxonomy::from_json(json::parse(R"({"name": "f", "types": [{"name": "E"},
                                                              {"name": "Q"}]})"), "f.json");
  try {
    CreditMatrix::by_name(big, foreign);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("not found in taxonomy \"small\": Q"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace nertool::taxonomy

namespace nertool::taxonomy {
namespace {

TEST(CreditMatrix, SelectLeaves) {
  const Taxonomy t = Taxonomy::from_json(testing::small_taxonomy_json(), "small.json");
  const CreditMatrix w = CreditMatrix::within(t);
  const CreditMatrix leaves = w.select({"G", "D"}, {"D", "F", "G", "X"});
  EXPECT_EQ(leaves.values(), (std::vector<double>{0.125, 0, 1, 0, 1, 0, 0.125, 0}));
  EXPECT_EQ(leaves.gold_types(), (std::vector<std::string>{"G", "D"}));
  const std::vector<double> soft = leaves.soft_target(1);
  EXPECT_DOUBLE_EQ(soft[0], 1 / 1.125);
  EXPECT_THROW(w.select({"Q"}, {"D"}), Error);
  EXPECT_THROW(w.select({"D"}, {"Q"}), Error);
}

}  // namespace
}  // namespace nertool::taxonomy
