#pragma once
// SentencePiece models through the sentencepiece library, with the fairseq id layout of Hugging Face's slow
// XLMRobertaTokenizer: <s>=0 <pad>=1 </s>=2 <unk>=3, piece n -> n + 1, an unknown piece -> 3, <mask> = last id.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "nertool/text/subword_tokenizer.h"

namespace nertool::text {

struct SentencePieceOptions {
  TokenizerSettings settings;
  SpecialTokens special;  // XLMRobertaTokenizer's: <s> </s> <pad> <unk> (both neighbours stripped), <mask> (lstrip)
  SentencePieceOptions();
};

class SentencePieceTokenizer : public SubwordTokenizer {
 public:
  // Loads a SentencePiece model file (.model). Throws IoError/ConfigError.
  SentencePieceTokenizer(const std::string& model_path, SentencePieceOptions options);
  ~SentencePieceTokenizer() override;

  std::string kind() const override { return "sentencepiece"; }
  // len(tokenizer): pieces + 1 (fairseq offset) + 1 (<mask>).
  int64_t vocab_size() const override;
  std::string id_to_token(int64_t id) const override;
  int64_t token_to_id(const std::string& token) const override;
  // Number of pieces in the SentencePiece model itself.
  int64_t num_pieces() const;

 protected:
  void tokenize_chunk(std::string_view chunk, std::vector<int64_t>& out) const override;
  std::string default_config_json() const override;

 private:
  class Processor;  // the sentencepiece library behind a run-time loaded bridge (see src/text/bridge/)
  SentencePieceOptions options_;
  std::unique_ptr<Processor> sp_;
};

}  // namespace nertool::text
