// safetensors files (Hugging Face checkpoints): the header's JSON, dtypes, shapes and byte ranges against the data.
#include "fuzz_util.h"
#include "nertool/io/safetensors.h"

NERTOOL_FUZZ_TARGET({
  const auto tensors = nertool::io::parse_safetensors(input, "fuzz.safetensors");
  for (const auto& [name, tensor] : tensors) (void)tensor.sum();
})
