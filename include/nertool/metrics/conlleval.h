#pragma once
// conlleval.pl (CoNLL-2000/2003 scorer, version 2004-01-26) re-implemented: its chunk rules (B, I, E, O, [ and ]
// tags; no S), its in-chunk state machine (a phrase is correct only when gold and guessed phrases start and end
// together with the same type), its token counting and its printed summary.
#include <string>
#include <string_view>
#include <vector>

#include "nertool/metrics/scorer.h"

namespace nertool::metrics {

// One line of conlleval.pl's input. A boundary is a blank line or a line whose first field is "-X-": it ends
// chunks and is not counted. Every other line is a token, counted, with its gold and guessed labels (the last
// two fields). The views must outlive the call.
struct ConllevalLine {
  std::string_view gold;
  std::string_view pred;
  bool boundary = false;
};

// conlleval.pl's counts over `lines`. `untyped` (ScoreOptions::untyped): chunks match whatever their types, and
// every chunk counts as kUntypedType; a token is right when its tag is.
ConllevalSummary conlleval(const std::vector<ConllevalLine>& lines, bool untyped = false);

// The lines conlleval.pl prints (without -l): the "processed ..." line, the accuracy line (only when it counted
// a token), and one line per chunk type.
std::string format_conlleval(const ConllevalSummary& summary);

}  // namespace nertool::metrics
