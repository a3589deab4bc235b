#pragma once
// Conversion between Hugging Face checkpoints (BERT, RoBERTa, XLM-RoBERTa) and nertool model directories, and
// masked language models read from *ForMaskedLM checkpoints. Tensors map by name: "bert."/"roberta." + X <-> the encoder's X, "classifier.*" <-> the softmax
// decoder's classifier. Variants of real hub files are accepted: LayerNorm `gamma`/`beta`, no position_ids buffer,
// extra cls.*/lm_head.*/pooler tensors (ignored, logged), and base-model checkpoints without the prefix (the
// classifier is then initialised fresh for a given label set).
#include <string>
#include <vector>

#include "nertool/io/safetensors.h"
#include "nertool/models/masked_lm.h"
#include "nertool/models/tagger.h"

namespace nertool::train {

struct HfImportOptions {
  std::string labels_file;  // one label per line (needed when the checkpoint has no classifier)
  std::string labels_data;  // or a CoNLL file whose label column gives the label set
  int64_t max_seq_length = 128;
  double classifier_dropout = -1;  // < 0: the checkpoint's classifier_dropout, else hidden_dropout_prob
};

struct HfImportReport {
  std::string weights_file;              // model.safetensors or pytorch_model.bin
  std::vector<std::string> ignored;      // heads and buffers left out (pooler, cls.*, lm_head.*, position_ids)
  bool fresh_classifier = false;         // base checkpoint: classifier initialised for the given labels
  int64_t num_tensors = 0;               // tensors loaded into the model
};

// True when `dir` looks like a Hugging Face checkpoint (config.json and a weights file) and not a nertool model
// directory (transformer.json).
bool is_hf_checkpoint_dir(const std::string& dir);

// Tensors of a checkpoint directory: model.safetensors if present, else pytorch_model.bin.
io::NamedTensors read_hf_weights(const std::string& hf_dir, std::string* file_used = nullptr);

// Builds the tagger of `hf_dir` (config.json + weights + tokenizer files) with its weights loaded. `work_dir`
// receives the tokenizer/ and transformer.json the encoder needs. Throws InputError/ConfigError naming every
// missing, unexpected or mis-shaped tensor.
models::Tagger import_hf_checkpoint(const std::string& hf_dir, const std::string& work_dir, const HfImportOptions& options,
                            HfImportReport* report = nullptr);

// The masked language model of a BertForMaskedLM / RobertaForMaskedLM checkpoint (config.json + weights), in eval
// mode. The output weight is tied to the word embeddings whether the file stores it (it must then be the same
// matrix) or leaves it out. Throws InputError naming every missing, unexpected or mis-shaped tensor.
models::MaskedLanguageModel import_hf_masked_lm(const std::string& hf_dir, HfImportReport* report = nullptr);

// `nertool convert --from hf HF_DIR --to MODEL_DIR`: writes a nertool model directory (config.json, labels.json,
// model.pt, transformer.json, tokenizer/, metadata.json), atomically (built beside it, then renamed). MODEL_DIR
// must not exist or be empty.
HfImportReport convert_from_hf(const std::string& hf_dir, const std::string& model_dir, const HfImportOptions& options);

// `nertool convert --from MODEL_DIR --to hf HF_DIR`: a nertool transformer model (softmax decoder) as a Hugging Face
// checkpoint: model.safetensors, config.json (with id2label/label2id) and the tokenizer files.
void convert_to_hf(const std::string& model_dir, const std::string& hf_dir);

}  // namespace nertool::train
