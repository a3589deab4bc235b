// `nertool lexicon` end to end: entries from annotated files through a type map, min-count, and errors that name
// the file and line (or the unmapped type) and leave no output file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "cli_runner.h"
#include "nertool/core/atomic_file.h"
#include "test_paths.h"

namespace {

using nertool::testing::run_nertool;
using nertool::testing::TempDir;

void write_text(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

const char* kOnto =
    "John NNP B-PERSON\nSmith NNP I-PERSON\nvisited VBD O\nNew NNP B-GPE\nYork NNP I-GPE\nin IN O\n1996 CD B-DATE\n\n"
    "The DT B-ORG\nNew NNP I-ORG\nYork NNP I-ORG\nTimes NNP I-ORG\n\n"
    "New NNP B-GPE\nYork NNP I-GPE\n\n";

TEST(LexiconCli, BuildsEntriesThroughATypeMap) {
  TempDir dir;
  write_text(dir.file("a.txt"), kOnto);
  write_text(dir.file("b.txt"), "Germans NNPS B-NORP\nlike VBP O\nBerlin NNP B-GPE\n\n");
  const std::string map = std::string(NERTOOL_SOURCE_DIR) + "/configs/type_maps/ontonotes5_to_conll2003.json";
  auto r = run_nertool("lexicon --input " + dir.file("a.txt") + " " + dir.file("b.txt") + " --type-map " + map +
                           " --output " + dir.file("lex.tsv"),
                       dir);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(nertool::read_file(dir.file("lex.tsv")),
            "LOC\tBerlin\nLOC\tNew York\nMISC\tGermans\nORG\tThe New York Times\nPER\tJohn Smith\n");
  EXPECT_NE(r.err.find("5 entries in 4 categories"), std::string::npos) << r.err;
  // Without a map each type is its own category; --min-count keeps what is seen often enough.
  r = run_nertool("lexicon --input " + dir.file("a.txt") + " --min-count 2 --output " + dir.file("twice.tsv"), dir);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(nertool::read_file(dir.file("twice.tsv")), "GPE\tNew York\n");
}

TEST(LexiconCli, BadInputIsAnErrorAndWritesNothing) {
  TempDir dir;
  write_text(dir.file("bad.txt"), "John NNP B-PERSON\nSmith NNP I-PERSON\n\nof IN O\nYork NNP I-GPE\n\n");
  auto r = run_nertool("lexicon --input " + dir.file("bad.txt") + " --output " + dir.file("lex.tsv"), dir);
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find(dir.file("bad.txt") + ":5"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("lex.tsv")));
  // A type the map does not know.
  write_text(dir.file("odd.txt"), "Hello UH O\n\nthe DT O\nZorp NNP B-ALIEN\n\n");
  const std::string map = std::string(NERTOOL_SOURCE_DIR) + "/configs/type_maps/ontonotes5_to_conll2003.json";
  r = run_nertool("lexicon --input " + dir.file("odd.txt") + " --type-map " + map + " --output " + dir.file("lex.tsv"),
                  dir);
  EXPECT_EQ(r.status, 2);  // bad input, like every other
  EXPECT_NE(r.err.find(dir.file("odd.txt") + ":4"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ALIEN"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("lex.tsv")));
  // A missing input file.
  r = run_nertool("lexicon --input " + dir.file("absent.txt") + " --output " + dir.file("lex.tsv"), dir);
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("absent.txt"), std::string::npos) << r.err;
}

}  // namespace
