#include "nertool/train/run_dir.h"

#include "nertool/train/pretrainer.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <torch/serialize/archive.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "nertool/core/atomic_file.h"
#include "nertool/core/config_keys.h"
#include "nertool/core/error.h"
#include "nertool/train/device.h"

namespace nertool::train {

namespace fs = std::filesystem;

TrainingRunDir::TrainingRunDir(std::string dir, bool resume_requested) : dir_(std::move(dir)) {
  const bool existed = fs::exists(dir_);
  const bool empty = !existed || (fs::is_directory(dir_) && fs::is_empty(dir_));
  if (existed && !fs::is_directory(dir_)) throw ConfigError("run directory " + dir_ + " is a file, not a directory");
  if (!resume_requested && !empty)
    throw ConfigError("run directory " + dir_ + " already exists and is not empty (resume it, or choose another run "
                      "directory)");
  if (resume_requested && !existed)
    throw IoError("cannot resume: run directory " + dir_ + " does not exist (start the run afresh)");
  fs::create_directories(dir_);
  lock();
  // Checked again under the lock: another run may have filled the directory since the check above.
  if (!resume_requested && !fs::is_empty(dir_)) {
    ::close(lock_fd_);
    lock_fd_ = -1;
    throw ConfigError("run directory " + dir_ + " was filled by another nertool train meanwhile (choose another run directory)");
  }
  remove_temporary_files();
  resume_ = resume_requested && fs::exists(fs::path(dir_) / kCheckpointFile);
  if (resume_requested && !resume_) start_over_without_checkpoint();
  remove_on_failure_ = !resume_ && (empty || resume_requested);
}

TrainingRunDir::~TrainingRunDir() {
  std::error_code ec;
  if (remove_on_failure_ && std::uncaught_exceptions() > 0) fs::remove_all(dir_, ec);
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

void TrainingRunDir::lock() {
  lock_fd_ = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (lock_fd_ < 0) throw IoError("cannot open run directory " + dir_ + ": " + std::strerror(errno));
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(lock_fd_);
    lock_fd_ = -1;
    throw ConfigError("run directory " + dir_ + " is in use by another nertool train (wait for it to end, or "
                      "choose another run directory)");
  }
}

// Only a nertool run directory is emptied: one with the config.json that training writes first.
void TrainingRunDir::start_over_without_checkpoint() {
  if (fs::is_empty(dir_)) return;
  if (!fs::exists(fs::path(dir_) / "config.json"))
    throw IoError("cannot resume: " + dir_ + " has neither checkpoint.pt nor config.json (not a nertool run directory)");
  spdlog::warn("{} has no checkpoint.pt: the run stopped before its first epoch ended; starting it again", dir_);
  for (const auto& entry : fs::directory_iterator(dir_)) fs::remove_all(entry.path());
}

void TrainingRunDir::remove_temporary_files() const {
  for (const auto& entry : fs::directory_iterator(dir_)) {
    const std::string name = entry.path().filename().string();
    if (name.find(".tmp.") == std::string::npos) continue;
    std::error_code ec;
    fs::remove_all(entry.path(), ec);
    spdlog::info("removed {}, left by an interrupted write", entry.path().string());
  }
}

LoadedModel load_model(const std::string& run_dir, const DeviceRequest& device) {
  if (!fs::is_directory(run_dir)) throw IoError("model directory " + run_dir + " does not exist");
  if (is_pretraining_run(run_dir))
    throw ConfigError(run_dir + " is a pretraining run (a masked language model, no tagger): fine-tune it with "
                      "`nertool train --set model.pretrained=" + run_dir + "`");
  for (const char* f : {"config.json", "labels.json", kWeightsFile})
    if (!fs::exists(fs::path(run_dir) / f))
      throw IoError((fs::path(run_dir) / f).string() + " does not exist (not a finished nertool run?)");
  LoadedModel out;
  out.run_dir = run_dir;
  const std::string config_path = (fs::path(run_dir) / "config.json").string();
  out.config = config_from_json(read_json_file(config_path), config_path);
  const auto meta_path = fs::path(run_dir) / kMetadataFile;
  if (fs::exists(meta_path)) {
    const nlohmann::json meta = read_json_file(meta_path.string());
    if (!meta.is_object())
      config::fail(meta_path.string(), "$", "expected an object, got " + config::json_type_name(meta));
    const config::SectionReader r(meta, "", meta_path.string());
    const int version = r.has("format_version") ? r.int32("format_version") : 0;
    if (version > kRunFormatVersion)
      throw IoError(run_dir + ": run directory format " + std::to_string(version) + " is newer than this nertool (" +
                    std::to_string(kRunFormatVersion) + "); update nertool");
  }
  models::BuildContext ctx;
  ctx.config = out.config.model;
  const std::string labels_path = (fs::path(run_dir) / "labels.json").string();
  ctx.labels = models::LabelSet::from_json(read_json_file(labels_path), labels_path);
  ctx.train = nullptr;
  ctx.model_dir = run_dir;
  const auto t0 = std::chrono::steady_clock::now();
  try {
    out.tagger = models::build_tagger(ctx);
  } catch (const ConfigError& e) {  // the model section of the run's config: name the file it came from
    throw ConfigError(config_path + ": " + e.what());
  }
  const auto t1 = std::chrono::steady_clock::now();
  io::load_weights(*out.tagger, (fs::path(run_dir) / kWeightsFile).string());
  const auto t2 = std::chrono::steady_clock::now();
  using seconds = std::chrono::duration<double>;
  spdlog::debug("{}: model built in {:.2f} s, weights read in {:.2f} s", run_dir, seconds(t1 - t0).count(),
                seconds(t2 - t1).count());
  out.device = resolve_device(device);
  out.tagger->to(out.device);
  out.tagger->eval();
  return out;
}


}  // namespace nertool::train
