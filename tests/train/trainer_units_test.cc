// The trainer's units alone: early stopping, training data, the checkpointer and the metadata writer.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>

#include "error_of.h"
#include "nertool/core/error.h"
#include "nertool/train/checkpoint.h"
#include "nertool/train/early_stopping.h"
#include "nertool/train/run_metadata.h"
#include "nertool/train/training_data.h"
#include "test_paths.h"

namespace nertool::train {
namespace {

using nertool::testing::error_of;
using nertool::testing::source_path;
using nertool::testing::TempDir;

TEST(EarlyStopping, KeepsTheBestAndStopsAfterPatienceBadEpochs) {
  EarlyStopping s;
  s.patience = 2;
  EXPECT_TRUE(s.observe(1, 0.5, 10));
  EXPECT_FALSE(s.observe(2, 0.4, 10));
  EXPECT_TRUE(s.observe(3, 0.6, 10));
  EXPECT_FALSE(s.observe(4, 0.6, 10)) << "a tie is no improvement";
  EXPECT_FALSE(s.stopped);
  EXPECT_FALSE(s.observe(5, 0.55, 10));
  EXPECT_TRUE(s.stopped);
  EXPECT_EQ(s.best_epoch, 3);
  EXPECT_DOUBLE_EQ(s.best_dev_f1, 0.6);
}

TEST(EarlyStopping, PatienceZeroNeverStopsAndTheLastEpochIsNoEarlyStop) {
  EarlyStopping never;
  for (int e = 1; e <= 20; ++e) never.observe(e, 0.1, 50);
  EXPECT_FALSE(never.stopped);
  EarlyStopping last;
  last.patience = 1;
  last.observe(1, 0.5, 2);
  last.observe(2, 0.4, 2);
  EXPECT_FALSE(last.stopped) << "stopping at the last epoch is just the end";
}

TEST(TrainingData, ReadsHashesAndChecksTheSample) {
  DataConfig config;
  config.test = "test.txt";
  auto files = locate_data_files(config, source_path("data/sample"));
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].sha256.size(), 64u);
  config.tag_scheme = "auto";
  const TrainingData data = read_training_data(files, config);
  EXPECT_EQ(data.train().corpus.sentences.size(), 150u);
  ASSERT_NE(data.test(), nullptr);
  EXPECT_EQ(data.hashes().at("data.valid"), files[1].sha256);
}

TEST(TrainingData, MissingFilesAndBadLabelsNameTheKeyOrLine) {
  DataConfig config;
  config.valid = "nope.txt";
  EXPECT_NE(error_of([&] { locate_data_files(config, source_path("data/sample")); }).find("data.valid: cannot open"),
            std::string::npos);
  TempDir dir;
  std::ofstream(dir.file("train.txt")) << "EU I-ORG\nrejects O\n\n";
  std::ofstream(dir.file("valid.txt")) << "EU B-ORG\n\n";
  DataConfig iob2;
  const std::string message = error_of([&] { read_training_data(locate_data_files(iob2, dir.path()), iob2); });
  EXPECT_NE(message.find("train.txt:1"), std::string::npos) << message;
  EXPECT_NE(message.find("not valid IOB2"), std::string::npos) << message;
}

RunState sample_state() {
  RunState s;
  s.epoch = 2;
  s.step = 18;
  s.stopping.patience = 3;
  s.stopping.observe(1, 0.25, 5);
  s.stopping.observe(2, 0.5, 5);
  s.seconds = 12.5;
  s.shuffle_rng = "42";
  s.hashes = {{"data.train", "abc"}};
  for (int e = 1; e <= 2; ++e) {
    EpochRecord r;
    r.epoch = e;
    r.dev_f1 = e * 0.25;
    r.test_f1 = e * 0.2;
    r.steps = 9 * e;
    s.history.push_back(r);
  }
  return s;
}

TEST(Checkpointer, RoundTripsWeightsMomentsStateAndTheRandomStream) {
  TempDir dir;
  auto workers = make_single_process_communicator();
  torch::manual_seed(3);
  torch::nn::Linear model(4, 3);
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(0.1));
  model(torch::rand({2, 4})).sum().backward();
  optimizer.step();
  Checkpointer checkpointer(dir.file("checkpoint.pt"), *workers);
  checkpointer.save(*model, optimizer, sample_state());
  const auto next_draw = torch::rand({5});

  torch::manual_seed(99);
  torch::nn::Linear other(4, 3);
  torch::optim::Adam other_optimizer(other->parameters(), torch::optim::AdamOptions(0.1));
  const RunState loaded = checkpointer.load(*other, other_optimizer);
  EXPECT_TRUE(torch::equal(torch::rand({5}), next_draw)) << "the random stream continues where it was saved";
  EXPECT_TRUE(torch::equal(other->weight, model->weight));
  EXPECT_EQ(loaded.to_json(), sample_state().to_json());
  // The moments came back: one more identical step keeps the two models identical.
  optimizer.zero_grad();
  other_optimizer.zero_grad();
  for (auto* m : {&model, &other}) (*m)(torch::ones({1, 4})).sum().backward();
  optimizer.step();
  other_optimizer.step();
  EXPECT_TRUE(torch::equal(other->weight, model->weight));
}

TEST(Checkpointer, ARunOfOtherWorkerCountOrBrokenStateIsRefused) {
  TempDir dir;
  auto workers = make_single_process_communicator();
  torch::nn::Linear model(2, 2);
  torch::optim::SGD optimizer(model->parameters(), torch::optim::SGDOptions(0.1));
  RunState two = sample_state();
  two.world_size = 2;
  Checkpointer checkpointer(dir.file("checkpoint.pt"), *workers);
  checkpointer.save(*model, optimizer, two);
  EXPECT_NE(error_of([&] { checkpointer.load(*model, optimizer); }).find("the run was trained with 2"),
            std::string::npos);
  auto broken = sample_state().to_json();
  broken.erase("step");
  EXPECT_EQ(error_of([&] { RunState::from_json(broken, "ckpt"); }), "ckpt: step: missing");
  auto wrong = sample_state().to_json();
  wrong["history"][0]["lr"] = "fast";
  EXPECT_EQ(error_of([&] { RunState::from_json(wrong, "ckpt"); }),
            "ckpt: history[0].lr: expected a number, got a string \"fast\"");
}

TEST(RunMetadata, DescribesTheBestEpochAndTheData) {
  DataConfig config;
  config.test = "test.txt";
  const TrainingData data = read_training_data(locate_data_files(config, source_path("data/sample")), config);
  RunFacts facts;
  facts.seed = 7;
  facts.device = "cpu";
  facts.finished = true;
  facts.labels = 9;
  facts.parameters = 1234;
  const auto meta = run_metadata(sample_state(), data, facts);
  EXPECT_EQ(meta.at("best_epoch"), 2);
  EXPECT_DOUBLE_EQ(meta.at("dev").at("f1").get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(meta.at("test").at("f1").get<double>(), 0.4);
  EXPECT_EQ(meta.at("workers"), 1);
  EXPECT_EQ(meta.at("data").at("train").at("sentences"), 150);
  EXPECT_EQ(meta.at("tag_scheme"), "IOB2");
  EXPECT_EQ(meta.at("parameters"), 1234);
}

}  // namespace
}  // namespace nertool::train
