#include "nertool/train/epoch_runner.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <filesystem>

#include "nertool/io/weights.h"
#include "nertool/train/run_support.h"

namespace nertool::train {

namespace fs = std::filesystem;

EpochRunner::EpochRunner(Parts parts)
    : parts_(std::move(parts)), seconds_before_(parts_.state.seconds), loop_(parts_.loop),
      checkpointer_((fs::path(parts_.run) / kCheckpointFile).string(), parts_.loop.workers) {}

double EpochRunner::seconds() const {
  return seconds_before_ + std::chrono::duration<double>(std::chrono::steady_clock::now() - parts_.start).count();
}

bool EpochRunner::run_all() {
  RunState& state = parts_.state;
  for (int epoch = state.epoch + 1; epoch <= parts_.max_epochs && !state.stopping.stopped; ++epoch)
    if (!run(epoch)) return false;
  return true;
}

bool EpochRunner::run(int epoch) {
  Communicator& workers = parts_.loop.workers;
  const auto epoch_start = std::chrono::steady_clock::now();
  const EpochTotals totals = loop_.run(epoch, parts_.state.step, parts_.shuffle_rng);
  if (workers.world_size() > 1)
    check_workers_agree(workers, "weights after epoch " + std::to_string(epoch),
                        parameter_digest(parts_.loop.task.model()));
  bool best = false;
  if (workers.is_writer()) best = record(epoch, totals, epoch_start);
  parts_.state.shuffle_rng = rng_text(parts_.shuffle_rng);
  share_state(workers, parts_.state);
  save(best);
  return !parts_.after_epoch || parts_.after_epoch(epoch);
}

bool EpochRunner::record(int epoch, const EpochTotals& totals, std::chrono::steady_clock::time_point epoch_start) {
  RunState& state = parts_.state;
  EpochRecord rec;
  rec.epoch = epoch;
  rec.train_loss = totals.mean_loss;
  rec.tokens_per_s = totals.seconds > 0 ? static_cast<double>(totals.tokens) / totals.seconds : 0;
  rec.reduce_seconds = totals.reduce_seconds;
  rec.lr = totals.lr;
  rec.steps = state.step;
  const double score = parts_.score(rec);
  rec.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_start).count();
  const bool best = state.stopping.observe(epoch, score, parts_.max_epochs);
  state.epoch = epoch;
  state.history.push_back(rec);
  state.seconds = seconds();
  parts_.log(rec, best);
  if (state.stopping.stopped)
    spdlog::info("early stop: no dev improvement for {} epochs (best epoch {})", state.stopping.patience,
                 state.stopping.best_epoch);
  return best;
}

void EpochRunner::save(bool best) {
  const fs::path run(parts_.run);
  torch::nn::Module& model = parts_.loop.task.model();
  if (best) io::save_weights(model, (run / kWeightsFile).string());
  if (parts_.loop.workers.is_writer()) write_metrics((run / kMetricsFile).string(), parts_.state.history);
  checkpointer_.save(model, parts_.loop.optimizer, parts_.state);
  if (parts_.run_dir) parts_.run_dir->keep();
}

}  // namespace nertool::train
