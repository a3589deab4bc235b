// The transformer architecture's two readers: nertool's own keys (model.transformer, transformer.json) and a
// Hugging Face config.json, both through key tables; every error names the file or section and the key.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "error_of.h"
#include "nertool/layers/transformer.h"

namespace nertool::layers {
namespace {

using nlohmann::json;
using testing::error_of;

const json kTiny = {{"vocab_size", 10}, {"hidden_size", 8}, {"num_layers", 1}, {"num_heads", 2},
                    {"intermediate_size", 16}, {"max_position_embeddings", 32}, {"type_vocab_size", 2},
                    {"layer_norm_eps", 1e-5}};

TEST(TransformerConfig, WrittenKeysReadBackToTheSameConfig) {
  const TransformerConfig c = TransformerConfig::from_json(kTiny);
  EXPECT_EQ(c.hidden_size, 8);
  EXPECT_EQ(c.hidden_dropout, 0.1);  // left out: the default
  EXPECT_FALSE(c.padding_aware_positions);
  json roberta = c.to_json();
  roberta["position_style"] = "padding_offset";
  roberta["pad_token_id"] = 1;
  const TransformerConfig back = TransformerConfig::from_json(roberta);
  EXPECT_TRUE(back.padding_aware_positions);
  EXPECT_EQ(back.to_json(), roberta);
}

TEST(TransformerConfig, ErrorsNameTheSectionAndKey) {
  auto error = [](const json& patch) {
    json j = kTiny;
    j.merge_patch(patch);
    return error_of([&] { TransformerConfig::from_json(j); });
  };
  EXPECT_EQ(error({{"vocab_size", nullptr}}),
            "model.transformer.vocab_size: missing (the tokenizer's vocabulary size)");
  EXPECT_EQ(error({{"num_heads", 3}}), "model.transformer.hidden_size: 8 is not a multiple of num_heads 3");
  EXPECT_EQ(error({{"hidden_dropout", 1.0}}), "model.transformer.hidden_dropout: must be >= 0 and < 1 (got 1.0)");
  EXPECT_EQ(error({{"position_style", "rotary"}}),
            "model.transformer.position_style: must be absolute or padding_offset (got \"rotary\")");
  EXPECT_EQ(error({{"pad_token_id", 10}}), "model.transformer.pad_token_id: 10 is outside the vocabulary of 10");
  EXPECT_EQ(error({{"num_layer", 2}}),
            "unknown key 'model.transformer.num_layer' (did you mean 'model.transformer.num_layers'?)");
  EXPECT_EQ(error_of([&] { TransformerConfig::from_json(json{{"vocab_size", "9"}}, "", "t.json"); }),
            "t.json: vocab_size: expected an integer, got a string \"9\"");
}

TEST(HfConfig, FamilyDefaultsAndNullsAsAbsent) {
  const json bert{{"model_type", "bert"}, {"vocab_size", 10}, {"hidden_size", 8}, {"num_attention_heads", 2},
                  {"classifier_dropout", nullptr}, {"architectures", {"BertForMaskedLM"}}};
  const TransformerConfig b = TransformerConfig::from_hf_config(bert);
  EXPECT_EQ(b.pad_token_id, 0);
  EXPECT_FALSE(b.padding_aware_positions);
  EXPECT_EQ(b.num_layers, 12);  // transformers' default
  EXPECT_EQ(read_hf_config(bert, "config.json").classifier_dropout, -1);
  json roberta = bert;
  roberta["model_type"] = "roberta";
  const TransformerConfig r = TransformerConfig::from_hf_config(roberta);
  EXPECT_EQ(r.pad_token_id, 1);
  EXPECT_TRUE(r.padding_aware_positions);
  EXPECT_EQ(r.model_type, "roberta");
}

TEST(HfConfig, ErrorsNameTheFileAndKey) {
  auto error = [](const json& j) { return error_of([&] { TransformerConfig::from_hf_config(j, "hf/config.json"); }); };
  EXPECT_EQ(error(json::array()), "hf/config.json: $: expected a JSON object, got an array");
  EXPECT_EQ(error(json{{"vocab_size", 10}}), "hf/config.json: model_type: missing");
  EXPECT_EQ(error(json{{"model_type", "gpt2"}, {"vocab_size", 10}}),
            "hf/config.json: model_type: must be bert, roberta, xlm-roberta, camembert (got \"gpt2\")");
  EXPECT_EQ(error(json{{"model_type", "bert"}, {"vocab_size", 10}, {"hidden_act", "relu"}}),
            "hf/config.json: hidden_act: must be gelu (got \"relu\")");
  EXPECT_EQ(error(json{{"model_type", "bert"}, {"vocab_size", 10}, {"classifier_dropout", 2}}),
            "hf/config.json: classifier_dropout: must be >= 0 and < 1 (got 2)");
}

}  // namespace
}  // namespace nertool::layers
