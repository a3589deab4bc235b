#pragma once
// Tagging sentences with a tagger in batches: what dev scoring during training and `nertool predict` / `eval
// --model` share.
#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "nertool/data/conll.h"
#include "nertool/models/precision_mode.h"
#include "nertool/models/tagger.h"

namespace nertool::train {

struct Prediction {
  std::vector<std::vector<std::string>> labels;       // per sentence, per word
  std::vector<std::vector<std::vector<float>>> probs;  // per sentence, per word, per label id (when asked)
};

// Tags `sentences` in batches of at most `batch_sentences` (sorted by length inside, returned in input order).
// The tagger is put in eval mode. Empty sentences get empty label lists. `precision`: models/precision.h.
Prediction predict_sentences(models::TaggerImpl& tagger, const std::vector<const data::Sentence*>& sentences,
                             int64_t batch_sentences, const torch::Device& device, bool with_probs = false,
                             const data::Corpus* corpus = nullptr,
                             models::Precision precision = models::Precision::kFloat32);

}  // namespace nertool::train
