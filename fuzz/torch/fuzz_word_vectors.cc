// Word-vector files: word2vec text and binary, GloVe text (the format detected from the bytes). The reader takes a
// path: each input is written to a file of this process's own first.
#include <unistd.h>

#include <fstream>

#include "fuzz_util.h"
#include "nertool/io/word_vectors.h"

namespace {
const std::string& scratch_file() {
  static const std::string path = "/tmp/nertool-fuzz-vectors-" + std::to_string(::getpid()) + ".vec";
  return path;
}
}  // namespace

NERTOOL_FUZZ_TARGET({
  { std::ofstream(scratch_file(), std::ios::binary | std::ios::trunc) << input; }
  nertool::io::WordVectorOptions options;
  options.max_words = 1000;
  const auto vectors = nertool::io::read_word_vectors(scratch_file(), options);
  if (vectors.size() > 0) (void)vectors.vector(vectors.size() - 1)[vectors.dim() - 1];
})
