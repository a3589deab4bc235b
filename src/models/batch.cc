#include "nertool/models/batch.h"

#include "nertool/core/error.h"

namespace nertool::models {

const torch::Tensor& Batch::input(const std::string& name) const {
  auto it = inputs.find(name);
  if (it == inputs.end()) throw Error("batch has no input '" + name + "' (the encoder did not featurize it)");
  return it->second;
}

Batch Batch::to(const torch::Device& device) const {
  Batch out;
  out.sentences = sentences;
  out.corpus = corpus;
  out.word_mask = word_mask.defined() ? word_mask.to(device) : word_mask;
  out.labels = labels.defined() ? labels.to(device) : labels;
  for (const auto& [name, tensor] : inputs) out.inputs[name] = tensor.defined() ? tensor.to(device) : tensor;
  return out;
}

}  // namespace nertool::models
