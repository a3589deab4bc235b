#include "nertool/models/bilstm_cnn.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "bilstm_test_util.h"
#include "nertool/core/error.h"
#include "nertool/layers/word_features.h"
#include "test_paths.h"

using namespace nertool;
using namespace nertool::models;
using nertool::testing::TempDir;

namespace {

nlohmann::json small_model(nlohmann::json extra = nlohmann::json::object()) {
  nlohmann::json enc = {{"word_dim", 8}, {"casing_dim", 3}, {"char_dim", 5}, {"char_type_dim", 2},
                        {"char_filters", 6}, {"hidden_size", 7}, {"num_layers", 2}};
  for (auto& [k, v] : extra.items()) enc[k] = v;
  return {{"encoder", "bilstm_cnn"}, {"decoder", "bidir_softmax"}, {"bilstm_cnn", enc}};
}

std::shared_ptr<BiLstmCnnEncoder> build(const data::Corpus& corpus, const std::string& dir,
                                        nlohmann::json config = small_model()) {
  BuildContext c;
  c.config = config;
  c.labels = LabelSet::from_corpus(corpus);
  c.train = &corpus;
  c.model_dir = dir;
  return BiLstmCnnEncoder::build(c);
}

}  // namespace

TEST(BiLstmCnn, FeaturizeKnownAnswers) {
  TempDir dir;
  auto corpus = nertool::testing::tiny_corpus();
  auto enc = build(corpus, dir.path());
  const auto& s = corpus.sentences[4];  // iPhone sales rose 12.5 % in Köln .
  auto b = nertool::testing::make_batch({&s}, LabelSet::from_corpus(corpus), *enc);
  auto casing = b.input("casing")[0];
  using layers::Casing;
  std::vector<Casing> expected = {Casing::MixedCaps, Casing::Lowercase, Casing::Lowercase, Casing::MainlyNumeric,
                                  Casing::Punctuation,     Casing::Lowercase, Casing::UpperInitial, Casing::Punctuation};
  for (std::size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(casing[static_cast<int64_t>(i)].item<int64_t>(), static_cast<int64_t>(expected[i])) << s.tokens[i];
  // "Köln": 4 code points (not 5 bytes), types Upper Lower Lower Lower, then padding.
  auto chars = b.input("chars")[0][6];
  auto types = b.input("char_types")[0][6];
  ASSERT_EQ(chars.size(0), 6);  // longest word: "iPhone"
  EXPECT_EQ(chars[0].item<int64_t>(), enc->chars().id("K"));
  EXPECT_EQ(chars[1].item<int64_t>(), enc->chars().id("ö"));
  EXPECT_NE(chars[1].item<int64_t>(), layers::Vocabulary::kUnknown);
  EXPECT_EQ(chars[4].item<int64_t>(), 0);
  std::vector<layers::CharType> t = {layers::CharType::Upper, layers::CharType::Lower, layers::CharType::Lower,
                                     layers::CharType::Lower, layers::CharType::Padding};
  for (std::size_t i = 0; i < t.size(); ++i)
    EXPECT_EQ(types[static_cast<int64_t>(i)].item<int64_t>(), static_cast<int64_t>(t[i]));
  EXPECT_EQ(b.input("words")[0][6].item<int64_t>(), enc->words().find("Köln"));
  // Unknown words and characters.
  auto other = nertool::testing::sentence({"Zürich", "EU"}, {});
  auto b2 = nertool::testing::make_batch({&other}, LabelSet::from_corpus(corpus), *enc);
  EXPECT_EQ(b2.input("words")[0][0].item<int64_t>(), layers::Vocabulary::kUnknown);
  EXPECT_EQ(b2.input("chars")[0][0][1].item<int64_t>(), layers::Vocabulary::kUnknown);  // 'ü' unseen
  EXPECT_EQ(b2.input("words")[0][1].item<int64_t>(), enc->words().find("EU"));
}

TEST(BiLstmCnn, SentenceFeaturesDoNotDependOnTheBatch) {
  TempDir dir;
  auto corpus = nertool::testing::tiny_corpus();
  torch::manual_seed(3);
  auto enc = build(corpus, dir.path());
  enc->eval();
  auto labels = LabelSet::from_corpus(corpus);
  const auto& shortest = corpus.sentences[1];  // 2 words, padded to 10 next to sentence 3
  torch::NoGradGuard guard;
  auto alone = enc->forward(nertool::testing::make_batch({&shortest}, labels, *enc));
  auto batched = enc->forward(
      nertool::testing::make_batch({&corpus.sentences[3], &shortest, &corpus.sentences[0]}, labels, *enc));
  ASSERT_EQ(alone.sizes(), (std::vector<int64_t>{1, 2, 14}));
  ASSERT_EQ(batched.sizes(), (std::vector<int64_t>{3, 10, 14}));
  auto diff = (batched[1].narrow(0, 0, 2) - alone[0]).abs().max().item<float>();
  EXPECT_LT(diff, 1e-6);
  // Both halves matter: the backward half of the first word has read the second word.
  EXPECT_GT(alone[0][0].narrow(0, 7, 7).abs().sum().item<float>(), 0.f);
  // Padding positions are zero.
  EXPECT_EQ(batched[1].narrow(0, 2, 8).abs().sum().item<float>(), 0.f);
}

TEST(BiLstmCnn, VocabulariesRoundTripThroughTheModelDirectory) {
  TempDir dir;
  auto corpus = nertool::testing::tiny_corpus();
  auto enc = build(corpus, dir.path());
  ASSERT_TRUE(std::filesystem::exists(dir.file(BiLstmCnnEncoder::kVocabularyFile)));
  BuildContext load;
  load.config = small_model();
  load.labels = LabelSet::from_corpus(corpus);
  load.model_dir = dir.path();
  auto loaded = BiLstmCnnEncoder::build(load);
  ASSERT_EQ(loaded->words().size(), enc->words().size());
  ASSERT_EQ(loaded->chars().size(), enc->chars().size());
  for (int64_t i = 0; i < enc->words().size(); ++i) EXPECT_EQ(loaded->words().item(i), enc->words().item(i));
  for (int64_t i = 0; i < enc->chars().size(); ++i) EXPECT_EQ(loaded->chars().item(i), enc->chars().item(i));
  // Same parameter shapes, so saved weights load.
  auto a = enc->named_parameters(), b = loaded->named_parameters();
  ASSERT_EQ(a.size(), b.size());
  for (const auto& p : a) EXPECT_EQ(p.value().sizes(), b[p.key()].sizes()) << p.key();
  BuildContext missing = load;
  missing.model_dir = dir.file("absent");
  EXPECT_THROW(BiLstmCnnEncoder::build(missing), IoError);
}

TEST(BiLstmCnn, PretrainedVectorsWithLowercaseFallback) {
  TempDir dir;
  auto path = dir.file("vectors.txt");
  {
    std::ofstream out(path);
    out << "germany 1 2 3 4 5 6 7 8\nthe 0 1 0 1 0 1 0 1\nGermany_ 9 9 9 9 9 9 9 9\nunseen 2 2 2 2 2 2 2 2\n"
        << "zürich 3 3 3 3 3 3 3 3\n";
  }
  auto corpus = nertool::testing::tiny_corpus();
  auto enc = build(corpus, dir.path(), small_model({{"embeddings", path}}));
  auto weight = enc->word_embedding_weight();
  // "Germany" (training) has no exact vector: it uses the pretrained lower-cased one instead of its own row.
  EXPECT_FALSE(enc->words().contains("Germany"));
  int64_t germany = enc->word_id("Germany");
  EXPECT_EQ(germany, enc->words().find("germany"));
  EXPECT_TRUE(torch::equal(weight[germany], torch::arange(1, 9, torch::kFloat32)));
  // File words enter the vocabulary even when absent from training; unseen test words find them.
  EXPECT_EQ(enc->word_id("Zürich"), enc->words().find("zürich"));
  EXPECT_TRUE(torch::equal(weight[enc->word_id("ZÜRICH")], torch::full({8}, 3.f)));
  // Training words without a vector get their own random row.
  int64_t lamb = enc->word_id("lamb");
  EXPECT_GT(lamb, 1);
  EXPECT_LT(weight[lamb].abs().max().item<float>(), 10.f);
  // max_vocab caps the file words taken.
  auto capped = build(corpus, dir.path(), small_model({{"embeddings", path}, {"max_vocab", 2}}));
  EXPECT_FALSE(capped->words().contains("unseen"));
  EXPECT_TRUE(capped->words().contains("the"));
  // Dimension mismatch.
  EXPECT_THROW(build(corpus, dir.path(), small_model({{"embeddings", path}, {"word_dim", 5}})), ConfigError);
}

// word_dim follows the vector file when the config is completed (as train does before saving it), whatever the
// format; other keys, other encoders and configs without a readable file are left as they are.
TEST(BiLstmCnn, CompletedConfigTakesWordDimFromTheVectorFile) {
  TempDir dir;
  const std::string glove = dir.file("glove.txt"), vec = dir.file("ft.vec");
  std::ofstream(glove) << "the 1 2 3\nto 4 5 6\n";
  std::ofstream(vec) << "2 5\nthe 1 2 3 4 5\nto 1 1 1 1 1\n";
  for (auto [file, dim] : {std::pair{glove, 3}, {vec, 5}}) {
    const auto model = completed_model_config(small_model({{"embeddings", file}, {"word_dim", 100}}));
    EXPECT_EQ(model["bilstm_cnn"]["word_dim"], dim) << file;
    EXPECT_EQ(model["bilstm_cnn"]["hidden_size"], 7) << file;
    auto corpus = nertool::testing::tiny_corpus();
    EXPECT_EQ(build(corpus, dir.path(), model)->named_parameters()["word_embedding.weight"].size(1), dim) << file;
  }
  EXPECT_EQ(completed_model_config(small_model())["bilstm_cnn"]["word_dim"], 8);
  const auto missing = small_model({{"embeddings", dir.file("absent.vec")}});
  EXPECT_EQ(completed_model_config(missing), missing);
  nlohmann::json other = {{"encoder", "bert"}, {"bilstm_cnn", {{"embeddings", vec}, {"word_dim", 100}}}};
  EXPECT_EQ(completed_model_config(other), other);
}

TEST(BiLstmCnn, SingletonsAreCountedPerEmbeddingRow) {
  TempDir dir;
  auto path = dir.file("vectors.txt");
  {
    std::ofstream out(path);
    out << "germany 1 2 3 4 5 6 7 8\nthe 0 1 0 1 0 1 0 1\nto 1 1 1 1 1 1 1 1\nunseen 2 2 2 2 2 2 2 2\n";
  }
  auto corpus = nertool::testing::tiny_corpus();
  auto singletons = [](const BiLstmCnnEncoder& enc) {
    std::set<std::string> out;
    auto flags = enc.named_buffers()["singleton"];
    for (int64_t id = 0; id < flags.size(0); ++id)
      if (flags[id].item<bool>()) out.insert(enc.words().item(id));
    return out;
  };
  // With vectors: "Germany" (once) reaches the pretrained "germany" row and "the" (once) its own pretrained row;
  // "to" (twice) and the file-only "unseen" (never) are not singletons; "lamb" (once, no vector) has its own row.
  auto with_vectors = singletons(*build(corpus, dir.path(), small_model({{"embeddings", path}})));
  EXPECT_TRUE(with_vectors.count("germany"));
  EXPECT_TRUE(with_vectors.count("the"));
  EXPECT_TRUE(with_vectors.count("lamb"));
  EXPECT_FALSE(with_vectors.count("to"));
  EXPECT_FALSE(with_vectors.count("unseen"));
  EXPECT_FALSE(with_vectors.count("."));
  // Without vectors every training word has its own row.
  auto plain = singletons(*build(corpus, dir.path()));
  EXPECT_TRUE(plain.count("EU"));
  EXPECT_TRUE(plain.count("Germany"));
  EXPECT_FALSE(plain.count("to"));
}

TEST(BiLstmCnn, UnkReplaceFeedsSingletonsAsUnknownOnlyInTraining) {
  TempDir dir;
  auto corpus = nertool::testing::tiny_corpus();
  auto enc = build(corpus, dir.path(),
                   small_model({{"unk_replace", 1.0}, {"dropout", 0.0}, {"embedding_dropout", 0.0}}));
  const auto& s = corpus.sentences[0];  // EU rejects German call to boycott British lamb .
  auto batch = nertool::testing::make_batch({&s}, LabelSet::from_corpus(corpus), *enc);
  auto as_unknown = batch;
  auto words = batch.input("words").clone();
  auto singleton = enc->named_buffers()["singleton"];
  words.masked_fill_(singleton.index({words}), layers::Vocabulary::kUnknown);
  ASSERT_GT(words.eq(layers::Vocabulary::kUnknown).sum().item<int64_t>(), 0);
  as_unknown.inputs["words"] = words;
  torch::NoGradGuard no_grad;
  enc->train();
  EXPECT_TRUE(torch::equal(enc->forward(batch), enc->forward(as_unknown)));
  enc->eval();
  EXPECT_FALSE(torch::allclose(enc->forward(batch), enc->forward(as_unknown)));
}

TEST(BiLstmCnn, LowercaseAndDigitOptions) {
  TempDir dir;
  auto corpus = nertool::testing::tiny_corpus();
  auto enc = build(corpus, dir.path(), small_model({{"lowercase_words", true}, {"normalize_digits", true}}));
  EXPECT_TRUE(enc->words().contains("brussels"));
  EXPECT_FALSE(enc->words().contains("BRUSSELS"));
  EXPECT_TRUE(enc->words().contains("0000-00-00"));
  EXPECT_EQ(enc->word_id("2001-01-31"), enc->words().find("0000-00-00"));
  EXPECT_EQ(enc->word_id("Brussels"), enc->words().find("brussels"));
}

TEST(BiLstmCnn, ConfigErrorsNameTheKey) {
  TempDir dir;
  auto corpus = nertool::testing::tiny_corpus();
  try {
    build(corpus, dir.path(), small_model({{"hiden_size", 3}}));
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("model.bilstm_cnn.hiden_size"), std::string::npos) << e.what();
  }
  EXPECT_THROW(build(corpus, dir.path(), small_model({{"dropout", 1.5}})), ConfigError);
  EXPECT_THROW(build(corpus, dir.path(), small_model({{"unk_replace", 1.01}})), ConfigError);
  EXPECT_THROW(build(corpus, dir.path(), small_model({{"char_width", 2}})), ConfigError);
  EXPECT_THROW(build(corpus, dir.path(), small_model({{"num_layers", "two"}})), ConfigError);
  EXPECT_THROW(build(corpus, dir.path(), small_model({{"embeddings_format", "xml"}})), ConfigError);
  auto defaults = BiLstmCnnOptions::from_json(nlohmann::json::object());
  EXPECT_EQ(BiLstmCnnOptions::from_json(defaults.to_json()).to_json(), defaults.to_json());
}

TEST(BiLstmCnn, LexiconFeaturesReachTheLstmAndTravelWithTheModel) {
  TempDir dir, run;
  const std::string path = dir.file("lexicon.tsv");
  {
    std::ofstream out(path);
    out << "LOC\tGermany\nORG\tEuropean Union\nMISC\tGerman\nLOC\tBrussels\n";
  }
  auto corpus = nertool::testing::tiny_corpus();
  torch::manual_seed(5);
  auto enc = build(corpus, run.path(), small_model({{"lexicon", path}}));
  ASSERT_NE(enc->lexicon(), nullptr);
  ASSERT_EQ(enc->lexicon()->categories(), (std::vector<std::string>{"LOC", "MISC", "ORG"}));
  // Germany 's representative to the European Union said so .
  const auto& s = corpus.sentences[3];
  auto b = nertool::testing::make_batch({&s, &corpus.sentences[1]}, LabelSet::from_corpus(corpus), *enc);
  auto f = b.input("lexicon");
  ASSERT_EQ(f.sizes(), (std::vector<int64_t>{2, 10, 12}));  // 3 categories x (B, I, E, S)
  auto expect_one = [&](int64_t t, int64_t feature) {
    EXPECT_EQ(f[0][t].sum().item<float>(), 1.f) << "token " << t;
    EXPECT_EQ(f[0][t][feature].item<float>(), 1.f) << "token " << t;
  };
  expect_one(0, 0 * 4 + 3);  // Germany: LOC single
  expect_one(5, 2 * 4 + 0);  // European: ORG begin
  expect_one(6, 2 * 4 + 2);  // Union: ORG end
  EXPECT_EQ(f.sum().item<float>(), 3.f);  // nothing else, not in the padding of sentence 2 either
  // The features change the encoder's output (they are wired into the first LSTM's input).
  enc->eval();
  torch::NoGradGuard guard;
  auto with = enc->forward(b);
  auto without = b;
  without.inputs["lexicon"] = torch::zeros_like(f);
  EXPECT_FALSE(torch::allclose(with, enc->forward(without)));
  // The run directory holds its own copy: the model loads after the original file is gone.
  ASSERT_TRUE(std::filesystem::exists(run.file(BiLstmCnnEncoder::kLexiconFile)));
  std::filesystem::remove(path);
  BuildContext load;
  load.config = small_model({{"lexicon", path}});
  load.labels = LabelSet::from_corpus(corpus);
  load.model_dir = run.path();
  auto loaded = BiLstmCnnEncoder::build(load);
  ASSERT_NE(loaded->lexicon(), nullptr);
  EXPECT_EQ(loaded->lexicon()->to_text(), enc->lexicon()->to_text());
  auto b2 = nertool::testing::make_batch({&s, &corpus.sentences[1]}, LabelSet::from_corpus(corpus), *loaded);
  EXPECT_TRUE(torch::equal(b2.input("lexicon"), f));
  // First LSTM input: word 8 + casing 3 + char CNN 6 + lexicon 12.
  EXPECT_EQ(enc->named_parameters()["lstm0.weight_ih_l0"].size(1), 8 + 3 + 6 + 12);
  EXPECT_EQ(loaded->named_parameters()["lstm0.weight_ih_l0"].sizes(), enc->named_parameters()["lstm0.weight_ih_l0"].sizes());
  // Errors: a missing lexicon file at training time, and a saved model whose copy is missing.
  EXPECT_THROW(build(corpus, dir.file("other"), small_model({{"lexicon", path}})), IoError);
  std::filesystem::remove(run.file(BiLstmCnnEncoder::kLexiconFile));
  EXPECT_THROW(BiLstmCnnEncoder::build(load), IoError);
}

TEST(BiLstmCnn, OverfitsFiveSentences) {
  TempDir dir;
  auto corpus = nertool::testing::tiny_corpus();
  torch::manual_seed(7);
  BuildContext c;
  c.config = small_model({{"word_dim", 16}, {"hidden_size", 16}, {"num_layers", 1}, {"dropout", 0.1},
                          {"embedding_dropout", 0.1}});
  c.labels = LabelSet::from_corpus(corpus);
  c.train = &corpus;
  c.model_dir = dir.path();
  auto tagger = build_tagger(c);
  std::vector<const data::Sentence*> all;
  for (const auto& s : corpus.sentences) all.push_back(&s);
  auto batch = nertool::testing::make_batch(all, c.labels, tagger->encoder());
  torch::optim::Adam opt(tagger->parameters(), torch::optim::AdamOptions(0.02));
  // Train until every word of the five sentences is tagged right (F1 = 1.0), checking every 10 steps.
  float first = 0, last = 0;
  std::vector<std::vector<std::string>> predicted;
  int step = 0;
  for (; step < 400; ++step) {
    if (step % 10 == 0) {
      tagger->eval();
      torch::NoGradGuard guard;
      predicted = tagger->predict(batch);
      bool all_right = true;
      for (std::size_t i = 0; i < all.size(); ++i) all_right &= predicted[i] == all[i]->labels;
      if (all_right && step > 0) break;
    }
    tagger->train();
    opt.zero_grad();
    auto loss = tagger->loss(batch);
    loss.backward();
    opt.step();
    if (step == 0) first = loss.item<float>();
    last = loss.item<float>();
  }
  EXPECT_LT(last, first / 4) << "after " << step << " steps";
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(predicted[i], all[i]->labels) << "sentence " << i;
}
