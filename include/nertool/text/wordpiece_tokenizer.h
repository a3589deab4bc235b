#pragma once
// BERT's WordPiece tokenizer, exactly as Hugging Face's slow BertTokenizer: BasicTokenizer (text clean-up,
// CJK characters split one per token, punctuation split, optional lower-casing and accent stripping) followed by
// greedy longest-match-first word pieces with a `##` prefix, `[UNK]` for words past max_input_chars_per_word.
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "nertool/text/subword_tokenizer.h"

namespace nertool::text {

struct WordPieceOptions {
  TokenizerSettings settings;
  std::string continuing_subword_prefix = "##";
  int max_input_chars_per_word = 100;
  SpecialTokens special;  // BertTokenizer's: [CLS] [SEP] [PAD] [UNK] [MASK], neighbours stripped on both sides
  WordPieceOptions();
};

class WordPieceTokenizer : public SubwordTokenizer {
 public:
  // `vocab`: tokens in id order (vocab.txt, one per line). A repeated token keeps its last id, as in HF.
  WordPieceTokenizer(std::vector<std::string> vocab, WordPieceOptions options);
  // Reads vocab.txt (LF, CRLF or CR line ends, as Python's universal newlines).
  static std::vector<std::string> read_vocab_file(const std::string& path);

  std::string kind() const override { return "wordpiece"; }
  int64_t vocab_size() const override { return static_cast<int64_t>(id_to_token_.size()); }
  std::string id_to_token(int64_t id) const override;
  int64_t token_to_id(const std::string& token) const override;

  // BasicTokenizer.tokenize: the words and punctuation that word pieces are made from.
  std::vector<std::string> basic_tokenize(std::string_view text) const;
  // WordpieceTokenizer.tokenize of one basic token: piece strings ([UNK] when it cannot be split).
  std::vector<std::string> wordpiece(std::string_view token) const;

 protected:
  void tokenize_chunk(std::string_view chunk, std::vector<int64_t>& out) const override;
  std::string default_config_json() const override;

 private:
  void wordpiece_ids(std::string_view token, std::vector<int64_t>& out) const;
  bool is_never_split(std::string_view token) const;

  WordPieceOptions options_;
  std::vector<std::string> id_to_token_;
  std::unordered_map<std::string, int64_t> vocab_;
  std::size_t max_piece_bytes_ = 0;  // longest vocabulary entry (bounds the longest-match search)
  int64_t unk_id_ = -1;
};

}  // namespace nertool::text
