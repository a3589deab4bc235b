// Known answers for seqeval's chunk rules (default and strict), hand-derived from seqeval 1.2.2's documented
// behaviour: get_entities' end_of_chunk/start_of_chunk and seqeval.scheme's start/inside/end patterns.
#include "nertool/metrics/chunks.h"

#include <gtest/gtest.h>

namespace nertool::metrics {
namespace {

using data::TagScheme;
using Sentences = std::vector<std::vector<std::string>>;
using Chunks = std::vector<Chunk>;

Chunks dflt(const std::vector<std::string>& labels) { return default_chunks({labels}); }
Chunks strict(const std::vector<std::string>& labels, TagScheme scheme) { return strict_chunks({labels}, scheme); }

TEST(DefaultChunks, WellFormedIob2) {
  EXPECT_EQ(dflt({"B-PER", "I-PER", "O", "B-LOC"}), (Chunks{{"PER", 0, 2}, {"LOC", 3, 4}}));
  EXPECT_EQ(dflt({"B-PER", "B-PER"}), (Chunks{{"PER", 0, 1}, {"PER", 1, 2}}));
}

TEST(DefaultChunks, IAfterOStartsAChunk) {
  EXPECT_EQ(dflt({"O", "I-PER", "I-PER", "O"}), (Chunks{{"PER", 1, 3}}));
  EXPECT_EQ(dflt({"I-PER"}), (Chunks{{"PER", 0, 1}}));
}

TEST(DefaultChunks, TypeChangeInsideAChunkSplitsIt) {
  EXPECT_EQ(dflt({"B-PER", "I-LOC", "I-LOC"}), (Chunks{{"PER", 0, 1}, {"LOC", 1, 3}}));
}

TEST(DefaultChunks, Iob1) {
  // IOB1: B only between two chunks of the same type.
  EXPECT_EQ(dflt({"I-PER", "I-PER", "B-PER", "O", "I-LOC"}), (Chunks{{"PER", 0, 2}, {"PER", 2, 3}, {"LOC", 4, 5}}));
}

TEST(DefaultChunks, EndAndSingleTags) {
  EXPECT_EQ(dflt({"S-PER", "B-LOC", "E-LOC", "S-LOC"}), (Chunks{{"PER", 0, 1}, {"LOC", 1, 3}, {"LOC", 3, 4}}));
  // E ends a chunk, and E or I right after it starts a new one.
  EXPECT_EQ(dflt({"B-X", "E-X", "I-X", "E-X", "E-X"}), (Chunks{{"X", 0, 2}, {"X", 2, 4}, {"X", 4, 5}}));
  // B after E of the same type starts a new chunk (conlleval.pl merges them: see ConllevalTest).
  EXPECT_EQ(dflt({"B-X", "E-X", "B-X", "E-X"}), (Chunks{{"X", 0, 2}, {"X", 2, 4}}));
}

TEST(DefaultChunks, LabelsWithoutTypeOrWithExtraDashes) {
  // type = text after the first '-' of label[1:], or '_' when empty.
  EXPECT_EQ(dflt({"B", "I"}), (Chunks{{"_", 0, 2}}));
  EXPECT_EQ(dflt({"B-", "I-"}), (Chunks{{"_", 0, 2}}));
  EXPECT_EQ(dflt({"B-A-B", "I-A-B"}), (Chunks{{"A-B", 0, 2}}));
  // No dash at all: tag 'P', type "ER"; P is no chunk tag, but the type change from '' starts a chunk and the
  // type change to '_' (the final O) ends it.
  EXPECT_EQ(dflt({"PER"}), (Chunks{{"ER", 0, 1}}));
  EXPECT_EQ(dflt({"PER", "PER"}), (Chunks{{"ER", 0, 2}}));
  // "BX-Y": tag B, type "Y" (text after the first dash of "X-Y").
  EXPECT_EQ(dflt({"BX-Y"}), (Chunks{{"Y", 0, 1}}));
}

TEST(DefaultChunks, DotTagReusesTheLastStart) {
  // '.' neither ends nor starts by the type rule; the later end of I-Y reports a chunk from the last start (0).
  EXPECT_EQ(dflt({"B-X", ".-Y", "I-Y", "O"}), (Chunks{{"X", 0, 1}, {"Y", 0, 3}}));
}

TEST(DefaultChunks, NonAsciiFirstCharacterIsOneCharacter) {
  // Python slices code points: "ÉPER"[1:] == "PER".
  EXPECT_EQ(dflt({"\xC3\x89PER"}), (Chunks{{"PER", 0, 1}}));
}

TEST(DefaultChunks, SentencesAreSeparatedByAnO) {
  // Positions count the 'O' seqeval appends after each sentence.
  EXPECT_EQ(default_chunks({{"B-X", "I-X"}, {"I-X"}}), (Chunks{{"X", 0, 2}, {"X", 3, 4}}));
  EXPECT_EQ(default_chunks({{}, {"B-X"}, {}}), (Chunks{{"X", 1, 2}}));
  EXPECT_TRUE(default_chunks({}).empty());
  EXPECT_TRUE(default_chunks({{"O", "O"}}).empty());
}

TEST(StrictChunks, Iob2DropsChunksWithoutB) {
  EXPECT_EQ(strict({"B-PER", "I-PER", "O", "I-LOC", "B-ORG"}, TagScheme::IOB2),
            (Chunks{{"PER", 0, 2}, {"ORG", 4, 5}}));
  EXPECT_EQ(strict({"B-PER", "I-LOC", "I-LOC"}, TagScheme::IOB2), (Chunks{{"PER", 0, 1}}));
  EXPECT_EQ(strict({"B-PER", "B-PER"}, TagScheme::IOB2), (Chunks{{"PER", 0, 1}, {"PER", 1, 2}}));
}

TEST(StrictChunks, Iob1) {
  EXPECT_EQ(strict({"I-PER", "I-PER", "B-PER", "O", "B-LOC"}, TagScheme::IOB1),
            (Chunks{{"PER", 0, 2}, {"PER", 2, 3}}));  // B-LOC after O is no IOB1 start
}

TEST(StrictChunks, IobesNeedsEndOrSingle) {
  EXPECT_EQ(strict({"B-PER", "I-PER", "E-PER", "S-LOC", "B-ORG", "O"}, TagScheme::IOBES),
            (Chunks{{"PER", 0, 3}, {"LOC", 3, 4}}));
  EXPECT_TRUE(strict({"B-PER", "I-PER"}, TagScheme::IOBES).empty());
  EXPECT_TRUE(strict({"I-PER", "E-PER"}, TagScheme::IOBES).empty());
  EXPECT_EQ(strict({"B-PER", "E-LOC", "S-LOC"}, TagScheme::IOBES), (Chunks{{"LOC", 2, 3}}));
}

TEST(StrictChunks, Bilou) {
  EXPECT_EQ(strict({"U-PER", "B-LOC", "L-LOC", "B-ORG", "I-ORG", "O"}, TagScheme::BILOU),
            (Chunks{{"PER", 0, 1}, {"LOC", 1, 3}}));
}

TEST(StrictChunks, Ioe2) {
  EXPECT_EQ(strict({"I-PER", "E-PER", "E-LOC", "I-ORG", "O", "E-MISC"}, TagScheme::IOE2),
            (Chunks{{"PER", 0, 2}, {"LOC", 2, 3}, {"MISC", 5, 6}}));
  EXPECT_TRUE(strict({"I-PER", "I-PER"}, TagScheme::IOE2).empty());
}

TEST(StrictChunks, TagIsTheRestStrippedOfDashes) {
  EXPECT_EQ(strict({"B--PER-", "I-PER"}, TagScheme::IOB2), (Chunks{{"PER", 0, 2}}));
  EXPECT_EQ(strict({"B", "I-"}, TagScheme::IOB2), (Chunks{{"_", 0, 2}}));
  EXPECT_EQ(strict({"B-A-B"}, TagScheme::IOB2), (Chunks{{"A-B", 0, 1}}));
}

TEST(StrictChunks, SentencesAreSeparate) {
  EXPECT_EQ(strict_chunks({{"B-X"}, {"I-X"}}, TagScheme::IOB2), (Chunks{{"X", 0, 1}}));
}

TEST(StrictLabels, PrefixesOutsideTheSchemeAreErrors) {
  LabelProblem p;
  EXPECT_FALSE(find_strict_label_problem({{"B-PER", "I-PER", "O"}}, TagScheme::IOB2, &p));
  ASSERT_TRUE(find_strict_label_problem({{"O"}, {"B-PER", "S-PER"}}, TagScheme::IOB2, &p));
  EXPECT_EQ(p.sentence, 1u);
  EXPECT_EQ(p.token, 1u);
  EXPECT_NE(p.problem.find("S-PER"), std::string::npos);
  EXPECT_TRUE(find_strict_label_problem({{"X-PER"}}, TagScheme::IOBES, &p));
  EXPECT_TRUE(find_strict_label_problem({{"."}}, TagScheme::IOBES, &p));
  EXPECT_TRUE(find_strict_label_problem({{"U-PER"}}, TagScheme::IOBES, &p));
  EXPECT_TRUE(find_strict_label_problem({{"E-PER"}}, TagScheme::BILOU, &p));
  EXPECT_TRUE(find_strict_label_problem({{"B-PER"}}, TagScheme::IOE2, &p));
  EXPECT_TRUE(find_strict_label_problem({{""}}, TagScheme::IOB2, &p));
  // 'O' as first character is the O prefix, whatever follows.
  EXPECT_FALSE(find_strict_label_problem({{"OTHER"}}, TagScheme::IOB2, &p));
}

// What `nertool predict --format spans` reports for a model's (possibly ill-formed) output.
TEST(LenientChunks, FollowTheDefaultRules) {
  EXPECT_EQ(lenient_chunks({"B-PER", "I-PER", "O", "I-LOC", "I-LOC", "B-LOC", "I-ORG"}),
            (Chunks{{"PER", 0, 2}, {"LOC", 3, 5}, {"LOC", 5, 6}, {"ORG", 6, 7}}));
  EXPECT_EQ(lenient_chunks({"S-MISC", "B-ORG", "E-ORG", "E-ORG", "O"}),
            (Chunks{{"MISC", 0, 1}, {"ORG", 1, 3}, {"ORG", 3, 4}}));
  EXPECT_TRUE(lenient_chunks({}).empty());
  EXPECT_TRUE(lenient_chunks({"O", "", "O"}).empty());
}

TEST(LenientChunks, ReadBilouAndBareTypes) {
  EXPECT_EQ(lenient_chunks({"U-PER", "B-ORG", "I-ORG", "L-ORG", "O"}), (Chunks{{"PER", 0, 1}, {"ORG", 1, 4}}));
  // Without the reading, U- is neither a start nor an end tag: two single-word mentions merge into one.
  EXPECT_EQ(dflt({"U-PER", "U-PER"}), (Chunks{{"PER", 0, 2}}));
  EXPECT_EQ(lenient_chunks({"U-PER", "U-PER"}), (Chunks{{"PER", 0, 1}, {"PER", 1, 2}}));
  EXPECT_EQ(lenient_chunks({"PER", "PER", "O", "LOC"}), (Chunks{{"PER", 0, 2}, {"LOC", 3, 4}}));
}

TEST(Utf8Length, CountsCodePoints) {
  EXPECT_EQ(utf8_length("PER"), 3u);
  EXPECT_EQ(utf8_length("\xC3\x89T\xC3\x89"), 3u);
}

}  // namespace
}  // namespace nertool::metrics
