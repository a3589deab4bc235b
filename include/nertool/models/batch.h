#pragma once
// A mini-batch of sentences as the models see it: word-level labels and mask, plus model-specific input tensors
// that each Encoder fills in from the sentences (word ids, character ids, subword ids, ...).
#include <torch/types.h>

#include <map>
#include <string>
#include <vector>

#include "nertool/data/conll.h"

namespace nertool::models {

struct Batch {
  std::vector<const data::Sentence*> sentences;  // the source sentences, batch order
  torch::Tensor word_mask;                       // [B, T] bool: true on real words (T = longest sentence)
  torch::Tensor labels;                          // [B, T] int64 label ids (0 where masked); undefined at predict time
  std::map<std::string, torch::Tensor> inputs;   // encoder-specific inputs, filled by Encoder::featurize
  // The corpus the sentences point into, when they do: encoders with document context read neighbouring sentences
  // of the same -DOCSTART- document from it. Null: no context available.
  const data::Corpus* corpus = nullptr;

  int64_t size() const { return static_cast<int64_t>(sentences.size()); }
  const torch::Tensor& input(const std::string& name) const;  // throws Error naming a missing input
  Batch to(const torch::Device& device) const;
};

}  // namespace nertool::models
