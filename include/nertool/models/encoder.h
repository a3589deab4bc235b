#pragma once
// An encoder turns a batch of sentences into one feature vector per word: [B, T, output_dim()]. Whatever it does
// inside (characters, subwords, windows over long sentences, document context), its output is word-aligned, so any
// Decoder (softmax, CRF, ...) slots onto any encoder.
#include <torch/nn/module.h>
#include <torch/types.h>

#include "nertool/models/batch.h"

namespace nertool::models {

class Encoder : public torch::nn::Module {
 public:
  // Fills batch.inputs from batch.sentences (on CPU; the trainer moves the batch to the device).
  virtual void featurize(Batch& batch) const = 0;
  // Word-level features [B, T, output_dim()], T = batch.word_mask.size(1).
  virtual torch::Tensor forward(const Batch& batch) = 0;
  virtual int64_t output_dim() const = 0;
  // Which last-dimension slices of the features come from separate directions (a BiLSTM's forward and backward
  // halves); 1 for encoders with one joint representation. The paper's softmax output uses it.
  virtual int64_t num_directions() const { return 1; }
  // The sentence's length in the units the encoder computes over: evaluation batches are sorted by it so that
  // sentences padded together cost about the same. Words by default; subwords for a transformer.
  virtual int64_t compute_length(const data::Sentence& sentence) const {
    return static_cast<int64_t>(sentence.size());
  }
};

}  // namespace nertool::models
