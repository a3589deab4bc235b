// `nertool train` data-parallel, through the CLI as users start it: --nproc, torchrun's variables, resume, a
// killed worker, bad settings. Every job meets through a FileStore or on loopback and runs a few seconds.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <torch/torch.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <sstream>
#include <thread>

#include "cli_runner.h"
#include "nertool/core/atomic_file.h"
#include "nertool/train/epoch_record.h"
#include "nertool/train/pretrainer.h"
#include "nertool/train/run_dir.h"
#include "test_paths.h"

namespace {

namespace fs = std::filesystem;
using nertool::testing::CliResult;
using nertool::testing::run_nertool;
using nertool::testing::run_shell;
using nertool::testing::source_path;
using nertool::testing::TempDir;

// A small BiLSTM-CNN on the bundled sample (9 token-budget batches per epoch), one thread per worker; the paper's
// constant learning rate, so that a run stopped at max_epochs 1 and resumed to 3 is the 3-epoch run.
std::string train_args(const std::string& out, const std::string& extra = "") {
  return "train --config " + source_path("configs/bilstm_cnn_paper.json") + " --data " + source_path("data/sample") +
         " --out " + out +
         " --set train.patience=0 --set train.num_threads=1 --set train.device=cpu"
         " --set model.bilstm_cnn.hidden_size=32 --set data.test=test.txt --seed 7 " + extra;
}

const std::string kNoDropout =
    " --set model.bilstm_cnn.dropout=0 --set model.bilstm_cnn.embedding_dropout=0 --set train.max_epochs=3";

std::map<std::string, torch::Tensor> weights(const std::string& run) {
  auto model = nertool::train::load_model(run);
  std::map<std::string, torch::Tensor> out;
  for (const auto& p : model.tagger->named_parameters()) out[p.key()] = p.value().detach().clone();
  return out;
}

// metrics.jsonl without the wall-clock fields.
std::string scores(const std::string& run) {
  std::ostringstream out;
  std::istringstream metrics(nertool::read_file(run + "/metrics.jsonl"));
  for (std::string line; std::getline(metrics, line);) {
    auto j = nlohmann::json::parse(line);
    for (const char* k : {"seconds", "tokens_per_s", "reduce_seconds"}) j.erase(k);
    out << j.dump() << "\n";
  }
  return out.str();
}

TEST(DistributedTrain, TwoWorkersEqualOneProcessOnTheSameGlobalBatches) {
  TempDir dir;
  const std::string two = dir.file("two"), one = dir.file("one");
  CliResult r = run_nertool(train_args(two, "--nproc 2" + kNoDropout), dir);
  ASSERT_EQ(r.status, 0) << r.err;
  r = run_nertool(train_args(one, "--set train.accumulate_batches=2" + kNoDropout), dir);
  ASSERT_EQ(r.status, 0) << r.err;

  const auto a = weights(two), b = weights(one);
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, t] : a) EXPECT_TRUE(torch::allclose(t, b.at(name), 1e-5, 1e-6)) << name;
  EXPECT_EQ(scores(two), scores(one));
  const auto meta = nlohmann::json::parse(nertool::read_file(two + "/metadata.json"));
  EXPECT_EQ(meta.at("workers"), 2);
  EXPECT_EQ(meta.at("epochs"), 3);
  // 9 batches in steps of 2: 5 optimizer steps per epoch, counted once however many workers.
  EXPECT_EQ(nlohmann::json::parse(scores(two).substr(0, scores(two).find('\n'))).at("steps"), 5);
}

// Every kind of model trains data-parallel: each is trained with --nproc 2 and as one process accumulating the same
// two batches per step (dropout off, so both draw no random numbers in training); the weights must agree.
struct ModelCase {
  std::string name;
  std::string args;  // config, data and sizes; --out, --init and the mode are added
  std::string init;  // a case whose run to start from (--init), or ""
  std::string needs = "";  // a file under ../shared the case needs (skipped without it)
};

void PrintTo(const ModelCase& c, std::ostream* os) { *os << c.name; }

class EveryModel : public ::testing::TestWithParam<std::vector<ModelCase>> {};

TEST_P(EveryModel, TwoWorkersEqualOneProcessAccumulating) {
  TempDir dir;
  for (const auto& c : GetParam())
    if (!c.needs.empty()) NERTOOL_REQUIRE_SHARED(c.needs);
  for (const auto& c : GetParam()) {
    for (const std::string mode : {"nproc", "accumulate"}) {
      const std::string out = dir.file(c.name + "-" + mode);
      const std::string init = c.init.empty() ? "" : " --init " + dir.file(c.init + "-" + mode);
      CliResult r = run_nertool("train " + c.args + " --out " + out + init + " --set train.num_threads=1 --seed 5" +
                                    (mode == "nproc" ? " --nproc 2" : " --set train.accumulate_batches=2"),
                                dir);
      ASSERT_EQ(r.status, 0) << c.name << " " << mode << ": " << r.err;
    }
    const auto a = weights(dir.file(c.name + "-nproc")), b = weights(dir.file(c.name + "-accumulate"));
    ASSERT_EQ(a.size(), b.size()) << c.name;
    for (const auto& [name, t] : a) EXPECT_TRUE(torch::allclose(t, b.at(name), 1e-5, 1e-6)) << c.name << " " << name;
    EXPECT_EQ(scores(dir.file(c.name + "-nproc")), scores(dir.file(c.name + "-accumulate"))) << c.name;
  }
}

const std::string kSample = " --data " + source_path("data/sample") + " --set train.max_epochs=2";
const std::string kSmallBilstm =
    " --set model.bilstm_cnn.dropout=0 --set model.bilstm_cnn.embedding_dropout=0 --set model.bilstm_cnn.word_dim=16"
    " --set model.bilstm_cnn.hidden_size=24 --set model.bilstm_cnn.char_filters=8";
const std::string kConllTaxonomy = source_path("configs/taxonomies/conll2003.json");

INSTANTIATE_TEST_SUITE_P(
    Models, EveryModel,
    ::testing::Values(
        std::vector<ModelCase>{{"crf", "--config " + source_path("configs/bilstm_cnn_paper.json") + kSample + kSmallBilstm +
                                            " --set model.decoder=crf", ""}},
        std::vector<ModelCase>{
            {"multitask", "--config " + source_path("configs/multitask_pretrain.json") + kSample + kSmallBilstm +
                              " --set data.valid=valid.txt --set data.test=test.txt --set train.batch_sentences=16"
                              " --set model.multitask.taxonomy=" + kConllTaxonomy, ""},
            {"finetune", "--config " + source_path("configs/multitask_finetune.json") + kSample + kSmallBilstm +
                             " --set train.batch_sentences=16 --set model.multitask.taxonomy=" + kConllTaxonomy +
                             " --set model.multitask.target_taxonomy=" + kConllTaxonomy, "multitask"}},
        std::vector<ModelCase>{{"bert", "--config " + source_path("tests/train/tiny_bert.json") + kSample +
                                            " --set model.tokenizer=" +
                                            nertool::testing::shared_path("data/tokenizers/bert-base-cased"),
                                "", "data/tokenizers/bert-base-cased/vocab.txt"}}),
    [](const auto& info) { return info.param.front().name; });

std::vector<nertool::train::EpochRecord> epoch_records(const std::string& run) {
  std::vector<nertool::train::EpochRecord> out;
  std::istringstream metrics(nertool::read_file(run + "/metrics.jsonl"));
  for (std::string line; std::getline(metrics, line);)
    out.push_back(nertool::train::EpochRecord::from_json(nlohmann::json::parse(line)));
  return out;
}

// Pretraining is another task of the same loop: two workers equal one process accumulating their two batches
// (masks are drawn per batch from the seed, so both see the same ones).
TEST(DistributedPretrain, TwoWorkersEqualOneProcessAccumulating) {
  NERTOOL_REQUIRE_SHARED("fixtures/hf-tiny-mlm/roberta/vocab.json");
  TempDir dir;
  for (const std::string mode : {"nproc", "accumulate"}) {
    CliResult r = run_nertool("pretrain --config " + source_path("tests/train/tiny_roberta_pretrain.json") +
                                  " --data " + source_path("data/sample") + " --out " + dir.file(mode) +
                                  " --set model.tokenizer=" + nertool::testing::shared_path("fixtures/hf-tiny-mlm/roberta") +
                                  " --set train.num_threads=1 --seed 5" +
                                  (mode == "nproc" ? " --nproc 2" : " --set train.accumulate_batches=2"),
                              dir);
    ASSERT_EQ(r.status, 0) << mode << ": " << r.err;
  }
  auto a = nertool::train::load_masked_lm(dir.file("nproc")).model->named_parameters();
  auto b = nertool::train::load_masked_lm(dir.file("accumulate")).model->named_parameters();
  ASSERT_EQ(a.size(), b.size());
  for (const auto& item : a)
    EXPECT_TRUE(torch::allclose(item.value(), b[item.key()], 1e-5, 1e-6)) << item.key();
  const auto epochs_a = epoch_records(dir.file("nproc"));
  const auto epochs_b = epoch_records(dir.file("accumulate"));
  ASSERT_EQ(epochs_a.size(), 2u);
  ASSERT_EQ(epochs_b.size(), 2u);
  for (std::size_t e = 0; e < 2; ++e) {
    EXPECT_EQ(epochs_a[e].steps, epochs_b[e].steps);
    EXPECT_NEAR(epochs_a[e].train_loss, epochs_b[e].train_loss, 1e-5);
    EXPECT_NEAR(*epochs_a[e].dev_loss, *epochs_b[e].dev_loss, 1e-5);
  }
}

TEST(DistributedTrain, ATwoWorkerRunResumesToTheUninterruptedResult) {
  TempDir dir;
  const std::string whole = dir.file("whole"), parts = dir.file("parts");
  // Dropout on: each worker's own random stream must be saved and restored.
  CliResult r = run_nertool(train_args(whole, "--nproc 2 --set train.max_epochs=3"), dir);
  ASSERT_EQ(r.status, 0) << r.err;
  r = run_nertool(train_args(parts, "--nproc 2 --set train.max_epochs=1"), dir);
  ASSERT_EQ(r.status, 0) << r.err;
  r = run_nertool(train_args(parts, "--nproc 2 --resume --set train.max_epochs=3"), dir);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(scores(parts), scores(whole));
  EXPECT_EQ(nertool::read_file(parts + "/model.pt"), nertool::read_file(whole + "/model.pt"));

  // Another number of workers would cut the steps differently: refused, the run left as it was.
  r = run_nertool(train_args(parts, "--resume --set train.max_epochs=4"), dir);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("the run was trained with 2"), std::string::npos) << r.err;
  EXPECT_EQ(scores(parts), scores(whole));
}

// Starts `nertool train` as worker `rank` of 2 with torchrun-style variables; returns its pid.
pid_t start_worker(int rank, const std::string& store, const std::string& args, const std::string& err) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setenv("RANK", std::to_string(rank).c_str(), 1);
    ::setenv("WORLD_SIZE", "2", 1);
    ::setenv("NERTOOL_STORE_FILE", store.c_str(), 1);
    const int null_fd = ::open("/dev/null", O_WRONLY), err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(null_fd, 1);
    ::dup2(err_fd, 2);
    std::vector<std::string> words{nertool::testing::nertool_binary()};
    std::istringstream in(args);
    for (std::string w; in >> w;) words.push_back(w);
    std::vector<char*> argv;
    for (auto& w : words) argv.push_back(w.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());  // nertool execs nertool-torch in place: the pid stays the worker's
    ::_exit(127);
  }
  return pid;
}

TEST(DistributedTrain, AKilledWorkerEndsTheOtherWithinTheTimeout) {
  TempDir dir;
  const std::string run = dir.file("run");
  const std::string args = train_args(run, "--set train.max_epochs=200 --dist-timeout 20");
  const pid_t writer = start_worker(0, dir.file("store"), args, dir.file("err0"));
  const pid_t other = start_worker(1, dir.file("store"), args, dir.file("err1"));
  // Kill worker 1 mid-run, once the first checkpoint is there.
  for (int i = 0; i < 600 && !fs::exists(run + "/checkpoint.pt"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(fs::exists(run + "/checkpoint.pt"));
  ::kill(other, SIGKILL);
  int status = 0;
  ::waitpid(other, &status, 0);
  const auto start = std::chrono::steady_clock::now();
  while (::waitpid(writer, &status, WNOHANG) == 0 &&
         std::chrono::steady_clock::now() - start < std::chrono::seconds(60))
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(WIFEXITED(status)) << "worker 0 still running " << seconds << " s after worker 1 was killed";
  EXPECT_NE(WEXITSTATUS(status), 0);
  EXPECT_LT(seconds, 30.0);
  const std::string err = nertool::read_file(dir.file("err0"));
  EXPECT_NE(err.find("worker 0 of 2"), std::string::npos) << err;
  // What worker 0 finished is kept: the run resumes (here alone: refused, as it was trained with 2 workers).
  EXPECT_TRUE(fs::exists(run + "/checkpoint.pt"));
}

TEST(DistributedTrain, BadSettingsAreClearErrors) {
  TempDir dir;
  const std::string args = train_args(dir.file("run"), "--set train.max_epochs=1");
  CliResult r = run_shell("RANK=2 WORLD_SIZE=2 NERTOOL_STORE_FILE=" + dir.file("s") + " " +
                              nertool::testing::nertool_binary() + " " + args,
                          dir);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("RANK=2 is not below WORLD_SIZE=2"), std::string::npos) << r.err;
  r = run_shell("RANK=0 WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 " + nertool::testing::nertool_binary() + " " + args, dir);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("MASTER_PORT is not set"), std::string::npos) << r.err;
  const auto start = std::chrono::steady_clock::now();
  r = run_shell("RANK=1 WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=9 " + nertool::testing::nertool_binary() +
                    " " + args + " --dist-timeout 2",
                dir);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("could not join through TCPStore 127.0.0.1:9"), std::string::npos) << r.err;
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 30.0);
  EXPECT_FALSE(fs::exists(dir.file("run"))) << "nothing written by a job that never started";
  r = run_shell("WORLD_SIZE=2 RANK=0 NERTOOL_STORE_FILE=" + dir.file("s2") + " " + nertool::testing::nertool_binary() +
                    " " + args + " --nproc 2",
                dir);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--nproc starts its own workers"), std::string::npos) << r.err;
}

}  // namespace
