#pragma once
// Subword tokenizers with exactly the behaviour of Hugging Face transformers' slow (Python) tokenizers:
// BertTokenizer (WordPiece), RobertaTokenizer/GPT2Tokenizer (byte-level BPE) and XLMRobertaTokenizer
// (SentencePiece with fairseq ids). `encode_words` is `tokenizer(words, is_split_into_words=True)` plus the
// word-to-subword map that labels are aligned with; `encode_text` is `tokenizer(text)`.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nertool/text/unicode.h"

namespace nertool::text {

struct WordEncoding {
  std::vector<int64_t> input_ids;           // special tokens included ([CLS] ... [SEP] or <s> ... </s>)
  std::vector<int64_t> word_first_subword;  // per word: index into input_ids of its first subword, -1 if none
  std::vector<int64_t> word_num_subwords;   // per word: number of subwords it produced
};

// A special token as transformers' AddedToken: `lstrip`/`rstrip` strip the whitespace on its left/right when it
// is found inside text.
struct SpecialToken {
  std::string content;
  int64_t id = -1;
  bool lstrip = false;
  bool rstrip = false;
};

// The special tokens of a tokenizer; ids of -1 are looked up in the vocabulary (and stay -1 when absent).
struct SpecialTokens {
  SpecialToken cls, sep, pad, unk, mask;
  std::vector<SpecialToken> extra;  // further tokens never split (additional_special_tokens)
};

// Settings read from tokenizer_config.json / special_tokens_map.json (or tokenizer.json).
struct TokenizerSettings {
  bool do_lower_case = false;
  std::optional<bool> strip_accents;  // unset: follow do_lower_case (BertTokenizer's strip_accents=None)
  bool tokenize_chinese_chars = true;
  bool do_basic_tokenize = true;
  bool add_prefix_space = false;      // raw-text path of byte-level BPE; pre-split words always get the space
  std::optional<int64_t> model_max_length;  // unset when absent or "infinite"
  std::vector<std::string> never_split;
  // Unicode normalizations that a tokenizer.json normalizer asks for, in its order: `normalize_before` runs on
  // each stretch of text between special tokens before the tokenizer's own rules, `normalize_after` after
  // BertNormalizer's (WordPiece only). Empty for the slow tokenizers' files: transformers 4.29.2's slow
  // tokenizers and the fast BertNormalizer normalize nothing.
  std::vector<UnicodeForm> normalize_before, normalize_after;
};

class SubwordTokenizer {
 public:
  virtual ~SubwordTokenizer() = default;

  // tokenizer(words, is_split_into_words=True): every word tokenized on its own.
  WordEncoding encode_words(const std::vector<std::string>& words) const;
  // tokenizer(text) (add_special_tokens=false leaves out the [CLS]/[SEP] pair).
  std::vector<int64_t> encode_text(const std::string& text, bool add_special_tokens = true) const;
  // Subword ids of one pre-split word, without special tokens.
  std::vector<int64_t> encode_word(const std::string& word) const;

  // "wordpiece", "bpe" (byte-level) or "sentencepiece".
  virtual std::string kind() const = 0;
  virtual int64_t vocab_size() const = 0;
  // The vocabulary string of an id (byte-level form for BPE, `▁` pieces for SentencePiece). Throws on bad ids.
  virtual std::string id_to_token(int64_t id) const = 0;
  // Id of a vocabulary string, -1 if absent.
  virtual int64_t token_to_id(const std::string& token) const = 0;

  int64_t cls_id() const { return cls_.id; }
  int64_t sep_id() const { return sep_.id; }
  int64_t pad_id() const { return pad_.id; }
  int64_t unk_id() const { return unk_.id; }
  int64_t mask_id() const { return mask_.id; }
  const TokenizerSettings& settings() const { return settings_; }
  // The directory it was loaded from.
  const std::string& source_dir() const { return source_dir_; }

  // Records the directory and the files (relative names) the tokenizer was read from, for save().
  void set_source(std::string dir, std::vector<std::string> files) {
    source_dir_ = std::move(dir);
    files_ = std::move(files);
  }

  // Copies the tokenizer files into `dir` (created if needed), atomically, so that load_tokenizer(dir) and
  // Hugging Face's from_pretrained(dir) load the same tokenizer. Writes tokenizer_config.json when the source
  // had none.
  void save(const std::string& dir) const;

 protected:
  // HF `_tokenize` on a chunk free of special tokens: appends subword ids.
  virtual void tokenize_chunk(std::string_view chunk, std::vector<int64_t>& out) const = 0;
  // HF `prepare_for_tokenization`.
  virtual std::string prepare(std::string_view text, bool split_into_words) const { return std::string(text); }
  // tokenizer_config.json written by save() when the source directory had none.
  virtual std::string default_config_json() const = 0;

  // Resolves ids and sets the tokens split out of text before tokenize_chunk. Call from the constructor.
  void set_special_tokens(SpecialTokens tokens);
  // HF PreTrainedTokenizer.tokenize followed by convert_tokens_to_ids.
  void tokenize(std::string_view text, bool split_into_words, std::vector<int64_t>& out) const;

  TokenizerSettings settings_;
  std::string source_dir_;
  std::vector<std::string> files_;  // tokenizer files (relative to source_dir_) that save() copies

 private:
  SpecialToken cls_, sep_, pad_, unk_, mask_;
  std::vector<SpecialToken> no_split_;  // longest first
};

// Loads the tokenizer stored in `dir`, detecting its kind from the files there: vocab.txt (WordPiece),
// vocab.json + merges.txt (byte-level BPE), sentencepiece.bpe.model or another *.model (SentencePiece,
// XLM-RoBERTa ids), else tokenizer.json (the Hugging Face tokenizers format; WordPiece and byte-level BPE models).
// Reads tokenizer_config.json and special_tokens_map.json. Throws IoError / ConfigError naming what is missing or
// unsupported.
std::unique_ptr<SubwordTokenizer> load_tokenizer(const std::string& dir);

// True when `dir` holds files load_tokenizer recognises.
bool has_tokenizer_files(const std::string& dir);

// `text` normalized by each form in turn.
std::string normalize_all(std::string_view text, const std::vector<UnicodeForm>& forms);

// A model directory keeps its tokenizer in MODEL_DIR/tokenizer/.
std::string model_tokenizer_dir(const std::string& model_dir);

}  // namespace nertool::text
