#pragma once
// The safetensors format (Hugging Face's weight files): an 8-byte little-endian header length, a JSON header
// mapping each tensor name to {dtype, shape, data_offsets}, then the raw little-endian data.
#include <torch/types.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace nertool::io {

// Tensors by name, in file order (safetensors and state dicts both have an order worth keeping for messages).
using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

// Reads every tensor (F32, F16, BF16, F64, I64, I32, I8, U8, BOOL) as a CPU tensor of that dtype. Throws
// InputError naming the file and the problem (truncated header, bad JSON, unknown dtype, offsets outside the
// data or not matching the shape, overlapping tensors).
NamedTensors read_safetensors(const std::string& path);
NamedTensors parse_safetensors(const std::string& bytes, const std::string& name);

// Writes tensors (made contiguous, CPU) atomically, header keys sorted as the reference writer does, data in the
// given order. `metadata` goes into "__metadata__" (e.g. {"format": "pt"}).
void write_safetensors(const std::string& path, const NamedTensors& tensors,
                       const std::map<std::string, std::string>& metadata = {{"format", "pt"}});
std::string serialize_safetensors(const NamedTensors& tensors, const std::map<std::string, std::string>& metadata);

}  // namespace nertool::io
