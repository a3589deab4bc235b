// scripts/detection_recall.py on a hand-made prediction file whose answer is counted by hand: untyped recall by gold
// type, by kind of sentence (prose, tables, all-caps) and with a leading "the" dropped from predicted mentions.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

#include "cli_runner.h"
#include "nertool/core/atomic_file.h"
#include "test_paths.h"

namespace {

using nertool::testing::CliResult;
using nertool::testing::run_shell;
using nertool::testing::source_path;
using nertool::testing::TempDir;

CliResult detection_recall(const TempDir& dir, const std::string& args) {
  return run_shell("python3 " + source_path("scripts/detection_recall.py") + " " + args, dir);
}

// token, gold, predicted (source-taxonomy types: only boundaries count).
const char* kPredicted =
    "-DOCSTART- O O\n\n"
    // prose: "the European Union" predicted with its article (found only once "the" is dropped); Kohl found.
    "Kohl B-PER B-PERSON\nsaid O O\nthe O B-ORG\nEuropean B-ORG I-ORG\nUnion I-ORG I-ORG\nwould O O\nwait O O\n\n"
    // a table: Arsenal found, Derby missed.
    "Arsenal B-ORG B-ORG\n2 O B-CARDINAL\nDerby B-ORG O\n1 O O\n\n"
    // all-caps: JAPAN found, CHINA predicted one word too wide.
    "JAPAN B-LOC B-GPE\nBEAT O O\nCHINA B-LOC B-GPE\nTODAY O I-GPE\n\n";

TEST(DetectionRecall, CountsFoundMentionsByTypeAndSentenceKind) {
  TempDir dir;
  nertool::write_file_atomic(dir.file("pred.txt"), kPredicted);
  CliResult r = detection_recall(dir, dir.file("pred.txt") + " --json");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto result = nlohmann::json::parse(r.out);
  const auto& recall = result["recall"];
  EXPECT_EQ(recall["all"]["mentions"], 6);
  EXPECT_EQ(recall["all"]["found"], 3);  // Kohl, Arsenal, JAPAN
  EXPECT_DOUBLE_EQ(recall["all"]["recall"].get<double>(), 0.5);
  EXPECT_EQ(recall["type ORG"]["mentions"], 3);
  EXPECT_EQ(recall["type ORG"]["found"], 1);
  EXPECT_EQ(recall["type PER"]["found"], 1);
  EXPECT_EQ(recall["type LOC"]["found"], 1);
  EXPECT_EQ(recall["prose"]["mentions"], 2);
  EXPECT_EQ(recall["prose"]["found"], 1);
  EXPECT_EQ(recall["tables"]["mentions"], 2);
  EXPECT_EQ(recall["tables"]["found"], 1);
  EXPECT_EQ(recall["all-caps"]["mentions"], 2);
  EXPECT_EQ(recall["all-caps"]["found"], 1);
  EXPECT_DOUBLE_EQ(result["recall_without_leading_the"].get<double>(), 4.0 / 6.0);
  CliResult table = detection_recall(dir, dir.file("pred.txt"));
  ASSERT_EQ(table.status, 0) << table.err;
  EXPECT_NE(table.out.find("| all | 3 | 6 | 50.0 |"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("dropped from predicted mentions: 66.7"), std::string::npos) << table.out;
}

TEST(DetectionRecall, ALineWithoutBothLabelsNamesTheFileAndLine) {
  TempDir dir;
  nertool::write_file_atomic(dir.file("pred.txt"), "Kohl B-PER B-PERSON\nsaid O\n");
  CliResult r = detection_recall(dir, dir.file("pred.txt"));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("pred.txt:2: expected a token, a gold and a predicted label"), std::string::npos) << r.err;
}

}  // namespace
