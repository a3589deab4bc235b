// The scorer on one file in conlleval's layout (token ... gold pred), default and strict modes, typed and untyped.
#include "fuzz_util.h"
#include "nertool/data/conll.h"
#include "nertool/metrics/corpus_score.h"
#include "nertool/metrics/conlleval.h"
#include "nertool/metrics/report_format.h"

NERTOOL_FUZZ_TARGET({
  nertool::data::ReadOptions read;
  read.label_column = -1;
  const nertool::data::Corpus corpus = nertool::data::parse_conll(input, "fuzz.conll", read);
  auto report = nertool::metrics::score_corpora(corpus, -2, corpus, -1);
  (void)nertool::metrics::format_classification_report(report, 4);
  (void)nertool::metrics::format_conlleval(report.conlleval);
  nertool::metrics::ScoreOptions strict;
  strict.mode = nertool::metrics::Mode::Strict;
  strict.scheme = nertool::data::TagScheme::IOB2;
  (void)nertool::metrics::score_corpora(corpus, -2, corpus, -1, strict);
  nertool::metrics::ScoreOptions untyped;
  untyped.untyped = true;
  (void)nertool::metrics::score_corpora(corpus, -2, corpus, -1, untyped);
})
