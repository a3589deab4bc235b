// Parity with Hugging Face transformers 4.29 slow tokenizers: every sentence of the hf-tiny references and every
// line of the whole-corpus CoNLL-2003 references must give identical ids and word alignment.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "nertool/core/atomic_file.h"
#include "nertool/text/subword_tokenizer.h"
#include "test_paths.h"

namespace {

using nertool::testing::shared_path;
using nertool::text::load_tokenizer;
using nlohmann::json;

std::string show(const std::vector<int64_t>& v) {
  std::ostringstream out;
  for (std::size_t i = 0; i < v.size(); ++i) out << (i ? " " : "") << v[i];
  return out.str();
}

class HfTinyParity : public ::testing::TestWithParam<std::string> {};

TEST_P(HfTinyParity, EverySentenceMatchesReference) {
  const std::string rel = "fixtures/hf-tiny/" + GetParam() + "/reference.json";
  NERTOOL_REQUIRE_SHARED(rel);
  auto tok = load_tokenizer(shared_path("fixtures/hf-tiny/" + GetParam()));
  json ref = json::parse(nertool::read_file(shared_path(rel)));
  ASSERT_GT(ref["sentences"].size(), 0u);
  int checked = 0;
  for (const auto& s : ref["sentences"]) {
    auto words = s["words"].get<std::vector<std::string>>();
    auto enc = tok->encode_words(words);
    SCOPED_TRACE(s["text"].get<std::string>());
    EXPECT_EQ(show(enc.input_ids), show(s["input_ids"].get<std::vector<int64_t>>()));
    EXPECT_EQ(show(enc.word_first_subword), show(s["word_first_subword"].get<std::vector<int64_t>>()));
    EXPECT_EQ(show(enc.word_num_subwords), show(s["word_num_subwords"].get<std::vector<int64_t>>()));
    EXPECT_EQ(show(tok->encode_text(s["text"].get<std::string>())),
              show(s["text_input_ids"].get<std::vector<int64_t>>()));
    // The vocabulary strings of the ids are the reference's tokens.
    auto tokens = s["tokens"].get<std::vector<std::string>>();
    ASSERT_EQ(tokens.size(), enc.input_ids.size());
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      if (enc.input_ids[i] == tok->unk_id()) continue;  // HF keeps the surface string of an unknown piece
      EXPECT_EQ(tok->id_to_token(enc.input_ids[i]), tokens[i]);
    }
    ++checked;
  }
  EXPECT_EQ(checked, 21);
}

INSTANTIATE_TEST_SUITE_P(Models, HfTinyParity, ::testing::Values("bert", "roberta", "xlm-roberta"),
                         [](const auto& info) { return info.param == "xlm-roberta" ? std::string("xlm_roberta")
                                                                                  : info.param; });

struct CorpusCase {
  const char* reference;
  const char* tokenizer;
};

class CorpusParity : public ::testing::TestWithParam<CorpusCase> {};

// Every line of tokenizer-reference/*.jsonl: ids and first-subword indices identical.
TEST_P(CorpusParity, EveryLineMatchesReference) {
  const std::string rel = std::string("fixtures/tokenizer-reference/") + GetParam().reference;
  NERTOOL_REQUIRE_SHARED(rel);
  NERTOOL_REQUIRE_SHARED(std::string("data/tokenizers/") + GetParam().tokenizer);
  auto tok = load_tokenizer(shared_path(std::string("data/tokenizers/") + GetParam().tokenizer));
  std::ifstream in(shared_path(rel));
  std::string line;
  int lines = 0, mismatches = 0;
  while (std::getline(in, line)) {
    json ref = json::parse(line);
    auto enc = tok->encode_words(ref["words"].get<std::vector<std::string>>());
    bool same = enc.input_ids == ref["input_ids"].get<std::vector<int64_t>>() &&
                enc.word_first_subword == ref["word_first_subword"].get<std::vector<int64_t>>();
    if (!same && ++mismatches <= 5)
      ADD_FAILURE() << "line " << lines + 1 << ": " << line << "\n  got ids " << show(enc.input_ids)
                    << "\n  got first " << show(enc.word_first_subword);
    ++lines;
  }
  EXPECT_EQ(mismatches, 0) << "of " << lines << " lines";
  EXPECT_GT(lines, 3000);
}

INSTANTIATE_TEST_SUITE_P(Conll2003, CorpusParity,
                         ::testing::Values(CorpusCase{"conll2003-valid.bert.jsonl", "bert-base-cased"},
                                           CorpusCase{"conll2003-test.bert.jsonl", "bert-base-cased"},
                                           CorpusCase{"conll2003-valid.roberta.jsonl", "roberta-base"},
                                           CorpusCase{"conll2003-test.roberta.jsonl", "roberta-base"}),
                         [](const auto& info) {
                           std::string n = info.param.reference;
                           for (char& c : n)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

}  // namespace
