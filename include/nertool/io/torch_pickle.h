#pragma once
// PyTorch checkpoint files (`torch.save` of a state dict, e.g. Hugging Face's pytorch_model.bin).
#include <string>

#include "nertool/io/safetensors.h"

namespace nertool::io {

// Reads a state dict saved by torch.save in the zip format (PyTorch >= 1.6): a dict name -> tensor, in the file's
// order. Non-tensor values are skipped. Throws InputError naming the file for anything else (the legacy pre-1.6
// format, a collections.OrderedDict, which LibTorch's unpickler cannot read, a pickle that is not a dict, a corrupt
// archive).
NamedTensors read_torch_state_dict(const std::string& path);

}  // namespace nertool::io
