// The one list of built-in architectures: each line registers the encoders or decoders of one file.
#include <mutex>

#include "nertool/models/tagger.h"

namespace nertool::models {

void register_builtin_models() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Add one call per architecture, e.g. register_bilstm_cnn_encoder();
  });
}

}  // namespace nertool::models
