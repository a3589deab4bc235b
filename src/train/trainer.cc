#include "nertool/train/trainer.h"

#include <spdlog/spdlog.h>
#include <stdlib.h>
#include <torch/torch.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <random>
#include <set>
#include <sstream>

#include "nertool/core/atomic_file.h"
#include "nertool/core/error.h"
#include "nertool/core/logging.h"
#include "nertool/core/temporary_directory.h"
#include "nertool/train/checkpoint.h"
#include "nertool/train/device.h"
#include "nertool/train/epoch_loop.h"
#include "nertool/train/epoch_runner.h"
#include "nertool/train/evaluator.h"
#include "nertool/train/lr_schedule.h"
#include "nertool/train/optimizer.h"
#include "nertool/train/plot.h"
#include "nertool/train/progress.h"
#include "nertool/train/run_dir.h"
#include "nertool/train/run_metadata.h"
#include "nertool/train/run_support.h"
#include "nertool/train/tagging_task.h"
#include "nertool/train/training_data.h"

namespace nertool::train {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// train.freeze: parameters whose names start with one of the prefixes keep their values (no gradient, so the
// optimizer never sees them). A prefix that names nothing is a config error, not a silent no-op.
void freeze_parameters(torch::nn::Module& model, const std::vector<std::string>& prefixes) {
  std::size_t frozen = 0;
  for (const auto& prefix : prefixes) {
    std::size_t matched = 0;
    for (auto& item : model.named_parameters())
      if (item.key().rfind(prefix, 0) == 0) {
        item.value().requires_grad_(false);
        ++matched;
      }
    if (matched == 0) {
      std::string tops;
      for (const auto& child : model.named_children()) tops += (tops.empty() ? "" : ", ") + child.key() + ".";
      throw ConfigError("train.freeze: '" + prefix + "' names no parameter of this model (names start with " +
                        tops + ")");
    }
    frozen += matched;
  }
  if (frozen > 0) spdlog::info("train.freeze: {} parameter tensors kept fixed", frozen);
}

void check_options(const TrainOptions& options) {
  if (options.run_dir.empty()) throw ConfigError("no run directory given");
  const TrainConfig& tc = options.config.train;
  if (tc.batch_tokens <= 0 && tc.batch_sentences <= 0)
    throw ConfigError("set train.batch_tokens (token budget per batch) or train.batch_sentences (sentences per "
                      "batch)");
}

// Files of the run directory that are training output, not part of the model's definition.
bool training_output(const std::string& name) {
  static const std::set<std::string> outputs = {kCheckpointFile, kWeightsFile, kMetricsFile, kMetadataFile,
                                                kPlotFile};
  return outputs.count(name) > 0 || name.find(".tmp.") != std::string::npos;
}

// The writer's model files (vocabularies, tokenizer, transformer.json, taxonomies, labels) travel to every other
// worker as one blob of (path, bytes) records.
void share_model_files(Communicator& workers, const fs::path& run, const fs::path& scratch) {
  std::vector<std::string> records;  // path, bytes, path, bytes, ...
  if (workers.is_writer())
    for (const auto& entry : fs::recursive_directory_iterator(run))
      if (entry.is_regular_file() && !training_output(entry.path().filename().string())) {
        records.push_back(fs::relative(entry.path(), run).string());
        records.push_back(read_file(entry.path().string()));
      }
  std::string blob = pack_byte_records(records);
  workers.broadcast_bytes(blob, 0);
  if (workers.is_writer()) return;
  records = unpack_byte_records(blob);
  for (std::size_t i = 0; i + 1 < records.size(); i += 2) {
    const fs::path file = scratch / records[i];
    fs::create_directories(file.parent_path());
    write_file_atomic(file.string(), records[i + 1]);
  }
}

// What one call of train_model builds before its first epoch.
struct Session {
  TrainingData data;
  models::LabelSet labels;
  models::Tagger tagger{nullptr};
  torch::Device device{torch::kCPU};
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  int64_t parameters = 0;
};

models::LabelSet run_labels(Communicator& workers, const fs::path& run, bool resume, const TrainingData& data) {
  std::string text;
  if (workers.is_writer())
    text = (resume ? read_json_file((run / "labels.json").string())
                   : models::LabelSet::from_corpus(data.train().corpus).to_json())
               .dump();
  workers.broadcast_bytes(text, 0);
  return models::LabelSet::from_json(json::parse(text));
}

models::Tagger build_run_tagger(const TrainOptions& options, Session& s, bool resume, const std::string& scratch) {
  models::BuildContext ctx;
  ctx.config = options.config.model;
  ctx.labels = s.labels;
  ctx.model_dir = scratch.empty() ? options.run_dir : scratch;
  const bool fresh = scratch.empty() && !resume;  // the writer of a new run builds from the data
  ctx.train = fresh ? &s.data.train().corpus : nullptr;
  if (fresh) ctx.init_dir = options.init_dir;
  models::Tagger tagger = models::build_tagger(ctx);
  if (!options.init_dir.empty() && fresh) {
    auto report = io::init_weights(*tagger, (fs::path(options.init_dir) / "model.pt").string());
    if (report.loaded.empty())
      throw ConfigError("initial weights " + options.init_dir + ": no tensor of model.pt matches this model by name and shape");
    spdlog::info("initial weights {}: {} tensors loaded, {} kept as built (missing), {} kept as built (other shape)",
                 options.init_dir, report.loaded.size(), report.missing.size(), report.mismatched.size());
    for (const auto& n : report.mismatched) spdlog::warn("initial weights: '{}' has another shape there; kept as built", n);
  }
  return tagger;
}

void build_model(const TrainOptions& options, Communicator& workers, Session& s, bool resume) {
  const TrainConfig& tc = options.config.train;
  // The other workers rebuild the model in a folder of their own from the writer's files, as a resumed run
  // rebuilds it from the run directory.
  std::optional<TemporaryDirectory> scratch;
  if (!workers.is_writer()) scratch.emplace("nertool-worker-");
  if (workers.is_writer()) s.tagger = build_run_tagger(options, s, resume, "");
  if (workers.world_size() > 1) {
    share_model_files(workers, options.run_dir, scratch ? scratch->path() : "");
    if (scratch) s.tagger = build_run_tagger(options, s, true, scratch->path());
  }
  freeze_parameters(*s.tagger, tc.freeze);
  s.device = run_device(tc);
  s.tagger->to(s.device);
  broadcast_module(workers, *s.tagger);
  s.optimizer = make_optimizer(*s.tagger, tc);
  for (const auto& p : s.tagger->parameters()) s.parameters += p.numel();
  spdlog::info("model: encoder {}, decoder {}, {} parameters, device {}", options.config.model.value("encoder", ""),
               options.config.model.value("decoder", "softmax"), s.parameters, s.device.str());
}

void log_data(const Session& s) {
  const auto* test = s.data.test();
  spdlog::info("data: train {} sentences / {} tokens, valid {} sentences{}; {} labels",
               s.data.train().corpus.sentences.size(), s.data.train().corpus.num_tokens(),
               s.data.valid().corpus.sentences.size(),
               test ? ", test " + std::to_string(test->corpus.sentences.size()) + " sentences" : "", s.labels.size());
}

// Opens the run directory (writer), reads the data, builds the model on every worker.
Session start_session(const TrainOptions& options, Communicator& workers, std::optional<TrainingRunDir>& run_dir,
                      bool& resume) {
  const Config& cfg = options.config;
  std::vector<DataFile> files = locate_data_files(cfg.data, options.data_dir);  // before anything is written
  std::string identity = cfg.json.dump();
  for (const auto& f : files) identity += "\n" + f.key + " " + f.sha256;
  check_workers_agree(workers, "config or data files", sha256_hex(identity));
  if (workers.is_writer()) run_dir.emplace(options.run_dir, options.resume);
  resume = writer_decides(workers, run_dir && run_dir->resume());
  if (resume && workers.is_writer()) check_resumable_config(options.run_dir, cfg.json);

  if (cfg.train.num_threads > 0) set_cpu_threads(cfg.train.num_threads);
  torch::manual_seed(cfg.train.seed);
  Session s;
  s.data = read_training_data(std::move(files), cfg.data);
  s.labels = run_labels(workers, options.run_dir, resume, s.data);
  if (!resume && workers.is_writer()) {
    write_json_file((fs::path(options.run_dir) / "config.json").string(), cfg.json);
    write_json_file((fs::path(options.run_dir) / "labels.json").string(), s.labels.to_json());
  }
  log_data(s);
  build_model(options, workers, s, resume);
  // Dropout masks differ between workers, as in torch DDP with per-rank seeds; worker 0 keeps the one-process
  // stream, so one worker trains exactly as before.
  if (workers.rank() > 0 && !resume) torch::manual_seed(cfg.train.seed + static_cast<uint64_t>(workers.rank()));
  return s;
}

void log_epoch(const EpochRecord& rec, bool best, int max_epochs, int world_size) {
  spdlog::info("epoch {}/{}: loss {:.4f}, dev P/R/F1 {:.2f}/{:.2f}/{:.2f}{}{}, {:.0f} tok/s{}, {:.1f}s, lr {:.3g}",
               rec.epoch, max_epochs, rec.train_loss, 100 * rec.dev_precision, 100 * rec.dev_recall, 100 * rec.dev_f1,
               rec.test_f1 ? fmt::format(", test F1 {:.2f}", 100 * *rec.test_f1) : "", best ? " (best)" : "",
               rec.tokens_per_s,
               world_size > 1 ? fmt::format(" over {} workers ({:.1f}s combining gradients)", world_size,
                                            rec.reduce_seconds)
                              : "",
               rec.seconds, rec.lr);
}

TrainResult result_of(const RunState& state, const std::string& run_dir, bool finished) {
  TrainResult result;
  result.run_dir = run_dir;
  result.finished = finished;
  result.epochs_done = state.epoch;
  result.best_epoch = state.stopping.best_epoch;
  result.best_dev_f1 = state.stopping.best_dev_f1;
  result.stopped_early = state.stopping.stopped;
  result.seconds = state.seconds;
  result.history = state.history;
  if (state.stopping.best_epoch > 0)
    result.test_f1_at_best = state.history.at(static_cast<std::size_t>(state.stopping.best_epoch - 1)).test_f1;
  return result;
}

void finish_run(const TrainOptions& options, const Session& s, const RunState& state, const TrainResult& result) {
  const fs::path run(options.run_dir);
  RunFacts facts;
  facts.seed = options.config.train.seed;
  facts.device = s.device.str();
  facts.finished = result.finished;
  facts.labels = static_cast<std::size_t>(s.labels.size());
  facts.parameters = s.parameters;
  write_json_file((run / kMetadataFile).string(), run_metadata(state, s.data, facts));
  if (!result.finished) return;
  std::vector<F1Point> points;
  for (const auto& r : state.history) points.push_back(F1Point{r.epoch, r.dev_f1, r.test_f1});
  plot_f1(points, (run / kPlotFile).string(), "F1 per epoch: " + run.filename().string());
  spdlog::info("done: best dev F1 {:.2f} at epoch {}{}; {} in {}", 100 * state.stopping.best_dev_f1,
               state.stopping.best_epoch,
               result.test_f1_at_best ? fmt::format(" (test F1 {:.2f})", 100 * *result.test_f1_at_best) : "",
               run.string(), format_duration(state.seconds));
}

// The options a run is built and saved with: the model section completed from the files it names.
TrainOptions with_completed_model(TrainOptions options) {
  options.config.model = models::completed_model_config(options.config.model);
  options.config.json["model"] = options.config.model;
  return options;
}

}  // namespace

TrainResult train_model(const TrainOptions& given) {
  const auto start = std::chrono::steady_clock::now();
  check_options(given);
  const TrainOptions options = with_completed_model(given);
  auto single_process = make_single_process_communicator();
  Communicator& workers = options.workers ? *options.workers : *single_process;
  const TrainConfig& tc = options.config.train;
  std::optional<TrainingRunDir> run_dir;
  bool resume = false;
  Session s = start_session(options, workers, run_dir, resume);

  TaggingTask task(*s.tagger, s.labels, s.data.train(), s.device);
  const LrSchedule schedule = run_schedule(task.example_lengths(), tc, workers.world_size());
  std::mt19937_64 shuffle_rng(tc.seed);
  RunState state = initial_state(resume, workers, *s.tagger, *s.optimizer, s.data.hashes(), options.run_dir,
                                 tc.patience, shuffle_rng);

  std::optional<Evaluator> evaluator;  // the writer's
  if (workers.is_writer()) evaluator.emplace(s.data, tc, s.device);
  const bool tty = options.progress_tty.value_or(stderr_is_tty());
  EpochRunner epochs(EpochRunner::Parts{
      EpochLoop::Parts{task, *s.optimizer, schedule, workers, tc, s.device, workers.is_writer(), tty},
      options.run_dir, run_dir ? &*run_dir : nullptr, state, shuffle_rng, tc.max_epochs, options.after_epoch,
      [&](EpochRecord& rec) {
        evaluator->score(*s.tagger, rec);
        return rec.dev_f1;
      },
      [&](const EpochRecord& rec, bool best) { log_epoch(rec, best, tc.max_epochs, workers.world_size()); },
      start});
  const bool finished = epochs.run_all();
  state.seconds = epochs.seconds();
  const TrainResult result = result_of(state, options.run_dir, finished);
  if (workers.is_writer()) finish_run(options, s, state, result);
  return result;
}

}  // namespace nertool::train
