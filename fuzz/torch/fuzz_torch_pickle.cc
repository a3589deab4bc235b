// pytorch_model.bin: the zip container and legacy tar/pickle formats, the unpickler and the storages it names.
#include "fuzz_util.h"
#include "nertool/io/torch_pickle.h"

NERTOOL_FUZZ_TARGET({
  const auto tensors = nertool::io::read_torch_state_dict(write_scratch_file(input, ".bin"));
  for (const auto& [name, tensor] : tensors) (void)tensor.sum();
})
