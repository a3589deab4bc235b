#pragma once
// Options of `nertool predict`, free of LibTorch so that the front end can parse them before it hands the
// command to the LibTorch side (src/cli/torch_part.h).
#include <cstddef>
#include <cstdint>
#include <string>

namespace nertool::train {

struct PredictOptions {
  std::string input;                  // file path, or "-" for stdin
  std::string output;                 // file path (written atomically), or "" / "-" for stdout
  std::string format = "conll";       // conll | jsonl | spans
  std::string input_format = "conll"; // conll | text (one sentence per line)
  bool probs = false;                 // jsonl: per-word label probabilities; spans: per-entity type distribution
  int64_t batch_size = 64;            // sentences per model batch
  std::string precision = "fp32";     // fp32 | bf16 (models/precision.h)
  // Sentences read, tagged and written at a time (bounds memory); a chunk extends to the next -DOCSTART- (up to
  // twice as many sentences) so that document context sees whole documents.
  std::size_t chunk_sentences = 4096;
  // A sentence (a line of text) with more tokens is tagged in consecutive pieces of this many: memory stays
  // bounded whatever one line holds. Each piece is tagged without the others as context.
  std::size_t max_sentence_tokens = 1000;
};

// Text input lines longer than this are refused (a file without newlines would otherwise be read whole).
constexpr std::size_t kMaxTextLineBytes = std::size_t{64} << 20;

}  // namespace nertool::train
