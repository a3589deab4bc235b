// Pretraining text (train/masked_lm_data.h): any bytes read as a text file and as a CoNLL file, packed whole and
// filled into short sequences, then masked (per subword and whole words). Every sequence must stay within its
// length and hold [CLS] ... [SEP]; anything else is a finding.
#include <numeric>

#include "fuzz_util.h"
#include "nertool/text/wordpiece_tokenizer.h"
#include "nertool/train/masked_lm_data.h"

NERTOOL_FUZZ_TARGET({
  using namespace nertool::train;
  static const nertool::text::WordPieceTokenizer tok(
      {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "##b", "e", "the", "##s", ".", "##\xCC\x81"},
      nertool::text::WordPieceOptions{});
  constexpr int64_t kMaxLength = 6;
  const std::string path = write_scratch_file(input, ".txt");
  for (TextFormat format : {TextFormat::kText, TextFormat::kConll})
    for (Packing packing : {Packing::kWholeUnits, Packing::kFill}) {
      PackedSequences packed;
      try {
        packed = read_pretraining_text({path}, format, tok, kMaxLength, packing);
      } catch (const nertool::Error&) {
        continue;  // blank files, invalid UTF-8: errors naming the file and line
      }
      for (std::size_t i = 0; i < packed.size(); ++i) {
        const auto first = static_cast<std::size_t>(packed.offsets[i]);
        if (packed.length(i) < 3 || packed.length(i) > kMaxLength || packed.ids[first] != tok.cls_id() ||
            packed.ids[static_cast<std::size_t>(packed.offsets[i + 1] - 1)] != tok.sep_id())
          __builtin_trap();
      }
      std::vector<std::size_t> all(packed.size());
      std::iota(all.begin(), all.end(), std::size_t{0});
      std::mt19937_64 rng(1);
      const auto batch = mask_sequences(
          packed, all, MaskingOptions{0.15, packing == Packing::kFill, tok.mask_id(), tok.pad_id(), tok.vocab_size()},
          rng);
      if (batch.masked < static_cast<int64_t>(packed.size())) __builtin_trap();  // one per sequence at least
    }
})
