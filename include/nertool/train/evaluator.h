#pragma once
// Dev (and test, when configured) scores after an epoch, with the scorer `nertool eval` uses.
#include <torch/types.h>

#include <string>
#include <vector>

#include "nertool/models/tagger.h"
#include "nertool/train/config.h"
#include "nertool/train/epoch_record.h"
#include "nertool/train/training_data.h"

namespace nertool::train {

class Evaluator {
 public:
  // `data` must outlive the evaluator.
  Evaluator(const TrainingData& data, const TrainConfig& config, torch::Device device);
  // Fills the record's dev_* and test_* fields; leaves the tagger in eval mode.
  void score(models::TaggerImpl& tagger, EpochRecord& record) const;

 private:
  struct Split {
    const DataFile* file = nullptr;
    std::vector<const data::Sentence*> sentences;
    std::vector<std::vector<std::string>> gold;
  };
  Split split(const DataFile& file) const;
  // Micro precision, recall, F1.
  std::tuple<double, double, double> scores(models::TaggerImpl& tagger, const Split& split) const;

  Split dev_;
  std::optional<Split> test_;
  int64_t batch_sentences_;
  models::Precision precision_;
  torch::Device device_;
};

}  // namespace nertool::train
