// The one list of built-in architectures: each line registers the encoders or decoders of one file.
#include <mutex>

#include "nertool/layers/transformer.h"
#include "nertool/models/bilstm_cnn.h"
#include "nertool/models/crf_decoder.h"
#include "nertool/models/hf_encoder.h"
#include "nertool/models/multitask_decoder.h"
#include "nertool/models/softmax_decoder.h"
#include "nertool/models/tagger.h"
#include "nertool/models/word_lstm_encoder.h"

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

std::string model_keys_markdown() {
  std::string out;
  // Add the key table of a new component here, under the section it reads.
  config::append_key_rows(out, "model", window_keys());
  config::append_key_rows(out, "model.bilstm_cnn", bilstm_cnn_keys());
  config::append_key_rows(out, "model.word_lstm", word_lstm_keys());
  config::append_key_rows(out, "model.softmax", softmax_keys());
  config::append_key_rows(out, "model.bidir_softmax", softmax_keys());
  config::append_key_rows(out, "model.crf", crf_keys());
  config::append_key_rows(out, "model.multitask", multitask_keys());
  config::append_key_rows(out, "model.transformer", layers::transformer_keys());
  return out;
}

}  // namespace nertool::models
