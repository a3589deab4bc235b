// Hugging Face checkpoint conversion: hub-file variants, named errors, the way back (--to hf), and fine-tuning.
#include <gtest/gtest.h>
#include <unistd.h>
#include <torch/torch.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "nertool/core/atomic_file.h"
#include "nertool/core/error.h"
#include "nertool/data/conll.h"
#include "nertool/io/safetensors.h"
#include "nertool/train/hf_checkpoint.h"
#include "nertool/models/hf_encoder.h"
#include "nertool/models/precision.h"
#include "nertool/train/batching.h"
#include "nertool/train/run_dir.h"
#include "test_paths.h"

namespace nertool::train {
namespace {

using namespace models;  // the taggers the conversions build

namespace fs = std::filesystem;
using testing::shared_path;

const char* kBert = "fixtures/hf-tiny/bert";

std::map<std::string, torch::Tensor> fixture_tensors(const std::string& model) {
  auto v = io::read_safetensors(shared_path("fixtures/hf-tiny/" + model + "/model.safetensors"));
  return {v.begin(), v.end()};
}

// A copy of the bert fixture whose tensors are rewritten by `edit`.
std::string make_variant(const testing::TempDir& tmp, const std::string& name,
                         const std::function<void(std::map<std::string, torch::Tensor>&)>& edit) {
  fs::path dir = fs::path(tmp.path()) / name;
  fs::create_directories(dir);
  for (const char* f : {"config.json", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json"})
    fs::copy_file(shared_path(std::string(kBert) + "/" + f), dir / f);
  auto tensors = fixture_tensors("bert");
  edit(tensors);
  io::write_safetensors((dir / "model.safetensors").string(), io::NamedTensors(tensors.begin(), tensors.end()));
  return dir.string();
}

std::string convert_error(const std::string& hf_dir, const std::string& out, const HfImportOptions& o = {}) {
  try {
    convert_from_hf(hf_dir, out, o);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(HfConvert, AcceptsHubVariantsGammaBetaNoPrefixNoPositionIdsExtraHeads) {
  NERTOOL_REQUIRE_SHARED(std::string(kBert) + "/model.safetensors");
  testing::TempDir tmp;
  auto dir = make_variant(tmp, "base", [](auto& t) {
    std::map<std::string, torch::Tensor> out;
    for (auto& [k, v] : t) {
      if (k == "bert.embeddings.position_ids" || k.rfind("classifier.", 0) == 0) continue;
      std::string n = k.substr(5);  // no "bert." prefix (a BertModel checkpoint)
      if (n.find("LayerNorm.weight") != std::string::npos) n.replace(n.size() - 6, 6, "gamma");
      if (n.find("LayerNorm.bias") != std::string::npos) n.replace(n.size() - 4, 4, "beta");
      out[n] = v;
    }
    out["pooler.dense.weight"] = torch::zeros({64, 64});
    out["cls.predictions.bias"] = torch::zeros({28996});
    t = out;
  });
  // No classifier: a label set is required, and named in the error.
  EXPECT_NE(convert_error(dir, tmp.file("m0")).find("give its label set"), std::string::npos);
  write_file_atomic(tmp.file("labels.txt"), "O\nB-X\nI-X\n");
  HfImportOptions o;
  o.labels_file = tmp.file("labels.txt");
  auto report = convert_from_hf(dir, tmp.file("m1"), o);
  EXPECT_TRUE(report.fresh_classifier);
  EXPECT_EQ(report.ignored.size(), 2u);
  auto model = train::load_model(tmp.file("m1"));
  EXPECT_EQ(model.tagger->labels().labels(), (std::vector<std::string>{"O", "B-X", "I-X"}));
  auto ref = fixture_tensors("bert");
  int64_t compared = 0;
  for (const auto& p : model.tagger->encoder().named_parameters()) {
    ASSERT_TRUE(ref.count("bert." + p.key())) << p.key();
    EXPECT_TRUE(torch::equal(p.value(), ref.at("bert." + p.key()))) << p.key();
    ++compared;
  }
  EXPECT_EQ(compared, static_cast<int64_t>(ref.size()) - 3);  // all but position_ids and the classifier
}

TEST(HfConvert, NamesMissingUnexpectedAndMisShapedTensors) {
  NERTOOL_REQUIRE_SHARED(std::string(kBert) + "/model.safetensors");
  testing::TempDir tmp;
  auto missing = make_variant(tmp, "missing", [](auto& t) { t.erase("bert.encoder.layer.1.output.dense.bias"); });
  auto msg = convert_error(missing, tmp.file("a"));
  EXPECT_NE(msg.find("missing: bert.encoder.layer.1.output.dense.bias [64]"), std::string::npos) << msg;
  auto extra = make_variant(tmp, "extra", [](auto& t) { t["bert.encoder.layer.7.output.dense.bias"] = torch::zeros({64}); });
  msg = convert_error(extra, tmp.file("b"));
  EXPECT_NE(msg.find("unexpected: bert.encoder.layer.7.output.dense.bias"), std::string::npos) << msg;
  auto shape = make_variant(tmp, "shape", [](auto& t) { t["bert.encoder.layer.0.intermediate.dense.weight"] = torch::zeros({64, 128}); });
  msg = convert_error(shape, tmp.file("c"));
  EXPECT_NE(msg.find("bert.encoder.layer.0.intermediate.dense.weight is [64, 128], expected [128, 64]"), std::string::npos)
      << msg;
  // Nothing is left behind by a failed conversion.
  EXPECT_FALSE(fs::exists(tmp.file("a")));
  EXPECT_FALSE(fs::exists(tmp.file("c")));
}

// config.json comes from the internet: wrong JSON types and absurd sizes are errors naming the file and the key,
// before anything is allocated (a 416 GB embedding used to end in LibTorch's allocator message).
TEST(HfConvert, HostileConfigJsonNamesTheFileAndKey) {
  NERTOOL_REQUIRE_SHARED(std::string(kBert) + "/model.safetensors");
  testing::TempDir tmp;
  auto dir = make_variant(tmp, "cfg", [](auto&) {});
  const auto original = nlohmann::json::parse(read_file(dir + "/config.json"));
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"vocab_size": "28996"})", "vocab_size: expected an integer, got a string \"28996\""},
      {R"({"hidden_act": 3})", "hidden_act: expected a string, got a number 3"},
      {R"({"pad_token_id": [0]})", "pad_token_id: expected an integer"},
      {R"({"hidden_size": -64})", "hidden_size: must be 1 to 16777216 (got -64)"},
      {R"({"vocab_size": 16000000, "hidden_size": 1048576, "num_attention_heads": 1})",
       "million parameters asked for, more than the limit"}};
  for (const auto& [patch, expected] : cases) {
    auto cfg = original;
    cfg.merge_patch(nlohmann::json::parse(patch));
    write_file_atomic(dir + "/config.json", cfg.dump());
    const std::string msg = convert_error(dir, tmp.file("out"));
    EXPECT_NE(msg.find(dir + "/config.json"), std::string::npos) << patch << ": " << msg;
    EXPECT_NE(msg.find(expected), std::string::npos) << patch << ": " << msg;
    EXPECT_FALSE(fs::exists(tmp.file("out")));
  }
}

// A conversion killed with -9 leaves its staging folder <out>.tmp.<pid>; the next conversion to <out> removes it
// (its process is gone) and leaves a live process's folder alone.
TEST(HfConvert, StagingFoldersOfKilledConversionsAreRemoved) {
  NERTOOL_REQUIRE_SHARED(std::string(kBert) + "/model.safetensors");
  testing::TempDir tmp;
  fs::create_directories(tmp.file("out.tmp.999999999"));  // no such process
  const std::string live = tmp.file("out.tmp." + std::to_string(::getpid()));
  fs::create_directories(live + "x");                      // another name: never touched
  convert_from_hf(shared_path(kBert), tmp.file("out"), {});
  EXPECT_FALSE(fs::exists(tmp.file("out.tmp.999999999")));
  EXPECT_TRUE(fs::exists(live + "x"));
  EXPECT_TRUE(fs::exists(tmp.file("out/model.pt")));
}

class HfRoundTrip : public ::testing::TestWithParam<std::string> {};

TEST_P(HfRoundTrip, ToHfWritesTheFixtureTensorsAndConfigBack) {
  NERTOOL_REQUIRE_SHARED("fixtures/hf-tiny/" + GetParam() + "/model.safetensors");
  testing::TempDir tmp;
  convert_from_hf(shared_path("fixtures/hf-tiny/" + GetParam()), tmp.file("model"), {});
  convert_to_hf(tmp.file("model"), tmp.file("hf"));
  auto ref = fixture_tensors(GetParam());
  auto back = io::read_safetensors(tmp.file("hf/model.safetensors"));
  ASSERT_EQ(back.size(), ref.size());
  for (const auto& [name, t] : back) {
    ASSERT_TRUE(ref.count(name)) << name;
    EXPECT_EQ(t.scalar_type(), ref.at(name).scalar_type()) << name;
    EXPECT_TRUE(torch::equal(t, ref.at(name))) << name;
  }
  auto cfg = nlohmann::json::parse(read_file(tmp.file("hf/config.json")));
  auto want = nlohmann::json::parse(read_file(shared_path("fixtures/hf-tiny/" + GetParam() + "/config.json")));
  for (const char* key : {"model_type", "architectures", "id2label", "label2id", "hidden_size", "num_hidden_layers",
                          "num_attention_heads", "intermediate_size", "layer_norm_eps", "max_position_embeddings",
                          "type_vocab_size", "vocab_size", "pad_token_id"})
    EXPECT_EQ(cfg[key], want[key]) << key;
  // The tokenizer files come along, and the result converts again.
  EXPECT_TRUE(fs::exists(tmp.file("hf/tokenizer_config.json")));
  convert_from_hf(tmp.file("hf"), tmp.file("again"), {});
}

INSTANTIATE_TEST_SUITE_P(HfTiny, HfRoundTrip, ::testing::Values("bert", "roberta", "xlm-roberta"));

// The tiny BERT fixture as a base checkpoint (no classifier) with the CoNLL label set, as for real pre-trained
// models, and a batch of 16 CoNLL-2003 valid sentences.
struct FineTuneSetup {
  testing::TempDir tmp;
  train::LoadedModel model;
  data::Corpus corpus;
  models::Batch batch;
  FineTuneSetup() {
    auto dir = make_variant(tmp, "base", [](auto& t) {
      t.erase("classifier.weight");
      t.erase("classifier.bias");
    });
    HfImportOptions o;
    o.labels_data = shared_path("data/conll2003/valid.txt");
    convert_from_hf(dir, tmp.file("model"), o);
    model = train::load_model(tmp.file("model"));
    corpus = data::read_conll(shared_path("data/conll2003/valid.txt"));
    std::vector<const data::Sentence*> slice;
    for (std::size_t i = 0; i < corpus.sentences.size() && slice.size() < 16; ++i)
      if (corpus.sentences[i].size() > 3) slice.push_back(&corpus.sentences[i]);
    batch = train::make_batch(slice, model.tagger->encoder(), &model.tagger->labels());
  }
  // Loss of the first and the last of 12 AdamW steps, each forward pass in `precision`.
  std::pair<float, float> train_steps(models::Precision precision) {
    torch::manual_seed(1);
    model.tagger->train();
    torch::optim::AdamW opt(model.tagger->parameters(), torch::optim::AdamWOptions(1e-3).weight_decay(0.01));
    float first = 0, last = 0;
    for (int step = 0; step < 12; ++step) {
      opt.zero_grad();
      torch::Tensor loss;
      {
        AutocastScope autocast(precision, torch::kCPU);
        loss = model.tagger->loss(batch);
      }
      EXPECT_EQ(loss.scalar_type(), torch::kFloat32);
      loss.backward();
      torch::nn::utils::clip_grad_norm_(model.tagger->parameters(), 1.0);
      opt.step();
      if (step == 0) first = loss.item<float>();
      last = loss.item<float>();
    }
    return {first, last};
  }
};

TEST(HfFineTune, LossFallsOnAConllSlice) {
  NERTOOL_REQUIRE_SHARED(std::string(kBert) + "/model.safetensors");
  NERTOOL_REQUIRE_SHARED("data/conll2003/train.txt");
  FineTuneSetup setup;
  auto [first, last] = setup.train_steps(models::Precision::kFloat32);
  EXPECT_LT(last, 0.5f * first) << "first " << first << " last " << last;
}

// bf16: the encoder runs under bfloat16 autocast (on the CPU here; the same scope drives CUDA), decoders and
// the loss in float32, parameters and gradients stay float32; predictions agree with fp32 within bfloat16's
// precision; fine-tuning works the same.
TEST(HfFineTune, Bf16AutocastPredictsLikeFp32AndTrains) {
  NERTOOL_REQUIRE_SHARED(std::string(kBert) + "/model.safetensors");
  NERTOOL_REQUIRE_SHARED("data/conll2003/valid.txt");
  FineTuneSetup setup;
  auto& tagger = *setup.model.tagger;
  tagger.eval();
  torch::NoGradGuard no_grad;
  auto fp32 = tagger.probabilities(setup.batch);
  torch::Tensor bf16, features;
  {
    AutocastScope autocast(models::Precision::kBFloat16, torch::kCPU);
    EXPECT_TRUE(at::autocast::is_cpu_enabled());
    // Matrix products come out in bfloat16 (the encoder's last op, LayerNorm, is float32 in autocast's policy).
    features = torch::matmul(torch::ones({2, 3}), torch::ones({3, 2}));
    {
      Float32Scope fp32_scope;
      EXPECT_FALSE(at::autocast::is_cpu_enabled());
    }
    EXPECT_TRUE(at::autocast::is_cpu_enabled());
    bf16 = tagger.probabilities(setup.batch);
  }
  EXPECT_FALSE(at::autocast::is_cpu_enabled());
  EXPECT_EQ(features.scalar_type(), torch::kBFloat16);
  EXPECT_EQ(bf16.scalar_type(), torch::kFloat32);
  const float diff = (bf16 - fp32).abs().max().item<float>();
  EXPECT_GT(diff, 0.0f);   // it did compute in another precision
  EXPECT_LT(diff, 0.05f);  // bfloat16 keeps ~3 significant digits
  {
    AutocastScope off(models::Precision::kFloat32, torch::kCPU);
    EXPECT_FALSE(at::autocast::is_cpu_enabled());
  }

  torch::AutoGradMode grad(true);
  auto [first, last] = setup.train_steps(models::Precision::kBFloat16);
  EXPECT_LT(last, 0.5f * first) << "first " << first << " last " << last;
  for (const auto& p : tagger.parameters()) {
    EXPECT_EQ(p.scalar_type(), torch::kFloat32);
    if (p.grad().defined()) EXPECT_EQ(p.grad().scalar_type(), torch::kFloat32);
  }
}

}  // namespace
}  // namespace nertool::train
