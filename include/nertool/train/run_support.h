#pragma once
// What every training driver (trainer.h for tagging, pretrainer.h for masked-LM pretraining) does around the
// epoch loop the same way: resume checks, metrics files, workers agreeing on state and weights.
#include <torch/nn/module.h>

#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nertool/train/checkpoint.h"
#include "nertool/train/config.h"
#include "nertool/train/lr_schedule.h"
#include "nertool/train/distributed.h"
#include "nertool/train/epoch_record.h"

namespace nertool::train {

// A resumed run must have the config it started with (RUN/config.json, read through the current reader), except
// for train.max_epochs, patience, device, num_threads, log_percent and eval_batch_sentences. Throws ConfigError
// naming every other changed key.
void check_resumable_config(const std::string& run, const nlohmann::json& config);

// metrics.jsonl: one line per epoch, written atomically.
void write_metrics(const std::string& path, const std::vector<EpochRecord>& history);

// Throws ConfigError when the workers' `digest` (a SHA-256 of what must agree: config and data, weights) differs.
void check_workers_agree(Communicator& workers, const std::string& what, const std::string& digest);

// The writer's `value`, on every worker.
bool writer_decides(Communicator& workers, bool value);

// Every parameter and buffer of the writer's module into the others'.
void broadcast_module(Communicator& workers, torch::nn::Module& module);

// SHA-256 of a module's parameters (what check_workers_agree compares after an epoch).
std::string parameter_digest(const torch::nn::Module& module);

// A std::mt19937_64 state as its operator<< writes it (RunState::shuffle_rng).
std::string rng_text(const std::mt19937_64& rng);

// The learning-rate schedule of a run over examples of these lengths: its steps per epoch (which do not depend on
// the shuffle, batching.h) times train.max_epochs, the warm-up resolved against them.
// The device of train.device; an unusable one is a ConfigError naming the key.
torch::Device run_device(const TrainConfig& config);

LrSchedule run_schedule(const std::vector<int64_t>& example_lengths, const TrainConfig& config, int world_size);

// The state a session of a run starts from: a fresh one, or (resume) the checkpoint's, loaded into `model` and
// `optimizer` on every worker with the batch order restored. Throws ConfigError when the run's data files
// (`hashes`: key -> SHA-256) differ from those it started with. `patience` (train.patience) may change on resume.
RunState initial_state(bool resume, Communicator& workers, torch::nn::Module& model,
                       torch::optim::Optimizer& optimizer, const nlohmann::json& hashes, const std::string& run, int patience,
                       std::mt19937_64& shuffle_rng);

// The writer's state after an epoch (scores, early stopping) becomes every worker's.
void share_state(Communicator& workers, RunState& state);

}  // namespace nertool::train
