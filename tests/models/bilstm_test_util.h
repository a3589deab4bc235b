#pragma once
// Small hand-made corpora and batches for the BiLSTM-CNN tests.
#include <torch/torch.h>

#include <string>
#include <vector>

#include "nertool/data/conll.h"
#include "nertool/models/batch.h"
#include "nertool/models/tagger.h"

namespace nertool::testing {

inline data::Sentence sentence(std::vector<std::string> tokens, std::vector<std::string> labels) {
  data::Sentence s;
  s.tokens = std::move(tokens);
  s.labels = std::move(labels);
  return s;
}

inline data::Corpus tiny_corpus() {
  data::Corpus c;
  c.path = "<tiny>";
  c.sentences = {
      sentence({"EU", "rejects", "German", "call", "to", "boycott", "British", "lamb", "."},
               {"B-ORG", "O", "B-MISC", "O", "O", "O", "B-MISC", "O", "O"}),
      sentence({"Peter", "Blackburn"}, {"B-PER", "I-PER"}),
      sentence({"BRUSSELS", "1996-08-22"}, {"B-LOC", "O"}),
      sentence({"Germany", "'s", "representative", "to", "the", "European", "Union", "said", "so", "."},
               {"B-LOC", "O", "O", "O", "O", "B-ORG", "I-ORG", "O", "O", "O"}),
      sentence({"iPhone", "sales", "rose", "12.5", "%", "in", "Köln", "."},
               {"B-MISC", "O", "O", "O", "O", "O", "B-LOC", "O"}),
  };
  return c;
}

// A batch of the given sentences with labels (ids from `labels`), featurized by `encoder`.
inline models::Batch make_batch(const std::vector<const data::Sentence*>& sentences, const models::LabelSet& labels,
                                const models::Encoder& encoder) {
  models::Batch b;
  b.sentences = sentences;
  int64_t T = 1;
  for (const auto* s : sentences) T = std::max<int64_t>(T, static_cast<int64_t>(s->size()));
  b.word_mask = torch::zeros({b.size(), T}, torch::kBool);
  b.labels = torch::zeros({b.size(), T}, torch::kInt64);
  for (int64_t i = 0; i < b.size(); ++i)
    for (std::size_t t = 0; t < sentences[static_cast<std::size_t>(i)]->size(); ++t) {
      b.word_mask[i][static_cast<int64_t>(t)] = true;
      if (!sentences[static_cast<std::size_t>(i)]->labels.empty())
        b.labels[i][static_cast<int64_t>(t)] = labels.id(sentences[static_cast<std::size_t>(i)]->labels[t]);
    }
  encoder.featurize(b);
  return b;
}

}  // namespace nertool::testing
