// The one list of built-in architectures: each line registers the encoders or decoders of one file.
#include <mutex>

#include "nertool/models/bilstm_cnn.h"
#include "nertool/models/crf_decoder.h"
#include "nertool/models/hf_encoder.h"
#include "nertool/models/multitask_decoder.h"
#include "nertool/models/softmax_decoder.h"
#include "nertool/models/tagger.h"

namespace nertool::models {

void register_builtin_models() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Add one call per architecture, e.g. register_bilstm_cnn_encoder();
    register_bilstm_cnn_encoder();
    register_softmax_decoders();
    register_crf_decoder();
    register_hf_encoders();
    register_multitask_decoder();
  });
}

}  // namespace nertool::models
