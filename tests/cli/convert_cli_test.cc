// End-to-end tests of `nertool convert --scheme`: exact output bytes, scheme detection, round trips on the real
// CoNLL-2003 file, and errors that name file and line and leave no output file.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "nertool/core/atomic_file.h"
#include "cli_runner.h"
#include "test_paths.h"

namespace {

using ConvertRun = nertool::testing::CliResult;

ConvertRun run_convert(const std::string& args, const nertool::testing::TempDir& dir) {
  return nertool::testing::run_nertool(args, dir);
}

void write_text(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

const char* kIob2 =
    "-DOCSTART- -X- -X- O\n\n"
    "EU NNP B-NP B-ORG\nrejects VBZ B-VP O\nPeter NNP B-NP B-PER\nBlackburn NNP I-NP I-PER\nSmith NNP I-NP B-PER\n\n"
    "Paris NNP B-NP B-LOC\n\n";

TEST(ConvertCli, Iob2ToIobesKeepsEveryOtherByte) {
  nertool::testing::TempDir dir;
  write_text(dir.file("in.txt"), kIob2);
  ConvertRun r = run_convert("convert --scheme IOBES --input " + dir.file("in.txt") + " --output " + dir.file("out.txt"),
                             dir);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(nertool::read_file(dir.file("out.txt")),
            "-DOCSTART- -X- -X- O\n\n"
            "EU NNP B-NP S-ORG\nrejects VBZ B-VP O\nPeter NNP B-NP B-PER\nBlackburn NNP I-NP E-PER\n"
            "Smith NNP I-NP S-PER\n\n"
            "Paris NNP B-NP S-LOC\n\n");
  EXPECT_NE(r.err.find("detected source tag scheme IOB2"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());

  // IOB1 (adjacent same-type entities keep their B-), then back to IOB2 with an explicit source scheme.
  r = run_convert("convert --scheme IOB1 --input " + dir.file("in.txt") + " --output " + dir.file("iob1.txt"), dir);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(nertool::read_file(dir.file("iob1.txt")),
            "-DOCSTART- -X- -X- O\n\n"
            "EU NNP B-NP I-ORG\nrejects VBZ B-VP O\nPeter NNP B-NP I-PER\nBlackburn NNP I-NP I-PER\n"
            "Smith NNP I-NP B-PER\n\n"
            "Paris NNP B-NP I-LOC\n\n");
  r = run_convert("convert --scheme BIO --from-scheme IOB1 --input " + dir.file("iob1.txt") + " --output " +
                      dir.file("back.txt"),
                  dir);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(nertool::read_file(dir.file("back.txt")), kIob2);
}

TEST(ConvertCli, CrlfTabsAndLabelColumn) {
  nertool::testing::TempDir dir;
  // The chunk column (2) is converted; CRLF, tabs and the missing final newline are kept.
  write_text(dir.file("in.txt"), "a\tB-NP\tO\r\nb\tI-NP\tO\r\n\r\nc\tB-VP\tO");
  ConvertRun r = run_convert("convert --scheme BILOU --label-column 1 --input " + dir.file("in.txt") + " --output " +
                                 dir.file("out.txt"),
                             dir);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(nertool::read_file(dir.file("out.txt")), "a\tB-NP\tO\r\nb\tL-NP\tO\r\n\r\nc\tU-VP\tO");
}

TEST(ConvertCli, LabelColumnsOnly) {
  nertool::testing::TempDir dir;
  write_text(dir.file("in.txt"), kIob2);
  ConvertRun r = run_convert("convert --scheme IOE2 --columns label --input " + dir.file("in.txt") + " --output " +
                                 dir.file("out.txt"),
                             dir);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(nertool::read_file(dir.file("out.txt")),
            "-DOCSTART- O\n\nEU E-ORG\nrejects O\nPeter I-PER\nBlackburn E-PER\nSmith E-PER\n\nParis E-LOC\n\n");
}

TEST(ConvertCli, BadInputNamesFileAndLineAndWritesNothing) {
  nertool::testing::TempDir dir;
  // I-PER after O: not IOB2; B- with I- after O fits no scheme.
  write_text(dir.file("bad.txt"), "x O\n\na B-LOC\nb O\nc I-PER\n\n");
  ConvertRun r = run_convert("convert --scheme IOBES --from-scheme IOB2 --input " + dir.file("bad.txt") +
                                 " --output " + dir.file("out.txt"),
                             dir);
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find(dir.file("bad.txt") + ":5:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("I-PER"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("out.txt")));

  r = run_convert("convert --scheme IOBES --input " + dir.file("bad.txt") + " --output " + dir.file("out.txt"), dir);
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find(dir.file("bad.txt") + ":5:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("fit no tag scheme"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("out.txt")));

  write_text(dir.file("cols.txt"), "a X B-LOC\nb O\n");
  r = run_convert("convert --scheme IOBES --input " + dir.file("cols.txt") + " --output " + dir.file("out.txt"), dir);
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find(dir.file("cols.txt") + ":2: inconsistent column count"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("out.txt")));
  // Nothing but the stderr capture was left in the folder (no temporary files either).
  std::size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) files += e.path().filename() != "stderr.txt";
  EXPECT_EQ(files, 2u);  // bad.txt and cols.txt

  r = run_convert("convert --input " + dir.file("cols.txt") + " --output " + dir.file("out.txt"), dir);
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("--scheme"), std::string::npos) << r.err;
  r = run_convert("convert --scheme IOB3 --input " + dir.file("bad.txt") + " --output " + dir.file("out.txt"), dir);
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("unknown tag scheme"), std::string::npos) << r.err;
}

TEST(ConvertCli, HelpExplainsFlags) {
  nertool::testing::TempDir dir;
  ConvertRun r = run_convert("convert --help", dir);
  EXPECT_EQ(r.status, 0);
  for (const char* flag : {"--scheme", "--input", "--output", "--from-scheme", "--label-column", "--columns"})
    EXPECT_NE(r.out.find(flag), std::string::npos) << flag;
}

// The real test file through every scheme and back: byte-identical.
TEST(ConvertCli, Conll2003TestRoundTripThroughEveryScheme) {
  NERTOOL_REQUIRE_SHARED("data/conll2003/test.txt");
  nertool::testing::TempDir dir;
  const std::string original = nertool::testing::shared_path("data/conll2003/test.txt");
  for (const char* scheme : {"IOB1", "IOE1", "IOE2", "IOBES", "BILOU"}) {
    ConvertRun r = run_convert(std::string("convert --scheme ") + scheme + " --input " + original + " --output " +
                                   dir.file("x.txt"),
                               dir);
    ASSERT_EQ(r.status, 0) << r.err;
    r = run_convert("convert --scheme IOB2 --input " + dir.file("x.txt") + " --output " + dir.file("y.txt"), dir);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find(std::string("detected source tag scheme ") + scheme), std::string::npos) << r.err;
    EXPECT_TRUE(nertool::read_file(dir.file("y.txt")) == nertool::read_file(original)) << scheme;
  }
}

}  // namespace
