// Known answers for score() and the seqeval table: seqeval 1.2.2's documented examples and hand-computed cases.
#include "nertool/metrics/scorer.h"

#include <gtest/gtest.h>

#include <cmath>

#include "nertool/core/error.h"
#include "nertool/metrics/report_format.h"

namespace nertool::metrics {
namespace {

using Sentences = std::vector<std::vector<std::string>>;

TEST(Score, SeqevalDocstringReport) {
  // seqeval's classification_report docstring example, printed with its default digits=2.
  Sentences gold{{"O", "O", "O", "B-MISC", "I-MISC", "I-MISC", "O"}, {"B-PER", "I-PER", "O"}};
  Sentences pred{{"O", "O", "B-MISC", "I-MISC", "I-MISC", "I-MISC", "O"}, {"B-PER", "I-PER", "O"}};
  Report r = score(gold, pred);
  EXPECT_EQ(format_classification_report(r, 2),
            "              precision    recall  f1-score   support\n"
            "\n"
            "        MISC       0.00      0.00      0.00         1\n"
            "         PER       1.00      1.00      1.00         1\n"
            "\n"
            "   micro avg       0.50      0.50      0.50         2\n"
            "   macro avg       0.50      0.50      0.50         2\n"
            "weighted avg       0.50      0.50      0.50         2\n"
            "\n");
  EXPECT_DOUBLE_EQ(r.accuracy, 0.8);
  EXPECT_EQ(r.tokens, 10u);
  EXPECT_EQ(r.correct_tokens, 8u);
}

TEST(Score, SeqevalAverages) {
  // seqeval's f1_score docstring: micro 0.6666666666666666, macro 0.75, weighted 0.6666666666666666.
  Sentences gold{{"O", "O", "B-MISC", "I-MISC", "B-MISC", "O", "O"}, {"B-PER", "I-PER", "O"}};
  Sentences pred{{"O", "O", "B-MISC", "I-MISC", "B-MISC", "I-MISC", "O"}, {"B-PER", "I-PER", "O"}};
  Report r = score(gold, pred);
  ASSERT_EQ(r.per_type.size(), 2u);
  EXPECT_EQ(r.per_type[0].name, "MISC");
  EXPECT_EQ(r.per_type[0].f1, 0.5);
  EXPECT_EQ(r.per_type[1].f1, 1.0);
  EXPECT_EQ(r.micro.f1, 2.0 / 3.0);
  EXPECT_EQ(r.macro.f1, 0.75);
  EXPECT_EQ(r.weighted.f1, 2.0 / 3.0);
  EXPECT_EQ(r.micro.support, 3u);
  EXPECT_EQ(r.micro.predicted, 3u);
  EXPECT_EQ(r.micro.correct, 2u);
}

TEST(Score, HandComputedThreeTypes) {
  // gold: PER(0-1) LOC(3) ORG(5-6) LOC(8); pred: PER(0-1) LOC(3-4) ORG(5-6) MISC(8)
  Sentences gold{{"B-PER", "I-PER", "O", "B-LOC", "O", "B-ORG", "I-ORG", "O", "B-LOC"}};
  Sentences pred{{"B-PER", "I-PER", "O", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "O", "B-MISC"}};
  Report r = score(gold, pred);
  ASSERT_EQ(r.per_type.size(), 4u);  // LOC MISC ORG PER: predicted-only types get a row
  EXPECT_EQ(r.per_type[1].name, "MISC");
  EXPECT_EQ(r.per_type[1].support, 0u);
  EXPECT_EQ(r.per_type[1].precision, 0.0);
  EXPECT_EQ(r.per_type[0].precision, 0.0);  // LOC: 0 of 1 predicted
  EXPECT_EQ(r.per_type[0].recall, 0.0);     // 0 of 2 gold
  // micro: 2 correct of 4 predicted, 4 gold; macro: mean over 4 types of p = (0, 0, 1, 1) -> 0.5;
  // weighted by support (2, 0, 1, 1): p = 2/4 = 0.5.
  EXPECT_EQ(r.micro.precision, 0.5);
  EXPECT_EQ(r.macro.precision, 0.5);
  EXPECT_EQ(r.weighted.precision, 0.5);
  EXPECT_EQ(format_classification_report(r, 4),
            "              precision    recall  f1-score   support\n"
            "\n"
            "         LOC     0.0000    0.0000    0.0000         2\n"
            "        MISC     0.0000    0.0000    0.0000         0\n"
            "         ORG     1.0000    1.0000    1.0000         1\n"
            "         PER     1.0000    1.0000    1.0000         1\n"
            "\n"
            "   micro avg     0.5000    0.5000    0.5000         4\n"
            "   macro avg     0.5000    0.5000    0.5000         4\n"
            "weighted avg     0.5000    0.5000    0.5000         4\n"
            "\n");
  EXPECT_EQ(r.accuracy, 7.0 / 9.0);
}

TEST(Score, OnlyPredictionsGiveZeroWeightedScores) {
  Report r = score({{"O", "O"}}, {{"B-PER", "O"}});
  ASSERT_EQ(r.per_type.size(), 1u);
  EXPECT_EQ(r.micro.support, 0u);
  EXPECT_EQ(r.weighted.precision, 0.0);
  EXPECT_EQ(r.weighted.recall, 0.0);
  EXPECT_EQ(r.weighted.f1, 0.0);
  EXPECT_EQ(r.macro.precision, 0.0);
}

TEST(Score, NoEntitiesAtAll) {
  Report r = score({{"O", "O"}}, {{"O", "O"}});
  EXPECT_TRUE(r.per_type.empty());
  EXPECT_EQ(r.micro.f1, 0.0);
  EXPECT_TRUE(std::isnan(r.macro.f1));  // numpy's mean of no types
  EXPECT_EQ(r.weighted.f1, 0.0);
  EXPECT_EQ(format_classification_report(r, 2),
            "              precision    recall  f1-score   support\n"
            "\n"
            "\n"
            "   micro avg       0.00      0.00      0.00         0\n"
            "   macro avg        nan       nan       nan         0\n"
            "weighted avg       0.00      0.00      0.00         0\n"
            "\n");
  EXPECT_TRUE(report_to_json(r)["macro avg"]["f1"].is_null());
}

TEST(Score, TableWidthFollowsLongestNameInCodePoints) {
  Report r = score({{"B-VERY_LONG_TYPE_NAME", "B-\xC3\x89T\xC3\x89"}}, {{"B-VERY_LONG_TYPE_NAME", "O"}});
  std::string table = format_classification_report(r, 1);
  const std::string row = std::string(16, ' ') + "\xC3\x89T\xC3\x89" + "  " + "      0.0" + " " + "      0.0" + " " +
                          "      0.0" + " " + "        1";
  EXPECT_NE(table.find("\n" + row + "\n"), std::string::npos) << table;
  EXPECT_EQ(table.substr(0, 21), std::string(20, ' ') + " ");
}

TEST(Score, DigitsWiderThanNames) {
  Report r = score({{"B-X"}}, {{"B-X"}});
  std::string table = format_classification_report(r, 14);
  EXPECT_EQ(table.substr(0, table.find('\n')), std::string(14, ' ') + "  precision    recall  f1-score   support");
}

TEST(Score, RoundsHalfToEvenOnTheExactBinaryValue) {
  // 1/8 = 0.125 exactly: Python's '{:.2f}' gives 0.12; 5/8 = 0.625 -> 0.62.
  Sentences gold{{"B-X", "B-X", "B-X", "B-X", "B-X", "B-X", "B-X", "B-X"}};
  Sentences pred{{"B-X", "O", "O", "O", "O", "O", "O", "O"}};
  Report r = score(gold, pred);
  EXPECT_EQ(r.micro.recall, 0.125);
  EXPECT_NE(format_classification_report(r, 2).find("   micro avg       1.00      0.12      0.22         8\n"),
            std::string::npos);
}

TEST(Score, StrictModeDropsInvalidChunks) {
  Sentences gold{{"B-PER", "I-PER", "O", "B-LOC"}};
  Sentences pred{{"I-PER", "I-PER", "O", "B-LOC"}};
  ScoreOptions strict;
  strict.mode = Mode::Strict;
  strict.scheme = data::TagScheme::IOB2;
  Report r = score(gold, pred, strict);
  EXPECT_EQ(r.micro.predicted, 1u);  // I-PER I-PER is no IOB2 chunk
  EXPECT_EQ(r.micro.correct, 1u);
  Report d = score(gold, pred);
  EXPECT_EQ(d.micro.predicted, 2u);  // the default mode reads it as PER(0-1)
  EXPECT_EQ(d.micro.correct, 2u);
}

TEST(Score, StrictModeErrors) {
  ScoreOptions strict;
  strict.mode = Mode::Strict;
  EXPECT_THROW(score({{"O"}}, {{"O"}}, strict), ConfigError);
  strict.scheme = data::TagScheme::IOB2;
  EXPECT_THROW(score({{"S-PER"}}, {{"O"}}, strict), InputError);
  EXPECT_THROW(score({{"O"}}, {{"E-PER"}}, strict), InputError);
}

TEST(Score, UntypedScoresMentionBoundariesOnly) {
  // gold: PER(0-1) LOC(3) ORG(5-6); pred: ORG(0-1) LOC(3-4) MISC(5-6). Typed, no mention is right; untyped, the
  // two with gold boundaries are (0-1 and 5-6), and LOC(3-4) is still wrong.
  Sentences gold{{"B-PER", "I-PER", "O", "B-LOC", "O", "B-ORG", "I-ORG"}};
  Sentences pred{{"B-ORG", "I-ORG", "O", "B-LOC", "I-LOC", "B-MISC", "I-MISC"}};
  EXPECT_EQ(score(gold, pred).micro.correct, 0u);
  ScoreOptions untyped;
  untyped.untyped = true;
  Report r = score(gold, pred, untyped);
  ASSERT_EQ(r.per_type.size(), 1u);
  EXPECT_EQ(r.per_type[0].name, kUntypedType);
  EXPECT_EQ(r.micro.support, 3u);
  EXPECT_EQ(r.micro.predicted, 3u);
  EXPECT_EQ(r.micro.correct, 2u);
  EXPECT_EQ(r.correct_tokens, 6u);  // B I O B O B I against B I O B I B I
  EXPECT_EQ(r.conlleval.found_phrases, 3u);
  EXPECT_EQ(r.conlleval.correct_phrases, 2u);
  EXPECT_EQ(r.conlleval.correct_tags, 6u);
  // Types still delimit chunks: B-PER I-LOC is two mentions, so B-ORG I-ORG over the same tokens matches neither.
  Report split = score({{"B-PER", "I-LOC"}}, {{"B-ORG", "I-ORG"}}, untyped);
  EXPECT_EQ(split.micro.support, 2u);
  EXPECT_EQ(split.micro.predicted, 1u);
  EXPECT_EQ(split.micro.correct, 0u);
  EXPECT_EQ(split.conlleval.gold_phrases, 2u);
  EXPECT_EQ(split.conlleval.correct_phrases, 0u);
  // Strict mode keeps its rules: I- after O starts no IOB2 chunk, typed or not.
  untyped.mode = Mode::Strict;
  untyped.scheme = data::TagScheme::IOB2;
  Report strict = score({{"B-PER", "O", "B-LOC"}}, {{"I-ORG", "O", "B-MISC"}}, untyped);
  EXPECT_EQ(strict.micro.predicted, 1u);
  EXPECT_EQ(strict.micro.correct, 1u);
}

TEST(Score, MisalignedInputIsAnError) {
  EXPECT_THROW(score({{"O"}}, {{"O"}, {"O"}}), InputError);
  EXPECT_THROW(score({{"O", "O"}}, {{"O"}}), InputError);
  EXPECT_THROW(score({{""}}, {{"O"}}), InputError);
}

TEST(Score, ConllevalBlockOverSentences) {
  Report r = score({{"B-X", "I-X"}, {"O"}}, {{"B-X", "I-X"}, {"B-Y"}});
  EXPECT_EQ(r.conlleval.tokens, 3u);
  EXPECT_EQ(r.conlleval.correct_phrases, 1u);
  EXPECT_EQ(r.conlleval.found_phrases, 2u);
}


TEST(Score, MacroAverageUsesNumpysPairwiseSummationOrder) {
  // Nine types with precision num/den; numpy sums nine values as eight accumulators r[0..7] combined
  // ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)), then adds the ninth. For these fractions that differs in the last bit
  // from a left-to-right sum, which would change printed digits with enough --digits.
  const int num[9] = {9, 1, 4, 6, 3, 4, 3, 1, 4};
  const int den[9] = {9, 2, 6, 8, 4, 4, 5, 2, 5};
  std::vector<std::string> gold, pred;
  double p[9];
  for (int i = 0; i < 9; ++i) {
    std::string label = "B-T" + std::to_string(i + 1);
    for (int k = 0; k < den[i]; ++k) {
      pred.push_back(label);
      gold.push_back(k < num[i] ? label : "O");
      pred.push_back("O");
      gold.push_back("O");
    }
    p[i] = double(num[i]) / double(den[i]);
  }
  double pairwise = (((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]))) + p[8];
  double sequential = 0.0;
  for (double v : p) sequential += v;
  ASSERT_NE(pairwise / 9, sequential / 9);
  Report r = score({gold}, {pred});
  ASSERT_EQ(r.per_type.size(), 9u);
  EXPECT_EQ(r.macro.precision, pairwise / 9);
}

}  // namespace
}  // namespace nertool::metrics
