// `nertool train` / `predict` / `eval --model` end to end through the built binary: errors are clear and exit
// non-zero; with the BiLSTM-CNN encoder registered, a tiny run trains, predicts and evaluates.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "nertool/core/atomic_file.h"
#include "nertool/models/tagger.h"
#include "cli_runner.h"
#include "test_paths.h"

namespace {

namespace fs = std::filesystem;
using nertool::testing::nertool_binary;
using nertool::testing::source_path;
using nertool::testing::TempDir;

struct Run {
  int status;
  std::string output;  // stdout and stderr together
};

Run run(const std::string& args) {
  std::string cmd = nertool_binary() + " " + args + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  Run r{-1, ""};
  if (!p) return r;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

// Runs a shell line that echoes exit statuses, one per line; returns them.
std::vector<int> run_shell_statuses(const std::string& line) {
  FILE* p = ::popen(("bash -c '" + line + "'").c_str(), "r");
  std::vector<int> out;
  if (!p) return out;
  int v;
  while (std::fscanf(p, "%d", &v) == 1) out.push_back(v);
  ::pclose(p);
  return out;
}

std::string sample_config(const TempDir& dir, const std::string& encoder = "test_bag") {
  std::string path = dir.file("config.json");
  nertool::write_file_atomic(path, nlohmann::json{{"model", {{"encoder", encoder}}},
                                                  {"train", {{"batch_tokens", 200}, {"max_epochs", 1}}}}
                                       .dump());
  return path;
}

TEST(TrainCli, DumpConfigAppliesOverrides) {
  TempDir dir;
  auto r = run("train --config " + sample_config(dir) + " --set train.lr=0.25 --set data.test=test.txt --seed 5 --dump-config");
  ASSERT_EQ(r.status, 0) << r.output;
  auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["train"]["lr"], 0.25);
  EXPECT_EQ(j["train"]["seed"], 5);
  EXPECT_EQ(j["data"]["test"], "test.txt");
  EXPECT_EQ(j["train"]["optimizer"], "nadam");
}

// Seeds and counts beyond their range are errors naming the key, never clamped or wrapped values.
TEST(TrainCli, OutOfRangeIntegersAreErrors) {
  TempDir dir;
  const std::string config = sample_config(dir);
  auto r = run("train --config " + config + " --seed 9223372036854775808 --dump-config");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("train.seed: integer 9223372036854775808 is out of range"), std::string::npos) << r.output;
  r = run("train --config " + config + " --set train.max_epochs=4294967297 --dump-config");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("train.max_epochs: integer 4294967297 is out of range"), std::string::npos) << r.output;
  r = run("train --config " + config + " --seed 9223372036854775807 --dump-config");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(nlohmann::json::parse(r.output)["train"]["seed"], 9223372036854775807LL);
}

TEST(TrainCli, BadConfigsAndMissingFilesAreClearErrors) {
  TempDir dir;
  std::string cfg = sample_config(dir);
  struct Case {
    std::string args, expect;
  } cases[] = {
      {"train --config " + dir.file("none.json") + " --out " + dir.file("r"), "none.json"},
      {"train --config " + cfg + " --set train.lr=-3 --out " + dir.file("r"), "train.lr: must be > 0"},
      {"train --config " + cfg + " --set train.paitence=3 --out " + dir.file("r"), "did you mean 'train.patience'"},
      {"train --config " + cfg + " --set train.max_epochs=ten --out " + dir.file("r"), "train.max_epochs"},
      {"train --config " + cfg + " --data " + dir.file("nodata") + " --out " + dir.file("r"), "data.train: cannot open"},
      {"train --config " + cfg + " --data " + source_path("data/sample") + " --out " + dir.file("r") +
           " --set data.valid=missing.txt",
       "data.valid: cannot open"},
      {"train --config " + cfg + " --data " + source_path("data/sample"), "--out"},
      {"train --config " + cfg + " --data " + source_path("data/sample") + " --set model.encoder=nosuch --out " +
           dir.file("r"),
       "unknown encoder 'nosuch'"},
      {"predict --model " + dir.file("nomodel") + " --input " + source_path("data/sample/test.txt"), "nomodel"},
  };
  for (const auto& c : cases) {
    auto r = run(c.args);
    EXPECT_NE(r.status, 0) << c.args;
    EXPECT_NE(r.output.find("error: "), std::string::npos) << c.args << "\n" << r.output;
    EXPECT_NE(r.output.find(c.expect), std::string::npos) << c.args << "\n" << r.output;
  }
  std::string bad = dir.file("bad.json");
  nertool::write_file_atomic(bad, "{\"train\": {\"lr\": }}");
  auto r = run("train --config " + bad + " --out " + dir.file("r"));
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("invalid JSON"), std::string::npos) << r.output;
}

// Two runs started on the same --out at the same moment: one trains, the other is refused (exit 2) and removes
// nothing, so the directory holds one run only.
TEST(TrainCli, TwoRunsOnTheSameOutAtOnceNeverMix) {
  TempDir dir;
  const std::string out = dir.file("run");
  const std::string train = nertool_binary() + " train --config " + source_path("configs/bilstm_cnn.json") +
                            " --data " + source_path("data/sample") + " --out " + out +
                            " --set train.max_epochs=1 --set model.bilstm_cnn.hidden_size=16 --set train.device=cpu";
  auto r = run_shell_statuses(train + " --seed 1 >" + dir.file("a.log") + " 2>&1 & a=$!; " + train + " --seed 2 >" +
                              dir.file("b.log") + " 2>&1 & b=$!; wait $a; echo $?; wait $b; echo $?");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ((r[0] == 0) + (r[1] == 0), 1) << nertool::read_file(dir.file("a.log")) << nertool::read_file(dir.file("b.log"));
  EXPECT_EQ((r[0] == 2) + (r[1] == 2), 1);
  const std::string refused = nertool::read_file(dir.file(r[0] == 2 ? "a.log" : "b.log"));
  EXPECT_TRUE(refused.find("is in use by another nertool train") != std::string::npos ||
              refused.find("already exists and is not empty") != std::string::npos ||
              refused.find("was filled by another nertool train") != std::string::npos)
      << refused;
  auto config = nlohmann::json::parse(nertool::read_file(out + "/config.json"));
  EXPECT_EQ(config["train"]["seed"], r[0] == 0 ? 1 : 2);
  EXPECT_TRUE(fs::exists(out + "/model.pt"));
}

TEST(TrainCli, HelpExplainsFlags) {
  auto r = run("train --help");
  EXPECT_EQ(r.status, 0);
  for (const char* flag : {"--config", "--data", "--out", "--set", "--seed", "--resume", "--dump-config", "--init"})
    EXPECT_NE(r.output.find(flag), std::string::npos) << flag;
  r = run("predict --help");
  EXPECT_EQ(r.status, 0);
  for (const char* flag : {"--model", "--input", "--output", "--format", "--input-format", "--probs", "--batch-size"})
    EXPECT_NE(r.output.find(flag), std::string::npos) << flag;
}

// The real thing through the CLI: needs the BiLSTM-CNN encoder and its config.
TEST(TrainCli, TrainPredictEvalWithBilstmCnn) {
  auto names = nertool::models::encoder_names();
  if (std::find(names.begin(), names.end(), "bilstm_cnn") == names.end() ||
      !fs::exists(source_path("configs/bilstm_cnn.json")))
    GTEST_SKIP() << "encoder bilstm_cnn or configs/bilstm_cnn.json not available in this build";
  TempDir dir;
  std::string out = dir.file("run");
  auto r = run("train --config " + source_path("configs/bilstm_cnn.json") + " --data " +
               source_path("data/sample") + " --out " + out +
               " --set train.max_epochs=2 --set train.device=cpu --set data.test=test.txt");
  ASSERT_EQ(r.status, 0) << r.output;
  auto summary = nlohmann::json::parse(r.output.substr(r.output.rfind("{\"")));
  EXPECT_EQ(summary["epochs"], 2);
  r = run("predict --model " + out + " --input " + source_path("data/sample/test.txt") + " --format spans --output " +
          dir.file("spans.jsonl"));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(fs::file_size(dir.file("spans.jsonl")) > 0);
  // eval --model scores exactly as eval --gold on predict's CoNLL output (conlleval counts -DOCSTART- lines).
  auto by_model = nertool::testing::run_nertool("eval --model " + out + " --data " + source_path("data/sample/test.txt"), dir);
  EXPECT_EQ(by_model.status, 0) << by_model.err;
  r = run("predict --model " + out + " --input " + source_path("data/sample/test.txt") + " --format conll --output " +
          dir.file("pred.conll"));
  ASSERT_EQ(r.status, 0) << r.output;
  auto by_files = nertool::testing::run_nertool(
      "eval --gold " + source_path("data/sample/test.txt") + " --pred " + dir.file("pred.conll"), dir);
  EXPECT_EQ(by_files.status, 0) << by_files.err;
  EXPECT_EQ(by_model.out, by_files.out);
  EXPECT_NE(by_model.out.find("processed "), std::string::npos) << by_model.out;
}

// A vector file decides word_dim: the config's 100 gives way to the file's 6 in the saved config, the run predicts,
// and resuming with the same command finds the same config.
TEST(TrainCli, WordDimFollowsTheVectorFile) {
  TempDir dir;
  const std::string vectors = dir.file("v.vec"), out = dir.file("run");
  std::ofstream(vectors) << "3 6\nthe 1 0 0 0 0 1\nof 0 1 0 0 1 0\nGermany 0 0 1 1 0 0\n";
  const std::string train = "train --config " + source_path("configs/bilstm_cnn.json") + " --data " +
                            source_path("data/sample") + " --out " + out +
                            " --set train.max_epochs=1 --set train.device=cpu --set model.bilstm_cnn.embeddings=" +
                            vectors;
  auto r = run(train);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("model.bilstm_cnn.word_dim: 6, the dimension of " + vectors + " (the config said 100)"),
            std::string::npos)
      << r.output;
  auto saved = nlohmann::json::parse(nertool::read_file(out + "/config.json"));
  EXPECT_EQ(saved["model"]["bilstm_cnn"]["word_dim"], 6);
  r = run("predict --model " + out + " --input " + source_path("data/sample/test.txt") + " --format conll --output " +
          dir.file("pred.conll"));
  ASSERT_EQ(r.status, 0) << r.output;
  r = run(train + " --resume");
  EXPECT_EQ(r.status, 0) << r.output;
}

// Lexicon features through the CLI: `nertool lexicon` builds the file, training copies it into the run directory,
// and the model predicts and evaluates from that copy once the original is gone.
TEST(TrainCli, LexiconFeaturesTravelWithTheRunDirectory) {
  TempDir dir;
  const std::string lexicon = dir.file("lexicon.tsv"), out = dir.file("run");
  auto r = run("lexicon --input " + source_path("data/sample/train.txt") + " --output " + lexicon);
  ASSERT_EQ(r.status, 0) << r.output;
  const std::string entries = nertool::read_file(lexicon);
  ASSERT_NE(entries.find("PER\t"), std::string::npos) << entries.substr(0, 200);
  r = run("train --config " + source_path("configs/bilstm_cnn.json") + " --data " + source_path("data/sample") +
          " --out " + out + " --set train.max_epochs=1 --set train.device=cpu --set model.bilstm_cnn.lexicon=" +
          lexicon);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("lexicon of"), std::string::npos) << r.output;
  EXPECT_EQ(nertool::read_file(out + "/bilstm_cnn_lexicon.tsv"), entries);
  fs::remove(lexicon);
  r = run("predict --model " + out + " --input " + source_path("data/sample/test.txt") + " --format conll --output " +
          dir.file("pred.conll"));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_GT(fs::file_size(dir.file("pred.conll")), 0u);
  auto scored = nertool::testing::run_nertool("eval --model " + out + " --data " + source_path("data/sample/test.txt"), dir);
  EXPECT_EQ(scored.status, 0) << scored.err;
  // A lexicon file that does not exist is a clear error at training time.
  r = run("train --config " + source_path("configs/bilstm_cnn.json") + " --data " + source_path("data/sample") +
          " --out " + dir.file("run2") + " --set train.max_epochs=1 --set model.bilstm_cnn.lexicon=" + lexicon);
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("model.bilstm_cnn.lexicon: cannot open"), std::string::npos) << r.output;
}

// The transformer configs end to end through the CLI, on the tiny Hugging Face fixtures converted with
// `nertool convert`: fine-tuning with document context lowers the training loss, and the run directory
// predicts (with per-word label probabilities) and evaluates like any other.
TEST(TrainCli, FineTunesConvertedTinyTransformersWithDocumentContext) {
  for (const auto& [kind, config] : {std::pair<std::string, std::string>{"bert", "configs/bert_base_cased.json"},
                                     {"roberta", "configs/roberta_base.json"}}) {
    SCOPED_TRACE(kind);
    const std::string fixture = nertool::testing::shared_path("fixtures/hf-tiny/" + kind);
    if (!fs::exists(fixture + "/config.json")) GTEST_SKIP() << "shared fixture not found: " << fixture;
    TempDir dir;
    const std::string model = dir.file("model"), out = dir.file("run");
    auto r = run("convert --from hf " + fixture + " --to " + model);
    ASSERT_EQ(r.status, 0) << r.output;
    r = run("train --config " + source_path(config) + " --data " + source_path("data/sample") + " --out " + out +
            " --set model.pretrained=" + model +
            " --set model.document_context=true --set train.max_epochs=3 --set train.batch_sentences=8"
            " --set train.lr=0.001 --set train.device=cpu --seed 3");
    ASSERT_EQ(r.status, 0) << r.output;
    auto summary = nlohmann::json::parse(r.output.substr(r.output.rfind("{\"")));
    EXPECT_EQ(summary["epochs"], 3);
    std::vector<double> losses;
    std::ifstream metrics(out + "/metrics.jsonl");
    for (std::string line; std::getline(metrics, line);) losses.push_back(nlohmann::json::parse(line)["train_loss"]);
    ASSERT_EQ(losses.size(), 3u);
    EXPECT_LT(losses.back(), losses.front());

    r = run("predict --model " + out + " --input " + source_path("data/sample/test.txt") +
            " --format jsonl --probs --output " + dir.file("pred.jsonl"));
    ASSERT_EQ(r.status, 0) << r.output;
    std::ifstream pred(dir.file("pred.jsonl"));
    std::size_t sentences = 0;
    for (std::string line; std::getline(pred, line); ++sentences) {
      auto j = nlohmann::json::parse(line);
      ASSERT_EQ(j["labels"].size(), j["words"].size()) << line;
      ASSERT_EQ(j["probs"].size(), j["words"].size()) << line;
      for (const auto& word : j["probs"]) {
        double sum = 0;
        for (const auto& [label, p] : word.items()) sum += p.get<double>();
        EXPECT_NEAR(sum, 1.0, 1e-4) << line;
      }
    }
    EXPECT_GT(sentences, 10u);
    r = run("eval --model " + out + " --data " + source_path("data/sample/test.txt"));
    EXPECT_EQ(r.status, 0) << r.output;
    EXPECT_NE(r.output.find("micro avg"), std::string::npos) << r.output;
  }
}

}  // namespace
