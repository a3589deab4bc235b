#pragma once
// Scoring CoNLL files: gold and predicted labels taken from columns of parsed corpora, checked to align token by
// token; the seqeval part over the sentences, the conlleval part over the lines as conlleval.pl reads them
// (-DOCSTART- lines are tokens to conlleval.pl, so they count there, and only there).
#include "nertool/data/conll.h"
#include "nertool/metrics/scorer.h"

namespace nertool::metrics {

// `gold_column` / `pred_column`: 0-based, negative counts from the end of each line (-1: last). `gold` and
// `pred` may be the same corpus (one file holding both columns, conlleval's layout). Two different corpora must
// hold the same tokens in the same sentences and documents; otherwise InputError names both files and the line.
// Labels the mode cannot score (empty; in strict mode a prefix outside the scheme) are InputErrors at their line.
Report score_corpora(const data::Corpus& gold, int gold_column, const data::Corpus& pred, int pred_column,
                     const ScoreOptions& options = {});

// The labels in `column` (0-based, negative from the end) of every token line, per sentence. A line without that
// column is an InputError at its line.
std::vector<std::vector<std::string>> labels_in_column(const data::Corpus& corpus, int column);

}  // namespace nertool::metrics
