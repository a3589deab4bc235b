// nertool train: parses flags, assembles the effective config and calls the library trainer.
#include <spdlog/spdlog.h>

#include <iostream>
#include <memory>

#include "command.h"
#include "torch_front_end.h"
#if NERTOOL_CLI_TORCH
#include "nertool/core/error.h"
#include "nertool/train/config.h"
#include "nertool/train/run_dir.h"
#include "nertool/train/trainer.h"
#endif

namespace {

struct TrainFlags {
  std::string config;
  std::string data = ".";
  std::string out;
  std::vector<std::string> sets;
  std::string seed;  // text, checked as train.seed is: CLI11 would clamp a number beyond int64 without a word
  bool resume = false;
  bool dump_config = false;
  std::string init;
};

#if NERTOOL_CLI_TORCH
int run_train(const TrainFlags& f) {
  using namespace nertool;
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
  train::TrainOptions options;
  options.config = config;
  options.data_dir = f.data;
  options.run_dir = f.out;
  options.resume = f.resume;
  options.init_dir = f.init;
  auto result = train::train_model(options);
  nlohmann::json summary{{"run_dir", result.run_dir},
                         {"epochs", result.epochs_done},
                         {"best_epoch", result.best_epoch},
                         {"dev_f1", result.best_dev_f1},
                         {"test_f1", result.test_f1_at_best ? nlohmann::json(*result.test_f1_at_best) : nullptr},
                         {"stopped_early", result.stopped_early},
                         {"seconds", result.seconds}};
  std::cout << summary.dump() << std::endl;
  return 0;
}
#else
int run_train(const TrainFlags&) { nertool::cli::run_in_torch_front_end(); }
#endif

nertool::cli::Action setup(CLI::App& app) {
  auto f = std::make_shared<TrainFlags>();
  app.add_option("--config,-c", f->config,
                 "JSON config with sections data, model, train (e.g. configs/bilstm_cnn.json); with --resume it "
                 "defaults to RUN_DIR/config.json");
  app.add_option("--data,-d", f->data,
                 "Directory holding the data files named in the config (data.train, data.valid, data.test)")
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
  app.add_option("--init", f->init,
                 "Start from the weights of another run or converted model directory (tensors matched by name "
                 "and shape; others keep their initialisation)");
  return [f] { return run_train(*f); };
}

nertool::cli::CommandRegistration reg({"train", "Train a tagger from a JSON config into a run directory", 10, setup});

}  // namespace
