#include "nertool/train/pretrainer.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <optional>
#include <random>

#include "nertool/core/atomic_file.h"
#include "nertool/core/config_keys.h"
#include "nertool/core/error.h"
#include "nertool/core/json.h"
#include "nertool/core/logging.h"
#include "nertool/core/sha256.h"
#include "nertool/io/weights.h"
#include "nertool/models/hf_encoder.h"
#include "nertool/text/subword_tokenizer.h"
#include "nertool/train/device.h"
#include "nertool/train/epoch_loop.h"
#include "nertool/train/epoch_runner.h"
#include "nertool/train/hf_checkpoint.h"
#include "nertool/train/masked_lm_task.h"
#include "nertool/train/optimizer.h"
#include "nertool/train/plot.h"
#include "nertool/train/progress.h"
#include "nertool/train/run_dir.h"
#include "nertool/train/run_metadata.h"
#include "nertool/train/run_support.h"

namespace nertool::train {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// A nertool directory's weights: its encoder, and its masked-LM head when it has one (a pretraining run).
void load_nertool_masked_lm(models::MaskedLanguageModelImpl& model, const std::string& dir) {
  const std::string weights = (fs::path(dir) / kWeightsFile).string();
  if (!io::load_weights_part(*model.encoder, weights, "encoder")) throw IoError(weights + " holds no encoder weights");
  if (io::load_weights_part(*model.head, weights, "head"))
    spdlog::info("masked LM: encoder and head from {}", weights);
  else
    spdlog::info("masked LM: encoder from {}; it has no masked-LM head (a tagger), so the head starts fresh", weights);
}

void check_sequence_length(const layers::TransformerConfig& t, int64_t max_length) {
  // RoBERTa-style positions start after the pad id, so they reach pad_token_id + max_length.
  const int64_t needed = t.padding_aware_positions ? t.pad_token_id + 1 + max_length : max_length;
  if (needed > t.max_position_embeddings)
    throw ConfigError("pretrain.max_length: " + std::to_string(max_length) + " needs " + std::to_string(needed) +
                      " position embeddings; the transformer has max_position_embeddings " +
                      std::to_string(t.max_position_embeddings));
}

}  // namespace

MaskedLmBuild build_masked_lm(const json& section, const std::string& model_dir, bool fresh) {
  const config::SectionReader model(section, "model", "");
  const std::string kind = model.str_or_empty("encoder");
  if (kind != "bert" && kind != "roberta")
    throw ConfigError("model.encoder: pretraining trains a bert or roberta encoder (got \"" + kind + "\")");
  const std::string pretrained = model.str_or_empty("pretrained");
  MaskedLmBuild out;
  if (fresh && !pretrained.empty() && is_hf_checkpoint_dir(pretrained)) {
    if (section.contains("transformer"))
      throw ConfigError("model.transformer: leave it out when model.pretrained is a Hugging Face checkpoint (its "
                        "config.json is the architecture)");
    out.model = import_hf_masked_lm(pretrained);
    out.tokenizer_dir = pretrained;
  } else {
    static const data::Corpus none;  // BuildContext::train marks a fresh build
    models::BuildContext ctx;
    ctx.config = section;
    ctx.model_dir = model_dir;
    ctx.train = fresh ? &none : nullptr;
    auto config = models::transformer_config_of(ctx);
    if (config.model_type.empty()) config.model_type = kind;  // what `convert --to hf` names the checkpoint after
    out.model = models::MaskedLanguageModel(config);
    out.tokenizer_dir = models::tokenizer_dir_of(ctx);
    if (fresh && !pretrained.empty()) load_nertool_masked_lm(*out.model, pretrained);
  }
  out.tokenizer = text::load_tokenizer(out.tokenizer_dir);
  models::checked_special_ids(*out.tokenizer, out.model->config(), out.tokenizer_dir);
  if (out.tokenizer->mask_id() < 0)
    throw ConfigError("tokenizer in " + out.tokenizer_dir + " has no mask token: it cannot pretrain a masked LM");
  if (fresh && !model_dir.empty()) {
    write_json_file((fs::path(model_dir) / "transformer.json").string(), out.model->config().to_json());
    const std::string own = text::model_tokenizer_dir(model_dir);
    if (fs::absolute(own) != fs::absolute(out.tokenizer_dir)) out.tokenizer->save(own);
  }
  return out;
}

bool is_pretraining_run(const std::string& dir) {
  const fs::path config = fs::path(dir) / "config.json";
  if (fs::exists(fs::path(dir) / "labels.json") || !fs::exists(config)) return false;
  const json j = read_json_file(config.string());
  return j.contains("pretrain") && j["pretrain"].is_object() && j["pretrain"].contains("train_files") &&
         j["pretrain"]["train_files"].is_array() && !j["pretrain"]["train_files"].empty();
}

MaskedLmBuild load_masked_lm(const std::string& run_dir) {
  const Config config = config_from_json(read_json_file((fs::path(run_dir) / "config.json").string()),
                                         (fs::path(run_dir) / "config.json").string());
  MaskedLmBuild out = build_masked_lm(config.model, run_dir, /*fresh=*/false);
  io::load_weights(*out.model, (fs::path(run_dir) / kWeightsFile).string());
  out.model->eval();
  return out;
}

namespace {

struct PretrainFiles {
  std::vector<std::string> train;
  std::string valid;
  json hashes = json::object();  // key -> SHA-256, in the checkpoint (a resumed run must read the same text)
};

PretrainFiles locate_pretrain_files(const PretrainConfig& p, const std::string& data_dir) {
  if (p.train_files.empty())
    throw ConfigError("pretrain.train_files: give the text to pretrain on (files relative to the data directory)");
  if (p.valid_file.empty())
    throw ConfigError("pretrain.valid_file: give held-out text (masked-LM loss and accuracy after every epoch)");
  PretrainFiles files;
  auto locate = [&](const std::string& name, const std::string& key) {
    const fs::path path = fs::path(name).is_absolute() ? fs::path(name) : fs::path(data_dir) / name;
    if (!fs::exists(path)) throw ConfigError(key + ": " + path.string() + " does not exist");
    check_readable_file(path.string());
    files.hashes[key] = sha256_file(path.string());
    return path.string();
  };
  for (std::size_t i = 0; i < p.train_files.size(); ++i)
    files.train.push_back(locate(p.train_files[i], "pretrain.train_files[" + std::to_string(i) + "]"));
  files.valid = locate(p.valid_file, "pretrain.valid_file");
  return files;
}

// What one call of pretrain_model builds before its first epoch.
struct Session {
  PretrainFiles files;
  MaskedLmBuild build;
  PackedSequences train, valid;
  MaskingOptions masking;
  torch::Device device{torch::kCPU};
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  int64_t parameters = 0;
};

void read_text(const Config& cfg, Session& s) {
  const auto format = cfg.pretrain.format;
  const auto packing = cfg.pretrain.packing;
  const auto& tok = *s.build.tokenizer;
  s.train = read_pretraining_text(s.files.train, format, tok, cfg.pretrain.max_length, packing);
  s.valid = read_pretraining_text({s.files.valid}, format, tok, cfg.pretrain.max_length, packing);
  s.masking = MaskingOptions{cfg.pretrain.mask_probability, cfg.pretrain.whole_word, tok.mask_id(), tok.pad_id(),
                             tok.vocab_size()};
  spdlog::info("text: train {} sequences / {} subwords ({} {} of {} words), held-out {} sequences / {} subwords",
               s.train.size(), s.train.num_subwords(), s.train.units,
               format == TextFormat::kConll ? "sentences" : "lines", s.train.words, s.valid.size(),
               s.valid.num_subwords());
}

Session start_session(const TrainOptions& options, Communicator& workers, std::optional<TrainingRunDir>& run_dir,
                      bool& resume) {
  const Config& cfg = options.config;
  Session s;
  s.files = locate_pretrain_files(cfg.pretrain, options.data_dir);
  check_workers_agree(workers, "config or text files", sha256_hex(cfg.json.dump() + "\n" + s.files.hashes.dump()));
  if (workers.is_writer()) run_dir.emplace(options.run_dir, options.resume);
  resume = writer_decides(workers, run_dir && run_dir->resume());
  if (resume && workers.is_writer()) check_resumable_config(options.run_dir, cfg.json);
  if (cfg.train.num_threads > 0) set_cpu_threads(cfg.train.num_threads);
  torch::manual_seed(cfg.train.seed);
  // The writer builds from the run directory (resume) or into it; the others build from the config alone and
  // take the writer's weights.
  if (workers.is_writer()) s.build = build_masked_lm(cfg.model, options.run_dir, !resume);
  else s.build = build_masked_lm(cfg.model, "", true);
  check_sequence_length(s.build.model->config(), cfg.pretrain.max_length);
  if (!resume && workers.is_writer()) write_json_file((fs::path(options.run_dir) / "config.json").string(), cfg.json);
  read_text(cfg, s);
  s.device = run_device(cfg.train);
  s.build.model->to(s.device);
  broadcast_module(workers, *s.build.model);
  s.optimizer = make_optimizer(*s.build.model, cfg.train);
  for (const auto& p : s.build.model->parameters()) s.parameters += p.numel();
  const auto& t = s.build.model->config();
  spdlog::info("model: {} masked LM, {} layers, hidden {}, {} heads, vocabulary {}, {} parameters, device {}",
               cfg.model.value("encoder", ""), t.num_layers, t.hidden_size, t.num_heads, t.vocab_size, s.parameters,
               s.device.str());
  if (workers.rank() > 0 && !resume) torch::manual_seed(cfg.train.seed + static_cast<uint64_t>(workers.rank()));
  return s;
}

// The held-out masked-LM loss and accuracy into the record; the score early stopping keeps is exp(-loss), the
// inverse of the held-out perplexity (in (0, 1], higher is better).
double score_held_out(Session& s, const TrainConfig& tc, EpochRecord& rec) {
  const MaskedLmScore score =
      score_masked_lm(*s.build.model, s.valid, s.masking, tc.seed, tc.eval_batch_sentences, tc.precision, s.device);
  rec.dev_loss = score.loss;
  rec.dev_accuracy = score.accuracy;
  return std::exp(-score.loss);
}

void log_epoch(const EpochRecord& rec, bool best, int max_epochs) {
  spdlog::info("epoch {}/{}: loss {:.4f}, held-out loss {:.4f}, accuracy {:.2f}%{}, {:.0f} subwords/s, {:.1f}s, "
               "lr {:.3g}",
               rec.epoch, max_epochs, rec.train_loss, rec.dev_loss.value_or(0), 100 * rec.dev_accuracy.value_or(0),
               best ? " (best)" : "", rec.tokens_per_s, rec.seconds, rec.lr);
}

PretrainResult result_of(const RunState& state, const std::string& run_dir, bool finished) {
  PretrainResult r;
  r.run_dir = run_dir;
  r.finished = finished;
  r.epochs_done = state.epoch;
  r.best_epoch = state.stopping.best_epoch;
  r.seconds = state.seconds;
  r.history = state.history;
  if (r.best_epoch > 0) {
    const auto& best = state.history.at(static_cast<std::size_t>(r.best_epoch - 1));
    r.best_dev_loss = best.dev_loss.value_or(0);
    r.best_dev_accuracy = best.dev_accuracy.value_or(0);
  }
  return r;
}

json text_section(const Session& s) {
  json files = json::object();
  for (const auto& [key, hash] : s.files.hashes.items()) files[key] = hash;
  auto counts = [](const PackedSequences& p) {
    return json{{"sequences", p.size()}, {"subwords", p.num_subwords()}, {"words", p.words}};
  };
  return json{{"sha256", files}, {"train", counts(s.train)}, {"valid", counts(s.valid)}};
}

void finish_run(const TrainOptions& options, const Session& s, const RunState& state, const PretrainResult& result) {
  const fs::path run(options.run_dir);
  RunFacts facts;
  facts.seed = options.config.train.seed;
  facts.device = s.device.str();
  facts.finished = result.finished;
  facts.parameters = s.parameters;
  json meta = run_metadata_base(state, facts);
  meta["task"] = "masked_lm";
  meta["text"] = text_section(s);
  if (result.best_epoch > 0) meta["dev"] = json{{"loss", result.best_dev_loss}, {"accuracy", result.best_dev_accuracy}};
  write_json_file((run / kMetadataFile).string(), meta);
  if (!result.finished) return;
  EpochCurve train{"train", {}}, held_out{"held-out", {}};
  for (const auto& r : state.history) {
    train.points.emplace_back(r.epoch, r.train_loss);
    held_out.points.emplace_back(r.epoch, r.dev_loss.value_or(std::nan("")));
  }
  plot_epoch_curves({train, held_out}, "masked-LM loss", (run / kLossPlotFile).string(),
                    "masked-LM loss per epoch: " + run.filename().string());
  spdlog::info("done: best held-out loss {:.4f} (accuracy {:.2f}%) at epoch {}; {} in {}", result.best_dev_loss,
               100 * result.best_dev_accuracy, result.best_epoch, run.string(), format_duration(state.seconds));
}

}  // namespace

PretrainResult pretrain_model(const TrainOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  if (options.run_dir.empty()) throw ConfigError("no run directory given");
  if (!options.init_dir.empty())
    throw ConfigError("pretraining starts from model.pretrained (a Hugging Face checkpoint or nertool directory), "
                      "not from initial weights of another run");
  const TrainConfig& tc = options.config.train;
  if (tc.batch_tokens <= 0 && tc.batch_sentences <= 0)
    throw ConfigError("set train.batch_sentences (sequences per batch) or train.batch_tokens (subwords per batch)");
  auto single_process = make_single_process_communicator();
  Communicator& workers = options.workers ? *options.workers : *single_process;
  std::optional<TrainingRunDir> run_dir;
  bool resume = false;
  Session s = start_session(options, workers, run_dir, resume);

  MaskedLmTask task(*s.build.model, s.train, s.masking, tc.seed, s.device);
  const LrSchedule schedule = run_schedule(task.example_lengths(), tc, workers.world_size());
  std::mt19937_64 shuffle_rng(tc.seed);
  RunState state = initial_state(resume, workers, *s.build.model, *s.optimizer, s.files.hashes, options.run_dir,
                                 tc.patience, shuffle_rng);
  const bool tty = options.progress_tty.value_or(stderr_is_tty());
  EpochRunner epochs(EpochRunner::Parts{
      EpochLoop::Parts{task, *s.optimizer, schedule, workers, tc, s.device, workers.is_writer(), tty},
      options.run_dir, run_dir ? &*run_dir : nullptr, state, shuffle_rng, tc.max_epochs, options.after_epoch,
      [&](EpochRecord& rec) { return score_held_out(s, tc, rec); },
      [&](const EpochRecord& rec, bool best) { log_epoch(rec, best, tc.max_epochs); }, start});
  const bool finished = epochs.run_all();
  state.seconds = epochs.seconds();
  const PretrainResult result = result_of(state, options.run_dir, finished);
  if (workers.is_writer()) finish_run(options, s, state, result);
  return result;
}

}  // namespace nertool::train
