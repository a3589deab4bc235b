#pragma once
// Training a tagger: examples are the sentences of the training file, the loss is the tagger's (token-averaged).
#include <torch/types.h>

#include "nertool/models/tagger.h"
#include "nertool/train/training_data.h"
#include "nertool/train/training_task.h"

namespace nertool::train {

class TaggingTask : public TrainingTask {
 public:
  // `tagger`, `labels` and `train` must outlive the task.
  TaggingTask(models::TaggerImpl& tagger, const models::LabelSet& labels, const DataFile& train,
              torch::Device device);

  torch::nn::Module& model() override { return tagger_; }
  const std::vector<int64_t>& example_lengths() const override { return lengths_; }
  BatchLoss forward(const std::vector<std::size_t>& examples, const BatchKey& key) override;

 private:
  models::TaggerImpl& tagger_;
  const models::LabelSet& labels_;
  const DataFile& train_;
  torch::Device device_;
  std::vector<const data::Sentence*> sentences_;
  std::vector<int64_t> lengths_;
};

}  // namespace nertool::train
