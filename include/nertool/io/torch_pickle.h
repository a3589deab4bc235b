#pragma once
// PyTorch checkpoint files (`torch.save` of a state dict, e.g. Hugging Face's pytorch_model.bin).
#include <string>

#include "nertool/io/safetensors.h"

namespace nertool::io {

// Reads a state dict saved by torch.save: a dict name -> tensor (contiguous CPU tensors), in the file's order.
// Both of torch.save's formats (the zip format of PyTorch >= 1.6 and the legacy one before it, which is what
// many hub checkpoints from 2019-2020 are), and both a plain dict and the collections.OrderedDict that
// model.state_dict() returns. Our own pickle reader: LibTorch's reads no legacy files and turns an OrderedDict into
// None. It understands the opcodes of protocols 2-4 and builds only dicts, lists, tuples, scalars and tensors;
// other objects stay opaque and nothing is executed. Non-tensor values are skipped. Throws InputError naming the
// file and the problem (not a checkpoint, truncated or corrupt data, an unsupported storage type, no tensors).
NamedTensors read_torch_state_dict(const std::string& path);

}  // namespace nertool::io
