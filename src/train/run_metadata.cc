#include "nertool/train/run_metadata.h"

#include <torch/version.h>

#include <ctime>

#include "nertool/build_info.h"
#include "nertool/train/run_dir.h"

namespace nertool::train {

using nlohmann::json;

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

namespace {

json data_section(const TrainingData& data) {
  json files = json::object();
  for (const auto& f : data.files)
    files[f.key.substr(5)] = json{{"path", f.path},
                                  {"sha256", f.sha256},
                                  {"sentences", f.corpus.sentences.size()},
                                  {"tokens", f.corpus.num_tokens()}};
  return files;
}

void add_best_scores(const RunState& state, json& meta) {
  if (state.stopping.best_epoch <= 0) return;
  const auto& best = state.history.at(static_cast<std::size_t>(state.stopping.best_epoch - 1));
  meta["dev"] = json{{"precision", best.dev_precision}, {"recall", best.dev_recall}, {"f1", best.dev_f1}};
  if (best.test_f1)
    meta["test"] = json{{"precision", *best.test_precision}, {"recall", *best.test_recall}, {"f1", *best.test_f1}};
}

}  // namespace

json run_metadata_base(const RunState& state, const RunFacts& facts) {
  json meta;
  meta["format_version"] = kRunFormatVersion;
  meta["nertool_version"] = NERTOOL_VERSION;
  meta["git_commit"] = NERTOOL_GIT_COMMIT;
  meta["libtorch_version"] = TORCH_VERSION;
  meta["created"] = utc_now();
  meta["seed"] = facts.seed;
  meta["device"] = facts.device;
  meta["workers"] = state.world_size;
  meta["finished"] = facts.finished;
  meta["epochs"] = state.epoch;
  meta["stopped_early"] = state.stopping.stopped;
  meta["best_epoch"] = state.stopping.best_epoch;
  meta["wall_seconds"] = state.seconds;
  meta["parameters"] = facts.parameters;
  return meta;
}

json run_metadata(const RunState& state, const TrainingData& data, const RunFacts& facts) {
  json meta = run_metadata_base(state, facts);
  meta["tag_scheme"] = data::tag_scheme_name(data.scheme);
  meta["labels"] = facts.labels;
  meta["data"] = data_section(data);
  add_best_scores(state, meta);
  return meta;
}

}  // namespace nertool::train
