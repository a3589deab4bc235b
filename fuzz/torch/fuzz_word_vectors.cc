// Word-vector files: word2vec text and binary, GloVe text (the format detected from the bytes).
#include "fuzz_util.h"
#include "nertool/io/word_vectors.h"

NERTOOL_FUZZ_TARGET({
  nertool::io::WordVectorOptions options;
  options.max_words = 1000;
  const auto vectors = nertool::io::read_word_vectors(write_scratch_file(input, ".vec"), options);
  if (vectors.size() > 0) (void)vectors.vector(vectors.size() - 1)[vectors.dim() - 1];
})
