// pytorch_model.bin: the zip container and legacy tar/pickle formats, the unpickler and the storages it names.
// The reader takes a path: each input is written to a file of this process's own first.
#include <unistd.h>

#include <fstream>

#include "fuzz_util.h"
#include "nertool/io/torch_pickle.h"

namespace {
const std::string& scratch_file() {
  static const std::string path = "/tmp/nertool-fuzz-pickle-" + std::to_string(::getpid()) + ".bin";
  return path;
}
}  // namespace

NERTOOL_FUZZ_TARGET({
  { std::ofstream(scratch_file(), std::ios::binary | std::ios::trunc) << input; }
  const auto tensors = nertool::io::read_torch_state_dict(scratch_file());
  for (const auto& [name, tensor] : tensors) (void)tensor.sum();
})
