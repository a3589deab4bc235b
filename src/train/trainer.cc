#include "nertool/train/trainer.h"

#include <ATen/CPUGeneratorImpl.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <chrono>
#include <exception>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <random>
#include <set>
#include <sstream>

#include "nertool/build_info.h"
#include "nertool/core/atomic_file.h"
#include "nertool/core/error.h"
#include "nertool/core/logging.h"
#include "nertool/data/conll.h"
#include "nertool/data/tag_scheme.h"
#include "nertool/metrics/scorer.h"
#include "nertool/models/precision.h"
#include "nertool/models/tagger.h"
#include "nertool/train/batching.h"
#include "nertool/train/device.h"
#include "nertool/train/inference.h"
#include "nertool/train/lr_schedule.h"
#include "nertool/train/optimizer.h"
#include "nertool/train/plot.h"
#include "nertool/train/progress.h"
#include "nertool/train/run_dir.h"

namespace nertool::train {

namespace fs = std::filesystem;
using nlohmann::json;

json EpochRecord::to_json() const {
  auto opt = [](const std::optional<double>& v) { return v ? json(*v) : json(nullptr); };
  return json{{"epoch", epoch},
              {"train_loss", train_loss},
              {"dev_precision", dev_precision},
              {"dev_recall", dev_recall},
              {"dev_f1", dev_f1},
              {"test_precision", opt(test_precision)},
              {"test_recall", opt(test_recall)},
              {"test_f1", opt(test_f1)},
              {"tokens_per_s", tokens_per_s},
              {"seconds", seconds},
              {"lr", lr},
              {"steps", steps}};
}

EpochRecord EpochRecord::from_json(const json& j) {
  auto opt = [&](const char* k) { return j.at(k).is_null() ? std::optional<double>() : j.at(k).get<double>(); };
  EpochRecord r;
  r.epoch = j.at("epoch").get<int>();
  r.train_loss = j.at("train_loss").get<double>();
  r.dev_precision = j.at("dev_precision").get<double>();
  r.dev_recall = j.at("dev_recall").get<double>();
  r.dev_f1 = j.at("dev_f1").get<double>();
  r.test_precision = opt("test_precision");
  r.test_recall = opt("test_recall");
  r.test_f1 = opt("test_f1");
  r.tokens_per_s = j.at("tokens_per_s").get<double>();
  r.seconds = j.at("seconds").get<double>();
  r.lr = j.at("lr").get<double>();
  r.steps = j.at("steps").get<int64_t>();
  return r;
}

namespace {

struct DataFile {
  std::string key;   // data.train / data.valid / data.test
  std::string path;
  std::string sha256;
  data::Corpus corpus;
};

// Training state beyond weights and optimizer moments; stored as JSON inside checkpoint.pt.
struct RunState {
  int epoch = 0;  // epochs finished
  int64_t step = 0;
  double best_dev_f1 = -1;
  int best_epoch = 0;
  int bad_epochs = 0;
  bool stopped_early = false;
  double seconds = 0;
  std::string shuffle_rng;  // std::mt19937_64 state, as its operator<< writes it
  json hashes = json::object();
  std::vector<EpochRecord> history;

  json to_json() const {
    json h = json::array();
    for (const auto& r : history) h.push_back(r.to_json());
    return json{{"epoch", epoch},       {"step", step},           {"best_dev_f1", best_dev_f1},
                {"best_epoch", best_epoch}, {"bad_epochs", bad_epochs}, {"stopped_early", stopped_early},
                {"seconds", seconds},   {"shuffle_rng", shuffle_rng}, {"data_sha256", hashes},
                {"history", h}};
  }
  static RunState from_json(const json& j) {
    RunState s;
    s.epoch = j.at("epoch").get<int>();
    s.step = j.at("step").get<int64_t>();
    s.best_dev_f1 = j.at("best_dev_f1").get<double>();
    s.best_epoch = j.at("best_epoch").get<int>();
    s.bad_epochs = j.at("bad_epochs").get<int>();
    s.stopped_early = j.at("stopped_early").get<bool>();
    s.seconds = j.at("seconds").get<double>();
    s.shuffle_rng = j.at("shuffle_rng").get<std::string>();
    s.hashes = j.at("data_sha256");
    for (const auto& r : j.at("history")) s.history.push_back(EpochRecord::from_json(r));
    return s;
  }
};

void save_checkpoint(const std::string& path, const torch::nn::Module& model, const torch::optim::Optimizer& opt,
                     const RunState& state) {
  torch::serialize::OutputArchive archive;
  archive.write("format_version", c10::IValue(static_cast<int64_t>(kRunFormatVersion)));
  torch::serialize::OutputArchive model_archive(archive.compilation_unit());
  write_weights(model, model_archive);
  archive.write("model", model_archive);
  torch::serialize::OutputArchive opt_archive(archive.compilation_unit());
  opt.save(opt_archive);
  archive.write("optimizer", opt_archive);
  auto gen = at::detail::getDefaultCPUGenerator();
  torch::Tensor rng_state;
  {
    std::lock_guard<std::mutex> lock(gen.mutex());
    rng_state = gen.get_state();
  }
  archive.write("torch_cpu_rng", rng_state);
  // CUDA generators drive dropout on a GPU: each device's state, so a resumed GPU run draws the same masks.
  if (torch::cuda::is_available())
    for (int64_t d = 0; d < static_cast<int64_t>(torch::cuda::device_count()); ++d) {
      auto cuda_gen = at::globalContext().defaultGenerator(c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(d)));
      std::lock_guard<std::mutex> lock(cuda_gen.mutex());
      archive.write("torch_cuda_rng_" + std::to_string(d), cuda_gen.get_state());
    }
  archive.write("state", c10::IValue(state.to_json().dump()));
  save_archive(archive, path);
}

RunState load_checkpoint(const std::string& path, torch::nn::Module& model, torch::optim::Optimizer& opt) {
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(path);
  } catch (const c10::Error& e) {
    throw IoError("cannot read checkpoint " + path + ": " + e.what_without_backtrace());
  }
  torch::serialize::InputArchive model_archive, opt_archive;
  archive.read("model", model_archive);
  read_weights(model, model_archive, path);
  archive.read("optimizer", opt_archive);
  opt.load(opt_archive);
  torch::Tensor rng_state;
  archive.read("torch_cpu_rng", rng_state);
  auto gen = at::detail::getDefaultCPUGenerator();
  {
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(rng_state);
  }
  // A checkpoint written on a GPU machine and resumed on another one (or on CPU) restores what both have.
  if (torch::cuda::is_available())
    for (int64_t d = 0; d < static_cast<int64_t>(torch::cuda::device_count()); ++d) {
      torch::Tensor cuda_state;
      if (!archive.try_read("torch_cuda_rng_" + std::to_string(d), cuda_state)) break;
      auto cuda_gen = at::globalContext().defaultGenerator(c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(d)));
      std::lock_guard<std::mutex> lock(cuda_gen.mutex());
      cuda_gen.set_state(cuda_state);
    }
  c10::IValue state;
  archive.read("state", state);
  return RunState::from_json(json::parse(state.toStringRef()));
}

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

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
      std::string name = prefix.empty() ? k : prefix + "." + k;
      if (!a.contains(k) || !b.contains(k)) out.push_back(name);
      else diff_json(a.at(k), b.at(k), name, out);
    }
  } else if (a != b) {
    out.push_back(prefix);
  }
}

void validate_labels(const DataFile& f, data::TagScheme scheme) {
  for (const auto& s : f.corpus.sentences) {
    if (s.labels.size() != s.tokens.size()) throw InputError(f.path, s.first_line, "sentence has no label column");
    std::string problem = data::validate_tags(s.labels, scheme);
    if (!problem.empty())
      throw InputError(f.path, s.first_line,
                       "labels are not valid " + data::tag_scheme_name(scheme) + " (" + problem +
                           "); set data.tag_scheme to the file's scheme");
  }
}

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

void write_metrics(const std::string& path, const std::vector<EpochRecord>& history) {
  std::string text;
  for (const auto& r : history) text += r.to_json().dump() + "\n";
  write_file_atomic(path, text);
}

// The data files of a run (train, valid, optional test) with their hashes; checked before anything is written.
std::vector<DataFile> data_files(const DataConfig& data, const std::string& data_dir) {
  std::vector<DataFile> files;
  auto add_file = [&](const std::string& key, const std::string& name) {
    fs::path p(name);
    if (p.is_relative()) p = fs::path(data_dir) / p;
    if (!fs::is_regular_file(p))
      throw IoError(key + ": cannot open " + p.string() + ": no such file" +
                    (fs::is_directory(data_dir) ? "" : " (the --data directory " + data_dir + " does not exist)"));
    files.push_back(DataFile{key, p.string(), sha256_file(p.string()), {}});
  };
  add_file("data.train", data.train);
  add_file("data.valid", data.valid);
  if (!data.test.empty()) add_file("data.test", data.test);
  return files;
}

// A resumed run must have the config it started with, but for the keys resumable_difference allows.
void check_resumable_config(const std::string& run, const json& config) {
  const json saved = read_json_file(run + "/config.json");
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

}  // namespace

TrainResult train_model(const TrainOptions& options) {
  const Config& cfg = options.config;
  const TrainConfig& tc = cfg.train;
  const auto wall_start = std::chrono::steady_clock::now();
  if (options.run_dir.empty()) throw ConfigError("no run directory given (--out)");
  if (tc.batch_tokens <= 0 && tc.batch_sentences <= 0)
    throw ConfigError("set train.batch_tokens (token budget per batch) or train.batch_sentences (sentences per "
                      "batch)");
  const fs::path run(options.run_dir);
  const bool tty = options.progress_tty.value_or(stderr_is_tty());

  std::vector<DataFile> files = data_files(cfg.data, options.data_dir);  // checked before anything is written

  const fs::path ckpt_path = run / "checkpoint.pt";
  TrainingRunDir run_dir(run.string(), options.resume);
  const bool resume = run_dir.resume();
  if (resume) check_resumable_config(run.string(), cfg.json);

  if (tc.num_threads > 0) set_cpu_threads(tc.num_threads);
  torch::manual_seed(tc.seed);
  std::mt19937_64 shuffle_rng(tc.seed);

  data::ReadOptions ro;
  ro.token_column = cfg.data.token_column;
  ro.label_column = cfg.data.label_column;
  for (auto& f : files) {
    f.corpus = data::read_conll(f.path, ro);
    if (f.corpus.sentences.empty()) throw InputError(f.path, 0, "no sentences in " + f.key);
  }
  DataFile& train_file = files[0];
  DataFile& valid_file = files[1];
  DataFile* test_file = files.size() > 2 ? &files[2] : nullptr;

  data::TagScheme scheme;
  if (cfg.data.tag_scheme == "auto") {
    auto detected = data::detect_tag_scheme(data::label_sequences(train_file.corpus));
    if (!detected) throw InputError(train_file.path, 0, "labels fit no tag scheme (IOB1, IOB2, IOE, IOBES, BILOU)");
    scheme = *detected;
    spdlog::info("tag scheme detected from {}: {}", train_file.path, data::tag_scheme_name(scheme));
  } else {
    scheme = data::parse_tag_scheme(cfg.data.tag_scheme);
  }
  for (const auto& f : files) validate_labels(f, scheme);

  models::LabelSet labels = resume
                                ? models::LabelSet::from_json(read_json_file((run / "labels.json").string()))
                                : models::LabelSet::from_corpus(train_file.corpus);
  if (!resume) {
    write_json_file((run / "config.json").string(), cfg.json);
    write_json_file((run / "labels.json").string(), labels.to_json());
  }
  spdlog::info("data: train {} sentences / {} tokens, valid {} sentences{}; {} labels", train_file.corpus.sentences.size(),
               train_file.corpus.num_tokens(), valid_file.corpus.sentences.size(),
               test_file ? ", test " + std::to_string(test_file->corpus.sentences.size()) + " sentences" : "",
               labels.size());

  models::BuildContext ctx;
  ctx.config = cfg.model;
  ctx.labels = labels;
  ctx.train = resume ? nullptr : &train_file.corpus;
  ctx.model_dir = run.string();
  if (!resume) ctx.init_dir = options.init_dir;
  models::Tagger tagger = models::build_tagger(ctx);
  if (!options.init_dir.empty() && !resume) {
    auto report = init_weights(*tagger, (fs::path(options.init_dir) / "model.pt").string());
    if (report.loaded.empty())
      throw ConfigError("--init " + options.init_dir + ": no tensor of model.pt matches this model by name and shape");
    spdlog::info("--init {}: {} tensors loaded, {} kept as built (missing), {} kept as built (other shape)",
                 options.init_dir, report.loaded.size(), report.missing.size(), report.mismatched.size());
    for (const auto& n : report.mismatched) spdlog::warn("--init: '{}' has another shape there; kept as built", n);
  }
  freeze_parameters(*tagger, tc.freeze);
  const torch::Device device = resolve_device(tc.device);
  tagger->to(device);
  auto optimizer = make_optimizer(*tagger, tc);
  int64_t num_params = 0;
  for (const auto& p : tagger->parameters()) num_params += p.numel();
  spdlog::info("model: encoder {}, decoder {}, {} parameters, device {}", cfg.model.value("encoder", ""),
               cfg.model.value("decoder", "softmax"), num_params, device.str());

  auto train_ptrs = sentence_pointers(train_file.corpus);
  auto valid_ptrs = sentence_pointers(valid_file.corpus);
  std::vector<const data::Sentence*> test_ptrs;
  if (test_file) test_ptrs = sentence_pointers(test_file->corpus);
  const auto valid_gold = data::label_sequences(valid_file.corpus);
  std::vector<std::vector<std::string>> test_gold;
  if (test_file) test_gold = data::label_sequences(test_file->corpus);

  // The number of batches per epoch does not depend on the shuffle (see batching.h); a copy of the RNG counts it.
  std::mt19937_64 probe = shuffle_rng;
  const int64_t batches_per_epoch =
      static_cast<int64_t>(plan_batches(train_ptrs, tc.batch_tokens, tc.batch_sentences, probe).size());
  const int64_t total_steps = batches_per_epoch * tc.max_epochs;
  const int64_t warmup = resolve_warmup_steps(tc.warmup_steps, tc.warmup_ratio, total_steps);
  LrSchedule schedule(tc.lr, tc.schedule, warmup, total_steps);

  RunState state;
  for (const auto& f : files) state.hashes[f.key] = f.sha256;
  if (resume) {
    RunState saved = load_checkpoint(ckpt_path.string(), *tagger, *optimizer);
    if (saved.hashes != state.hashes)
      throw ConfigError("cannot resume " + run.string() + ": the data files differ from those the run started with");
    state = saved;
    std::istringstream(state.shuffle_rng) >> shuffle_rng;
    spdlog::info("resuming {} after epoch {} (step {}, best dev F1 {:.4f} at epoch {})", run.string(), state.epoch,
                 state.step, state.best_dev_f1, state.best_epoch);
    if (state.stopped_early) spdlog::info("the run had stopped early; nothing to do");
  }

  TrainResult result;
  result.run_dir = run.string();
  result.finished = true;
  const double seconds_before = state.seconds;
  auto session_seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  };

  for (int epoch = state.epoch + 1; epoch <= tc.max_epochs && !state.stopped_early; ++epoch) {
    const auto epoch_start = std::chrono::steady_clock::now();
    tagger->train();
    auto plan = plan_batches(train_ptrs, tc.batch_tokens, tc.batch_sentences, shuffle_rng);
    Progress progress(epoch, tc.max_epochs, static_cast<int64_t>(plan.size()), tc.log_percent, tty);
    double lr = schedule.lr(state.step);
    for (const auto& idx : plan) {
      std::vector<const data::Sentence*> group;
      int64_t tokens = 0;
      for (std::size_t i : idx) group.push_back(train_ptrs[i]), tokens += static_cast<int64_t>(train_ptrs[i]->size());
      auto batch = make_batch(group, tagger->encoder(), &labels, train_file.path, &train_file.corpus).to(device);
      lr = schedule.lr(state.step);
      set_learning_rate(*optimizer, lr);
      optimizer->zero_grad();
      torch::Tensor loss;
      {
        models::AutocastScope autocast(tc.precision, device);  // the forward pass only, as torch.autocast is used
        loss = tagger->loss(batch);
      }
      const double loss_value = loss.item<double>();
      if (!std::isfinite(loss_value))
        throw Error("training diverged at epoch " + std::to_string(epoch) + ", step " + std::to_string(state.step) +
                    ": loss is " + std::to_string(loss_value) + " (try a lower train.lr or train.clip_norm)");
      loss.backward();
      if (tc.clip_norm > 0) torch::nn::utils::clip_grad_norm_(tagger->parameters(), tc.clip_norm);
      optimizer->step();
      ++state.step;
      progress.update(tokens, loss_value);
    }
    progress.finish();
    const double train_seconds = progress.seconds();

    EpochRecord rec;
    rec.epoch = epoch;
    rec.train_loss = progress.mean_loss();
    rec.tokens_per_s = train_seconds > 0 ? static_cast<double>(progress.tokens()) / train_seconds : 0;
    rec.lr = lr;
    rec.steps = state.step;
    auto dev_pred = predict_sentences(*tagger, valid_ptrs, tc.eval_batch_sentences, device, false, &valid_file.corpus,
                                      tc.precision);
    auto dev = metrics::score(valid_gold, dev_pred.labels);
    rec.dev_precision = dev.micro.precision;
    rec.dev_recall = dev.micro.recall;
    rec.dev_f1 = dev.micro.f1;
    if (test_file) {
      auto test_pred = predict_sentences(*tagger, test_ptrs, tc.eval_batch_sentences, device, false, &test_file->corpus,
                                        tc.precision);
      auto test = metrics::score(test_gold, test_pred.labels);
      rec.test_precision = test.micro.precision;
      rec.test_recall = test.micro.recall;
      rec.test_f1 = test.micro.f1;
    }
    rec.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_start).count();

    const bool improved = rec.dev_f1 > state.best_dev_f1;
    if (improved) {
      state.best_dev_f1 = rec.dev_f1;
      state.best_epoch = epoch;
      state.bad_epochs = 0;
      save_weights(*tagger, (run / "model.pt").string());
    } else {
      ++state.bad_epochs;
    }
    state.stopped_early = tc.patience > 0 && state.bad_epochs >= tc.patience && epoch < tc.max_epochs;
    state.epoch = epoch;
    state.history.push_back(rec);
    state.seconds = seconds_before + session_seconds();
    std::ostringstream rng_text;
    rng_text << shuffle_rng;
    state.shuffle_rng = rng_text.str();
    write_metrics((run / "metrics.jsonl").string(), state.history);
    save_checkpoint(ckpt_path.string(), *tagger, *optimizer, state);
    run_dir.keep();

    spdlog::info("epoch {}/{}: loss {:.4f}, dev P/R/F1 {:.2f}/{:.2f}/{:.2f}{}{}, {:.0f} tok/s, {:.1f}s, lr {:.3g}",
                 epoch, tc.max_epochs, rec.train_loss, 100 * rec.dev_precision, 100 * rec.dev_recall,
                 100 * rec.dev_f1, rec.test_f1 ? fmt::format(", test F1 {:.2f}", 100 * *rec.test_f1) : "",
                 improved ? " (best)" : "", rec.tokens_per_s, rec.seconds, lr);
    if (state.stopped_early)
      spdlog::info("early stop: no dev improvement for {} epochs (best {:.2f} at epoch {})", tc.patience,
                   100 * state.best_dev_f1, state.best_epoch);
    if (options.after_epoch && !options.after_epoch(epoch)) {
      result.finished = false;
      break;
    }
  }

  state.seconds = seconds_before + session_seconds();
  result.epochs_done = state.epoch;
  result.best_epoch = state.best_epoch;
  result.best_dev_f1 = state.best_dev_f1;
  result.stopped_early = state.stopped_early;
  result.seconds = state.seconds;
  result.history = state.history;
  if (state.best_epoch > 0) result.test_f1_at_best = state.history.at(static_cast<std::size_t>(state.best_epoch - 1)).test_f1;

  json meta;
  meta["format_version"] = kRunFormatVersion;
  meta["nertool_version"] = NERTOOL_VERSION;
  meta["git_commit"] = NERTOOL_GIT_COMMIT;
  meta["libtorch_version"] = TORCH_VERSION;
  meta["created"] = utc_now();
  meta["seed"] = tc.seed;
  meta["device"] = device.str();
  meta["finished"] = result.finished;
  meta["epochs"] = state.epoch;
  meta["stopped_early"] = state.stopped_early;
  meta["best_epoch"] = state.best_epoch;
  meta["wall_seconds"] = state.seconds;
  meta["tag_scheme"] = data::tag_scheme_name(scheme);
  meta["labels"] = labels.size();
  meta["parameters"] = num_params;
  json data_files = json::object();
  for (const auto& f : files)
    data_files[f.key.substr(5)] = json{{"path", f.path}, {"sha256", f.sha256},
                                       {"sentences", f.corpus.sentences.size()}, {"tokens", f.corpus.num_tokens()}};
  meta["data"] = data_files;
  if (state.best_epoch > 0) {
    const auto& best = state.history.at(static_cast<std::size_t>(state.best_epoch - 1));
    meta["dev"] = json{{"precision", best.dev_precision}, {"recall", best.dev_recall}, {"f1", best.dev_f1}};
    if (best.test_f1)
      meta["test"] = json{{"precision", *best.test_precision}, {"recall", *best.test_recall}, {"f1", *best.test_f1}};
  }
  write_json_file((run / "metadata.json").string(), meta);

  if (result.finished) {
    std::vector<F1Point> points;
    for (const auto& r : state.history) points.push_back(F1Point{r.epoch, r.dev_f1, r.test_f1});
    plot_f1(points, (run / "f1.png").string(), "F1 per epoch: " + run.filename().string());
    spdlog::info("done: best dev F1 {:.2f} at epoch {}{}; {} in {}", 100 * state.best_dev_f1, state.best_epoch,
                 result.test_f1_at_best ? fmt::format(" (test F1 {:.2f})", 100 * *result.test_f1_at_best) : "",
                 run.string(), format_duration(state.seconds));
  }
  return result;
}

}  // namespace nertool::train
