// The raw-text word tokenizer of `predict --input-format text`.
#include "fuzz_util.h"
#include "nertool/text/word_tokenizer.h"

NERTOOL_FUZZ_TARGET({ (void)nertool::text::tokenize_words(input, "fuzz.txt", 1); })
