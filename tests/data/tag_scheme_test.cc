#include "nertool/data/tag_scheme.h"

#include <gtest/gtest.h>

#include <map>

#include "nertool/core/error.h"
#include "nertool/data/conll.h"
#include "test_paths.h"

namespace nertool::data {
namespace {

using Strings = std::vector<std::string>;

const TagScheme kAll[] = {TagScheme::IOB1, TagScheme::IOB2, TagScheme::IOE1,
                          TagScheme::IOE2, TagScheme::IOBES, TagScheme::BILOU};

// One sentence of 10 tokens with adjacent same-type chunks (PER PER, ORG ORG), adjacent different types
// (PER LOC), single- and multi-token chunks, written by hand in every scheme.
const std::vector<Span> kSpans = {{0, 1, "PER"}, {1, 3, "PER"}, {3, 4, "LOC"},
                                  {5, 8, "ORG"}, {8, 9, "ORG"}, {9, 10, "MISC"}};
const std::map<TagScheme, Strings> kTags = {
    {TagScheme::IOB1, {"I-PER", "B-PER", "I-PER", "I-LOC", "O", "I-ORG", "I-ORG", "I-ORG", "B-ORG", "I-MISC"}},
    {TagScheme::IOB2, {"B-PER", "B-PER", "I-PER", "B-LOC", "O", "B-ORG", "I-ORG", "I-ORG", "B-ORG", "B-MISC"}},
    {TagScheme::IOE1, {"E-PER", "I-PER", "I-PER", "I-LOC", "O", "I-ORG", "I-ORG", "E-ORG", "I-ORG", "I-MISC"}},
    {TagScheme::IOE2, {"E-PER", "I-PER", "E-PER", "E-LOC", "O", "I-ORG", "I-ORG", "E-ORG", "E-ORG", "E-MISC"}},
    {TagScheme::IOBES, {"S-PER", "B-PER", "E-PER", "S-LOC", "O", "B-ORG", "I-ORG", "E-ORG", "S-ORG", "S-MISC"}},
    {TagScheme::BILOU, {"U-PER", "B-PER", "L-PER", "U-LOC", "O", "B-ORG", "I-ORG", "L-ORG", "U-ORG", "U-MISC"}},
};

TEST(TagScheme, NamesAndAliases) {
  for (TagScheme s : kAll) EXPECT_EQ(parse_tag_scheme(tag_scheme_name(s)), s);
  EXPECT_EQ(parse_tag_scheme("bio"), TagScheme::IOB2);
  EXPECT_EQ(parse_tag_scheme("BIOES"), TagScheme::IOBES);
  EXPECT_EQ(parse_tag_scheme("bilou"), TagScheme::BILOU);
  EXPECT_THROW(parse_tag_scheme("IOB3"), ConfigError);
}

TEST(TagScheme, KnownSequencesInEveryScheme) {
  for (TagScheme s : kAll) {
    const Strings& tags = kTags.at(s);
    EXPECT_EQ(validate_tags(tags, s), "") << tag_scheme_name(s);
    EXPECT_EQ(spans_from_tags(tags, s), kSpans) << tag_scheme_name(s);
    EXPECT_EQ(tags_from_spans(kSpans, 10, s), tags) << tag_scheme_name(s);
    EXPECT_EQ(detect_tag_scheme({tags}), s) << tag_scheme_name(s);
    EXPECT_EQ(compatible_schemes({tags}), std::vector<TagScheme>{s}) << tag_scheme_name(s);
    for (TagScheme t : kAll) EXPECT_EQ(convert_tags(tags, s, t), kTags.at(t)) << tag_scheme_name(s) << "->"
                                                                             << tag_scheme_name(t);
  }
}

TEST(TagScheme, DetectionOfDegenerateData) {
  // All-O data is valid in every scheme; IOB2 is preferred.
  EXPECT_EQ(compatible_schemes({{"O", "O"}, {}}).size(), 6u);
  EXPECT_EQ(detect_tag_scheme({{"O", "O"}}), TagScheme::IOB2);
  // Only I- and O: IOB1 and IOE1 both accept it; IOB1 is preferred.
  EXPECT_EQ(compatible_schemes({{"I-PER", "I-PER", "O", "I-LOC"}}),
            (std::vector<TagScheme>{TagScheme::IOB1, TagScheme::IOE1}));
  EXPECT_EQ(detect_tag_scheme({{"I-PER", "O"}}), TagScheme::IOB1);
  // Single-token chunks only: B- alone is IOB2; E- alone is IOE2; S-/U- alone is IOBES/BILOU.
  EXPECT_EQ(detect_tag_scheme({{"B-PER", "O", "B-LOC"}}), TagScheme::IOB2);
  EXPECT_EQ(detect_tag_scheme({{"E-PER", "O", "E-LOC"}}), TagScheme::IOE2);
  EXPECT_EQ(detect_tag_scheme({{"S-PER"}}), TagScheme::IOBES);
  EXPECT_EQ(detect_tag_scheme({{"U-PER"}}), TagScheme::BILOU);
  // I- after O (a typical model error) is valid only as IOB1, mixed with B- starts it is nothing.
  EXPECT_EQ(detect_tag_scheme({{"B-PER", "O", "I-PER"}}), std::nullopt);
  EXPECT_EQ(detect_tag_scheme({{"PER"}}), std::nullopt);
}

TEST(TagScheme, InvalidSequencesRejectedWithPositionAndTag) {
  struct Case {
    TagScheme scheme;
    Strings tags;
    std::size_t position;  // 0-based offending token
  };
  const Case cases[] = {
      {TagScheme::IOB2, {"O", "I-PER"}, 1},
      {TagScheme::IOB2, {"B-PER", "I-LOC"}, 1},
      {TagScheme::IOB2, {"B-PER", "E-PER"}, 1},
      {TagScheme::IOB2, {"O", "PER"}, 1},
      {TagScheme::IOB2, {"B-"}, 0},
      {TagScheme::IOB2, {"b-PER"}, 0},
      {TagScheme::IOB1, {"B-PER"}, 0},
      {TagScheme::IOB1, {"O", "B-PER"}, 1},
      {TagScheme::IOB1, {"I-LOC", "B-PER"}, 1},
      {TagScheme::IOE1, {"I-PER", "E-PER"}, 1},
      {TagScheme::IOE1, {"E-PER", "O"}, 0},
      {TagScheme::IOE1, {"E-PER", "I-LOC"}, 0},
      {TagScheme::IOE2, {"I-PER", "O"}, 0},
      {TagScheme::IOE2, {"I-PER", "E-LOC"}, 0},
      {TagScheme::IOE2, {"B-PER"}, 0},
      {TagScheme::IOBES, {"B-PER", "O"}, 0},
      {TagScheme::IOBES, {"O", "I-PER", "E-PER"}, 1},
      {TagScheme::IOBES, {"E-PER"}, 0},
      {TagScheme::IOBES, {"B-PER", "E-LOC"}, 0},
      {TagScheme::IOBES, {"S-PER", "E-PER"}, 1},
      {TagScheme::IOBES, {"B-PER", "I-PER"}, 1},
      {TagScheme::IOBES, {"U-PER"}, 0},
      {TagScheme::BILOU, {"B-PER", "L-LOC"}, 0},
      {TagScheme::BILOU, {"L-PER"}, 0},
      {TagScheme::BILOU, {"B-PER", "E-PER"}, 1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(tag_scheme_name(c.scheme) + " position " + std::to_string(c.position));
    auto problem = find_tag_problem(c.tags, c.scheme);
    ASSERT_TRUE(problem.has_value());
    EXPECT_EQ(problem->position, c.position);
    const std::string message = validate_tags(c.tags, c.scheme);
    EXPECT_EQ(message, problem->message);
    EXPECT_NE(message.find("token " + std::to_string(c.position + 1)), std::string::npos) << message;
    EXPECT_NE(message.find("\"" + c.tags[c.position] + "\""), std::string::npos) << message;
    EXPECT_THROW(spans_from_tags(c.tags, c.scheme), InputError);
    try {
      spans_from_tags(c.tags, c.scheme, "f.txt", 10);
      ADD_FAILURE() << "no error";
    } catch (const InputError& e) {
      EXPECT_EQ(e.file(), "f.txt");
      EXPECT_EQ(e.line(), 10 + c.position);
    }
  }
}

TEST(TagScheme, TagsFromSpansRejectsOverlapsAndOutOfRange) {
  EXPECT_THROW(tags_from_spans({{0, 2, "A"}, {1, 3, "B"}}, 3, TagScheme::IOB2), Error);
  EXPECT_THROW(tags_from_spans({{0, 4, "A"}}, 3, TagScheme::IOB2), Error);
  EXPECT_THROW(tags_from_spans({{1, 1, "A"}}, 3, TagScheme::IOB2), Error);
  // Unsorted input is fine.
  EXPECT_EQ(tags_from_spans({{2, 3, "B"}, {0, 2, "A"}}, 3, TagScheme::IOB2), (Strings{"B-A", "I-A", "B-B"}));
}

TEST(TagScheme, TypesMayContainHyphens) {
  const Strings tags{"B-WORK-OF-ART", "I-WORK-OF-ART", "O"};
  EXPECT_EQ(spans_from_tags(tags, TagScheme::IOB2), (std::vector<Span>{{0, 2, "WORK-OF-ART"}}));
  EXPECT_EQ(convert_tags(tags, TagScheme::IOB2, TagScheme::BILOU), (Strings{"B-WORK-OF-ART", "L-WORK-OF-ART", "O"}));
}

// Every split of CoNLL-2003 (NER and chunk columns, both IOB2): IOB2 -> X -> IOB2 is the identity for every X,
// X-tagged data is detected as X, and the IOB1 form has exactly the documented number of B- tags (adjacent
// same-type entities).
void check_conll_file(const std::string& rel, std::size_t entities, std::size_t adjacent_same_type) {
  const Corpus corpus = read_conll(testing::shared_path(rel));
  ReadOptions chunk_options;
  chunk_options.label_column = 2;
  const Corpus chunks = read_conll(testing::shared_path(rel), chunk_options);
  for (const auto* columns : {&corpus, &chunks}) {
    const auto iob2 = label_sequences(*columns);
    ASSERT_EQ(detect_tag_scheme(iob2), TagScheme::IOB2) << rel;
    for (TagScheme x : kAll) {
      std::vector<Strings> converted;
      std::size_t b_tags = 0, spans = 0;
      for (const auto& seq : iob2) {
        converted.push_back(convert_tags(seq, TagScheme::IOB2, x));
        spans += spans_from_tags(converted.back(), x).size();
        for (const auto& t : converted.back()) b_tags += t.rfind("B-", 0) == 0;
      }
      EXPECT_EQ(detect_tag_scheme(converted), x) << rel << " " << tag_scheme_name(x);
      for (std::size_t k = 0; k < iob2.size(); ++k) {
        ASSERT_EQ(convert_tags(converted[k], x, TagScheme::IOB2), iob2[k])
            << rel << " sentence " << k << " via " << tag_scheme_name(x);
      }
      if (columns == &corpus) {
        EXPECT_EQ(spans, entities) << rel << " " << tag_scheme_name(x);
        if (x == TagScheme::IOB1) EXPECT_EQ(b_tags, adjacent_same_type) << rel;
      }
    }
  }
}

TEST(TagSchemeShared, Conll2003TrainRoundTripsThroughEveryScheme) {
  NERTOOL_REQUIRE_SHARED("data/conll2003/train.txt");
  check_conll_file("data/conll2003/train.txt", 23499, 70);
}
TEST(TagSchemeShared, Conll2003ValidRoundTripsThroughEveryScheme) {
  NERTOOL_REQUIRE_SHARED("data/conll2003/valid.txt");
  check_conll_file("data/conll2003/valid.txt", 5942, 4);
}
TEST(TagSchemeShared, Conll2003TestRoundTripsThroughEveryScheme) {
  NERTOOL_REQUIRE_SHARED("data/conll2003/test.txt");
  check_conll_file("data/conll2003/test.txt", 5648, 20);
}

}  // namespace
}  // namespace nertool::data
