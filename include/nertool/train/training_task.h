#pragma once
// What the epoch loop (epoch_loop.h) trains: tagging (tagging_task.h) or masked-language-model pretraining
// (masked_lm_task.h). A task owns its examples and its model and turns a batch of examples into a loss; the loop
// owns the batch order, the workers' shares, gradients, clipping and optimizer steps, the same for every task.
#include <torch/nn/module.h>
#include <torch/types.h>

#include <cstdint>
#include <vector>

namespace nertool::train {

struct BatchLoss {
  torch::Tensor loss;  // the mean over the batch's units
  int64_t units = 0;   // what the loss averages over: tagged words, masked subwords
  int64_t tokens = 0;  // what throughput counts: words, subwords
};

// Names one batch of one epoch, so anything random about it (masking) is a function of the seed, the epoch and
// the batch: a resumed run sees exactly the batches an uninterrupted one would.
struct BatchKey {
  int epoch = 0;
  std::size_t batch = 0;  // index in the epoch's plan
};

class TrainingTask {
 public:
  virtual ~TrainingTask() = default;
  virtual torch::nn::Module& model() = 0;
  // Length of every example (words of a sentence, subwords of a packed sequence): what batches are planned on.
  virtual const std::vector<int64_t>& example_lengths() const = 0;
  // Forward pass over the given examples, on the task's device, in training mode.
  virtual BatchLoss forward(const std::vector<std::size_t>& examples, const BatchKey& key) = 0;
};

}  // namespace nertool::train
