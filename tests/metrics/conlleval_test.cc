// Known answers for the conlleval.pl re-implementation (hand-derived from conlleval.pl's rules), including the
// inputs on which conlleval.pl and seqeval legitimately disagree.
#include "nertool/metrics/conlleval.h"

#include <gtest/gtest.h>

#include "nertool/metrics/chunks.h"
#include "nertool/metrics/scorer.h"

namespace nertool::metrics {
namespace {

// Lines of one sentence each per inner vector: {gold, pred} pairs, a boundary after each sentence.
std::vector<ConllevalLine> lines_of(const std::vector<std::vector<std::pair<const char*, const char*>>>& sentences) {
  std::vector<ConllevalLine> lines;
  for (const auto& sentence : sentences) {
    for (const auto& [g, p] : sentence) lines.push_back({g, p, false});
    lines.push_back({"", "", true});
  }
  return lines;
}

TEST(Conlleval, PrintsItsSummaryExactly) {
  auto s = conlleval(lines_of({{{"B-PER", "B-PER"}, {"I-PER", "I-PER"}, {"O", "B-LOC"}}, {{"B-LOC", "B-LOC"}, {"O", "O"}}}));
  EXPECT_EQ(s.tokens, 5u);
  EXPECT_EQ(s.correct_tags, 4u);
  EXPECT_EQ(s.gold_phrases, 2u);
  EXPECT_EQ(s.found_phrases, 3u);
  EXPECT_EQ(s.correct_phrases, 2u);
  EXPECT_EQ(format_conlleval(s),
            "processed 5 tokens with 2 phrases; found: 3 phrases; correct: 2.\n"
            "accuracy:  80.00%; precision:  66.67%; recall: 100.00%; FB1:  80.00\n"
            "              LOC: precision:  50.00%; recall: 100.00%; FB1:  66.67  2\n"
            "              PER: precision: 100.00%; recall: 100.00%; FB1: 100.00  1\n");
}

TEST(Conlleval, NoTokensPrintsOnlyTheCounts) {
  EXPECT_EQ(format_conlleval(conlleval({})), "processed 0 tokens with 0 phrases; found: 0 phrases; correct: 0.\n");
}

TEST(Conlleval, ChunkMustStartAndEndTogether) {
  // Same start, different end; then different start, same end: neither is correct.
  auto s = conlleval(lines_of({{{"B-X", "B-X"}, {"I-X", "O"}, {"O", "O"}, {"B-Y", "B-Y"}, {"I-Y", "B-Y"}}}));
  EXPECT_EQ(s.gold_phrases, 2u);
  EXPECT_EQ(s.found_phrases, 3u);
  EXPECT_EQ(s.correct_phrases, 0u);
  // Same span, different type: not correct.
  s = conlleval(lines_of({{{"B-X", "B-Y"}, {"I-X", "I-Y"}}}));
  EXPECT_EQ(s.correct_phrases, 0u);
  // A chunk still open at the end of the input (no final boundary) is counted.
  s = conlleval({{"B-X", "B-X", false}, {"I-X", "I-X", false}});
  EXPECT_EQ(s.correct_phrases, 1u);
}

TEST(Conlleval, IAfterOAndTypeChangeStartChunks) {
  auto s = conlleval(lines_of({{{"I-X", "I-X"}, {"I-Y", "I-Y"}, {"O", "O"}, {"I-X", "B-X"}}}));
  EXPECT_EQ(s.gold_phrases, 3u);
  EXPECT_EQ(s.correct_phrases, 3u);
}

TEST(Conlleval, BoundariesAreNotTokens) {
  std::vector<ConllevalLine> lines{{"O", "O", false}, {"", "", true}, {"", "", true}, {"B-X", "B-X", false}};
  auto s = conlleval(lines);
  EXPECT_EQ(s.tokens, 2u);
  EXPECT_EQ(s.correct_phrases, 1u);
}

// --- where conlleval.pl and seqeval differ (both pinned) ---

TEST(ConllevalVsSeqeval, BAfterEOfTheSameTypeContinuesInConlleval) {
  std::vector<std::string> labels{"B-X", "E-X", "B-X", "E-X"};
  auto s = conlleval(lines_of({{{"B-X", "B-X"}, {"E-X", "E-X"}, {"B-X", "B-X"}, {"E-X", "E-X"}}}));
  EXPECT_EQ(s.gold_phrases, 1u);
  EXPECT_EQ(default_chunks({labels}).size(), 2u);
}

TEST(ConllevalVsSeqeval, SingleTagsAreUnknownToConlleval) {
  auto s = conlleval(lines_of({{{"S-X", "S-X"}, {"S-X", "S-X"}, {"S-Y", "S-Y"}}}));
  EXPECT_EQ(s.gold_phrases, 2u);  // S-X S-X is one chunk (only the type change starts one)
  EXPECT_EQ(default_chunks({{"S-X", "S-X", "S-Y"}}).size(), 3u);
}

TEST(ConllevalVsSeqeval, LabelWithoutDashIsATagWithoutType) {
  auto s = conlleval(lines_of({{{"PER", "PER"}, {"O", "O"}}}));
  EXPECT_EQ(s.gold_phrases, 0u);
  EXPECT_EQ(default_chunks({{"PER", "O"}}), (std::vector<Chunk>{{"ER", 0, 1}}));
}

TEST(ConllevalVsSeqeval, TypeZeroIsNoTypeAndAnEmptyTypeIsListedTwice) {
  auto s = conlleval(lines_of({{{"B-0", "B"}}}));
  EXPECT_EQ(s.correct_tags, 1u);  // B-0 reads as tag B without type, like B
  EXPECT_EQ(s.correct_phrases, 1u);
  EXPECT_EQ(format_conlleval(s),
            "processed 1 tokens with 1 phrases; found: 1 phrases; correct: 1.\n"
            "accuracy: 100.00%; precision: 100.00%; recall: 100.00%; FB1: 100.00\n"
            "                 : precision: 100.00%; recall: 100.00%; FB1: 100.00  1\n"
            "                 : precision: 100.00%; recall: 100.00%; FB1: 100.00  1\n");
  // seqeval: "B-0" has type "0", "B" has type "_": different types, nothing correct.
  Report r = score({{"B-0"}}, {{"B"}});
  EXPECT_EQ(r.micro.correct, 0u);
}

TEST(ConllevalVsSeqeval, BracketTagsAreOneTokenChunksInConlleval) {
  auto s = conlleval(lines_of({{{"[-A", "[-A"}, {"[-A", "[-A"}}}));
  EXPECT_EQ(s.gold_phrases, 2u);
  EXPECT_EQ(s.correct_phrases, 2u);
  EXPECT_EQ(default_chunks({{"[-A", "[-A"}}).size(), 1u);
}

TEST(ConllevalVsSeqeval, PerTypeLinePadsBytesNotCharacters) {
  auto s = conlleval(lines_of({{{"B-\xC3\x89T\xC3\x89", "O"}}}));
  std::string out = format_conlleval(s);
  // "ÉTÉ" is 5 bytes: %17s adds 12 spaces.
  EXPECT_NE(out.find("\n            \xC3\x89T\xC3\x89: precision:   0.00%;"), std::string::npos) << out;
}

}  // namespace
}  // namespace nertool::metrics
