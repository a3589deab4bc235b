#include "nertool/data/conll.h"

#include <gtest/gtest.h>

#include <ctime>
#include <sstream>

#include "nertool/core/atomic_file.h"
#include "nertool/core/error.h"
#include "test_paths.h"

namespace nertool::data {
namespace {

using Strings = std::vector<std::string>;

// The InputError a parse raises (fails the test when none is raised).
InputError parse_error(const std::string& text, const ReadOptions& options = {}) {
  try {
    parse_conll(text, "in.conll", options);
  } catch (const InputError& e) {
    return e;
  }
  ADD_FAILURE() << "no InputError for: " << text;
  return InputError("", 0, "");
}

TEST(Conll, ParsesSentencesDocumentsAndColumns) {
  const std::string text =
      "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\nPeter NNP B-NP B-PER\n\n"
      "-DOCSTART- -X- -X- O\n\nHi UH O O\n\n";
  Corpus c = parse_conll(text, "x");
  ASSERT_EQ(c.sentences.size(), 3u);
  ASSERT_EQ(c.documents.size(), 2u);
  EXPECT_EQ(c.sentences[0].tokens, (Strings{"EU", "rejects"}));
  EXPECT_EQ(c.sentences[0].labels, (Strings{"B-ORG", "O"}));
  EXPECT_EQ(c.sentences[0].columns[0], (Strings{"EU", "NNP", "B-NP", "B-ORG"}));
  EXPECT_EQ(c.sentences[0].first_line, 3u);
  EXPECT_EQ(c.sentences[1].first_line, 6u);
  EXPECT_EQ(c.sentences[2].document, 1u);
  EXPECT_EQ(c.documents[0].marker, (Strings{"-DOCSTART-", "-X-", "-X-", "O"}));
  EXPECT_EQ(c.documents[0].marker_line, 1u);
  EXPECT_EQ(c.documents[0].num_sentences, 2u);
  EXPECT_EQ(c.documents[1].first_sentence, 2u);
  EXPECT_EQ(c.documents[1].marker_line, 8u);
  EXPECT_EQ(c.num_tokens(), 4u);
  EXPECT_EQ(c.separator, ' ');
  EXPECT_EQ(to_conll_string(c), text);
  EXPECT_EQ(label_sequences(c), (std::vector<Strings>{{"B-ORG", "O"}, {"B-PER"}, {"O"}}));
}

TEST(Conll, TextBeforeFirstMarkerIsImplicitDocument) {
  Corpus c = parse_conll("a O\n\n-DOCSTART- O\n\nb O\n", "x");
  ASSERT_EQ(c.documents.size(), 2u);
  EXPECT_TRUE(c.documents[0].marker.empty());
  EXPECT_EQ(c.documents[0].num_sentences, 1u);
  EXPECT_EQ(c.documents[1].marker, (Strings{"-DOCSTART-", "O"}));
  EXPECT_EQ(c.sentences[1].document, 1u);
  EXPECT_FALSE(c.final_blank_line);
  EXPECT_EQ(to_conll_string(c), "a O\n\n-DOCSTART- O\n\nb O\n");
}

TEST(Conll, CrlfTrailingWhitespaceNoFinalNewlineAndBlankRuns) {
  const std::string messy = "\r\n\r\nJohn NNP B-PER \t\r\nlives VBZ O\r\n\r\n \t \r\n\n\nin IN O\r\nParis NNP B-LOC";
  Corpus c = parse_conll(messy, "x");
  ASSERT_EQ(c.sentences.size(), 2u);
  EXPECT_EQ(c.sentences[0].tokens, (Strings{"John", "lives"}));
  EXPECT_EQ(c.sentences[0].labels, (Strings{"B-PER", "O"}));
  EXPECT_EQ(c.sentences[1].tokens, (Strings{"in", "Paris"}));
  EXPECT_EQ(c.sentences[1].labels, (Strings{"O", "B-LOC"}));
  EXPECT_EQ(c.sentences[1].first_line, 9u);
  ASSERT_EQ(c.documents.size(), 1u);
  EXPECT_TRUE(c.documents[0].marker.empty());
  // Written back well formed: LF, one separator, no trailing blank since the input had none.
  EXPECT_EQ(to_conll_string(c), "John NNP B-PER\nlives VBZ O\n\nin IN O\nParis NNP B-LOC\n");
}

// Blank lines that hold a space end sentences like empty ones, and the per-sentence reservation stops at them:
// it used to scan to the end of the file for every sentence (quadratic: 49 s for 40k sentences).
TEST(Conll, BlankLinesWithSpacesEndSentencesAndBoundTheReservation) {
  std::string text;
  for (int i = 0; i < 3000; ++i) text += "a O\nb B-PER\n \n";
  Corpus c = parse_conll(text, "x");
  ASSERT_EQ(c.sentences.size(), 3000u);
  EXPECT_EQ(c.sentences[0].tokens, (Strings{"a", "b"}));
  EXPECT_LE(c.sentences[0].tokens.capacity(), 4u);  // reserved for its own lines, not the file's 9,000
  std::string one_long;  // a single sentence of 5,000 lines reserves at most the cap, then grows
  for (int i = 0; i < 5000; ++i) one_long += "w O\n";
  EXPECT_EQ(parse_conll(one_long, "x").sentences[0].size(), 5000u);
}

TEST(Conll, TabsAndMixedWhitespace) {
  Corpus c = parse_conll("New\tNNP\tB-LOC\nYork \t NNP\t\tI-LOC\n\n", "x");
  EXPECT_EQ(c.separator, '\t');
  EXPECT_EQ(c.sentences[0].tokens, (Strings{"New", "York"}));
  EXPECT_EQ(c.sentences[0].labels, (Strings{"B-LOC", "I-LOC"}));
  EXPECT_EQ(to_conll_string(c), "New\tNNP\tB-LOC\nYork\tNNP\tI-LOC\n\n");
  const std::string tabs = "-DOCSTART-\tO\n\nA\tB-PER\n\n";
  EXPECT_EQ(to_conll_string(parse_conll(tabs, "x")), tabs);
}

TEST(Conll, ColumnSelection) {
  const std::string text = "EU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\n";
  ReadOptions o;
  o.token_column = 1;
  o.label_column = 2;
  Corpus c = parse_conll(text, "x", o);
  EXPECT_EQ(c.sentences[0].tokens, (Strings{"NNP", "VBZ"}));
  EXPECT_EQ(c.sentences[0].labels, (Strings{"B-NP", "B-VP"}));
  o.token_column = -4;
  o.label_column = -2;
  c = parse_conll(text, "x", o);
  EXPECT_EQ(c.sentences[0].tokens, (Strings{"EU", "rejects"}));
  EXPECT_EQ(c.sentences[0].labels, (Strings{"B-NP", "B-VP"}));
  ReadOptions unlabeled;
  unlabeled.with_labels = false;
  c = parse_conll("one\ntwo\n\nthree\n", "x", unlabeled);
  ASSERT_EQ(c.sentences.size(), 2u);
  EXPECT_EQ(c.sentences[0].tokens, (Strings{"one", "two"}));
  EXPECT_TRUE(c.sentences[0].labels.empty());
  EXPECT_EQ(to_conll_string(c), "one\ntwo\n\nthree\n");
}

TEST(Conll, EmptyInputAndOnlyBlankLines) {
  EXPECT_TRUE(parse_conll("", "x").sentences.empty());
  EXPECT_TRUE(parse_conll("\n\n \n", "x").documents.empty());
}

TEST(Conll, ErrorsNameFileLineAndProblem) {
  InputError e = parse_error("a B I-X O\nb C O\n");
  EXPECT_EQ(e.file(), "in.conll");
  EXPECT_EQ(e.line(), 2u);
  EXPECT_NE(e.problem().find("expected 4 columns"), std::string::npos) << e.what();
  EXPECT_NE(e.problem().find("found 3"), std::string::npos) << e.what();
  EXPECT_EQ(std::string(e.what()).rfind("in.conll:2: ", 0), 0u) << e.what();

  e = parse_error("a O\n\tO\n");
  EXPECT_EQ(e.line(), 2u);
  EXPECT_NE(e.problem().find("empty token"), std::string::npos) << e.what();
  e = parse_error("a O\n O\n");
  EXPECT_NE(e.problem().find("empty token"), std::string::npos) << e.what();

  e = parse_error("a O\nb\xC3(c O\n");
  EXPECT_EQ(e.line(), 2u);
  EXPECT_NE(e.problem().find("invalid UTF-8"), std::string::npos) << e.what();
  EXPECT_NE(e.problem().find("byte column 3"), std::string::npos) << e.what();
  EXPECT_EQ(parse_error("x O\n\xFF O\n").line(), 2u);
  EXPECT_NE(parse_error("\xC0\xAF O\n").problem().find("invalid UTF-8"), std::string::npos);   // overlong '/'
  EXPECT_NE(parse_error("\xED\xA0\x80 O\n").problem().find("surrogate"), std::string::npos);
  EXPECT_NE(parse_error("ab O\n\xE2\x82").problem().find("truncated"), std::string::npos);

  e = parse_error(std::string("a O\n\nb\0c O\n", 11));
  EXPECT_EQ(e.line(), 3u);
  EXPECT_NE(e.problem().find("NUL byte at byte column 2"), std::string::npos) << e.what();

  ReadOptions o;
  o.label_column = 3;
  e = parse_error("a B C D\nb C D\n", o);
  EXPECT_EQ(e.line(), 2u);  // the column count check comes first on line 2
  e = parse_error("a B C\n", o);
  EXPECT_EQ(e.line(), 1u);
  EXPECT_NE(e.problem().find("too few columns"), std::string::npos) << e.what();
  e = parse_error("a\nb\n");  // labels requested from a one-column file
  EXPECT_EQ(e.line(), 1u);
  EXPECT_NE(e.problem().find("too few columns"), std::string::npos) << e.what();
  EXPECT_NE(parse_error("a\rb O\n").problem().find("carriage return"), std::string::npos);
}

TEST(Conll, ValidUtf8Accepted) {
  Corpus c = parse_conll("\xEF\xBB\xBFM\xC3\xBCnchen B-LOC\n\xE4\xB8\xAD\xE5\x9B\xBD B-LOC\n\xF0\x9F\x98\x80 O\n\n", "x");
  EXPECT_EQ(c.sentences[0].tokens[0], "M\xC3\xBCnchen");  // byte-order mark skipped
  EXPECT_EQ(c.sentences[0].tokens[2], "\xF0\x9F\x98\x80");
}

TEST(Conll, SetLabelsAndReplaceInText) {
  const std::string text = "a X  B-PER \r\nb X I-PER\n\n\nc X O";
  Corpus c = parse_conll(text, "x");
  std::vector<Strings> labels{{"S-PER", "E-PER"}, {"O"}};
  EXPECT_EQ(replace_labels_in_text(text, c, labels), "a X  S-PER \r\nb X E-PER\n\n\nc X O");
  set_labels(c, labels);
  EXPECT_EQ(c.sentences[0].labels, labels[0]);
  EXPECT_EQ(c.sentences[0].columns[1], (Strings{"b", "X", "E-PER"}));
  EXPECT_THROW(set_labels(c, {{"O"}}), Error);
  EXPECT_EQ(resolve_column(-1, 4), 3);
  EXPECT_EQ(resolve_column(-5, 4), -1);
  EXPECT_EQ(resolve_column(4, 4), -1);
}

TEST(Conll, WritesSentencesBuiltInCode) {
  Corpus c;
  Sentence s;
  s.tokens = {"Hello", "Bob"};
  s.labels = {"O", "B-PER"};
  c.sentences.push_back(s);
  std::ostringstream out;
  write_conll(c, out);
  EXPECT_EQ(out.str(), "Hello O\nBob B-PER\n\n");
}

// Byte-for-byte round trip of the real files; also checks the published counts.
void expect_round_trip(const std::string& rel, std::size_t sentences, std::size_t tokens, std::size_t documents) {
  const std::string path = testing::shared_path(rel);
  const std::string text = read_file(path);
  Corpus c = read_conll(path);
  EXPECT_EQ(c.sentences.size(), sentences) << rel;
  EXPECT_EQ(c.num_tokens(), tokens) << rel;
  EXPECT_EQ(c.documents.size(), documents) << rel;
  EXPECT_TRUE(to_conll_string(c) == text) << rel << " is not reproduced byte for byte";
  EXPECT_TRUE(replace_labels_in_text(text, c, label_sequences(c)) == text) << rel;
}

TEST(ConllShared, Conll2003TrainRoundTrip) {
  NERTOOL_REQUIRE_SHARED("data/conll2003/train.txt");
  expect_round_trip("data/conll2003/train.txt", 14041, 203621, 946);
}
TEST(ConllShared, Conll2003ValidRoundTrip) {
  NERTOOL_REQUIRE_SHARED("data/conll2003/valid.txt");
  expect_round_trip("data/conll2003/valid.txt", 3250, 51362, 216);
}
TEST(ConllShared, Conll2003TestRoundTrip) {
  NERTOOL_REQUIRE_SHARED("data/conll2003/test.txt");
  expect_round_trip("data/conll2003/test.txt", 3453, 46435, 231);
}
TEST(ConllShared, OntoNotesDevRoundTrip) {
  NERTOOL_REQUIRE_SHARED("data/ontonotes5/dev.txt");
  const std::string path = testing::shared_path("data/ontonotes5/dev.txt");
  Corpus c = read_conll(path);
  EXPECT_EQ(c.documents.size(), 1u);
  EXPECT_TRUE(c.documents[0].marker.empty());
  EXPECT_EQ(c.sentences.size(), 8528u);
  EXPECT_TRUE(to_conll_string(c) == read_file(path));
}

// The whole train file parses to the counts PROVENANCE.md gives; its speed is measured by scripts/bench_eval.sh
// (parsing included), not here: timings in tests fail on loaded machines.
TEST(ConllShared, ReadsTheWholeTrainFile) {
  NERTOOL_REQUIRE_SHARED("data/conll2003/train.txt");
  const std::string text = read_file(testing::shared_path("data/conll2003/train.txt"));
  Corpus c = parse_conll(text, "train.txt");
  EXPECT_EQ(c.num_tokens(), 203621u);
  EXPECT_EQ(c.sentences.size(), 14041u);
}

}  // namespace
}  // namespace nertool::data
