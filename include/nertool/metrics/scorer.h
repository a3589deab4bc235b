#pragma once
// Entity-level scoring with exactly seqeval 1.2.2's numbers (default mode = conlleval chunking rules; strict mode
// with an explicit scheme) and conlleval.pl's summary.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "nertool/core/choice.h"
#include "nertool/data/tag_scheme.h"

namespace nertool::metrics {

enum class Mode { Default, Strict };

struct ScoreOptions {
  Mode mode = Mode::Default;
  std::optional<data::TagScheme> scheme;  // required in strict mode (IOB2, IOE2, IOBES, BILOU)
  // Mention detection: chunks are read with their types as usual, then every chunk counts as type kUntypedType,
  // so a predicted chunk is correct when its boundaries are a gold chunk's (e.g. the recall of a detector trained
  // in another taxonomy); a token is correct when its tag (B, I, ...) is. Applies to the conlleval block too.
  bool untyped = false;
};

// The one type of every chunk in untyped scoring.
inline constexpr const char* kUntypedType = "ENTITY";

// One row of the report. Scores are fractions in [0, 1] as seqeval returns them.
struct TypeScores {
  std::string name;          // entity type, or "micro avg" / "macro avg" / "weighted avg"
  double precision = 0.0;
  double recall = 0.0;
  double f1 = 0.0;
  std::size_t support = 0;   // gold entities
  std::size_t predicted = 0; // predicted entities
  std::size_t correct = 0;   // true positives
};

// conlleval.pl's counts and percentages (its own chunking, its own token counting).
struct ConllevalSummary {
  std::size_t tokens = 0, gold_phrases = 0, found_phrases = 0, correct_phrases = 0, correct_tags = 0;
  double accuracy = 0.0, precision = 0.0, recall = 0.0, f1 = 0.0;  // percentages, as conlleval prints them
  // percentages; `predicted` = found. Exactly the rows conlleval.pl prints, in its order: a chunk type that is
  // empty (labels like "B" or "I-") appears once per table (gold, found) that has it, as conlleval repeats it.
  std::vector<TypeScores> per_type;
};

struct Report {
  std::vector<TypeScores> per_type;  // sorted by type name
  TypeScores micro, macro, weighted;
  double accuracy = 0.0;             // token accuracy (seqeval's accuracy_score); NaN when there are no tokens
  std::size_t tokens = 0;
  std::size_t correct_tokens = 0;    // tokens whose predicted label equals the gold label
  ConllevalSummary conlleval;
};

// Per-type rows are the union of gold and predicted chunk types. With no chunk at all, the macro average is NaN
// (numpy's mean of nothing) and the weighted average 0 (seqeval's zero-support rule).
// Scores sentence-aligned label sequences. Throws InputError when gold and pred do not align (sentence count or
// length), or, in strict mode, when a label is outside the scheme.
Report score(const std::vector<std::vector<std::string>>& gold, const std::vector<std::vector<std::string>>& pred,
             const ScoreOptions& options = {});

}  // namespace nertool::metrics

namespace nertool {
template <>
struct ChoiceNames<metrics::Mode> {
  static constexpr std::array<Choice<metrics::Mode>, 2> all{
      {{"default", metrics::Mode::Default}, {"strict", metrics::Mode::Strict}}};
};
}  // namespace nertool
