// XLM-RoBERTa's SentencePiece tokenizer (through the bridge module, as nertool loads it) on any text, with the
// shared xlm-roberta-tiny model: the raw-text path and the pre-split words path.
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "fuzz_util.h"
#include "nertool/text/subword_tokenizer.h"

namespace {

// The model folder, or null (with one message) when the shared data is not there.
const nertool::text::SubwordTokenizer* shared_tokenizer() {
  static const std::unique_ptr<nertool::text::SubwordTokenizer> tokenizer = []() {
    const char* env = std::getenv("NERTOOL_SHARED_DIR");
    const std::string dir = std::string(env && *env ? env : NERTOOL_FUZZ_SHARED_DIR) + "/data/tokenizers/xlm-roberta-tiny";
    if (!nertool::text::has_tokenizer_files(dir)) {
      std::fprintf(stderr, "fuzz_sentencepiece: skipping: no SentencePiece model in %s\n", dir.c_str());
      return std::unique_ptr<nertool::text::SubwordTokenizer>();
    }
    return nertool::text::load_tokenizer(dir);
  }();
  return tokenizer.get();
}

}  // namespace

NERTOOL_FUZZ_TARGET({
  if (const auto* tok = shared_tokenizer()) {
    (void)tok->encode_text(input);
    (void)tok->encode_words({input, "a" + input});
  }
})
