#include "nertool/train/evaluator.h"

#include "nertool/metrics/scorer.h"
#include "nertool/train/batching.h"
#include "nertool/train/sentence_tagging.h"

namespace nertool::train {

Evaluator::Evaluator(const TrainingData& data, const TrainConfig& config, torch::Device device)
    : dev_(split(data.valid())),
      batch_sentences_(config.eval_batch_sentences),
      precision_(config.precision),
      device_(device) {
  if (data.test()) test_ = split(*data.test());
}

Evaluator::Split Evaluator::split(const DataFile& file) const {
  return Split{&file, sentence_pointers(file.corpus), data::label_sequences(file.corpus)};
}

std::tuple<double, double, double> Evaluator::scores(models::TaggerImpl& tagger, const Split& split) const {
  auto predicted = predict_sentences(tagger, split.sentences, batch_sentences_, device_, false, &split.file->corpus,
                                     precision_);
  const auto s = metrics::score(split.gold, predicted.labels);
  return {s.micro.precision, s.micro.recall, s.micro.f1};
}

void Evaluator::score(models::TaggerImpl& tagger, EpochRecord& record) const {
  std::tie(record.dev_precision, record.dev_recall, record.dev_f1) = scores(tagger, dev_);
  if (!test_) return;
  const auto [p, r, f] = scores(tagger, *test_);
  record.test_precision = p;
  record.test_recall = r;
  record.test_f1 = f;
}

}  // namespace nertool::train
