// nertool train and nertool pretrain: parse the same flags, assemble the effective config and call the library's
// trainer (tagging) or pretrainer (masked LM).
#include <spdlog/spdlog.h>

#include <iostream>
#include <memory>

#include "command.h"
#include "torch_front_end.h"
#if NERTOOL_CLI_TORCH
#include <filesystem>

#include "nertool/core/error.h"
#include "nertool/train/config.h"
#include "nertool/train/distributed.h"
#include "nertool/train/pretrainer.h"
#include "nertool/train/run_dir.h"
#include "nertool/train/trainer.h"
#endif

namespace {

struct TrainFlags {
  bool pretrain = false;  // nertool pretrain
  std::string config;
  std::string data = ".";
  std::string out;
  std::vector<std::string> sets;
  std::string seed;  // text, checked as train.seed is: CLI11 would clamp a number beyond int64 without a word
  bool resume = false;
  bool dump_config = false;
  bool config_keys = false;
  std::string init;
  int nproc = 0;
  int dist_timeout = 1800;
};

#if NERTOOL_CLI_TORCH
// This command line again, as one worker of a --nproc job: --nproc removed, this program's own path.
std::vector<std::string> worker_command_line() {
  std::vector<std::string> out;
  const auto args = nertool::cli::remembered_command_line();
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--nproc") ++i;
    else if (args[i].rfind("--nproc=", 0) != 0) out.push_back(args[i]);
  }
  out.at(0) = std::filesystem::read_symlink("/proc/self/exe").string();
  return out;
}

// --nproc N: the library runs this command line as N workers; a failure names the worker.
int run_local_workers(int nproc) {
  const nertool::JobOutcome outcome = nertool::train::run_local_workers(worker_command_line(), nproc);
  if (outcome.exit_code == 0) return 0;
  std::cerr << "error: worker " << outcome.failed_worker << " of " << nproc << " " << outcome.reason
            << "; the other workers were stopped" << std::endl;
  return outcome.exit_code;
}

// Joins the job when started as one of several workers (WORLD_SIZE > 1); null when training alone.
std::unique_ptr<nertool::train::Communicator> join_workers(const TrainFlags& f) {
  using namespace nertool;
  auto settings = train::distributed_settings_from_environment();
  if (settings.world_size == 1) return nullptr;
  settings.timeout = std::chrono::seconds(f.dist_timeout);
  // The writer (rank 0) logs; the others say only what goes wrong.
  if (settings.rank > 0 && spdlog::get_level() < spdlog::level::warn) spdlog::set_level(spdlog::level::warn);
  return train::connect_workers(settings);
}

// The one-line JSON summary on stdout.
nlohmann::json train_summary(const nertool::train::TrainResult& result) {
  return {{"run_dir", result.run_dir},
          {"epochs", result.epochs_done},
          {"best_epoch", result.best_epoch},
          {"dev_f1", result.best_dev_f1},
          {"test_f1", result.test_f1_at_best ? nlohmann::json(*result.test_f1_at_best) : nullptr},
          {"stopped_early", result.stopped_early},
          {"seconds", result.seconds}};
}

nlohmann::json pretrain_summary(const nertool::train::PretrainResult& result) {
  return {{"run_dir", result.run_dir},
          {"epochs", result.epochs_done},
          {"best_epoch", result.best_epoch},
          {"dev_loss", result.best_dev_loss},
          {"dev_accuracy", result.best_dev_accuracy},
          {"seconds", result.seconds}};
}

int run_train(const TrainFlags& f) {
  using namespace nertool;
  if (f.config_keys) {
    std::cout << train::config_keys_markdown();
    return 0;
  }
  std::string config_path = f.config;
  if (config_path.empty()) {
    if (f.resume && !f.out.empty()) config_path = f.out + "/config.json";
    else throw ConfigError("--config is required (or --resume with --out RUN_DIR to reuse the run's config)");
  }
  std::vector<std::string> overrides = f.sets;
  if (!f.seed.empty()) overrides.push_back("train.seed=" + f.seed);
  train::Config config = train::load_config(config_path, overrides);
  if (f.dump_config) {
    std::cout << config.json.dump(2) << std::endl;
    return 0;
  }
  if (f.out.empty()) throw ConfigError("--out RUN_DIR is required (the directory that will hold the trained model)");
  if (f.nproc > 1) {
    if (train::distributed_settings_from_environment().world_size > 1)
      throw ConfigError("--nproc starts its own workers; it cannot be given to a worker of a job (WORLD_SIZE is set)");
    return run_local_workers(f.nproc);
  }
  auto workers = join_workers(f);
  train::TrainOptions options;
  options.workers = workers.get();
  options.config = config;
  options.data_dir = f.data;
  options.run_dir = f.out;
  options.resume = f.resume;
  options.init_dir = f.init;
  const nlohmann::json summary = f.pretrain ? pretrain_summary(train::pretrain_model(options))
                                            : train_summary(train::train_model(options));
  if (workers && !workers->is_writer()) return 0;
  std::cout << summary.dump() << std::endl;
  return 0;
}
#else
int run_train(const TrainFlags&) { nertool::cli::run_in_torch_front_end(); }
#endif

nertool::cli::Action setup(CLI::App& app, bool pretrain) {
  auto f = std::make_shared<TrainFlags>();
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
  return [f] { return run_train(*f); };
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
