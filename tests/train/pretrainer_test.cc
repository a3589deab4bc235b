// `nertool pretrain`: a tiny RoBERTa pretrained on the bundled sample, resumed exactly, continued from a Hugging Face
// checkpoint, converted to a RobertaForMaskedLM checkpoint and back, and fine-tuned by `train`; one AdamW step on a
// fixed masked batch against the same step written out with LibTorch ops.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "cli_runner.h"
#include "error_of.h"
#include "nertool/core/error.h"
#include "nertool/core/json.h"
#include "nertool/data/conll.h"
#include "nertool/io/safetensors.h"
#include "nertool/models/tagger.h"
#include "nertool/text/subword_tokenizer.h"
#include "nertool/train/checkpoint.h"
#include "nertool/train/hf_checkpoint.h"
#include "nertool/train/masked_lm_task.h"
#include "nertool/train/optimizer.h"
#include "nertool/train/pretrainer.h"
#include "nertool/train/run_dir.h"
#include "test_paths.h"

namespace nertool::train {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using nertool::testing::error_of;
using nertool::testing::shared_path;
using nertool::testing::source_path;
using nertool::testing::TempDir;

const char* kFixture = "fixtures/hf-tiny-mlm/roberta";

// A tiny RoBERTa (2 layers, hidden 16) with the fixture's roberta-base tokenizer, on the bundled CoNLL sample.
json tiny_config() {
  json c = json::parse(R"({
    "model": {"encoder": "roberta",
              "transformer": {"vocab_size": 50265, "hidden_size": 16, "num_layers": 2, "num_heads": 2,
                              "intermediate_size": 32, "max_position_embeddings": 130, "type_vocab_size": 1,
                              "layer_norm_eps": 1e-5, "pad_token_id": 1, "position_style": "padding_offset"}},
    "pretrain": {"train_files": ["train.txt"], "valid_file": "valid.txt", "format": "conll", "max_length": 64},
    "train": {"optimizer": "adamw", "lr": 0.02, "weight_decay": 0.01, "schedule": "linear", "warmup_ratio": 0.1,
              "batch_sentences": 4, "max_epochs": 3, "patience": 0, "seed": 11}
  })");
  c["model"]["tokenizer"] = shared_path(kFixture);
  return c;
}

TrainOptions options_for(const json& config, const std::string& run_dir) {
  TrainOptions o;
  o.config = config_from_json(config, "test config");
  o.data_dir = source_path("data/sample");
  o.run_dir = run_dir;
  o.progress_tty = false;
  return o;
}

void expect_same_weights(const torch::nn::Module& a, const torch::nn::Module& b) {
  auto pa = a.named_parameters(), pb = b.named_parameters();
  ASSERT_EQ(pa.size(), pb.size());
  for (const auto& item : pa) {
    ASSERT_TRUE(pb.contains(item.key())) << item.key();
    EXPECT_TRUE(torch::equal(item.value(), pb[item.key()])) << item.key();
  }
}

TEST(Pretrainer, LearnsWritesARunDirectoryAndResumesExactly) {
  NERTOOL_REQUIRE_SHARED(std::string(kFixture) + "/vocab.json");
  TempDir dir;
  const auto whole = pretrain_model(options_for(tiny_config(), dir.file("whole")));
  ASSERT_EQ(whole.history.size(), 3u);
  EXPECT_LT(whole.history[2].train_loss, whole.history[0].train_loss - 0.5) << "it learns";
  EXPECT_EQ(whole.best_epoch, 3) << "the held-out loss falls too";
  EXPECT_LT(whole.history[0].train_loss, std::log(50265.0) + 0.5) << "starts near uniform";
  for (const auto& r : whole.history) {
    ASSERT_TRUE(r.dev_loss && r.dev_accuracy);
    EXPECT_GT(*r.dev_accuracy, 0.0);
  }
  for (const char* f : {"config.json", "transformer.json", "model.pt", "checkpoint.pt", "metrics.jsonl",
                        "metadata.json", "tokenizer"})
    EXPECT_TRUE(fs::exists(fs::path(dir.file("whole")) / f)) << f;
  const auto meta = read_json_file(dir.file("whole/metadata.json"));
  EXPECT_EQ(meta.at("task"), "masked_lm");
  EXPECT_EQ(meta.at("best_epoch"), whole.best_epoch);
  EXPECT_TRUE(is_pretraining_run(dir.file("whole")));
  EXPECT_NE(error_of([&] { load_model(dir.file("whole")); }).find("model.pretrained="), std::string::npos)
      << "predict and eval say what a pretraining run is for";

  auto interrupted = options_for(tiny_config(), dir.file("resumed"));
  interrupted.after_epoch = [](int epoch) { return epoch < 1; };
  EXPECT_FALSE(pretrain_model(interrupted).finished);
  auto resumed = options_for(tiny_config(), dir.file("resumed"));
  resumed.resume = true;
  const auto rest = pretrain_model(resumed);
  ASSERT_EQ(rest.history.size(), 3u);
  for (std::size_t e = 0; e < 3; ++e) EXPECT_EQ(rest.history[e].train_loss, whole.history[e].train_loss) << e;
  expect_same_weights(*load_masked_lm(dir.file("whole")).model, *load_masked_lm(dir.file("resumed")).model);
}

TEST(Pretrainer, ConvertsToAHuggingFaceMaskedLmNamedAsTheFixture) {
  NERTOOL_REQUIRE_SHARED(std::string(kFixture) + "/model.safetensors");
  TempDir dir;
  json config = tiny_config();
  config["train"]["max_epochs"] = 1;
  pretrain_model(options_for(config, dir.file("run")));
  convert_to_hf(dir.file("run"), dir.file("hf"));

  std::set<std::string> ours, theirs;
  for (const auto& [name, t] : io::read_safetensors(dir.file("hf/model.safetensors"))) ours.insert(name);
  for (const auto& [name, t] : io::read_safetensors(shared_path(std::string(kFixture) + "/model.safetensors")))
    theirs.insert(name);
  EXPECT_EQ(ours, theirs) << "the tensor names of transformers' RobertaForMaskedLM";
  const auto hf_config = read_json_file(dir.file("hf/config.json"));
  EXPECT_EQ(hf_config.at("architectures"), json::array({"RobertaForMaskedLM"}));
  std::set<std::string> keys, fixture_keys;
  for (const auto& kv : hf_config.items()) keys.insert(kv.key());
  const auto fixture_config = read_json_file(shared_path(std::string(kFixture) + "/config.json"));
  for (const auto& kv : fixture_config.items())
    if (kv.key() != "transformers_version") fixture_keys.insert(kv.key());
  EXPECT_EQ(keys, fixture_keys);

  auto original = load_masked_lm(dir.file("run")).model;
  auto reread = import_hf_masked_lm(dir.file("hf"));
  const auto ids = torch::tensor({{0, 31414, 232, 328, 2}}, torch::kInt64);
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(torch::allclose(original->forward(ids, torch::ones_like(ids)), reread->forward(ids, torch::ones_like(ids)),
                              0, 1e-6));
}

TEST(Pretrainer, ContinuesAHuggingFaceCheckpointWithItsHead) {
  NERTOOL_REQUIRE_SHARED(std::string(kFixture) + "/model.safetensors");
  TempDir dir;
  json section = {{"encoder", "roberta"}, {"pretrained", shared_path(kFixture)}};
  fs::create_directories(dir.file("run"));
  auto built = build_masked_lm(section, dir.file("run"), true);
  expect_same_weights(*built.model, *import_hf_masked_lm(shared_path(kFixture)));
  EXPECT_TRUE(fs::exists(dir.file("run/transformer.json")));
  EXPECT_TRUE(text::has_tokenizer_files(text::model_tokenizer_dir(dir.file("run"))));
  section["transformer"] = tiny_config()["model"]["transformer"];
  EXPECT_NE(error_of([&] { build_masked_lm(section, dir.file("other"), true); }).find("model.transformer"),
            std::string::npos);
}

TEST(Pretrainer, TrainFineTunesAPretrainingRun) {
  NERTOOL_REQUIRE_SHARED(std::string(kFixture) + "/vocab.json");
  TempDir dir;
  json config = tiny_config();
  config["train"]["max_epochs"] = 1;
  pretrain_model(options_for(config, dir.file("run")));
  const auto corpus = data::read_conll(source_path("data/sample/train.txt"));
  models::BuildContext ctx;
  ctx.config = {{"encoder", "roberta"}, {"decoder", "softmax"}, {"pretrained", dir.file("run")}};
  ctx.labels = models::LabelSet::from_corpus(corpus);
  ctx.train = &corpus;
  ctx.model_dir = dir.file("tagger");
  fs::create_directories(ctx.model_dir);
  auto tagger = models::build_tagger(ctx);
  expect_same_weights(tagger->encoder(), *load_masked_lm(dir.file("run")).model->encoder);
}

TEST(Pretrainer, OneAdamWStepEqualsTheStepWrittenWithLibTorchOps) {
  NERTOOL_REQUIRE_SHARED(std::string(kFixture) + "/vocab.json");
  json section = tiny_config()["model"];
  section["transformer"]["hidden_dropout"] = 0.0;
  section["transformer"]["attention_dropout"] = 0.0;
  torch::manual_seed(5);
  auto built = build_masked_lm(section, "", true);
  auto& model = *built.model;
  const auto& tok = *built.tokenizer;
  SequencePacker packer(tok, 32);
  packer.add({"EU", "rejects", "German", "call", "to", "boycott", "British", "lamb", "."}, "f", 1);
  packer.add({"Peter", "Blackburn"}, "f", 2);
  const auto data = packer.finish();
  std::mt19937_64 rng(9);
  const auto batch = mask_sequences(data, {0}, MaskingOptions{0.3, false, tok.mask_id(), tok.pad_id(), tok.vocab_size()},
                                    rng);

  // The loss as transformers computes it: logits everywhere, cross-entropy ignoring -100.
  const auto full = model.forward(batch.input_ids, batch.attention_mask);
  const auto reference_loss = torch::nn::functional::cross_entropy(
      full.view({-1, full.size(-1)}), batch.labels.view({-1}),
      torch::nn::functional::CrossEntropyFuncOptions().ignore_index(models::kIgnoredLabel));
  const auto loss = model.loss(batch.input_ids, batch.attention_mask, batch.labels);
  EXPECT_NEAR(loss.item<double>(), reference_loss.item<double>(), 1e-5);

  TrainConfig tc;
  tc.optimizer = Optimizer::kAdamW;
  tc.lr = 1e-3;
  tc.weight_decay = 0.01;
  auto optimizer = make_optimizer(model, tc);
  std::vector<torch::Tensor> before;
  for (const auto& p : model.parameters()) before.push_back(p.detach().clone());
  loss.backward();
  optimizer->step();
  // AdamW's first step (Loshchilov & Hutter): decay, then the bias-corrected moment ratio.
  const double b1 = tc.betas[0], b2 = tc.betas[1];
  std::size_t i = 0;
  for (const auto& p : model.parameters()) {
    const auto g = p.grad();
    const auto m = (1 - b1) * g, v = (1 - b2) * g * g;
    const auto expected = before[i] * (1 - tc.lr * tc.weight_decay) -
                          tc.lr * (m / (1 - b1)) / ((v / (1 - b2)).sqrt() + tc.eps);
    EXPECT_TRUE(torch::allclose(p.detach(), expected, 1e-6, 1e-8)) << "parameter " << i;
    ++i;
  }
}

TEST(Pretrainer, ConfigMistakesNameTheKey) {
  NERTOOL_REQUIRE_SHARED(std::string(kFixture) + "/vocab.json");
  TempDir dir;
  json no_valid = tiny_config();
  no_valid["pretrain"].erase("valid_file");
  EXPECT_NE(error_of([&] { pretrain_model(options_for(no_valid, dir.file("a"))); }).find("pretrain.valid_file"),
            std::string::npos);
  json too_long = tiny_config();
  too_long["pretrain"]["max_length"] = 512;
  EXPECT_NE(error_of([&] { pretrain_model(options_for(too_long, dir.file("b"))); }).find("pretrain.max_length"),
            std::string::npos);
  json missing = tiny_config();
  missing["pretrain"]["train_files"] = json::array({"nope.txt"});
  EXPECT_NE(error_of([&] { pretrain_model(options_for(missing, dir.file("c"))); }).find("pretrain.train_files[0]"),
            std::string::npos);
  EXPECT_FALSE(fs::exists(dir.file("b"))) << "a run that fails before its first checkpoint leaves nothing";
}

TEST(PretrainCli, PretrainsAndConvertsFromTheCommandLine) {
  NERTOOL_REQUIRE_SHARED(std::string(kFixture) + "/vocab.json");
  TempDir dir;
  json config = tiny_config();
  config["train"]["max_epochs"] = 1;
  std::ofstream(dir.file("config.json")) << config.dump();
  const auto run = nertool::testing::run_nertool("pretrain --config " + dir.file("config.json") + " --data " +
                                                     source_path("data/sample") + " --out " + dir.file("run"),
                                                 dir);
  ASSERT_EQ(run.status, 0) << run.err;
  const auto summary = json::parse(run.out);
  EXPECT_EQ(summary.at("epochs"), 1);
  EXPECT_GT(summary.at("dev_accuracy").get<double>(), 0.0);
  const auto convert = nertool::testing::run_nertool("convert --from " + dir.file("run") + " --to hf " + dir.file("hf"),
                                                     dir);
  ASSERT_EQ(convert.status, 0) << convert.err;
  EXPECT_TRUE(fs::exists(dir.file("hf/model.safetensors")));
  config["pretrain"]["format"] = "csv";
  std::ofstream(dir.file("bad.json")) << config.dump();
  const auto bad = nertool::testing::run_nertool("pretrain --config " + dir.file("bad.json") + " --out " +
                                                     dir.file("bad"), dir);
  EXPECT_NE(bad.status, 0);
  EXPECT_NE(bad.err.find("pretrain.format"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace nertool::train
