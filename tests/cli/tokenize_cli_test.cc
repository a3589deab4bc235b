// `nertool tokenize` end to end: the JSONL it prints for CoNLL-2003 valid equals the Hugging Face reference files
// byte for byte, it runs the SentencePiece tokenizer in both front ends (nertool-torch links LibTorch), and it
// reports bad input.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "nertool/core/atomic_file.h"
#include "cli_runner.h"
#include "test_paths.h"

namespace {

using nertool::testing::shared_path;
using nertool::testing::TempDir;
using nertool::testing::CliResult;

CliResult run_tokenize(const std::string& args, const TempDir& tmp) {
  return nertool::testing::run_nertool("tokenize " + args, tmp);
}

void expect_same_lines(const std::string& got, const std::string& reference_path) {
  std::istringstream a(got);
  std::ifstream b(reference_path);
  std::string la, lb;
  int line = 0, diffs = 0;
  while (true) {
    bool ga = static_cast<bool>(std::getline(a, la)), gb = static_cast<bool>(std::getline(b, lb));
    if (!ga && !gb) break;
    ++line;
    if (!ga || !gb || la != lb) {
      if (++diffs <= 3) ADD_FAILURE() << "line " << line << "\n  got:  " << la << "\n  want: " << lb;
    }
  }
  EXPECT_EQ(diffs, 0) << "of " << line << " lines";
  EXPECT_GT(line, 3000);
}

TEST(TokenizeCli, ConllValidMatchesReferenceBytewise) {
  NERTOOL_REQUIRE_SHARED("data/conll2003/valid.txt");
  NERTOOL_REQUIRE_SHARED("fixtures/tokenizer-reference/conll2003-valid.bert.jsonl");
  TempDir tmp;
  for (const char* model : {"bert", "roberta"}) {
    const std::string dir = std::string(model) == "bert" ? "bert-base-cased" : "roberta-base";
    CliResult r = run_tokenize("--tokenizer " + shared_path("data/tokenizers/" + dir) + " --input " +
                                   shared_path("data/conll2003/valid.txt"),
                               tmp);
    ASSERT_EQ(r.status, 0) << r.err;
    expect_same_lines(r.out, shared_path(std::string("fixtures/tokenizer-reference/conll2003-valid.") + model +
                                         ".jsonl"));
  }
}

// nertool-torch links LibTorch and loads SentencePiece (each with a protobuf): both front ends must start and
// tokenize with XLM-R.
TEST(TokenizeCli, XlmRobertaModelDirectoryInBothFrontEnds) {
  NERTOOL_REQUIRE_SHARED("fixtures/hf-tiny/xlm-roberta/reference.json");
  TempDir tmp;
  nlohmann::json ref = nlohmann::json::parse(nertool::read_file(shared_path("fixtures/hf-tiny/xlm-roberta/reference.json")));
  std::string conll;
  for (const auto& s : ref["sentences"]) {
    for (const auto& w : s["words"]) conll += w.get<std::string>() + " O\n";
    conll += "\n";
  }
  nertool::write_file_atomic(tmp.file("in.conll"), conll);
  for (const std::string& binary : {nertool::testing::nertool_binary(), nertool::testing::torch_front_end_binary()}) {
  SCOPED_TRACE(binary);
  CliResult r = nertool::testing::run_shell(binary + " tokenize --model " + shared_path("fixtures/hf-tiny/xlm-roberta") +
                                                " --input " + tmp.file("in.conll") + " --tokens",
                                            tmp);
  ASSERT_EQ(r.status, 0) << r.err;
  std::istringstream lines(r.out);
  std::string line;
  std::size_t i = 0;
  while (std::getline(lines, line)) {
    ASSERT_LT(i, ref["sentences"].size());
    auto got = nlohmann::json::parse(line);
    const auto& want = ref["sentences"][i];
    EXPECT_EQ(got["words"], want["words"]);
    EXPECT_EQ(got["input_ids"], want["input_ids"]) << line;
    EXPECT_EQ(got["word_first_subword"], want["word_first_subword"]) << line;
    EXPECT_EQ(got["tokens"].size(), want["tokens"].size());
    ++i;
  }
  EXPECT_EQ(i, ref["sentences"].size());
  }
}

TEST(TokenizeCli, TextInputIsSplitIntoWords) {
  NERTOOL_REQUIRE_SHARED("data/tokenizers/bert-base-cased/vocab.txt");
  TempDir tmp;
  nertool::write_file_atomic(tmp.file("in.txt"), "Hello, my dog is cute\n\n(Reuters) U.S.-based\n");
  CliResult r = run_tokenize("--tokenizer " + shared_path("data/tokenizers/bert-base-cased") +
                                 " --format text --input " + tmp.file("in.txt"),
                             tmp);
  ASSERT_EQ(r.status, 0) << r.err;
  std::istringstream lines(r.out);
  std::string first, second, extra;
  ASSERT_TRUE(std::getline(lines, first));
  ASSERT_TRUE(std::getline(lines, second));
  EXPECT_FALSE(std::getline(lines, extra));  // the blank line is no sentence
  // HF's documentation example: "Hello, my dog is cute" -> [101, 8667, 117, 1139, 3676, 1110, 10509, 102].
  EXPECT_EQ(first,
            "{\"words\": [\"Hello\", \",\", \"my\", \"dog\", \"is\", \"cute\"], \"input_ids\": [101, 8667, 117, 1139, "
            "3676, 1110, 10509, 102], \"word_first_subword\": [1, 2, 3, 4, 5, 6]}");
  EXPECT_EQ(nlohmann::json::parse(second)["words"].size(), 4u);
}

TEST(TokenizeCli, BadInputIsReportedWithFileAndLine) {
  NERTOOL_REQUIRE_SHARED("data/tokenizers/bert-base-cased/vocab.txt");
  TempDir tmp;
  nertool::write_file_atomic(tmp.file("bad.conll"), "EU B-ORG\nrejects O\n\nok O\nbad\n");
  CliResult r = run_tokenize("--tokenizer " + shared_path("data/tokenizers/bert-base-cased") + " --input " +
                                 tmp.file("bad.conll"),
                             tmp);
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("bad.conll"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("5"), std::string::npos) << r.err;  // the line of the inconsistent column count
  r = run_tokenize("--tokenizer " + tmp.path() + " --input " + tmp.file("bad.conll"), tmp);
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("no tokenizer files"), std::string::npos) << r.err;
}

}  // namespace
