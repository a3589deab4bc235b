// The LibTorch part of `nertool convert` between Hugging Face checkpoints and nertool directories (cmd_convert.cc
// holds the flags and the tag-scheme conversion).
#include "../cmd_convert.h"
#include "../torch_part.h"
#include "nertool/train/hf_checkpoint.h"

namespace nertool::cli {
namespace {

int convert(const HfConversion& request) {
  if (request.to_hf) {
    train::convert_to_hf(request.from, request.to);
    return 0;
  }
  train::HfImportOptions options;
  options.labels_file = request.labels;
  options.labels_data = request.labels_from;
  options.max_seq_length = request.max_seq_length;
  train::convert_from_hf(request.from, request.to, options);
  return 0;
}

TorchPartRegistration<HfConversion> registration(convert);

}  // namespace
}  // namespace nertool::cli
