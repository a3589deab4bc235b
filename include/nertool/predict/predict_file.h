#pragma once
// `nertool predict`: a CoNLL or text file streamed through a trained model in bounded memory, written as CoNLL,
// JSON lines or entity spans.
#include <cstddef>

#include "nertool/predict/predict_options.h"
#include "nertool/train/run_dir.h"

namespace nertool::predict {

struct PredictStats {
  std::size_t sentences = 0;
  std::size_t tokens = 0;
  double seconds = 0;
};

// Streams `options.input` through the model. Throws InputError (file, line) for bad input, ConfigError for bad
// option values, IoError for unreadable/unwritable files.
PredictStats predict_file(train::LoadedModel& model, const PredictOptions& options);

}  // namespace nertool::predict
