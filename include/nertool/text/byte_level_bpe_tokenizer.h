#pragma once
// Byte-level BPE as in GPT-2 and RoBERTa (Hugging Face's slow RobertaTokenizer): text is cut by the GPT-2
// pre-tokenization pattern, each piece's UTF-8 bytes are mapped to printable characters (bytes_to_unicode), and
// the merges are applied by rank. Results per piece are cached.
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "nertool/text/subword_tokenizer.h"

namespace nertool::text {

struct ByteLevelBpeOptions {
  TokenizerSettings settings;
  SpecialTokens special;  // RobertaTokenizer's: <s> </s> <pad> <unk>, <mask> strips its left neighbour
  std::size_t cache_capacity = 200000;  // pieces kept before the cache is cleared (bounds memory on big inputs)
  ByteLevelBpeOptions();
};

class ByteLevelBpeTokenizer : public SubwordTokenizer {
 public:
  ByteLevelBpeTokenizer(std::unordered_map<std::string, int64_t> vocab,
                        std::vector<std::pair<std::string, std::string>> merges, ByteLevelBpeOptions options);
  // vocab.json (token -> id) and merges.txt (first line and the text after the last newline ignored, as HF does).
  static std::unordered_map<std::string, int64_t> read_vocab_file(const std::string& path);
  static std::vector<std::pair<std::string, std::string>> read_merges_file(const std::string& path);

  std::string kind() const override { return "bpe"; }
  int64_t vocab_size() const override { return static_cast<int64_t>(vocab_.size()); }
  std::string id_to_token(int64_t id) const override;
  int64_t token_to_id(const std::string& token) const override;

  // The GPT-2 pattern's matches in `text` (implemented by hand on Unicode categories).
  static std::vector<std::string_view> pre_tokenize(std::string_view text);
  // bytes_to_unicode: the printable character standing for byte `b`, as UTF-8.
  static const std::string& byte_symbol(unsigned char b);
  // BPE of one pre-token (given as raw UTF-8; byte-mapped here): the resulting vocabulary strings.
  std::vector<std::string> bpe(std::string_view pre_token) const;
  std::size_t cache_size() const;

 protected:
  void tokenize_chunk(std::string_view chunk, std::vector<int64_t>& out) const override;
  std::string prepare(std::string_view text, bool split_into_words) const override;
  std::string default_config_json() const override;

 private:
  std::vector<std::string> merge(const std::string& mapped) const;

  ByteLevelBpeOptions options_;
  std::unordered_map<std::string, int64_t> vocab_;
  std::unordered_map<int64_t, std::string> id_to_token_;
  std::unordered_map<std::string, int> ranks_;  // "first second" -> rank
  mutable std::mutex cache_mutex_;
  mutable std::unordered_map<std::string, std::vector<int64_t>> cache_;  // byte-mapped pre-token -> ids
};

}  // namespace nertool::text
