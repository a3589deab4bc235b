// The LibTorch part of `nertool predict` (cmd_predict.cc holds its flags): load the run, tag the file, log the rate.
#include <spdlog/spdlog.h>

#include "../cmd_predict.h"
#include "../torch_part.h"
#include "nertool/predict/predict_file.h"

namespace nertool::cli {
namespace {

int predict(const PredictFlags& f) {
  auto model = train::load_model(f.model, f.device);
  const auto stats = predict::predict_file(model, f.options);
  spdlog::info("tagged {} sentences ({} tokens) in {:.3f}s ({:.0f} sentences/s)", stats.sentences, stats.tokens,
               stats.seconds, stats.seconds > 0 ? static_cast<double>(stats.sentences) / stats.seconds : 0.0);
  return 0;
}

TorchPartRegistration<PredictFlags> registration(predict);

}  // namespace
}  // namespace nertool::cli
