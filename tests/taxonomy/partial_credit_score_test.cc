#include "nertool/taxonomy/partial_credit_score.h"

#include <gtest/gtest.h>

#include "nertool/core/error.h"
#include "small_taxonomy.h"

namespace nertool::taxonomy {
namespace {

using data::Span;

CreditMatrix small_matrix() {
  return CreditMatrix::within(Taxonomy::from_json(testing::small_taxonomy_json(), "small.json"));
}

TEST(PartialCreditScore, KnownAnswer) {
  const CreditMatrix w = small_matrix();
  // Sentence 1: gold D[0,2) G[3,4) X[5,7); predicted D[0,2) exact, B[3,4) (ancestor of G at distance 2: 0.25),
  //             F[8,9) spurious.
  // Sentence 2: gold E[1,3); predicted D[1,3) (sibling: 0.25), D[4,5) spurious.
  // Sentence 3: no gold; nothing predicted.
  const std::vector<std::vector<Span>> gold{{{0, 2, "D"}, {3, 4, "G"}, {5, 7, "X"}}, {{1, 3, "E"}}, {}};
  const std::vector<std::vector<Span>> pred{{{0, 2, "D"}, {3, 4, "B"}, {8, 9, "F"}}, {{1, 3, "D"}, {4, 5, "D"}}, {}};
  const PartialCreditScore s = score_partial_credit(gold, pred, w);
  EXPECT_EQ(s.gold_mentions, 4u);
  EXPECT_EQ(s.predicted_mentions, 5u);
  EXPECT_EQ(s.boundary_matches, 3u);
  EXPECT_EQ(s.exact_matches, 1u);
  EXPECT_DOUBLE_EQ(s.credit, 1.5);
  EXPECT_DOUBLE_EQ(s.exact.precision, 1.0 / 5);
  EXPECT_DOUBLE_EQ(s.exact.recall, 1.0 / 4);
  EXPECT_DOUBLE_EQ(s.exact.f1, 2.0 / 9);  // 2 * 1 / (5 + 4)
  EXPECT_DOUBLE_EQ(s.partial.precision, 1.5 / 5);
  EXPECT_DOUBLE_EQ(s.partial.recall, 1.5 / 4);
  EXPECT_DOUBLE_EQ(s.partial.f1, 2 * 0.3 * 0.375 / 0.675);
  const auto j = s.to_json();
  EXPECT_DOUBLE_EQ(j["partial_credit"]["recall"].get<double>(), 0.375);
  EXPECT_EQ(j["exact_matches"].get<int>(), 1);
}

TEST(PartialCreditScore, PerfectAndEmpty) {
  const CreditMatrix w = small_matrix();
  const std::vector<std::vector<Span>> gold{{{0, 1, "A"}, {2, 4, "G"}}};
  const PartialCreditScore perfect = score_partial_credit(gold, gold, w);
  EXPECT_DOUBLE_EQ(perfect.exact.f1, 1.0);
  EXPECT_DOUBLE_EQ(perfect.partial.f1, 1.0);
  const PartialCreditScore none = score_partial_credit(gold, {{}}, w);
  EXPECT_DOUBLE_EQ(none.exact.precision, 0.0);
  EXPECT_DOUBLE_EQ(none.partial.recall, 0.0);
  EXPECT_DOUBLE_EQ(none.partial.f1, 0.0);
  const PartialCreditScore nothing = score_partial_credit({}, {}, w);
  EXPECT_EQ(nothing.gold_mentions, 0u);
  EXPECT_DOUBLE_EQ(nothing.exact.f1, 0.0);
}

TEST(PartialCreditScore, Errors) {
  const CreditMatrix w = small_matrix();
  EXPECT_THROW(score_partial_credit({{}}, {}, w), Error);
  EXPECT_THROW(score_partial_credit({{{0, 1, "Q"}}}, {{}}, w), Error);
  EXPECT_THROW(score_partial_credit({{}}, {{{0, 1, "Q"}}}, w), Error);
  EXPECT_THROW(score_partial_credit({{{0, 1, "A"}, {0, 1, "B"}}}, {{}}, w), Error);
  EXPECT_THROW(score_partial_credit({{}}, {{{0, 1, "A"}, {0, 1, "B"}}}, w), Error);
  try {
    score_partial_credit({{}, {{2, 3, "Q"}}}, {{}, {}}, w);
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("sentence 2, mention [2, 3) Q: gold type \"Q\""), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace nertool::taxonomy
