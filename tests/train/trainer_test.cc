// Trainer, run directories and inference, with the test-only encoder (tests/train/test_models.cc) on the sample
// corpus in data/sample (150/40/40 sentences): each run takes well under a second per epoch.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "nertool/core/atomic_file.h"
#include "nertool/core/error.h"
#include "nertool/train/batching.h"
#include "nertool/predict/evaluate.h"
#include "nertool/predict/predict_file.h"
#include "nertool/train/run_dir.h"
#include "nertool/train/run_dir.h"
#include "nertool/train/trainer.h"
#include "test_models.h"
#include "test_paths.h"

namespace nertool::train {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

Config sample_config(const std::vector<std::string>& overrides = {}) {
  json j = {{"data", {{"train", "train.txt"}, {"valid", "valid.txt"}, {"test", "test.txt"}}},
            {"model", {{"encoder", "test_bag"}, {"decoder", "test_softmax"}, {"dim", 16}, {"dropout", 0.2}}},
            {"train",
             {{"optimizer", "nadam"}, {"lr", 0.02}, {"batch_tokens", 200}, {"max_epochs", 4}, {"patience", 0},
              {"seed", 7}, {"device", "cpu"}, {"num_threads", 1}}}};
  for (const auto& o : overrides) apply_override(j, o);
  return config_from_json(j, "test config");
}

TrainOptions options_for(const Config& c, const std::string& run_dir) {
  nertool::testing::register_test_models();
  TrainOptions o;
  o.config = c;
  o.data_dir = nertool::testing::source_path("data/sample");
  o.run_dir = run_dir;
  o.progress_tty = false;
  return o;
}

std::map<std::string, torch::Tensor> tensors_of(const std::string& run_dir) {
  auto m = load_model(run_dir);
  std::map<std::string, torch::Tensor> out;
  for (const auto& p : m.tagger->named_parameters()) out[p.key()] = p.value().detach().clone();
  return out;
}

void expect_same_history(const TrainResult& a, const TrainResult& b) {
  ASSERT_EQ(a.history.size(), b.history.size());
  for (std::size_t i = 0; i < a.history.size(); ++i) {
    EXPECT_EQ(a.history[i].train_loss, b.history[i].train_loss) << "epoch " << i + 1;
    EXPECT_EQ(a.history[i].dev_f1, b.history[i].dev_f1) << "epoch " << i + 1;
    EXPECT_EQ(a.history[i].test_f1, b.history[i].test_f1) << "epoch " << i + 1;
    EXPECT_EQ(a.history[i].lr, b.history[i].lr) << "epoch " << i + 1;
  }
}

// Interrupted after epoch 2 and resumed: the same weights and the same per-epoch numbers as an uninterrupted run
// (bit for bit on CPU; on CUDA within float noise, since its scatter-add backward sums in no fixed order). A linear
// schedule with warm-up and dropout make the optimizer, schedule and RNG state (CPU, or CUDA's) matter.
void expect_resume_equals_uninterrupted(const std::string& device) {
  nertool::testing::TempDir dir;
  const bool exact = device == "cpu";
  Config c = sample_config({"train.schedule=linear", "train.warmup_ratio=0.1", "train.device=\"" + device + "\""});
  auto straight = train_model(options_for(c, dir.file("straight")));
  ASSERT_TRUE(straight.finished);
  ASSERT_EQ(straight.epochs_done, 4);

  auto first = options_for(c, dir.file("resumed"));
  first.after_epoch = [](int epoch) { return epoch < 2; };
  auto part = train_model(first);
  EXPECT_FALSE(part.finished);
  EXPECT_EQ(part.epochs_done, 2);

  auto second = options_for(c, dir.file("resumed"));
  second.resume = true;
  auto resumed = train_model(second);
  EXPECT_TRUE(resumed.finished);
  EXPECT_EQ(resumed.epochs_done, 4);
  if (exact) {
    expect_same_history(straight, resumed);
    EXPECT_EQ(straight.best_epoch, resumed.best_epoch);
  } else {
    ASSERT_EQ(straight.history.size(), resumed.history.size());
    for (std::size_t i = 0; i < straight.history.size(); ++i)
      EXPECT_NEAR(straight.history[i].train_loss, resumed.history[i].train_loss, 1e-4) << "epoch " << i + 1;
  }

  auto a = tensors_of(dir.file("straight"));
  auto b = tensors_of(dir.file("resumed"));
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, t] : a)
    EXPECT_TRUE(exact ? torch::equal(t, b.at(name)) : torch::allclose(t, b.at(name), 1e-4, 1e-5)) << name;

  // A different seed gives different weights (the comparison above can fail).
  auto other = train_model(options_for(sample_config({"train.schedule=linear", "train.warmup_ratio=0.1",
                                                      "train.seed=8", "train.max_epochs=1"}),
                                       dir.file("other")));
  auto c8 = tensors_of(dir.file("other"));
  EXPECT_FALSE(torch::equal(c8.begin()->second, a.begin()->second));
}

TEST(Trainer, ResumeEqualsUninterrupted) { expect_resume_equals_uninterrupted("cpu"); }

// A run started by an older nertool has no entry for keys added since (train.accumulate_batches came with
// distributed training): it resumes, the missing key taking its default as the run did.
TEST(Trainer, ARunFromBeforeANewConfigKeyResumes) {
  nertool::testing::TempDir dir;
  auto first = options_for(sample_config({"train.max_epochs=1"}), dir.file("old"));
  train_model(first);
  auto saved = read_json_file(dir.file("old/config.json"));
  saved["train"].erase("accumulate_batches");
  write_json_file(dir.file("old/config.json"), saved);
  auto again = options_for(sample_config({"train.max_epochs=2"}), dir.file("old"));
  again.resume = true;
  const auto result = train_model(again);
  EXPECT_EQ(result.epochs_done, 2);
}

TEST(Trainer, ResumeEqualsUninterruptedOnCuda) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  expect_resume_equals_uninterrupted("cuda");
}

TEST(Trainer, RunDirectoryRoundTrip) {
  nertool::testing::TempDir dir;
  const std::string run = dir.file("run");
  auto result = train_model(options_for(sample_config({"train.max_epochs=6"}), run));
  for (const char* f : {"config.json", "labels.json", "model.pt", "checkpoint.pt", "metadata.json", "metrics.jsonl",
                        "test_vocab.json"})
    EXPECT_TRUE(fs::exists(fs::path(run) / f)) << f;
  if (fs::exists("/usr/bin/gnuplot")) {
    ASSERT_TRUE(fs::exists(fs::path(run) / "f1.png"));
    EXPECT_EQ(read_file(run + "/f1.png").substr(1, 3), "PNG");
  }
  // A model that learned nothing predicts O everywhere and scores 0 F1; this tiny bag-of-words tagger reached
  // 0.18 dev F1 in six epochs here (seed 7), so 0.1 shows it learned entities without being fragile.
  EXPECT_GT(result.best_dev_f1, 0.1);
  EXPECT_LT(result.history.back().train_loss, result.history.front().train_loss);

  auto meta = read_json_file(run + "/metadata.json");
  EXPECT_EQ(meta["format_version"], kRunFormatVersion);
  EXPECT_EQ(meta["best_epoch"], result.best_epoch);
  EXPECT_EQ(meta["data"]["train"]["sha256"], sha256_file(nertool::testing::source_path("data/sample/train.txt")));
  std::ifstream metrics(run + "/metrics.jsonl");
  std::string line;
  int lines = 0;
  while (std::getline(metrics, line)) {
    auto j = json::parse(line);
    EXPECT_EQ(j["epoch"], ++lines);
    for (const char* k : {"train_loss", "dev_precision", "dev_recall", "dev_f1", "test_f1", "tokens_per_s",
                          "seconds", "lr"})
      EXPECT_TRUE(j.contains(k)) << k;
  }
  EXPECT_EQ(lines, 6);

  // Saved model, reloaded: scoring the dev file gives exactly the best epoch's dev F1.
  auto eval = predict::evaluate_model(run, nertool::testing::source_path("data/sample/valid.txt"));
  EXPECT_DOUBLE_EQ(eval.report.micro.f1, meta["dev"]["f1"].get<double>());
  EXPECT_DOUBLE_EQ(eval.report.micro.f1, result.best_dev_f1);

  // predict_file in CoNLL gives the same labels, with the input columns kept.
  auto model = load_model(run);
  predict::PredictOptions po;
  po.input = nertool::testing::source_path("data/sample/valid.txt");
  po.output = dir.file("pred.conll");
  po.chunk_sentences = 7;  // several chunks
  po.batch_size = 5;
  auto stats = predict::predict_file(model, po);
  EXPECT_EQ(stats.sentences, eval.corpus.sentences.size());
  data::ReadOptions ro;
  ro.label_column = -1;
  auto tagged = data::read_conll(po.output, ro);
  ASSERT_EQ(tagged.sentences.size(), eval.corpus.sentences.size());
  EXPECT_EQ(tagged.documents.size(), eval.corpus.documents.size());
  for (std::size_t i = 0; i < tagged.sentences.size(); ++i) {
    EXPECT_EQ(tagged.sentences[i].labels, eval.predicted[i]);
    EXPECT_EQ(tagged.sentences[i].tokens, eval.corpus.sentences[i].tokens);
    EXPECT_EQ(tagged.sentences[i].columns[0].size(), eval.corpus.sentences[i].columns[0].size() + 1);
  }

  // jsonl with probabilities: one object per sentence, distributions summing to 1, argmax = label (softmax).
  po.format = predict::OutputFormat::kJsonl;
  po.probs = true;
  po.output = dir.file("pred.jsonl");
  predict::predict_file(model, po);
  std::ifstream jl(po.output);
  std::size_t k = 0;
  while (std::getline(jl, line)) {
    auto j = json::parse(line);
    ASSERT_LT(k, eval.predicted.size());
    EXPECT_EQ(j["labels"].get<std::vector<std::string>>(), eval.predicted[k]);
    for (std::size_t w = 0; w < j["probs"].size(); ++w) {
      double sum = 0, best = -1;
      std::string arg;
      for (const auto& kv : j["probs"][w].items()) {
        sum += kv.value().get<double>();
        if (kv.value().get<double>() > best) best = kv.value().get<double>(), arg = kv.key();
      }
      EXPECT_NEAR(sum, 1.0, 1e-5);
      EXPECT_EQ(arg, eval.predicted[k][w]);
    }
    ++k;
  }
  EXPECT_EQ(k, eval.predicted.size());

  // Plain text in, spans out: character offsets point at the entity text.
  write_file_atomic(dir.file("in.txt"), "Maria Lindqvist flew to Oslo on Monday .\n\nZoë met Tomas Okafor in Lisbon .\n");
  po = predict::PredictOptions();
  po.input = dir.file("in.txt");
  po.input_format = predict::InputFormat::kText;
  po.format = predict::OutputFormat::kSpans;
  po.output = dir.file("spans.jsonl");
  EXPECT_EQ(predict::predict_file(model, po).sentences, 3u);
  std::ifstream sp(po.output);
  std::vector<json> rows;
  while (std::getline(sp, line)) rows.push_back(json::parse(line));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_TRUE(rows[1]["entities"].empty());
  for (const auto& row : rows) {
    for (const auto& e : row["entities"]) {
      std::string t = row["text"];
      EXPECT_GE(e["char_end"].get<std::size_t>(), e["char_start"].get<std::size_t>());
      EXPECT_NE(t.find(e["text"].get<std::string>()), std::string::npos);
    }
  }
}

TEST(Trainer, EarlyStoppingWithPatience) {
  nertool::testing::TempDir dir;
  // A learning rate this small leaves dev F1 unchanged, so the run stops after `patience` flat epochs.
  auto r = train_model(options_for(sample_config({"train.lr=1e-12", "train.patience=2", "train.max_epochs=10"}),
                                   dir.file("run")));
  EXPECT_TRUE(r.stopped_early);
  EXPECT_EQ(r.epochs_done, 3);
  EXPECT_EQ(r.best_epoch, 1);
  // Resuming a run that stopped early does nothing more.
  auto again = options_for(sample_config({"train.lr=1e-12", "train.patience=2", "train.max_epochs=10"}), dir.file("run"));
  again.resume = true;
  EXPECT_EQ(train_model(again).epochs_done, 3);
}

TEST(Trainer, ClearErrors) {
  nertool::testing::TempDir dir;
  auto missing = options_for(sample_config({"data.train=nope.txt"}), dir.file("a"));
  try {
    train_model(missing);
    FAIL();
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("data.train"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("nope.txt"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(dir.file("a")));  // nothing written before the inputs are checked

  auto bad_labels = options_for(sample_config({"data.tag_scheme=IOBES"}), dir.file("b"));
  try {
    train_model(bad_labels);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(e.file().find("train.txt"), std::string::npos);
    EXPECT_GT(e.line(), 0u);
  }

  fs::create_directories(dir.file("busy"));
  write_file_atomic(dir.file("busy/x"), "x");
  EXPECT_THROW(train_model(options_for(sample_config(), dir.file("busy"))), ConfigError);
  auto no_ckpt = options_for(sample_config(), dir.file("empty"));
  no_ckpt.resume = true;
  EXPECT_THROW(train_model(no_ckpt), IoError);

  auto one = options_for(sample_config({"train.max_epochs=1"}), dir.file("one"));
  train_model(one);
  auto changed = options_for(sample_config({"train.max_epochs=2", "train.lr=0.5"}), dir.file("one"));
  changed.resume = true;
  try {
    train_model(changed);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("train.lr"), std::string::npos) << e.what();
  }
  EXPECT_THROW(load_model(dir.file("nothing-here")), IoError);
  EXPECT_THROW(predict::evaluate_model(dir.file("one"), dir.file("missing.txt")), IoError);
}

}  // namespace
}  // namespace nertool::train
