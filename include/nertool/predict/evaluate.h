#pragma once
// `nertool eval --model`: a labelled file tagged by a trained model and scored as `nertool eval` scores files.
#include <cstdint>
#include <string>
#include <vector>

#include "nertool/data/conll.h"
#include "nertool/metrics/scorer.h"
#include "nertool/models/precision_mode.h"
#include "nertool/train/device_request.h"

namespace nertool::predict {

struct EvalOptions {
  int64_t batch_sentences = 64;
  train::DeviceRequest device{train::DeviceRequest::Kind::kCpu, -1};
  models::Precision precision = models::Precision::kFloat32;
  metrics::ScoreOptions score;
  // A taxonomy::TypeMap file: the model's predicted types are mapped through it before scoring (the "Direct"
  // transfer of a source-taxonomy model to a target taxonomy); types mapped to O drop their mentions.
  std::string type_map;
};

struct EvalResult {
  metrics::Report report;
  data::Corpus corpus;                                 // the gold file as read (model's column settings)
  std::vector<std::vector<std::string>> predicted;     // per sentence
};

// Reads `data_file` with the columns of the model's config, tags it and scores the predictions.
EvalResult evaluate_model(const std::string& run_dir, const std::string& data_file, const EvalOptions& options = {});

}  // namespace nertool::predict
