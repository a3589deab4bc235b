// The LibTorch part of `nertool train` and `nertool pretrain` (cmd_train.cc holds their flags): the effective
// config, the --nproc workers or the job joined, then the library's trainer (tagging) or pretrainer (masked LM).
#include <spdlog/spdlog.h>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "../cmd_train.h"
#include "../torch_part.h"
#include "nertool/core/companion_file.h"
#include "nertool/core/error.h"
#include "nertool/train/config.h"
#include "nertool/train/distributed.h"
#include "nertool/train/pretrainer.h"
#include "nertool/train/trainer.h"

namespace nertool::cli {
namespace {

// This command line again, as one worker of a --nproc job: --nproc removed, this program's own path.
std::vector<std::string> worker_command_line() {
  std::vector<std::string> out;
  const auto args = remembered_command_line();
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--nproc") ++i;
    else if (args[i].rfind("--nproc=", 0) != 0) out.push_back(args[i]);
  }
  out.at(0) = running_program_path();
  return out;
}

// --nproc N: the library runs this command line as N workers; a failure names the worker.
int run_local_workers(int nproc) {
  const JobOutcome outcome = train::run_local_workers(worker_command_line(), nproc);
  if (outcome.exit_code == 0) return 0;
  std::cerr << "error: worker " << outcome.failed_worker << " of " << nproc << " " << outcome.reason
            << "; the other workers were stopped" << std::endl;
  return outcome.exit_code;
}

// Joins the job when started as one of several workers (WORLD_SIZE > 1); null when training alone.
std::unique_ptr<train::Communicator> join_workers(const TrainFlags& f) {
  auto settings = train::distributed_settings_from_environment();
  if (settings.world_size == 1) return nullptr;
  settings.timeout = std::chrono::seconds(f.dist_timeout);
  // The writer (rank 0) logs; the others say only what goes wrong.
  if (settings.rank > 0 && spdlog::get_level() < spdlog::level::warn) spdlog::set_level(spdlog::level::warn);
  return train::connect_workers(settings);
}

// The one-line JSON summary on stdout.
nlohmann::json train_summary(const train::TrainResult& result) {
  return {{"run_dir", result.run_dir},
          {"epochs", result.epochs_done},
          {"best_epoch", result.best_epoch},
          {"dev_f1", result.best_dev_f1},
          {"test_f1", result.test_f1_at_best ? nlohmann::json(*result.test_f1_at_best) : nullptr},
          {"stopped_early", result.stopped_early},
          {"seconds", result.seconds}};
}

nlohmann::json pretrain_summary(const train::PretrainResult& result) {
  return {{"run_dir", result.run_dir},
          {"epochs", result.epochs_done},
          {"best_epoch", result.best_epoch},
          {"dev_loss", result.best_dev_loss},
          {"dev_accuracy", result.best_dev_accuracy},
          {"seconds", result.seconds}};
}

int run_train(const TrainFlags& f) {
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

TorchPartRegistration<TrainFlags> registration(run_train);

}  // namespace
}  // namespace nertool::cli
