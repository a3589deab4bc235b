#include "nertool/text/lexicon.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "nertool/core/error.h"

using namespace nertool;
using namespace nertool::text;
using nertool::data::Corpus;
using nertool::data::Sentence;
using nertool::data::TagScheme;

namespace {

std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t j = text.find(' ', i);
    if (j == std::string::npos) j = text.size();
    out.push_back(text.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// The matches of one category as a string of letters: B I E S, '.' for none.
std::string codes(const Lexicon& lexicon, const std::vector<std::string>& tokens, const std::string& category) {
  const auto& cats = lexicon.categories();
  const std::size_t c = static_cast<std::size_t>(std::find(cats.begin(), cats.end(), category) - cats.begin());
  EXPECT_LT(c, cats.size()) << category;
  auto positions = lexicon.match(tokens);
  std::string out;
  for (std::size_t t = 0; t < tokens.size(); ++t) out.push_back(".BIES"[static_cast<int>(positions[t * cats.size() + c])]);
  return out;
}

Lexicon sample() {
  return Lexicon::parse(
      "# a comment, then a blank line\n"
      "\n"
      "LOC\tNew York\n"
      "LOC\tNew York City\n"
      "LOC\tYork\n"
      "PER\tYork\n"
      "ORG\tNew York Times\n"
      "ORG\tThe New York Times Company Board\n",
      "<sample>");
}

}  // namespace

TEST(Lexicon, LongestMatchPerCategoryInBioes) {
  auto lex = sample();
  EXPECT_EQ(lex.categories(), (std::vector<std::string>{"LOC", "ORG", "PER"}));
  EXPECT_EQ(lex.size(), 6u);
  EXPECT_EQ(lex.max_phrase_length(), 6u);
  auto s = words("the New York Times said New York City and York .");
  // Each category matches on its own: ORG's "New York Times" does not hide LOC's "New York" under it.
  EXPECT_EQ(codes(lex, s, "LOC"), ".BE..BIE.S.");
  EXPECT_EQ(codes(lex, s, "ORG"), ".BIE.......");
  EXPECT_EQ(codes(lex, s, "PER"), "..S...S..S.");
  // A longer entry that does not fully match leaves the shorter ones.
  EXPECT_EQ(codes(lex, words("The New York Times Company said"), "ORG"), ".BIE..");
}

TEST(Lexicon, MatchesIgnoreCase) {
  auto lex = sample();
  EXPECT_EQ(codes(lex, words("NEW YORK CITY WINS"), "LOC"), "BIE.");
  EXPECT_EQ(codes(lex, words("new york"), "LOC"), "BE");
  // Unicode case mapping, not ASCII only.
  auto umlaut = Lexicon::parse("LOC\tKöln\n", "<u>");
  EXPECT_EQ(codes(umlaut, words("KÖLN köln Koln"), "LOC"), "SS.");
}

TEST(Lexicon, MatchesAreGreedyLeftToRightWithoutOverlapInACategory) {
  auto lex = Lexicon::parse("X\ta b\nX\tb c d\nX\tc\n", "<g>");
  // "a b" is taken first; "b c d" overlaps it and is skipped; "c" then matches alone.
  EXPECT_EQ(codes(lex, words("a b c d"), "X"), "BES.");
  EXPECT_EQ(codes(lex, words("b c d"), "X"), "BIE");
  EXPECT_TRUE(lex.match({}).empty());
}

TEST(Lexicon, CategoriesAddedInAnyOrderMatchTheSame) {
  // Category bits follow the sorted order; adding a category that sorts first must renumber the others.
  Lexicon a, b;
  a.add("ORG", words("Acme"));
  a.add("LOC", words("Paris"));
  a.add("MISC", words("French"));
  b.add("MISC", words("French"));
  b.add("LOC", words("Paris"));
  b.add("ORG", words("Acme"));
  auto s = words("Acme in Paris is French");
  EXPECT_EQ(a.match(s), b.match(s));
  EXPECT_EQ(codes(a, s, "ORG"), "S....");
  EXPECT_EQ(codes(a, s, "LOC"), "..S..");
  EXPECT_EQ(codes(a, s, "MISC"), "....S");
  EXPECT_EQ(a.to_text(), b.to_text());
}

TEST(Lexicon, TextRoundTrip) {
  auto lex = sample();
  auto again = Lexicon::parse(lex.to_text(), "<again>");
  EXPECT_EQ(again.to_text(), lex.to_text());
  EXPECT_EQ(again.categories(), lex.categories());
  auto s = words("the New York Times said New York City and York .");
  EXPECT_EQ(again.match(s), lex.match(s));
  EXPECT_EQ(lex.to_text().substr(0, 13), "LOC\tNew York\n");  // sorted by category, then phrase
}

TEST(Lexicon, BadLinesNameTheFileAndLine) {
  auto expect_error = [](const std::string& text, std::size_t line, const std::string& words) {
    try {
      Lexicon::parse(text, "lex.tsv");
      ADD_FAILURE() << "no error for: " << text;
    } catch (const InputError& e) {
      EXPECT_EQ(e.file(), "lex.tsv");
      EXPECT_EQ(e.line(), line) << e.what();
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
  };
  expect_error("LOC\tParis\nLOC Paris\n", 2, "no tab");
  expect_error("LOC\tParis\n\n\t\tx\n", 3, "empty category");
  expect_error("LOC\t   \n", 1, "empty phrase");
  expect_error("LOC\tParis\tFrance\n", 1, "more than one tab");
  expect_error("LOC\tPar\xff is\n", 1, "UTF-8");
  expect_error(std::string("LOC\tParis\nLOC\tPa\0ris\n", 21), 2, "NUL byte");
  std::string many;
  for (int i = 0; i < 33; ++i) many += "C" + std::to_string(100 + i) + "\tx\n";
  expect_error(many, 33, "more than 32 categories");
  EXPECT_THROW(Lexicon::read("/nonexistent/lexicon.tsv"), IoError);
}

TEST(Lexicon, FromAnnotationsMapsTypesAndCountsOccurrences) {
  Corpus c;
  c.path = "onto.txt";
  auto add = [&](const std::string& tokens, const std::string& labels, std::size_t line) {
    Sentence s;
    s.tokens = words(tokens);
    s.labels = words(labels);
    s.first_line = line;
    c.sentences.push_back(s);
  };
  add("John Smith visited New York", "B-PERSON I-PERSON O B-GPE I-GPE", 1);
  add("New York and 1996", "B-GPE I-GPE O B-DATE", 7);
  add("the Germans", "O B-NORP", 12);
  add("at 288 , 1 / 2", "O B-GPE O B-FAC I-FAC I-FAC", 15);  // annotation noise: no letter, left out
  auto map = [](const std::string& type) -> std::optional<std::string> {
    if (type == "PERSON") return std::string("PER");
    if (type == "GPE") return std::string("LOC");
    if (type == "NORP") return std::string("MISC");
    return std::nullopt;  // DATE is left out
  };
  auto all = Lexicon::from_annotations({&c}, TagScheme::IOB2, map, 1);
  EXPECT_EQ(all.to_text(), "LOC\tNew York\nMISC\tGermans\nPER\tJohn Smith\n");
  auto twice = Lexicon::from_annotations({&c}, TagScheme::IOB2, map, 2);
  EXPECT_EQ(twice.to_text(), "LOC\tNew York\n");
  // An invalid sequence names the file and the line of the offending tag.
  add("bad tags", "O I-PERSON", 20);
  try {
    Lexicon::from_annotations({&c}, TagScheme::IOB2, map, 1);
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "onto.txt");
    EXPECT_EQ(e.line(), 21u) << e.what();
  }
}
