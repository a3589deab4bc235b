// The taxonomy-transfer pipeline end to end through the CLI on small slices: stage 1 on OntoNotes with the
// multitask decoder, eval with partial credit, the Direct transfer through a type map, stage 2 on the CoNLL-style
// sample from the stage-1 weights with the encoder and detection frozen (bit-identical afterwards), the hard
// ablation, predict with probabilities, and errors.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "nertool/core/atomic_file.h"
#include "nertool/train/run_dir.h"
#include "test_paths.h"

namespace {

namespace fs = std::filesystem;
using nertool::testing::CliResult;
using nertool::testing::run_nertool;
using nertool::testing::shared_path;
using nertool::testing::source_path;
using nertool::testing::TempDir;

// The first `n` sentences of a CoNLL file.
std::string first_sentences(const std::string& path, int n) {
  std::ifstream in(path);
  std::string out, line;
  int done = 0;
  bool in_sentence = false;
  while (done < n && std::getline(in, line)) {
    out += line + "\n";
    if (line.empty()) {
      if (in_sentence) ++done;
      in_sentence = false;
    } else {
      in_sentence = true;
    }
  }
  return out;
}

// dir/onto/{train,dev,test}.txt: the first `train` sentences of OntoNotes train, the first `held_out` of dev and test.
void write_ontonotes_slice(const TempDir& dir, int train, int held_out) {
  fs::create_directories(dir.file("onto"));
  nertool::write_file_atomic(dir.file("onto/train.txt"),
                             first_sentences(shared_path("data/ontonotes5/train.txt"), train));
  for (const std::string split : {"dev", "test"})
    nertool::write_file_atomic(dir.file("onto/" + split + ".txt"),
                               first_sentences(shared_path("data/ontonotes5/" + split + ".txt"), held_out));
}

// Small sizes, so that two stages train in seconds.
const std::string kSmall =
    " --set model.bilstm_cnn.word_dim=16 --set model.bilstm_cnn.hidden_size=24 --set model.bilstm_cnn.char_filters=8"
    " --set train.batch_sentences=16 --set train.device=cpu --seed 5";

TEST(MultitaskCli, TwoStageTransferWithFrozenDetection) {
  NERTOOL_REQUIRE_SHARED("data/ontonotes5/train.txt");
  TempDir dir;
  write_ontonotes_slice(dir, 300, 60);
  const std::string taxonomies = " --set model.multitask.taxonomy=" + source_path("configs/taxonomies/ontonotes5.json");
  const std::string pre = dir.file("pre"), fine = dir.file("fine"), hard = dir.file("hard");

  CliResult r = run_nertool("train --config " + source_path("configs/multitask_pretrain.json") + " --data " +
                                dir.file("onto") + " --out " + pre + " --set train.max_epochs=4 --set train.lr=0.01" + kSmall + taxonomies,
                            dir);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(fs::exists(pre + "/multitask_taxonomy.json"));

  // Exact and partial-credit scores in the source taxonomy.
  r = run_nertool("eval --model " + pre + " --data " + dir.file("onto/test.txt") + " --taxonomy " +
                      source_path("configs/taxonomies/ontonotes5.json") + " --json",
                  dir);
  ASSERT_EQ(r.status, 0) << r.err;
  auto report = nlohmann::json::parse(r.out);
  ASSERT_TRUE(report.contains("partial_credit")) << r.out;
  const auto& partial = report["partial_credit"];
  EXPECT_GT(partial["predicted_mentions"].get<int>(), 0) << r.out;
  EXPECT_GT(partial["exact"]["f1"].get<double>(), 0.0) << r.out;
  EXPECT_GE(partial["partial_credit"]["f1"].get<double>(), partial["exact"]["f1"].get<double>());

  // Direct: the source model's types mapped to CoNLL's by the table.
  r = run_nertool("eval --model " + pre + " --data " + source_path("data/sample/test.txt") + " --type-map " +
                      source_path("configs/type_maps/ontonotes5_to_conll2003.json"),
                  dir);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("micro avg"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("PERSON"), std::string::npos) << "source types must be mapped:\n" << r.out;

  // Stage 2 from the stage-1 weights: soft loss, then the hard ablation.
  const std::string stage2 = "train --config " + source_path("configs/multitask_finetune.json") + " --init " + pre +
                             " --data " + source_path("data/sample") + " --set train.max_epochs=2" + kSmall + taxonomies +
                             " --set model.multitask.target_taxonomy=" + source_path("configs/taxonomies/conll2003.json");
  r = run_nertool(stage2 + " --out " + fine, dir);
  ASSERT_EQ(r.status, 0) << r.err;
  r = run_nertool(stage2 + " --out " + hard + " --set model.multitask.loss=hard", dir);
  ASSERT_EQ(r.status, 0) << r.err;

  auto stage1 = nertool::train::load_model(pre);
  for (const std::string& run : {fine, hard}) {
    SCOPED_TRACE(run);
    auto stage2_model = nertool::train::load_model(run);
    auto before = stage1.tagger->named_parameters();
    std::size_t frozen = 0, converted = 0;
    for (const auto& item : stage2_model.tagger->named_parameters()) {
      const std::string& name = item.key();
      if (name.rfind("encoder.", 0) == 0 || name.rfind("decoder.detection.", 0) == 0) {
        ASSERT_TRUE(before.contains(name)) << name;
        EXPECT_TRUE(torch::equal(item.value(), before[name])) << name << " changed although frozen";
        ++frozen;
      }
      if (name.rfind("decoder.conversion.", 0) == 0) ++converted;
    }
    EXPECT_GT(frozen, 10u);
    EXPECT_EQ(converted, 4u);  // two linear layers
    // The type projection was trained.
    EXPECT_FALSE(torch::equal(stage2_model.tagger->named_parameters()["decoder.type_projection.weight"],
                              before["decoder.type_projection.weight"]));
  }

  // The fine-tuned model tags with the target types and gives distributions.
  r = run_nertool("predict --model " + fine + " --input " + source_path("data/sample/test.txt") +
                      " --format jsonl --probs --output " + dir.file("pred.jsonl"),
                  dir);
  ASSERT_EQ(r.status, 0) << r.err;
  std::ifstream pred(dir.file("pred.jsonl"));
  std::string line;
  ASSERT_TRUE(std::getline(pred, line));
  auto j = nlohmann::json::parse(line);
  double sum = 0;
  for (const auto& [label, p] : j["probs"][0].items()) {
    EXPECT_TRUE(label == "O" || label.substr(2) == "PER" || label.substr(2) == "LOC" || label.substr(2) == "ORG" ||
                label.substr(2) == "MISC")
        << label;
    sum += p.get<double>();
  }
  EXPECT_NEAR(sum, 1.0, 1e-4);

  // Spans with the type distribution of each mention (on the OntoNotes slice, where the briefly trained
  // detection finds mentions).
  r = run_nertool("predict --model " + fine + " --input " + dir.file("onto/test.txt") +
                      " --format spans --probs",
                  dir);
  ASSERT_EQ(r.status, 0) << r.err;
  std::istringstream spans(r.out);
  std::size_t entities = 0;
  while (std::getline(spans, line)) {
    const auto parsed = nlohmann::json::parse(line);
    for (const auto& e : parsed["entities"]) {
      double total = 0, best = -1;
      std::string best_type;
      for (const auto& [type, p] : e["type_probs"].items()) {
        total += p.get<double>();
        if (p.get<double>() > best) best = p.get<double>(), best_type = type;
      }
      EXPECT_NEAR(total, 1.0, 1e-4) << e;
      EXPECT_EQ(best_type, e["type"].get<std::string>()) << e;
      ++entities;
    }
  }
  EXPECT_GT(entities, 0u) << r.out.substr(0, 400);
}

// The seed's encoder: BERT (the tiny fixture) + a BiLSTM through model.word_lstm, in both stages. BERT stays frozen
// in stage 1 as configured; stage 2 freezes the whole encoder and the detection.
TEST(MultitaskCli, BertWithWordLstmTwoStages) {
  NERTOOL_REQUIRE_SHARED("data/ontonotes5/train.txt");
  NERTOOL_REQUIRE_SHARED("fixtures/hf-tiny/bert/config.json");
  TempDir dir;
  write_ontonotes_slice(dir, 120, 30);
  const std::string bert = dir.file("bert"), pre = dir.file("pre"), fine = dir.file("fine");
  CliResult r = run_nertool("convert --from hf " + shared_path("fixtures/hf-tiny/bert") + " --to " + bert, dir);
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string common = " --set model.pretrained=" + bert + " --set model.word_lstm.hidden_size=8" +
                             " --set model.multitask.taxonomy=" + source_path("configs/taxonomies/ontonotes5.json") +
                             " --set train.batch_sentences=16 --set train.device=cpu --seed 5";
  r = run_nertool("train --config " + source_path("configs/multitask_pretrain_bert.json") + " --data " +
                      dir.file("onto") + " --out " + pre + " --set train.max_epochs=2" + common,
                  dir);
  ASSERT_EQ(r.status, 0) << r.err;
  r = run_nertool("train --config " + source_path("configs/multitask_finetune_bert.json") + " --init " + pre +
                      " --data " + source_path("data/sample") + " --out " + fine +
                      " --set train.max_epochs=1 --set train.warmup_steps=0 --set train.lr=0.001" + common +
                      " --set model.multitask.target_taxonomy=" + source_path("configs/taxonomies/conll2003.json"),
                  dir);
  ASSERT_EQ(r.status, 0) << r.err;

  auto converted = nertool::train::load_model(bert).tagger->named_parameters();
  auto stage1 = nertool::train::load_model(pre).tagger->named_parameters();
  auto stage2 = nertool::train::load_model(fine).tagger->named_parameters();
  std::size_t bert_tensors = 0, lstm_tensors = 0;
  for (const auto& item : stage1) {
    const std::string& name = item.key();
    if (name.rfind("encoder.base.", 0) == 0) {  // BERT: the converted weights, untouched in stage 1
      const std::string original = "encoder." + name.substr(std::string("encoder.base.").size());
      ASSERT_TRUE(converted.contains(original)) << original;
      EXPECT_TRUE(torch::equal(item.value(), converted[original])) << name;
      ++bert_tensors;
    } else if (name.rfind("encoder.lstm", 0) == 0) {
      ++lstm_tensors;
    }
    if (name.rfind("encoder.", 0) == 0 || name.rfind("decoder.detection.", 0) == 0) {
      ASSERT_TRUE(stage2.contains(name)) << name;
      EXPECT_TRUE(torch::equal(stage2[name], item.value())) << name << " changed in stage 2 although frozen";
    }
  }
  EXPECT_GT(bert_tensors, 10u);
  EXPECT_EQ(lstm_tensors, 16u);  // two bidirectional layers: 2 x 2 directions x (2 weights + 2 biases)
  EXPECT_EQ(stage1["encoder.lstm0.weight_ih_l0"].size(0), 4 * 8);

  r = run_nertool("predict --model " + fine + " --input " + dir.file("onto/test.txt") + " --format spans --probs", dir);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("\"entities\""), std::string::npos) << r.out.substr(0, 300);
  // A BiLSTM on BERT has no Hugging Face token-classification counterpart: export refuses and says why.
  r = run_nertool("convert --from " + pre + " --to hf " + dir.file("hf"), dir);
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("model.word_lstm"), std::string::npos) << r.err;
}

TEST(MultitaskCli, FreezeAndTypeMapErrors) {
  TempDir dir;
  CliResult r = run_nertool("train --config " + source_path("configs/bilstm_cnn.json") + " --data " +
                                source_path("data/sample") + " --out " + dir.file("r") +
                                " --set train.max_epochs=1 --set train.device=cpu"
                                " --set train.freeze=[\\\"decoder.detectoin.\\\"]",
                            dir);
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("train.freeze: 'decoder.detectoin.' names no parameter"), std::string::npos) << r.err;
  const std::string sample = source_path("data/sample/test.txt");
  r = run_nertool("eval --gold " + sample + " --pred " + sample + " --type-map x.json", dir);
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("--type-map applies to --model"), std::string::npos) << r.err;
  r = run_nertool("eval --gold " + sample + " --pred " + sample + " --taxonomy " +
                      source_path("configs/taxonomies/ontonotes5.json"),
                  dir);
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("does not have"), std::string::npos) << "a type outside the taxonomy must be named:\n" << r.err;
  r = run_nertool("eval --gold " + sample + " --pred " + sample + " --taxonomy " +
                      source_path("configs/taxonomies/conll2003.json"),
                  dir);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("partial: precision: 100.00%; recall: 100.00%; F1: 100.00%"), std::string::npos) << r.out;
}

}  // namespace
