// BERT's WordPiece tokenizer (bert-base-cased's rules) on any text: the first part of the input is a vocabulary
// file, the rest the text, so both are explored.
#include "fuzz_util.h"
#include "nertool/text/wordpiece_tokenizer.h"

NERTOOL_FUZZ_TARGET({
  const std::size_t cut = input.find('\x01');
  std::vector<std::string> vocab = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "##b", "##\xCC\x81", "e"};
  if (cut != std::string::npos) {
    std::size_t start = 0;
    for (std::size_t i = 0; i <= cut; ++i)
      if (i == cut || input[i] == '\n') vocab.push_back(input.substr(start, i - start)), start = i + 1;
  }
  const std::string text = cut == std::string::npos ? input : input.substr(cut + 1);
  for (bool lower : {false, true}) {
    nertool::text::WordPieceOptions options;
    options.settings.do_lower_case = lower;
    nertool::text::WordPieceTokenizer tok(vocab, options);
    (void)tok.encode_text(text);
    (void)tok.encode_words({text, "a" + text});
  }
})
