// The LibTorch part of `nertool eval --model RUN_DIR --data FILE` (cmd_eval.cc holds the flags and prints).
#include "../cmd_eval.h"
#include "../torch_part.h"
#include "nertool/data/conll.h"
#include "nertool/predict/evaluate.h"

namespace nertool::cli {
namespace {

ModelScores evaluate(const ModelEvaluation& request) {
  predict::EvalOptions options;
  options.device = request.device;
  options.precision = request.precision;
  options.score = request.score;
  options.type_map = request.type_map;
  auto result = predict::evaluate_model(request.model, request.data, options);
  ModelScores scores{std::move(result.report), {}, {}};
  if (request.keep_labels) {
    scores.gold = data::label_sequences(result.corpus);
    scores.predicted = std::move(result.predicted);
  }
  return scores;
}

TorchPartRegistration<ModelEvaluation> registration(evaluate);

}  // namespace
}  // namespace nertool::cli
