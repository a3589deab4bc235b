// Lexicon (gazetteer) files.
#include "fuzz_util.h"
#include "nertool/text/lexicon.h"

NERTOOL_FUZZ_TARGET({ (void)nertool::text::Lexicon::parse(input, "fuzz.tsv"); })
