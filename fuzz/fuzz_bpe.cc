// Byte-level BPE (RoBERTa) on any text, with merges read from the first part of the input (merges.txt format).
#include <unistd.h>

#include "fuzz_util.h"
#include "nertool/core/atomic_file.h"
#include "nertool/text/byte_level_bpe_tokenizer.h"

NERTOOL_FUZZ_TARGET({
  static const std::string path = "/tmp/nertool-fuzz-merges-" + std::to_string(::getpid()) + ".txt";
  const std::size_t cut = input.find('\x01');
  std::vector<std::pair<std::string, std::string>> merges = {{"\xC4\xA0", "l"}, {"o", "w"}, {"e", "r"}};
  if (cut != std::string::npos) {
    nertool::write_file_atomic(path, input.substr(0, cut));
    try {
      merges = nertool::text::ByteLevelBpeTokenizer::read_merges_file(path);
    } catch (const nertool::Error&) {
    }
  }
  std::unordered_map<std::string, int64_t> vocab = {{"<s>", 0}, {"<pad>", 1}, {"</s>", 2}, {"<unk>", 3}};
  for (int b = 0; b < 256; ++b)
    vocab.emplace(nertool::text::ByteLevelBpeTokenizer::byte_symbol(static_cast<unsigned char>(b)),
                  static_cast<int64_t>(vocab.size()));
  for (const auto& [a, b] : merges) vocab.emplace(a + b, static_cast<int64_t>(vocab.size()));
  vocab.emplace("<mask>", static_cast<int64_t>(vocab.size()));
  nertool::text::ByteLevelBpeTokenizer tok(vocab, merges, {});
  const std::string text = cut == std::string::npos ? input : input.substr(cut + 1);
  (void)tok.encode_text(text);
  (void)tok.encode_words({text});
})
