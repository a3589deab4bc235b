#include <gtest/gtest.h>

#include <filesystem>

#include "nertool/core/atomic_file.h"
#include "nertool/core/error.h"
#include "nertool/train/config.h"
#include "error_of.h"
#include "test_paths.h"

namespace nertool::train {
namespace {

using nlohmann::json;

json minimal() { return json{{"model", {{"encoder", "test_bag"}}}, {"train", {{"batch_tokens", 100}}}}; }

using nertool::testing::error_of;

TEST(Config, DefaultsFillMissingKeys) {
  Config c = config_from_json(minimal());
  EXPECT_EQ(c.train.optimizer, Optimizer::kNadam);
  EXPECT_EQ(c.train.device, DeviceRequest{});
  EXPECT_EQ(c.json["train"]["optimizer"], "nadam");
  EXPECT_EQ(c.json["train"]["device"], "auto");
  EXPECT_DOUBLE_EQ(c.train.lr, 0.0105);
  EXPECT_EQ(c.train.batch_tokens, 100);
  EXPECT_EQ(c.data.train, "train.txt");
  EXPECT_EQ(c.json["train"]["max_epochs"], 50);
  EXPECT_EQ(c.json["model"]["encoder"], "test_bag");
}

TEST(Config, OverridesAreJsonTyped) {
  json j = minimal();
  apply_override(j, "train.lr=0.5");
  apply_override(j, "train.betas=[0.8,0.98]");
  apply_override(j, "data.train=eng.train");
  apply_override(j, "data.tag_scheme=IOB1");
  apply_override(j, "model.test_bag.size=200");  // a component's own section: nested objects are made
  apply_override(j, "train.weight_decay_exclude=[\"bias\",\"LayerNorm\"]");
  Config c = config_from_json(j);
  EXPECT_DOUBLE_EQ(c.train.lr, 0.5);
  EXPECT_EQ(c.train.betas, (std::vector<double>{0.8, 0.98}));
  EXPECT_EQ(c.data.train, "eng.train");
  EXPECT_EQ(c.data.tag_scheme, "IOB1");
  EXPECT_EQ(c.model["test_bag"]["size"], 200);
  EXPECT_EQ(c.train.weight_decay_exclude.size(), 2u);
  EXPECT_EQ(c.json["train"]["lr"], 0.5);
}

TEST(Config, UnknownKeysNameTheKeyAndSuggest) {
  json j = minimal();
  apply_override(j, "train.learning_rate=0.1");
  EXPECT_NE(error_of([&] { config_from_json(j); }).find("unknown key 'train.learning_rate'"), std::string::npos);
  json k = minimal();
  apply_override(k, "train.max_epoch=3");
  std::string e = error_of([&] { config_from_json(k); });
  EXPECT_NE(e.find("unknown key 'train.max_epoch'"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean 'train.max_epochs'"), std::string::npos) << e;
  json s = minimal();
  s["trian"] = json::object();
  e = error_of([&] { config_from_json(s); });
  EXPECT_NE(e.find("unknown section 'trian'"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean 'train'"), std::string::npos) << e;
}

TEST(Config, BadValuesAreConfigErrors) {
  struct Case {
    std::string set, expect;
  } cases[] = {{"train.lr=-1", "train.lr: must be > 0"},
               {"train.lr=fast", "train.lr: expected a number"},
               {"train.optimizer=adagrad", "train.optimizer: must be one of"},
               {"train.betas=[0.9]", "train.betas"},
               {"train.max_epochs=2.5", "train.max_epochs: expected an integer"},
               {"train.batch_sentences=32", "exactly one batching mode"},
               {"train.schedule=cosine", "train.schedule"},
               {"train.precision=fp16", "train.precision: must be fp32 or bf16"},
               {"train.device=tpu", "train.device: must be auto, cpu, cuda or cuda:N"},
               {"pretrain.packing=tight", "pretrain.packing: must be sentences or fill"},
               {"data.tag_scheme=XYZ", "data.tag_scheme"},
               {"data.document_context=true", "data.document_context"},
               {"train.warmup_ratio=1.5", "train.warmup_ratio"}};
  for (const auto& c : cases) {
    json j = minimal();
    apply_override(j, c.set);
    std::string e = error_of([&] { config_from_json(j); });
    EXPECT_NE(e.find(c.expect), std::string::npos) << c.set << " gave: " << e;
  }
  json no_encoder = {{"model", json::object()}};
  EXPECT_NE(error_of([&] { config_from_json(no_encoder); }).find("model.encoder"), std::string::npos);
  json j = minimal();
  EXPECT_NE(error_of([&] { apply_override(j, "train.lr"); }).find("expected key.path=value"), std::string::npos);
  EXPECT_NE(error_of([&] { apply_override(j, "train..lr=1"); }).find("empty component"), std::string::npos);
  EXPECT_NE(error_of([&] { apply_override(j, "model.encoder.size=1"); }).find("not an object"), std::string::npos);
}

// Keys directly under `model` are those the encoder declares, plus every component's own section, so a misspelt
// key is an error while switching encoder or decoder with --set keeps the other sections valid.
TEST(Config, UnknownModelKeysAreErrors) {
  json bert = {{"model", {{"encoder", "bert"}, {"decoder", "softmax"}, {"softmax", {{"dropout", 0.1}}},
                          {"max_seq_length", 128}, {"document_context", true}}},
               {"train", {{"batch_sentences", 8}}}};
  EXPECT_NO_THROW(config_from_json(bert));
  json crf = bert;
  apply_override(crf, "model.decoder=crf");  // the softmax section stays and is ignored
  EXPECT_NO_THROW(config_from_json(crf));
  json typo = bert;
  apply_override(typo, "model.max_seq_lenght=64");
  std::string e = error_of([&] { config_from_json(typo); });
  EXPECT_NE(e.find("unknown key 'model.max_seq_lenght' (did you mean 'model.max_seq_length'?)"), std::string::npos) << e;
  json bilstm = {{"model", {{"encoder", "bilstm_cnn"}, {"document_context", true}}}, {"train", {{"batch_tokens", 100}}}};
  e = error_of([&] { config_from_json(bilstm); });
  EXPECT_NE(e.find("unknown key 'model.document_context'"), std::string::npos) << e;
  json not_string = {{"model", {{"encoder", 3}}}, {"train", {{"batch_tokens", 100}}}};
  EXPECT_NE(error_of([&] { config_from_json(not_string); }).find("model.encoder"), std::string::npos);
}

// Integers past int or int64 are errors naming the key, never wrapped values (4294967297 epochs trained 1).
TEST(Config, IntegersOutOfRangeAreErrorsNotWrapped) {
  for (const std::string key : {"train.max_epochs", "train.patience", "train.num_threads", "train.log_percent",
                                "data.token_column"}) {
    for (const std::string value : {"4294967297", "4294967296", "-4294967296"}) {
      json j = minimal();
      apply_override(j, key + "=" + value);
      const std::string e = error_of([&] { config_from_json(j, "cfg.json"); });
      EXPECT_NE(e.find("cfg.json: " + key + ": integer " + value + " is out of range"), std::string::npos)
          << key << "=" << value << ": " << e;
    }
  }
  json j = minimal();
  apply_override(j, "train.seed=18446744073709551615");  // above int64: not clamped, not wrapped to -1
  EXPECT_NE(error_of([&] { config_from_json(j, "cfg.json"); }).find("train.seed: integer 18446744073709551615 is out "
                                                                       "of range"),
            std::string::npos);
  json ok = minimal();
  apply_override(ok, "train.max_epochs=2147483647");
  EXPECT_EQ(config_from_json(ok).train.max_epochs, 2147483647);
}

TEST(Config, DeeplyNestedFilesAndOverridesAreErrors) {
  nertool::testing::TempDir dir;
  write_file_atomic(dir.file("deep.json"), std::string(100000, '[') + std::string(100000, ']'));
  try {
    load_config(dir.file("deep.json"));
    FAIL() << "no error for a config nested 100k levels deep";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("nest deeper than"), std::string::npos) << e.what();
  }
  json j = minimal();  // an override that deep is taken as a string, which the typed read then refuses
  apply_override(j, "train.lr=" + std::string(100000, '['));
  EXPECT_NE(error_of([&] { config_from_json(j); }).find("train.lr: expected a number, got a string"), std::string::npos);
}

TEST(Config, FilesAndParseErrors) {
  nertool::testing::TempDir dir;
  EXPECT_THROW(load_config(dir.file("missing.json")), IoError);
  write_file_atomic(dir.file("bad.json"), "{\n  \"train\": {\n    \"lr\": 0.1,,\n  }\n}\n");
  try {
    load_config(dir.file("bad.json"));
    FAIL() << "no error for invalid JSON";
  } catch (const InputError& e) {
    EXPECT_EQ(e.line(), 3u);
  }
  write_file_atomic(dir.file("ok.json"), minimal().dump());
  Config c = load_config(dir.file("ok.json"), {"train.seed=7"});
  EXPECT_EQ(c.train.seed, 7u);
}

}  // namespace
// docs/configuration.md holds `nertool train --config-keys` verbatim: the page cannot drift from the program.
TEST(Config, TheDocsHoldTheKeyTable) {
  const std::string page = nertool::read_file(nertool::testing::source_path("docs/configuration.md"));
  EXPECT_NE(page.find(config_keys_markdown()), std::string::npos)
      << "regenerate the table: nertool train --config-keys";
}

}  // namespace nertool::train

// Every shipped config loads: keys known, values valid, model sections read by the encoder or decoder they name
// (the component sections themselves are checked when a model is built, in the CLI tests).
TEST(Config, EveryShippedConfigLoads) {
  std::size_t n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(nertool::testing::source_path("configs"))) {
    if (entry.path().extension() != ".json") continue;
    SCOPED_TRACE(entry.path().string());
    EXPECT_NO_THROW(nertool::train::load_config(entry.path().string()));
    ++n;
  }
  EXPECT_GE(n, 8u);
}
