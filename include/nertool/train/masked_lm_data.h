#pragma once
// Text for masked-language-model pretraining (`nertool pretrain`, docs/pretraining.md).
//
// Reading: a file is read line by line. In text format every non-blank line is a paragraph or document, split
// into words by the word tokenizer (text/word_tokenizer.h, as `predict` splits raw text); in CoNLL format every
// sentence's token column (-DOCSTART- lines skipped) is a unit. Each word is tokenized on its own, as fine-tuning
// does (is_split_into_words), so pretraining sees exactly the subwords tagging will.
// Packing: units are packed whole, in file order, into sequences of at most max_length subwords ([CLS] ... [SEP]
// included); a unit longer than a sequence is cut at word boundaries (a single word longer than that, between
// subwords). With Packing::kFill every sequence is filled up instead: a unit that does not fit is cut between
// words and goes on in the next sequence (Hugging Face's run_mlm group_texts, at word boundaries), so no room
// is left empty. Only the ids and a byte per subword stay in memory, not the text.
// Masking (dynamic: new masks for every batch of every epoch, as RoBERTa): each subword (or, with whole-word
// masking, each word with all its subwords) is chosen with probability p; a chosen subword becomes the mask token
// 80% of the time, a random id 10%, and stays 10%; only chosen subwords are predicted. A sequence where nothing
// was chosen gets one chosen word, so every sequence counts. The draws come from a seeded std::mt19937_64 only,
// so masks are the same on every machine and standard library.
#include <torch/types.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "nertool/train/config.h"

namespace nertool::text {
class SubwordTokenizer;
}

namespace nertool::train {

// Packed subword sequences, back to back.
struct PackedSequences {
  enum Kind : uint8_t { kSpecial = 0, kWordStart = 1, kContinuation = 2 };
  std::vector<int32_t> ids;
  std::vector<uint8_t> kinds;        // per subword: Kind
  std::vector<int64_t> offsets{0};   // sequence i is [offsets[i], offsets[i + 1])
  int64_t units = 0;                 // lines or sentences read
  int64_t words = 0;

  std::size_t size() const { return offsets.size() - 1; }
  int64_t length(std::size_t i) const { return offsets[i + 1] - offsets[i]; }
  std::vector<int64_t> lengths() const;
  int64_t num_subwords() const { return static_cast<int64_t>(ids.size()); }
};

// Packs units of words into sequences (see the top of this file).
class SequencePacker {
 public:
  SequencePacker(const text::SubwordTokenizer& tokenizer, int64_t max_length, Packing packing = Packing::kWholeUnits);
  // One unit (a line or sentence; none when `words` is empty); `file` and `line` name it in errors.
  void add(const std::vector<std::string>& words, const std::string& file, std::size_t line);
  // Closes the open sequence: the next unit starts a new one (sequences never span two files).
  void close();
  // Closes the open sequence and returns everything packed so far.
  PackedSequences finish();
  // Units packed so far.
  int64_t units() const { return out_.units; }

 private:
  void append_word(const std::vector<int64_t>& pieces);

  const text::SubwordTokenizer& tokenizer_;
  int64_t capacity_;  // subwords per sequence without [CLS] and [SEP]
  Packing packing_;
  int64_t open_ = 0;  // subwords in the open sequence (0: none open)
  PackedSequences out_;
};

// Reads and packs the given files in order (sequences never span two files). Throws IoError/InputError naming
// the file and line.
PackedSequences read_pretraining_text(const std::vector<std::string>& paths, TextFormat format,
                                      const text::SubwordTokenizer& tokenizer, int64_t max_length,
                                      Packing packing = Packing::kWholeUnits);

struct MaskingOptions {
  double probability = 0.15;
  bool whole_word = false;
  int64_t mask_id = 0;
  int64_t pad_id = 0;
  int64_t vocab_size = 0;  // random replacements are drawn from [0, vocab_size)
};

struct MaskedBatch {
  torch::Tensor input_ids;       // [B, S] int64, padded with pad_id
  torch::Tensor attention_mask;  // [B, S] int64
  torch::Tensor labels;          // [B, S] int64: the original id where chosen, models::kIgnoredLabel elsewhere
  int64_t masked = 0;            // chosen subwords
  int64_t tokens = 0;            // subwords, specials included, padding not
};

// Masks the given sequences with draws from `rng` (see the top of this file).
MaskedBatch mask_sequences(const PackedSequences& data, const std::vector<std::size_t>& sequences,
                           const MaskingOptions& options, std::mt19937_64& rng);

// A uniform double in [0, 1) from the top 53 bits of one draw (the same on every standard library).
double uniform01(std::mt19937_64& rng);

}  // namespace nertool::train
