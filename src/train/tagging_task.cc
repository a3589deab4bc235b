#include "nertool/train/tagging_task.h"

#include <torch/torch.h>

#include "nertool/train/batching.h"

namespace nertool::train {

TaggingTask::TaggingTask(models::TaggerImpl& tagger, const models::LabelSet& labels, const DataFile& train,
                         torch::Device device)
    : tagger_(tagger), labels_(labels), train_(train), device_(device), sentences_(sentence_pointers(train.corpus)) {
  for (const auto* s : sentences_) lengths_.push_back(static_cast<int64_t>(s->size()));
}

BatchLoss TaggingTask::forward(const std::vector<std::size_t>& examples, const BatchKey&) {
  std::vector<const data::Sentence*> group;
  BatchLoss out;
  for (std::size_t i : examples) {
    group.push_back(sentences_[i]);
    out.tokens += lengths_[i];
  }
  out.units = out.tokens;
  auto batch = make_batch(group, tagger_.encoder(), &labels_, train_.path, &train_.corpus).to(device_);
  out.loss = tagger_.loss(batch);
  return out;
}

}  // namespace nertool::train
