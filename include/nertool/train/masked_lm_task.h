#pragma once
// Masked-language-model pretraining as a task of the epoch loop (training_task.h): examples are packed
// sequences (masked_lm_data.h), masked anew for every batch from (seed, epoch, batch); the loss is the mean
// cross-entropy over the chosen subwords. Held-out text is scored with masks fixed by the seed, the same every
// epoch, so its loss curve compares epochs.
#include <torch/types.h>

#include <cstdint>

#include "nertool/models/masked_lm.h"
#include "nertool/train/masked_lm_data.h"
#include "nertool/train/training_task.h"

namespace nertool::train {

class MaskedLmTask : public TrainingTask {
 public:
  // `model` and `data` must outlive the task.
  MaskedLmTask(models::MaskedLanguageModelImpl& model, const PackedSequences& data, MaskingOptions masking,
               uint64_t seed, torch::Device device);

  torch::nn::Module& model() override { return model_; }
  const std::vector<int64_t>& example_lengths() const override { return lengths_; }
  BatchLoss forward(const std::vector<std::size_t>& examples, const BatchKey& key) override;

  // The masks of one batch (what forward trains on).
  MaskedBatch batch(const std::vector<std::size_t>& examples, const BatchKey& key) const;

 private:
  models::MaskedLanguageModelImpl& model_;
  const PackedSequences& data_;
  MaskingOptions masking_;
  uint64_t seed_;
  torch::Device device_;
  std::vector<int64_t> lengths_;
};

struct MaskedLmScore {
  double loss = 0;      // mean cross-entropy over the masked subwords
  double accuracy = 0;  // share of masked subwords whose top prediction is the original
  int64_t masked = 0;
};

// Scores held-out text in eval mode, `batch_sequences` at a time, under `precision` autocast.
MaskedLmScore score_masked_lm(models::MaskedLanguageModelImpl& model, const PackedSequences& data,
                              const MaskingOptions& masking, uint64_t seed, int64_t batch_sequences,
                              models::Precision precision, torch::Device device);

}  // namespace nertool::train
