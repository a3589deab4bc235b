#pragma once
// Options of `nertool predict`, free of LibTorch so that the front end can parse them before it hands the
// command to the LibTorch side (src/cli/torch_part.h).
#include <cstddef>
#include <cstdint>
#include <string>

#include "nertool/core/choice.h"
#include "nertool/models/precision_mode.h"

namespace nertool::predict {

// conll: the input columns plus a predicted label column; jsonl: words and labels per sentence; spans: entities.
enum class OutputFormat { kConll, kJsonl, kSpans };
// conll: token column, blank line between sentences; text: one sentence per line, split by the word tokenizer.
enum class InputFormat { kConll, kText };

struct PredictOptions {
  std::string input;                  // file path, or "-" for stdin
  std::string output;                 // file path (written atomically), or "" / "-" for stdout
  OutputFormat format = OutputFormat::kConll;
  InputFormat input_format = InputFormat::kConll;
  bool probs = false;                 // jsonl: per-word label probabilities; spans: per-entity type distribution
  int64_t batch_size = 64;            // sentences per model batch
  models::Precision precision = models::Precision::kFloat32;
  // Sentences read, tagged and written at a time (bounds memory); a chunk extends to the next -DOCSTART- (up to
  // twice as many sentences) so that document context sees whole documents.
  std::size_t chunk_sentences = 4096;
  // A sentence (a line of text) with more tokens is tagged in consecutive pieces of this many: memory stays
  // bounded whatever one line holds. Each piece is tagged without the others as context.
  std::size_t max_sentence_tokens = 1000;
};

// Text input lines longer than this are refused (a file without newlines would otherwise be read whole).
constexpr std::size_t kMaxTextLineBytes = std::size_t{64} << 20;

}  // namespace nertool::predict

namespace nertool {

template <>
struct ChoiceNames<predict::OutputFormat> {
  static constexpr std::array<Choice<predict::OutputFormat>, 3> all{{{"conll", predict::OutputFormat::kConll},
                                                                   {"jsonl", predict::OutputFormat::kJsonl},
                                                                   {"spans", predict::OutputFormat::kSpans}}};
};
template <>
struct ChoiceNames<predict::InputFormat> {
  static constexpr std::array<Choice<predict::InputFormat>, 2> all{
      {{"conll", predict::InputFormat::kConll}, {"text", predict::InputFormat::kText}}};
};

}  // namespace nertool
