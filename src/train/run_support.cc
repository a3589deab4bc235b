#include "nertool/train/run_support.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <filesystem>
#include <set>
#include <sstream>

#include "nertool/core/atomic_file.h"
#include "nertool/core/config_keys.h"
#include "nertool/core/error.h"
#include "nertool/core/json.h"
#include "nertool/core/sha256.h"
#include "nertool/train/batching.h"
#include "nertool/train/config.h"
#include "nertool/train/device.h"
#include "nertool/train/run_dir.h"

namespace nertool::train {

using nlohmann::json;

namespace {

// Keys that may differ between a run's saved config and the config given with --resume.
bool resumable_difference(const std::string& key) {
  static const std::set<std::string> ok = {"train.max_epochs", "train.patience", "train.device", "train.num_threads",
                                           "train.log_percent", "train.eval_batch_sentences"};
  return ok.count(key) > 0;
}

void diff_json(const json& a, const json& b, const std::string& prefix, std::vector<std::string>& out) {
  if (a.is_object() && b.is_object()) {
    std::set<std::string> keys;
    for (const auto& kv : a.items()) keys.insert(kv.key());
    for (const auto& kv : b.items()) keys.insert(kv.key());
    for (const auto& k : keys) {
      const std::string name = config::full_key(prefix, k);
      if (!a.contains(k) || !b.contains(k)) out.push_back(name);
      else diff_json(a.at(k), b.at(k), name, out);
    }
  } else if (a != b) {
    out.push_back(prefix);
  }
}

}  // namespace

// A resumed run must have the config it started with, but for the keys resumable_difference allows.
void check_resumable_config(const std::string& run, const json& config) {
  // Through the current reader: keys added to nertool after the run started take their defaults, as the run did.
  const json saved = config_from_json(read_json_file(run + "/config.json"), run + "/config.json").json;
  std::vector<std::string> diffs, blocking;
  diff_json(saved, config, "", diffs);
  for (const auto& d : diffs)
    if (!resumable_difference(d)) blocking.push_back(d);
  if (!blocking.empty()) {
    std::string list;
    for (const auto& d : blocking) list += (list.empty() ? "" : ", ") + d;
    throw ConfigError("cannot resume " + run + " with a different config (changed: " + list +
                      "); only train.max_epochs, patience, device, num_threads, log_percent and "
                      "eval_batch_sentences may change");
  }
  for (const auto& d : diffs) {
    std::string pointer = "/" + d;
    for (auto& ch : pointer) ch = ch == '.' ? '/' : ch;
    spdlog::info("resume: {} changed to {}", d, config.value(json::json_pointer(pointer), json()).dump());
  }
}

void write_metrics(const std::string& path, const std::vector<EpochRecord>& history) {
  std::string text;
  for (const auto& r : history) text += r.to_json().dump() + "\n";
  write_file_atomic(path, text);
}

// Workers must train the same model on the same data; a difference would only show as diverging weights.
// `digest`: a SHA-256 of what must agree.
void check_workers_agree(Communicator& workers, const std::string& what, const std::string& digest) {
  if (workers.world_size() == 1) return;
  const auto all = workers.all_gather_bytes(digest);
  for (std::size_t r = 1; r < all.size(); ++r)
    if (all[r] != all[0])
      throw ConfigError("distributed training: worker " + std::to_string(r) + " has other " + what +
                        " than worker 0: give every worker the same config, flags and data");
}

bool writer_decides(Communicator& workers, bool value) {
  auto flag = torch::tensor({value ? 1 : 0}, torch::kInt);
  workers.broadcast(flag, 0);
  return flag.item<int>() != 0;
}

// Every parameter and buffer of the writer's model into the others' (the writer's may come from --init).
void broadcast_module(Communicator& workers, torch::nn::Module& module) {
  if (workers.world_size() == 1) return;
  torch::NoGradGuard no_grad;
  auto send = [&](torch::Tensor& t) {
    auto cpu = t.detach().to(torch::kCPU).contiguous();
    workers.broadcast(cpu, 0);
    t.copy_(cpu);
  };
  for (auto& p : module.parameters()) send(p);
  for (auto& b : module.buffers()) send(b);
}

std::string parameter_digest(const torch::nn::Module& module) {
  Sha256 hash;
  for (const auto& p : module.parameters()) {
    auto cpu = p.detach().to(torch::kCPU).contiguous();
    hash.update(cpu.data_ptr(), static_cast<std::size_t>(cpu.nbytes()));
  }
  return hash.hex_digest();
}

std::string rng_text(const std::mt19937_64& rng) {
  std::ostringstream text;
  text << rng;
  return text.str();
}

// The writer's state after an epoch (scores, early stopping) becomes every worker's.
void share_state(Communicator& workers, RunState& state) {
  if (workers.world_size() == 1) return;
  std::string text = workers.is_writer() ? state.to_json().dump() : std::string();
  workers.broadcast_bytes(text, 0);
  if (!workers.is_writer()) state = RunState::from_json(json::parse(text), "worker 0's training state");
}

torch::Device run_device(const TrainConfig& config) {
  try {
    return resolve_device(config.device);
  } catch (const ConfigError& e) {
    throw ConfigError(std::string("train.device: ") + e.what());
  }
}

LrSchedule run_schedule(const std::vector<int64_t>& example_lengths, const TrainConfig& tc, int world_size) {
  std::mt19937_64 probe(tc.seed);  // a throwaway engine: only the number of batches counts
  const auto batches = plan_batches(example_lengths, tc.batch_tokens, tc.batch_sentences, probe).size();
  const int64_t total_steps = steps_per_epoch(batches, world_size, tc.accumulate_batches) * tc.max_epochs;
  return LrSchedule(tc.lr, tc.schedule, resolve_warmup_steps(tc.warmup_steps, tc.warmup_ratio, total_steps),
                    total_steps);
}

RunState initial_state(bool resume, Communicator& workers, torch::nn::Module& model,
                       torch::optim::Optimizer& optimizer, const json& hashes, const std::string& run, int patience, std::mt19937_64& shuffle_rng) {
  RunState state;
  state.hashes = hashes;
  state.world_size = workers.world_size();
  if (resume) {
    Checkpointer checkpointer((std::filesystem::path(run) / kCheckpointFile).string(), workers);
    state = checkpointer.load(model, optimizer);
    if (state.hashes != hashes)
      throw ConfigError("cannot resume " + run + ": the data files differ from those the run started with");
    std::istringstream(state.shuffle_rng) >> shuffle_rng;
    spdlog::info("resuming {} after epoch {} (step {}, best epoch {})", run, state.epoch, state.step,
                 state.stopping.best_epoch);
    if (state.stopping.stopped) spdlog::info("the run had stopped early; nothing to do");
  }
  state.stopping.patience = patience;
  return state;
}

}  // namespace nertool::train
