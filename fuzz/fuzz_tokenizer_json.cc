// tokenizer.json (the Hugging Face tokenizers format), loaded from a folder holding only it, then used.
#include <unistd.h>

#include <filesystem>

#include "fuzz_util.h"
#include "nertool/core/atomic_file.h"
#include "nertool/text/subword_tokenizer.h"

NERTOOL_FUZZ_TARGET({
  static const std::string dir = "/tmp/nertool-fuzz-tokenizer-" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  nertool::write_file_atomic(dir + "/tokenizer.json", input);
  auto tok = nertool::text::load_tokenizer(dir);
  (void)tok->encode_text("Peter Zu\xCC\x88rich [MASK] 2,000.5 \xE6\x9D\xB1");
})
