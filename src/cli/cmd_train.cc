// nertool train and nertool pretrain: the same flags; their LibTorch part is src/cli/torch/train_torch.cc.
#include <memory>

#include "cmd_train.h"
#include "command.h"
#include "torch_part.h"

namespace {

nertool::cli::Action setup(CLI::App& app, bool pretrain) {
  auto f = std::make_shared<nertool::cli::TrainFlags>();
  f->pretrain = pretrain;
  app.add_option("--config,-c", f->config,
                 pretrain ? "JSON config with sections model, pretrain, train (e.g. configs/pretrain_roberta_small.json, "
                            "docs/pretraining.md); with --resume it defaults to RUN_DIR/config.json"
                          : "JSON config with sections data, model, train (e.g. configs/bilstm_cnn.json); with --resume "
                            "it defaults to RUN_DIR/config.json");
  app.add_option("--data,-d", f->data,
                 pretrain ? "Directory holding the text files named in the config (pretrain.train_files, "
                            "pretrain.valid_file)"
                          : "Directory holding the data files named in the config (data.train, data.valid, data.test)")
      ->capture_default_str();
  app.add_option("--out,-o", f->out, "Run directory to create: it receives the model, metrics, plot and checkpoint");
  app.add_option("--set,-s", f->sets,
                 "Override a config value: key.path=value, value parsed as JSON when valid (numbers, true, "
                 "[0.9,0.98]) else taken as a string; repeatable (e.g. --set train.max_epochs=5)");
  app.add_option("--seed", f->seed, "Random seed, 0 to 2^63-1 (same as --set train.seed=N)");
  app.add_flag("--resume", f->resume,
               "Continue the interrupted run in --out from its checkpoint; ends with exactly the weights of an "
               "uninterrupted run (same seed, CPU). train.max_epochs and train.patience may be raised");
  app.add_flag("--dump-config", f->dump_config, "Print the effective config (defaults and overrides applied) and exit");
  app.add_flag("--config-keys", f->config_keys,
               "Print every data, train and pretrain key (type, default, rule, meaning) as a Markdown table and exit");
  if (!pretrain)
    app.add_option("--init", f->init,
                   "Start from the weights of another run or converted model directory (tensors matched by name "
                   "and shape; others keep their initialisation)");
  app.add_option("--nproc", f->nproc,
                 "Train data-parallel with N worker processes on this machine (each step averages the gradients of "
                 "N batches; see docs/distributed.md). Across machines, start one worker per process with "
                 "torchrun's variables instead: RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT")
      ->check(CLI::Range(1, 1024));
  app.add_option("--dist-timeout", f->dist_timeout,
                 "Distributed training: seconds a worker waits for the others (joining, each exchange, worker 0's "
                 "evaluation) before the job ends with an error")
      ->capture_default_str()
      ->check(CLI::Range(1, 86400));
  return [f] { return nertool::cli::run_torch_part(*f); };
}

nertool::cli::CommandRegistration train_command(
    {"train", "Train a tagger from a JSON config into a run directory", 10,
     [](CLI::App& app) { return setup(app, false); }});
nertool::cli::CommandRegistration pretrain_command(
    {"pretrain",
     "Pretrain a BERT or RoBERTa encoder as a masked language model on raw or CoNLL text (continue a checkpoint on "
     "in-domain text, or start from scratch)",
     15, [](CLI::App& app) { return setup(app, true); }});

}  // namespace
