#pragma once
// `nertool pretrain`: masked-language-model training of a BERT or RoBERTa encoder (docs/pretraining.md), from
// scratch (model.transformer + model.tokenizer) or continued from a Hugging Face *ForMaskedLM checkpoint or an
// earlier pretraining run (model.pretrained). The same epoch loop, checkpoints, exact --resume, data-parallel
// workers and run directories as `nertool train`; the best epoch is the one with the lowest held-out loss. A
// pretraining run directory is a model.pretrained for `nertool train` and converts to a Hugging Face checkpoint.
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nertool/models/masked_lm.h"
#include "nertool/train/epoch_record.h"
#include "nertool/train/trainer.h"

namespace nertool::text {
class SubwordTokenizer;
}

namespace nertool::train {

struct PretrainResult {
  std::string run_dir;
  int epochs_done = 0;
  int best_epoch = 0;
  double best_dev_loss = 0, best_dev_accuracy = 0;
  bool finished = false;
  double seconds = 0;
  std::vector<EpochRecord> history;
};

// options.init_dir must be empty (model.pretrained says where to start from).
PretrainResult pretrain_model(const TrainOptions& options);

struct MaskedLmBuild {
  models::MaskedLanguageModel model{nullptr};
  std::shared_ptr<const text::SubwordTokenizer> tokenizer;
  std::string tokenizer_dir;
};

// The masked LM of a model section. `model_dir`: the run directory; when `fresh`, the architecture and tokenizer
// come from the section and are written there (transformer.json, tokenizer/), and model.pretrained's weights are
// loaded; otherwise both come from model_dir and the weights stay as initialised (a checkpoint restores them).
// `model_dir` "" with `fresh`: build without writing anything (the other workers of a job).
MaskedLmBuild build_masked_lm(const nlohmann::json& model_section, const std::string& model_dir, bool fresh);

// A pretraining run directory's masked LM (transformer.json, tokenizer/, model.pt), in eval mode on the CPU.
MaskedLmBuild load_masked_lm(const std::string& run_dir);

// True when `dir` is a pretraining run directory (its config has pretrain.train_files and it has no labels.json).
bool is_pretraining_run(const std::string& dir);

}  // namespace nertool::train
