// The CoNLL reader, and writing back what it read.
#include "fuzz_util.h"
#include "nertool/data/conll.h"

NERTOOL_FUZZ_TARGET({
  nertool::data::Corpus corpus = nertool::data::parse_conll(input, "fuzz.conll");
  (void)nertool::data::to_conll_string(corpus);
})
