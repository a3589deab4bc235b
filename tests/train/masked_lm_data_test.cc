// Pretraining text: reading (text and CoNLL), packing whole units into sequences, and dynamic masking.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>
#include <set>

#include "error_of.h"
#include "nertool/core/error.h"
#include "nertool/models/masked_lm.h"
#include "nertool/text/subword_tokenizer.h"
#include "nertool/train/masked_lm_data.h"
#include "test_paths.h"

namespace nertool::train {
namespace {

using nertool::testing::error_of;
using nertool::testing::shared_path;
using nertool::testing::TempDir;

std::shared_ptr<text::SubwordTokenizer> roberta_tokenizer() {
  return text::load_tokenizer(shared_path("fixtures/hf-tiny-mlm/roberta"));
}

std::string write(const TempDir& dir, const std::string& name, const std::string& content) {
  std::ofstream(dir.file(name), std::ios::binary) << content;
  return dir.file(name);
}

// The ids of sequence i, as a vector.
std::vector<int64_t> sequence(const PackedSequences& p, std::size_t i) {
  return std::vector<int64_t>(p.ids.begin() + p.offsets[i], p.ids.begin() + p.offsets[i + 1]);
}

std::vector<int64_t> with_specials(const text::SubwordTokenizer& tok, const std::vector<std::string>& words) {
  return tok.encode_words(words).input_ids;
}

TEST(SequencePacker, PacksWholeUnitsAndCutsOnlyWhatCannotFit) {
  NERTOOL_REQUIRE_SHARED("fixtures/hf-tiny-mlm/roberta/vocab.json");
  auto tok = roberta_tokenizer();
  const std::vector<std::string> a = {"EU", "rejects", "German", "call"}, b = {"Peter", "Blackburn"};
  const auto a_ids = with_specials(*tok, a), b_ids = with_specials(*tok, b);
  const auto a_len = static_cast<int64_t>(a_ids.size()) - 2, b_len = static_cast<int64_t>(b_ids.size()) - 2;

  SequencePacker fits_both(*tok, a_len + b_len + 2);
  fits_both.add(a, "f", 1);
  fits_both.add(b, "f", 2);
  auto both = fits_both.finish();
  ASSERT_EQ(both.size(), 1u);
  std::vector<std::string> ab = a;
  ab.insert(ab.end(), b.begin(), b.end());
  EXPECT_EQ(sequence(both, 0), with_specials(*tok, ab)) << "two units, one sequence, each word as fine-tuning sees it";
  EXPECT_EQ(both.units, 2);
  EXPECT_EQ(both.words, 6);

  SequencePacker one_short(*tok, a_len + b_len + 1);
  one_short.add(a, "f", 1);
  one_short.add(b, "f", 2);
  auto apart = one_short.finish();
  ASSERT_EQ(apart.size(), 2u) << "b does not fit beside a: it starts the next sequence whole";
  EXPECT_EQ(sequence(apart, 0), a_ids);
  EXPECT_EQ(sequence(apart, 1), b_ids);
  for (std::size_t i = 0; i < apart.ids.size(); ++i) {
    const bool special = apart.ids[i] == tok->cls_id() || apart.ids[i] == tok->sep_id();
    EXPECT_EQ(apart.kinds[i] == PackedSequences::kSpecial, special) << i;
  }
}

TEST(SequencePacker, FillPackingCutsUnitsBetweenWordsToFillEverySequence) {
  NERTOOL_REQUIRE_SHARED("fixtures/hf-tiny-mlm/roberta/vocab.json");
  auto tok = roberta_tokenizer();
  SequencePacker packer(*tok, 5, Packing::kFill);  // 3 subwords per sequence
  packer.add({"the", "the"}, "f", 1);
  packer.add({"the", "the", "the"}, "f", 2);
  auto p = packer.finish();
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p.length(0), 5) << "the second unit's first word fills the first sequence";
  EXPECT_EQ(p.length(1), 4);
}

TEST(SequencePacker, ALongUnitIsCutBetweenWordsAndALongWordBetweenSubwords) {
  NERTOOL_REQUIRE_SHARED("fixtures/hf-tiny-mlm/roberta/vocab.json");
  auto tok = roberta_tokenizer();
  SequencePacker packer(*tok, 5);  // 3 subwords per sequence
  std::vector<std::string> words(7, "the");  // one subword each
  packer.add(words, "f", 1);
  packer.add({"Antidisestablishmentarianism"}, "f", 2);
  auto p = packer.finish();
  const auto long_word = tok->encode_word("Antidisestablishmentarianism");
  ASSERT_GT(long_word.size(), 3u);
  int64_t subwords = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    EXPECT_LE(p.length(i), 5);
    EXPECT_EQ(p.ids[static_cast<std::size_t>(p.offsets[i])], tok->cls_id());
    EXPECT_EQ(p.ids[static_cast<std::size_t>(p.offsets[i + 1] - 1)], tok->sep_id());
    subwords += p.length(i) - 2;
  }
  EXPECT_EQ(subwords, 7 + static_cast<int64_t>(long_word.size())) << "nothing is dropped";
  EXPECT_EQ(p.length(0), 5);
  EXPECT_EQ(p.length(2), 3) << "the 7th 'the' closes its sequence; the long word starts a new one";
  EXPECT_EQ(p.kinds[static_cast<std::size_t>(p.offsets[3] + 1)], PackedSequences::kWordStart);
  EXPECT_EQ(p.kinds[static_cast<std::size_t>(p.offsets[4] + 1)], PackedSequences::kContinuation)
      << "the long word goes on in the next sequence";
}

TEST(PretrainingText, ReadsTextLinesAndConllSentencesFileByFile) {
  NERTOOL_REQUIRE_SHARED("fixtures/hf-tiny-mlm/roberta/vocab.json");
  auto tok = roberta_tokenizer();
  TempDir dir;
  const auto text = write(dir, "a.txt", "The U.S. economy grew.\n\n   \nPeter Blackburn\n");
  const auto conll = write(dir, "b.conll", "-DOCSTART- -X- O O\n\nEU B-ORG\nrejects O\n\nPeter B-PER\n");
  auto t = read_pretraining_text({text}, TextFormat::kText, *tok, 512);
  EXPECT_EQ(t.units, 2) << "blank lines are no units";
  EXPECT_EQ(t.words, 2 + 5) << "words as the word tokenizer splits them (U.S. economy grew .)";
  auto c = read_pretraining_text({conll}, TextFormat::kConll, *tok, 512);
  EXPECT_EQ(c.units, 2);
  EXPECT_EQ(sequence(c, 0), with_specials(*tok, {"EU", "rejects", "Peter"}));
  auto both = read_pretraining_text({text, conll}, TextFormat::kText, *tok, 512);
  EXPECT_EQ(both.size(), 2u) << "sequences never span two files";
}

TEST(PretrainingText, BadFilesAreErrorsNamingFileAndLine) {
  NERTOOL_REQUIRE_SHARED("fixtures/hf-tiny-mlm/roberta/vocab.json");
  auto tok = roberta_tokenizer();
  TempDir dir;
  const auto bad = write(dir, "bad.txt", "fine\nbroken \xff byte\n");
  const auto message = error_of([&] { read_pretraining_text({bad}, TextFormat::kText, *tok, 64); });
  EXPECT_NE(message.find(bad), std::string::npos) << message;
  EXPECT_NE(message.find("2"), std::string::npos) << message;
  const auto blank = write(dir, "blank.txt", "\n\n");
  EXPECT_NE(error_of([&] { read_pretraining_text({blank}, TextFormat::kText, *tok, 64); }).find("no text"),
            std::string::npos);
  EXPECT_NE(error_of([&] { read_pretraining_text({dir.path()}, TextFormat::kText, *tok, 64); }).find("directory"),
            std::string::npos);
  EXPECT_THROW(SequencePacker(*tok, 2), ConfigError);
}

PackedSequences many_sentences(const text::SubwordTokenizer& tok) {
  SequencePacker packer(tok, 64);
  const std::vector<std::string> words = {"Blackburn", "said", "the", "Commission", "disagreed", "with",
                                          "Antidisestablishmentarianism", "Zyxwvutsrq", "evidence", "."};
  for (int i = 0; i < 400; ++i) packer.add(words, "f", static_cast<std::size_t>(i + 1));
  return packer.finish();
}

MaskingOptions masking_for(const text::SubwordTokenizer& tok, bool whole_word) {
  return MaskingOptions{0.15, whole_word, tok.mask_id(), tok.pad_id(), tok.vocab_size()};
}

TEST(Masking, ChoosesFifteenPercentAndReplacesEightyTenTen) {
  NERTOOL_REQUIRE_SHARED("fixtures/hf-tiny-mlm/roberta/vocab.json");
  auto tok = roberta_tokenizer();
  const auto data = many_sentences(*tok);
  std::vector<std::size_t> all(data.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  std::mt19937_64 rng(7);
  const auto batch = mask_sequences(data, all, masking_for(*tok, false), rng);
  const auto chosen = batch.labels.ne(models::kIgnoredLabel);
  const int64_t n = chosen.sum().item<int64_t>();
  EXPECT_EQ(n, batch.masked);
  const int64_t content = data.num_subwords() - 2 * static_cast<int64_t>(data.size());
  EXPECT_EQ(batch.tokens, data.num_subwords());
  EXPECT_NEAR(static_cast<double>(n) / static_cast<double>(content), 0.15, 0.015);
  const auto ids = batch.input_ids.index({chosen}), originals = batch.labels.index({chosen});
  const double masked = ids.eq(tok->mask_id()).sum().item<double>() / static_cast<double>(n);
  const double kept = ids.eq(originals).sum().item<double>() / static_cast<double>(n);
  EXPECT_NEAR(masked, 0.8, 0.03);
  EXPECT_NEAR(kept, 0.1, 0.03);  // kept, plus the rare random draw of the original id
  // Unchosen positions keep their ids; specials are never chosen.
  for (std::size_t r = 0; r < all.size(); ++r) {
    const auto row = sequence(data, r);
    for (std::size_t c = 0; c < row.size(); ++c) {
      const bool is_chosen = batch.labels[static_cast<int64_t>(r)][static_cast<int64_t>(c)].item<int64_t>() !=
                             models::kIgnoredLabel;
      if (c == 0 || c + 1 == row.size()) EXPECT_FALSE(is_chosen);
      if (!is_chosen) EXPECT_EQ(batch.input_ids[static_cast<int64_t>(r)][static_cast<int64_t>(c)].item<int64_t>(), row[c]);
    }
  }
  std::mt19937_64 again(7);
  EXPECT_TRUE(torch::equal(mask_sequences(data, all, masking_for(*tok, false), again).input_ids, batch.input_ids))
      << "the same draws give the same masks";
}

TEST(Masking, WholeWordsAreChosenWithAllTheirSubwords) {
  NERTOOL_REQUIRE_SHARED("fixtures/hf-tiny-mlm/roberta/vocab.json");
  auto tok = roberta_tokenizer();
  const auto data = many_sentences(*tok);
  std::vector<std::size_t> all(data.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  std::mt19937_64 rng(3);
  const auto batch = mask_sequences(data, all, masking_for(*tok, true), rng);
  int64_t split_words = 0;
  for (std::size_t r = 0; r < all.size(); ++r)
    for (int64_t i = data.offsets[r] + 1; i < data.offsets[r + 1]; ++i) {
      if (data.kinds[static_cast<std::size_t>(i)] != PackedSequences::kContinuation) continue;
      const auto c = i - data.offsets[r];
      const auto row = batch.labels[static_cast<int64_t>(r)];
      EXPECT_EQ(row[c].item<int64_t>() != models::kIgnoredLabel, row[c - 1].item<int64_t>() != models::kIgnoredLabel)
          << "a word's subwords are chosen together";
      ++split_words;
    }
  EXPECT_GT(split_words, 0) << "the text has words of several subwords";
}

TEST(Masking, AWordCutAtTheStartOfASequenceIsAWordThere) {
  NERTOOL_REQUIRE_SHARED("fixtures/hf-tiny-mlm/roberta/vocab.json");
  auto tok = roberta_tokenizer();
  SequencePacker packer(*tok, 4);  // 2 subwords per sequence: the long word is cut
  packer.add({"Antidisestablishmentarianism"}, "f", 1);
  auto data = packer.finish();
  ASSERT_GT(data.size(), 1u);
  std::vector<std::size_t> rows(data.size());
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = i;
  auto options = masking_for(*tok, true);
  options.probability = 1e-9;
  std::mt19937_64 rng(1);
  EXPECT_EQ(mask_sequences(data, rows, options, rng).masked,
            data.num_subwords() - 2 * static_cast<int64_t>(data.size()))
      << "each sequence predicts its piece of the word: all of its subwords";
}

TEST(Masking, EverySequenceHasAPredictedSubword) {
  NERTOOL_REQUIRE_SHARED("fixtures/hf-tiny-mlm/roberta/vocab.json");
  auto tok = roberta_tokenizer();
  SequencePacker packer(*tok, 64);
  for (int i = 0; i < 50; ++i) packer.add({"Hi"}, "f", 1);
  auto data = packer.finish();
  std::vector<std::size_t> rows = {0};
  auto options = masking_for(*tok, false);
  options.probability = 1e-9;
  std::mt19937_64 rng(1);
  EXPECT_EQ(mask_sequences(data, rows, options, rng).masked, 1);
}

}  // namespace
}  // namespace nertool::train
