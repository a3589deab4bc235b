// BERT/RoBERTa encoders and Hugging Face conversion, checked against the hf-tiny reference logits.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "nertool/core/atomic_file.h"
#include "nertool/core/error.h"
#include "nertool/data/conll.h"
#include "nertool/io/safetensors.h"
#include "nertool/io/torch_pickle.h"
#include "nertool/train/hf_checkpoint.h"
#include "nertool/models/hf_encoder.h"
#include "nertool/models/softmax_decoder.h"
#include "nertool/text/subword_tokenizer.h"
#include "nertool/train/run_dir.h"
#include "test_paths.h"

namespace nertool::models {
using train::convert_from_hf;
using train::convert_to_hf;
using train::HfImportOptions;
using train::HfImportReport;
namespace {

namespace fs = std::filesystem;
using testing::shared_path;

struct Reference {
  std::vector<std::vector<std::string>> words;
  std::vector<std::vector<int64_t>> input_ids, first_subword;
  std::vector<torch::Tensor> logits;  // [S, L]
};

Reference read_reference(const std::string& model) {
  auto j = nlohmann::json::parse(read_file(shared_path("fixtures/hf-tiny/" + model + "/reference.json")));
  Reference r;
  for (const auto& s : j["sentences"]) {
    r.words.push_back(s["words"].get<std::vector<std::string>>());
    r.input_ids.push_back(s["input_ids"].get<std::vector<int64_t>>());
    r.first_subword.push_back(s["word_first_subword"].get<std::vector<int64_t>>());
    std::vector<float> flat;
    int64_t rows = 0;
    for (const auto& row : s["logits"]) {
      for (const auto& v : row) flat.push_back(v.get<float>());
      ++rows;
    }
    r.logits.push_back(torch::tensor(flat).view({rows, -1}));
  }
  return r;
}

// Converts a fixture once per test into a temporary model directory and loads it.
struct Converted {
  testing::TempDir tmp;
  train::LoadedModel model;
  HfTransformerEncoder* encoder = nullptr;
  SoftmaxDecoder* decoder = nullptr;
  explicit Converted(const std::string& name, const std::string& from = "") {
    convert_from_hf(from.empty() ? shared_path("fixtures/hf-tiny/" + name) : from, tmp.file("model"), {});
    model = train::load_model(tmp.file("model"));
    encoder = dynamic_cast<HfTransformerEncoder*>(&model.tagger->encoder());
    decoder = dynamic_cast<SoftmaxDecoder*>(&model.tagger->decoder());
  }
};

class HfParity : public ::testing::TestWithParam<std::string> {};

TEST_P(HfParity, SubwordLogitsEqualReferenceOneSentenceAtATimeAndPadded) {
  NERTOOL_REQUIRE_SHARED("fixtures/hf-tiny/" + GetParam() + "/reference.json");
  Converted c(GetParam());
  ASSERT_NE(c.encoder, nullptr);
  ASSERT_NE(c.decoder, nullptr);
  auto ref = read_reference(GetParam());
  ASSERT_EQ(ref.input_ids.size(), 21u);
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < ref.input_ids.size(); ++i) {
    auto ids = torch::tensor(ref.input_ids[i]).unsqueeze(0);
    auto logits = c.decoder->logits(c.encoder->hidden_states(ids, torch::ones_like(ids)))[0];
    EXPECT_LT((logits - ref.logits[i]).abs().max().item<float>(), 1e-4) << "sentence " << i;
  }
  // All sentences in one padded batch.
  int64_t longest = 0;
  for (const auto& v : ref.input_ids) longest = std::max<int64_t>(longest, static_cast<int64_t>(v.size()));
  const int64_t pad = c.encoder->config().pad_token_id;
  auto ids = torch::full({21, longest}, pad, torch::kInt64);
  auto mask = torch::zeros({21, longest}, torch::kInt64);
  for (int64_t i = 0; i < 21; ++i) {
    int64_t n = static_cast<int64_t>(ref.input_ids[i].size());
    ids[i].narrow(0, 0, n).copy_(torch::tensor(ref.input_ids[i]));
    mask[i].narrow(0, 0, n).fill_(1);
  }
  auto logits = c.decoder->logits(c.encoder->hidden_states(ids, mask));
  for (int64_t i = 0; i < 21; ++i) {
    int64_t n = static_cast<int64_t>(ref.input_ids[i].size());
    EXPECT_LT((logits[i].narrow(0, 0, n) - ref.logits[i]).abs().max().item<float>(), 1e-4) << "padded sentence " << i;
  }
}

TEST_P(HfParity, WordLogitsThroughTokenizerAndWindowsEqualReference) {
  NERTOOL_REQUIRE_SHARED("fixtures/hf-tiny/" + GetParam() + "/reference.json");
  Converted c(GetParam());
  auto ref = read_reference(GetParam());
  std::vector<data::Sentence> sentences(ref.words.size());
  std::vector<const data::Sentence*> ptrs;
  for (std::size_t i = 0; i < ref.words.size(); ++i) {
    sentences[i].tokens = ref.words[i];
    ptrs.push_back(&sentences[i]);
  }
  Batch batch;
  batch.sentences = ptrs;
  int64_t t = 0;
  for (const auto& s : sentences) t = std::max<int64_t>(t, static_cast<int64_t>(s.size()));
  batch.word_mask = torch::zeros({batch.size(), t}, torch::kBool);
  for (int64_t i = 0; i < batch.size(); ++i) batch.word_mask[i].narrow(0, 0, ptrs[i]->size()).fill_(true);
  c.encoder->featurize(batch);
  torch::NoGradGuard no_grad;
  auto logits = c.decoder->logits(c.encoder->forward(batch));
  auto probs = c.model.tagger->probabilities(batch);
  int64_t checked = 0;
  for (std::size_t i = 0; i < ref.words.size(); ++i)
    for (std::size_t w = 0; w < ref.words[i].size(); ++w) {
      int64_t first = ref.first_subword[i][w];
      if (first < 0) continue;  // a word HF gives no subword: nertool reads [UNK] for it
      auto expected = ref.logits[i][first];
      EXPECT_LT((logits[i][w] - expected).abs().max().item<float>(), 1e-4) << "sentence " << i << " word " << w;
      EXPECT_LT((probs[i][w] - torch::softmax(expected, 0)).abs().max().item<float>(), 1e-5);
      ++checked;
    }
  EXPECT_GT(checked, 150);
}

INSTANTIATE_TEST_SUITE_P(HfTiny, HfParity, ::testing::Values("bert", "roberta", "xlm-roberta"));

SpecialIds specials() { return {101, 102, 0, 100}; }

TEST(WindowPlan, ShortSentenceIsOneWindowWithContextAroundIt) {
  WindowOptions o;
  o.max_seq_length = 10;
  auto p = plan_windows({{1}, {2, 3}, {}}, specials(), o);
  ASSERT_EQ(p.windows.size(), 1u);
  EXPECT_EQ(p.windows[0].ids, (std::vector<int64_t>{101, 1, 2, 3, 100, 102}));
  EXPECT_EQ(p.word_position, (std::vector<int64_t>{1, 2, 4}));
  o.document_context = true;  // 8 content slots, 4 used: 2 on each side; the right side has only 1, left gets 3
  p = plan_windows({{1}, {2, 3}, {}}, specials(), o, {7, 8, 9, 10}, {11});
  EXPECT_EQ(p.windows[0].ids, (std::vector<int64_t>{101, 8, 9, 10, 1, 2, 3, 100, 11, 102}));
  EXPECT_EQ(p.word_position, (std::vector<int64_t>{4, 5, 7}));
}

TEST(WindowPlan, LongSentenceUsesOverlappingWindowsAndEveryWordItsMostCentralOne) {
  WindowOptions o;
  o.max_seq_length = 6;  // 4 subwords of content
  std::vector<std::vector<int64_t>> pieces;
  for (int64_t i = 0; i < 10; ++i) pieces.push_back({1000 + i});
  auto p = plan_windows(pieces, specials(), o);
  // stride 2: windows start at words 0, 2, 4, 6 (the last one reaching word 9).
  ASSERT_EQ(p.windows.size(), 4u);
  EXPECT_EQ(p.windows[1].ids, (std::vector<int64_t>{101, 1002, 1003, 1004, 1005, 102}));
  EXPECT_EQ(p.word_window, (std::vector<int64_t>{0, 0, 0, 1, 1, 2, 2, 3, 3, 3}));
  for (std::size_t i = 0; i < pieces.size(); ++i)
    EXPECT_EQ(p.windows[p.word_window[i]].ids[p.word_position[i]], 1000 + static_cast<int64_t>(i)) << i;
  // A word longer than a window keeps its first pieces.
  auto q = plan_windows({{1, 2, 3, 4, 5, 6}, {7}}, specials(), o);
  ASSERT_EQ(q.windows.size(), 2u);
  EXPECT_EQ(q.windows[0].ids, (std::vector<int64_t>{101, 1, 2, 3, 4, 102}));
  EXPECT_EQ(q.windows[q.word_window[1]].ids[q.word_position[1]], 7);
}

TEST(HfEncoderWindows, LongSentenceGetsOneVectorPerWordFromItsWindow) {
  NERTOOL_REQUIRE_SHARED("fixtures/hf-tiny/bert/config.json");
  Converted c("bert");
  auto ref = read_reference("bert");
  data::Sentence s;
  for (int k = 0; k < 4; ++k)
    for (const auto& w : ref.words[0]) s.tokens.push_back(w);  // 36 words, about 40 subwords
  Batch batch;
  batch.sentences = {&s};
  batch.word_mask = torch::ones({1, static_cast<int64_t>(s.size())}, torch::kBool);
  torch::NoGradGuard no_grad;
  WindowOptions small;
  small.max_seq_length = 16;
  c.encoder->set_window_options(small);
  c.encoder->featurize(batch);
  auto windowed = c.encoder->forward(batch);
  ASSERT_EQ(windowed.size(1), static_cast<int64_t>(s.size()));
  EXPECT_GT(batch.input("subword_ids").size(0), 3);
  // Every word's vector is its first subword's in the window the plan gave it, run on its own.
  std::vector<std::vector<int64_t>> pieces;
  auto split = [&] {
    auto enc = text::load_tokenizer(c.tmp.file("model/tokenizer"))->encode_words(s.tokens);
    for (std::size_t i = 0; i < s.size(); ++i)
      pieces.emplace_back(enc.input_ids.begin() + enc.word_first_subword[i],
                          enc.input_ids.begin() + enc.word_first_subword[i] + enc.word_num_subwords[i]);
  };
  split();
  auto plan = plan_windows(pieces, {101, 102, 0, 100}, small);
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto ids = torch::tensor(plan.windows[plan.word_window[i]].ids).unsqueeze(0);
    auto h = c.encoder->hidden_states(ids, torch::ones_like(ids))[0][plan.word_position[i]];
    EXPECT_LT((windowed[0][static_cast<int64_t>(i)] - h).abs().max().item<float>(), 1e-5) << "word " << i;
  }
  // With a window covering the sentence, the windowed encoder equals one unwindowed pass.
  c.encoder->set_window_options(WindowOptions{});
  c.encoder->featurize(batch);
  EXPECT_EQ(batch.input("subword_ids").size(0), 1);
  auto whole = c.encoder->forward(batch);
  std::vector<int64_t> all = {101};
  for (const auto& p : pieces) all.insert(all.end(), p.begin(), p.end());
  all.push_back(102);
  auto ids = torch::tensor(all).unsqueeze(0);
  auto h = c.encoder->hidden_states(ids, torch::ones_like(ids))[0];
  int64_t pos = 1;
  for (std::size_t i = 0; i < s.size(); ++i) {
    EXPECT_LT((whole[0][static_cast<int64_t>(i)] - h[pos]).abs().max().item<float>(), 1e-5);
    pos += static_cast<int64_t>(pieces[i].size());
  }
}

}  // namespace
}  // namespace nertool::models

namespace nertool::layers {
namespace {

// The stack runs its token-wise parts on the real tokens only (TokenLayout). A padded batch must give each
// sentence what it gets alone, zeros on pads, and gradients that flow only from real tokens.
TEST(TransformerStack, PaddedBatchEqualsEachSentenceAloneWithZerosOnPads) {
  torch::manual_seed(3);
  TransformerConfig c = TransformerConfig::from_json({{"vocab_size", 50},
                                                      {"hidden_size", 16},
                                                      {"num_layers", 2},
                                                      {"num_heads", 4},
                                                      {"intermediate_size", 24},
                                                      {"max_position_embeddings", 32},
                                                      {"type_vocab_size", 2},
                                                      {"layer_norm_eps", 1e-12},
                                                      {"hidden_dropout", 0.0},
                                                      {"attention_dropout", 0.0}});
  TransformerStack stack(c);
  stack->eval();
  const std::vector<int64_t> lengths = {5, 1, 9, 3};
  const int64_t b = 4, s = 9;
  auto hidden = torch::randn({b, s, c.hidden_size}, torch::requires_grad());
  auto mask = torch::zeros({b, s}, torch::kInt64);
  for (int64_t i = 0; i < b; ++i) mask[i].narrow(0, 0, lengths[i]).fill_(1);
  auto out = stack->forward(hidden, mask);
  ASSERT_EQ(out.sizes(), hidden.sizes());
  for (int64_t i = 0; i < b; ++i) {
    auto alone = stack->forward(hidden[i].narrow(0, 0, lengths[i]).unsqueeze(0), torch::ones({1, lengths[i]}, torch::kInt64));
    EXPECT_LT((out[i].narrow(0, 0, lengths[i]) - alone[0]).abs().max().item<float>(), 1e-5) << "sentence " << i;
    if (lengths[i] < s) EXPECT_EQ(out[i].narrow(0, lengths[i], s - lengths[i]).abs().max().item<float>(), 0.0f);
  }
  (out * torch::randn_like(out)).sum().backward();  // a plain sum of LayerNorm outputs has zero gradient
  auto g = hidden.grad();
  for (int64_t i = 0; i < b; ++i) {
    EXPECT_GT(g[i].narrow(0, 0, lengths[i]).abs().sum().item<float>(), 0.0f) << "sentence " << i;
    if (lengths[i] < s) EXPECT_EQ(g[i].narrow(0, lengths[i], s - lengths[i]).abs().max().item<float>(), 0.0f);
  }
}

}  // namespace
}  // namespace nertool::layers
