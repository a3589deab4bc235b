#include "nertool/train/checkpoint.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <cstring>

#include "nertool/core/atomic_file.h"
#include "nertool/core/config_keys.h"
#include "nertool/core/error.h"
#include "nertool/core/json.h"
#include "nertool/train/run_dir.h"

namespace nertool::train {

using nlohmann::json;

json EpochRecord::to_json() const {
  auto opt = [](const std::optional<double>& v) { return v ? json(*v) : json(nullptr); };
  json out{{"epoch", epoch}, {"train_loss", train_loss}};
  if (dev_loss) {
    out["dev_loss"] = *dev_loss;
    out["dev_accuracy"] = opt(dev_accuracy);
  } else {
    out.update(json{{"dev_precision", dev_precision},
                    {"dev_recall", dev_recall},
                    {"dev_f1", dev_f1},
                    {"test_precision", opt(test_precision)},
                    {"test_recall", opt(test_recall)},
                    {"test_f1", opt(test_f1)}});
  }
  out.update(json{{"tokens_per_s", tokens_per_s},
                  {"seconds", seconds},
                  {"reduce_seconds", reduce_seconds},
                  {"lr", lr},
                  {"steps", steps}});
  return out;
}

EpochRecord EpochRecord::from_json(const json& j, const std::string& name, const std::string& source) {
  if (!j.is_object()) config::fail(source, name, "expected an object, got " + config::json_type_name(j));
  const config::SectionReader r(j, name, source);
  auto optional_number = [&](const char* k) { return r.at(k).is_null() ? std::optional<double>() : r.number(k); };
  EpochRecord e;
  e.epoch = r.int32("epoch");
  e.train_loss = r.number("train_loss");
  if (r.has("dev_loss")) {
    e.dev_loss = r.number("dev_loss");
    e.dev_accuracy = optional_number("dev_accuracy");
  } else {
    e.dev_precision = r.number("dev_precision");
    e.dev_recall = r.number("dev_recall");
    e.dev_f1 = r.number("dev_f1");
    e.test_precision = optional_number("test_precision");
    e.test_recall = optional_number("test_recall");
    e.test_f1 = optional_number("test_f1");
  }
  e.tokens_per_s = r.number("tokens_per_s");
  e.seconds = r.number("seconds");
  // absent in runs written before distributed training
  e.reduce_seconds = r.has("reduce_seconds") ? r.number("reduce_seconds") : 0.0;
  e.lr = r.number("lr");
  e.steps = r.integer("steps");
  return e;
}

json RunState::to_json() const {
  json h = json::array();
  for (const auto& r : history) h.push_back(r.to_json());
  return json{{"epoch", epoch},
              {"step", step},
              {"best_dev_f1", stopping.best_dev_f1},
              {"best_epoch", stopping.best_epoch},
              {"bad_epochs", stopping.bad_epochs},
              {"stopped_early", stopping.stopped},
              {"seconds", seconds},
              {"shuffle_rng", shuffle_rng},
              {"data_sha256", hashes},
              {"world_size", world_size},
              {"history", h}};
}

RunState RunState::from_json(const json& j, const std::string& origin) {
  if (!j.is_object()) config::fail(origin, "training state", "expected an object, got " + config::json_type_name(j));
  const config::SectionReader r(j, "", origin);
  RunState s;
  s.epoch = r.int32("epoch");
  s.step = r.integer("step");
  s.stopping.best_dev_f1 = r.number("best_dev_f1");
  s.stopping.best_epoch = r.int32("best_epoch");
  s.stopping.bad_epochs = r.int32("bad_epochs");
  s.stopping.stopped = r.boolean("stopped_early");
  s.seconds = r.number("seconds");
  s.shuffle_rng = r.str("shuffle_rng");
  s.hashes = r.at("data_sha256");
  s.world_size = r.has("world_size") ? r.int32("world_size") : 1;  // runs before distributed training: one worker
  const json& history = r.at("history");
  if (!history.is_array()) r.fail("history", "expected an array, got " + config::json_type_name(history));
  for (std::size_t i = 0; i < history.size(); ++i)
    s.history.push_back(EpochRecord::from_json(history[i], "history[" + std::to_string(i) + "]", origin));
  return s;
}

namespace {

// The generators that draw dropout masks: the CPU one, then each CUDA device's.
std::vector<torch::Tensor> generator_states() {
  std::vector<torch::Tensor> states;
  auto cpu = at::detail::getDefaultCPUGenerator();
  {
    std::lock_guard<std::mutex> lock(cpu.mutex());
    states.push_back(cpu.get_state());
  }
  if (torch::cuda::is_available())
    for (int64_t d = 0; d < static_cast<int64_t>(torch::cuda::device_count()); ++d) {
      auto gen = at::globalContext().defaultGenerator(c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(d)));
      std::lock_guard<std::mutex> lock(gen.mutex());
      states.push_back(gen.get_state());
    }
  return states;
}

// A checkpoint written on a GPU machine and resumed on another one (or on CPU) restores what both have.
void restore_generator_states(const std::vector<torch::Tensor>& states) {
  auto cpu = at::detail::getDefaultCPUGenerator();
  {
    std::lock_guard<std::mutex> lock(cpu.mutex());
    cpu.set_state(states.at(0));
  }
  if (!torch::cuda::is_available()) return;
  const auto devices = static_cast<std::size_t>(torch::cuda::device_count());
  for (std::size_t d = 0; d < devices && d + 1 < states.size(); ++d) {
    auto gen = at::globalContext().defaultGenerator(c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(d)));
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(states[d + 1]);
  }
}

// Generator states (uint8 tensors) as one byte string and back, to travel between workers.
std::string pack_states(const std::vector<torch::Tensor>& states) {
  std::vector<std::string> records;
  for (const auto& t : states) {
    const auto c = t.contiguous();
    records.emplace_back(static_cast<const char*>(c.data_ptr()), static_cast<std::size_t>(c.numel()));
  }
  return pack_byte_records(records);
}

std::vector<torch::Tensor> unpack_states(const std::string& bytes) {
  std::vector<torch::Tensor> states;
  for (const auto& r : unpack_byte_records(bytes)) {
    auto t = torch::empty({static_cast<int64_t>(r.size())}, torch::kUInt8);
    std::memcpy(t.data_ptr(), r.data(), r.size());
    states.push_back(t);
  }
  return states;
}

std::string state_key(int worker, std::size_t generator) {
  // The writer's keep the names of single-process checkpoints.
  if (worker == 0) return generator == 0 ? "torch_cpu_rng" : "torch_cuda_rng_" + std::to_string(generator - 1);
  return "worker_" + std::to_string(worker) + "_rng_" + std::to_string(generator);
}

std::vector<torch::Tensor> read_states(torch::serialize::InputArchive& archive, int worker, const std::string& path) {
  std::vector<torch::Tensor> states;
  for (std::size_t g = 0;; ++g) {
    torch::Tensor t;
    if (!archive.try_read(state_key(worker, g), t)) break;
    states.push_back(t);
  }
  if (states.empty()) throw IoError(path + ": no generator state for worker " + std::to_string(worker));
  return states;
}

}  // namespace

void Checkpointer::save(const torch::nn::Module& model, const torch::optim::Optimizer& optimizer,
                        const RunState& state) {
  const auto all_states = workers_.all_gather_bytes(pack_states(generator_states()));
  if (!workers_.is_writer()) return;
  torch::serialize::OutputArchive archive;
  archive.write("format_version", c10::IValue(static_cast<int64_t>(kRunFormatVersion)));
  torch::serialize::OutputArchive model_archive(archive.compilation_unit());
  io::write_weights(model, model_archive);
  archive.write("model", model_archive);
  torch::serialize::OutputArchive optimizer_archive(archive.compilation_unit());
  optimizer.save(optimizer_archive);
  archive.write("optimizer", optimizer_archive);
  for (std::size_t w = 0; w < all_states.size(); ++w) {
    const auto states = unpack_states(all_states[w]);
    for (std::size_t g = 0; g < states.size(); ++g) archive.write(state_key(static_cast<int>(w), g), states[g]);
  }
  archive.write("state", c10::IValue(state.to_json().dump()));
  io::save_archive(archive, path_);
}

RunState Checkpointer::load(torch::nn::Module& model, torch::optim::Optimizer& optimizer) {
  torch::serialize::InputArchive archive;
  try {
    if (workers_.world_size() == 1) {
      archive.load_from(path_);
    } else {
      std::string bytes = workers_.is_writer() ? read_file(path_) : std::string();
      workers_.broadcast_bytes(bytes, 0);
      archive.load_from(bytes.data(), bytes.size());
    }
  } catch (const c10::Error& e) {
    throw IoError("cannot read checkpoint " + path_ + ": " + e.what_without_backtrace());
  }
  c10::IValue state_text;
  archive.read("state", state_text);
  RunState state = RunState::from_json(parse_json(state_text.toStringRef(), path_ + " (training state)"), path_);
  if (state.world_size != workers_.world_size())
    throw ConfigError("cannot resume " + path_ + " with " + std::to_string(workers_.world_size()) +
                      " worker(s): the run was trained with " + std::to_string(state.world_size) +
                      " (the batches of each step depend on it); resume it with " +
                      std::to_string(state.world_size) + " worker(s)");
  torch::serialize::InputArchive model_archive, optimizer_archive;
  archive.read("model", model_archive);
  io::read_weights(model, model_archive, path_);
  archive.read("optimizer", optimizer_archive);
  optimizer.load(optimizer_archive);
  restore_generator_states(read_states(archive, workers_.rank(), path_));
  return state;
}

}  // namespace nertool::train
