// scripts/reproduce_table3.sh end to end, so that the script and every row's config cannot rot: every row of the
// seed's Table 3 for one epoch on a slice of CoNLL-2003, with the tiny Hugging Face fixtures converted as
// stand-in weights for the transformer rows; then the `best` recipe, a row without weights and the gate.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "cli_runner.h"
#include "nertool/core/atomic_file.h"
#include "test_paths.h"

namespace {

namespace fs = std::filesystem;
using nertool::testing::CliResult;
using nertool::testing::nertool_binary;
using nertool::testing::run_nertool;
using nertool::testing::run_shell;
using nertool::testing::shared_dir;
using nertool::testing::shared_path;
using nertool::testing::source_path;
using nertool::testing::TempDir;

// Converts hf-tiny fixtures into `weights`/<folder> for each (fixture, folder) pair.
void convert_stand_ins(const TempDir& dir, const std::string& weights,
                       const std::vector<std::pair<std::string, std::string>>& pairs) {
  for (const auto& [fixture, folder] : pairs) {
    CliResult r = run_nertool("convert --from hf " + shared_path("fixtures/hf-tiny/" + fixture) + " --to " +
                                  weights + "/" + folder,
                              dir);
    ASSERT_EQ(r.status, 0) << r.err;
  }
}

// reproduce_table3.sh ARGS on a slice (60 training sentences, 30 valid and test ones), one epoch, one thread.
CliResult reproduce(const TempDir& dir, const std::string& args) {
  return run_shell("NERTOOL=" + nertool_binary() + " NERTOOL_SHARED_DIR=" + shared_dir() + " bash " +
                       source_path("scripts/reproduce_table3.sh") + " " + args +
                       " --sentences 60 --eval-sentences 30 --threads 1 --set train.max_epochs=1 --runs " +
                       dir.file("runs") + " --results " + dir.file("results"),
                   dir);
}

nlohmann::json result(const TempDir& dir, const std::string& name) {
  return nlohmann::json::parse(nertool::read_file(dir.file("results/" + name + ".json")));
}

bool have_gnuplot() { return std::system("command -v gnuplot >/dev/null 2>&1") == 0; }

TEST(ReproduceTable3, AllRowsRunAndPrintTheTableBesideTheSeeds) {
  NERTOOL_REQUIRE_SHARED("data/conll2003/train.txt");
  NERTOOL_REQUIRE_SHARED("fixtures/hf-tiny/bert/config.json");
  NERTOOL_REQUIRE_SHARED("fixtures/hf-tiny/roberta/config.json");
  TempDir dir;
  const std::string weights = dir.file("weights");
  convert_stand_ins(dir, weights, {{"bert", "bert-base-cased"}, {"roberta", "roberta-base"},
                                   {"roberta", "news_roberta_base"}});
  // A low expectation for one row: the gate runs and passes.
  nertool::write_file_atomic(dir.file("expect.json"),
                             R"({"bilstm_cnn-random-n60-seed42": {"valid_f1": 0, "test_f1": 0}})");
  CliResult r = reproduce(dir, "all --weights " + weights + " --expect " + dir.file("expect.json") + " --tolerance 1");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("gate: passed: 1 row(s) checked, each within 1 F1 of its expectation"), std::string::npos) << r.err;
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"bilstm_cnn", "bilstm_cnn-random-n60-seed42"}, {"bilstm_cnn_crf", "bilstm_cnn_crf-random-n60-seed42"},
      {"bert_base_cased", "bert_base_cased-n60-seed42"}, {"roberta_base", "roberta_base-n60-seed42"},
      {"roberta_news", "roberta_news-n60-seed42"}};
  for (const auto& [row, name] : rows) {
    EXPECT_NE(r.out.find("| " + row + " | paper | " + name + " | "), std::string::npos) << row << "\n" << r.out;
    nlohmann::json res = result(dir, name);
    EXPECT_EQ(res["epochs"], 1) << name;
    EXPECT_TRUE(res["valid_f1"].is_number() && res["test_f1"].is_number()) << res.dump();
    EXPECT_GE(res["test_f1"].get<double>(), 0.0);
    EXPECT_LE(res["test_f1"].get<double>(), 100.0);
    EXPECT_TRUE(fs::exists(dir.file("runs/" + name + "/model.pt"))) << name;
    if (have_gnuplot()) EXPECT_TRUE(fs::exists(dir.file("results/plots/" + name + ".png"))) << name;
  }
  // The seed's test F1 and the best published figure stand beside nertool's.
  EXPECT_NE(r.out.find(" | 89.10 | 91.62 | 1 | "), std::string::npos) << r.out;  // bilstm_cnn
  EXPECT_NE(r.out.find(" | 91.25 | 92.40 | 1 | "), std::string::npos) << r.out;  // bert_base_cased
  EXPECT_NE(r.out.find(" | 78.43 | — | 1 | "), std::string::npos) << r.out;      // roberta_news
  EXPECT_EQ(nertool::read_file(dir.file("results/table3_paper.md")), r.out);
  // Every run is also appended to the log of runs.
  const std::string log = nertool::read_file(dir.file("results/table3.md"));
  for (const auto& row : rows) EXPECT_NE(log.find("| " + row.second + " | "), std::string::npos) << log;
}

TEST(ReproduceTable3, BestRecipeSkipsRowsWithoutWeightsAndTheGateFails) {
  NERTOOL_REQUIRE_SHARED("data/conll2003/train.txt");
  NERTOOL_REQUIRE_SHARED("data/ontonotes5/train.txt");
  NERTOOL_REQUIRE_SHARED("fixtures/hf-tiny/bert/config.json");
  TempDir dir;
  const std::string weights = dir.file("weights");
  convert_stand_ins(dir, weights, {{"bert", "bert-base-cased"}});
  // An expectation no one-epoch run can meet.
  nertool::write_file_atomic(dir.file("expect.json"),
                             R"({"bert_base_cased-best-n60-seed42": {"valid_f1": 0, "test_f1": 99.5}})");
  CliResult r = reproduce(dir, "all --recipe best --weights " + weights + " --expect " + dir.file("expect.json") +
                                   " --tolerance 0.5");
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.err.find("gate: FAIL bert_base_cased-best-n60-seed42 test_f1"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("gate: bilstm_cnn-random-lex-best-n60-seed42 has no recorded expectation"), std::string::npos);
  // The rows without weights say how to get them and are skipped, not failed.
  EXPECT_NE(r.err.find("skipping roberta_news: no converted weights in " + weights +
                       "/news_roberta_base (get them with scripts/get_pretrained.sh allenai/news_roberta_base"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.out.find("| roberta_base | — | skipped: no weights"), std::string::npos) << r.out;
  // best: lexicon features for the BiLSTM rows, document context for the transformers.
  for (const std::string name : {"bilstm_cnn-random-lex-best-n60-seed42", "bilstm_cnn_crf-random-lex-best-n60-seed42",
                                 "bert_base_cased-best-n60-seed42"}) {
    nlohmann::json res = result(dir, name);
    EXPECT_EQ(res["recipe"], "best");
    auto config = nlohmann::json::parse(nertool::read_file(dir.file("runs/" + name + "/config.json")));
    if (name.rfind("bert", 0) == 0)
      EXPECT_EQ(config["model"]["document_context"], true);
    else
      EXPECT_NE(config["model"]["bilstm_cnn"]["lexicon"].get<std::string>(), "");
  }
}

TEST(ReproduceTable3, BadUsageIsRefusedWithExitTwo) {
  TempDir dir;
  const std::string script = "bash " + source_path("scripts/reproduce_table3.sh");
  for (const std::string args : {"", "bilstm", "all --recipe fancy", "all --name x", "bilstm_cnn --tolerance -1",
                                 "bilstm_cnn --sentences"}) {
    CliResult r = run_shell("NERTOOL=" + nertool_binary() + " " + script + " " + args, dir);
    EXPECT_EQ(r.status, 2) << args << ": " << r.err;
    EXPECT_NE(r.err.find("error"), std::string::npos) << args << ": " << r.err;
  }
}

}  // namespace
