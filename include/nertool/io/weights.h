#pragma once
// Model weights as nertool stores them (model.pt, the model part of checkpoint.pt): a LibTorch archive with one
// sub-archive per module level, every parameter and buffer under its own name (docs/run_directory.md).
#include <torch/nn/module.h>
#include <torch/serialize/archive.h>

#include <string>
#include <vector>

namespace nertool::io {

// Every parameter and buffer of `module` into `archive` (one sub-archive per module level), and back. The strict
// reader throws IoError naming `origin` and the first missing or mis-shaped tensor.
void write_weights(const torch::nn::Module& module, torch::serialize::OutputArchive& archive);
void read_weights(torch::nn::Module& module, torch::serialize::InputArchive& archive, const std::string& origin);

// Every parameter and buffer, by its dotted name, into an archive file written atomically.
void save_weights(const torch::nn::Module& module, const std::string& path);
// Writes `archive` to `path` atomically. A failed write (a full disk) is an IoError naming the path and leaves
// no file behind; LibTorch's writer never sees it, since it would throw from a destructor (std::terminate).
void save_archive(torch::serialize::OutputArchive& archive, const std::string& path);
// Strict: every parameter and buffer of `module` must be in the file with its shape. Throws IoError naming the
// first missing or mis-shaped tensor.
void load_weights(torch::nn::Module& module, const std::string& path);

// Strict, for one part: the sub-archive `part` of the file (a tagger's "encoder", a masked LM's "head") into
// `module`. Returns false when the file has no such part.
bool load_weights_part(torch::nn::Module& module, const std::string& path, const std::string& part);

struct InitReport {
  std::vector<std::string> loaded, missing, mismatched;  // by name; mismatched: present with another shape
};
// Lenient: copies the tensors of `path` whose name and shape match (fine-tuning from another model).
InitReport init_weights(torch::nn::Module& module, const std::string& path);

}  // namespace nertool::io
