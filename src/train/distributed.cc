#include "nertool/train/distributed.h"

#include <torch/torch.h>

#include <cerrno>
#include <cstring>
#include <cstdlib>
#include <limits>
#include <thread>

#include "nertool/core/error.h"
#include "nertool/core/temporary_directory.h"

// LibTorch's CMake package defines USE_C10D_GLOO when its c10d has Gloo; the Gloo headers come from libgloo-dev
// (Debian) or ship with LibTorch.
#if defined(USE_C10D_GLOO) && __has_include(<gloo/config.h>)
#define NERTOOL_HAVE_GLOO 1
#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#else
#define NERTOOL_HAVE_GLOO 0
#endif

namespace nertool::train {

namespace {

long parse_variable(const EnvironmentLookup& lookup, const char* name, long min, long max, long fallback) {
  const char* text = lookup(name);
  if (!text || !*text) return fallback;
  errno = 0;
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  if (errno != 0 || *end != '\0' || value < min || value > max)
    throw ConfigError(std::string(name) + "='" + text + "': expected a whole number from " + std::to_string(min) +
                      " to " + std::to_string(max));
  return value;
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

std::string variable(const EnvironmentLookup& lookup, const char* name) {
  const char* text = lookup(name);
  return text ? text : "";
}

class SingleProcess final : public Communicator {
 public:
  int rank() const override { return 0; }
  int world_size() const override { return 1; }
  void all_reduce_sum(std::vector<torch::Tensor>&) override {}
  void broadcast(torch::Tensor&, int) override {}
  void barrier() override {}
};

#if NERTOOL_HAVE_GLOO
class GlooWorkers final : public Communicator {
 public:
  GlooWorkers(c10::intrusive_ptr<c10d::ProcessGroupGloo> group, int rank, int size)
      : group_(std::move(group)), rank_(rank), size_(size) {}
  int rank() const override { return rank_; }
  int world_size() const override { return size_; }

  void all_reduce_sum(std::vector<torch::Tensor>& tensors) override {
    guarded("all-reduce", [&] {
      std::vector<std::vector<at::Tensor>> each(tensors.size());
      std::vector<decltype(group_->allreduce(each[0]))> work;
      for (std::size_t i = 0; i < tensors.size(); ++i) {
        each[i] = {tensors[i]};
        work.push_back(group_->allreduce(each[i]));
      }
      for (auto& w : work) w->wait();
    });
  }
  void broadcast(torch::Tensor& tensor, int root) override {
    // Gloo has no bool type: masks travel as bytes.
    const bool as_bytes = tensor.scalar_type() == torch::kBool;
    guarded("broadcast", [&] {
      std::vector<at::Tensor> one{as_bytes ? tensor.to(torch::kUInt8) : tensor};
      c10d::BroadcastOptions options;
      options.rootRank = root;
      group_->broadcast(one, options)->wait();
      if (as_bytes) tensor.copy_(one[0]);
    });
  }
  void barrier() override {
    guarded("barrier", [&] { group_->barrier()->wait(); });
  }

 private:
  template <class F>
  void guarded(const char* what, F&& f) {
    try {
      f();
    } catch (const std::exception& e) {
      throw Error("distributed training: worker " + std::to_string(rank_) + " of " + std::to_string(size_) + ": " +
                  what + " failed: " + first_line(e.what()) +
                  " (another worker stopped, or did not answer within the timeout)");
    }
  }

  c10::intrusive_ptr<c10d::ProcessGroupGloo> group_;
  int rank_, size_;
};

c10::intrusive_ptr<c10d::Store> open_store(const DistributedSettings& s) {
  if (!s.store_file.empty()) {
    auto store = c10::make_intrusive<c10d::FileStore>(s.store_file, s.world_size);
    store->setTimeout(s.timeout);
    return store;
  }
  c10d::TCPStoreOptions options;
  options.port = static_cast<std::uint16_t>(s.master_port);
  // Under torchrun's static rendezvous its agent already serves the store on MASTER_PORT; workers join it as
  // clients under the attempt's prefix, as torch.distributed's env:// initialisation does.
  options.isServer = s.rank == 0 && s.agent_store_prefix.empty();
  options.numWorkers = static_cast<std::size_t>(s.world_size);
  options.waitWorkers = false;  // the process group's own rendezvous waits for everyone, with the timeout
  options.timeout = s.timeout;
  c10::intrusive_ptr<c10d::Store> store = c10::make_intrusive<c10d::TCPStore>(s.master_addr, options);
  if (s.agent_store_prefix.empty()) return store;
  return c10::make_intrusive<c10d::PrefixStore>(s.agent_store_prefix, store);
}

// GLOO_SOCKET_IFNAME picks the network interface, as in PyTorch; one machine talks over loopback.
std::shared_ptr<::gloo::transport::Device> gloo_device(const DistributedSettings& s) {
  if (!s.socket_interface.empty()) return c10d::ProcessGroupGloo::createDeviceForInterface(s.socket_interface);
  const bool local = !s.store_file.empty() || s.master_addr == "127.0.0.1" || s.master_addr == "localhost";
  return local ? c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1")
               : c10d::ProcessGroupGloo::createDefaultDevice();
}

std::string rendezvous_name(const DistributedSettings& s) {
  return s.store_file.empty() ? "TCPStore " + s.master_addr + ":" + std::to_string(s.master_port)
                              : "FileStore " + s.store_file;
}
#endif

}  // namespace

DistributedSettings distributed_settings_from_environment(const EnvironmentLookup& lookup) {
  DistributedSettings s;
  constexpr long kMaxWorkers = 1 << 20;
  s.world_size = static_cast<int>(parse_variable(lookup, "WORLD_SIZE", 1, kMaxWorkers, 1));
  s.rank = static_cast<int>(parse_variable(lookup, "RANK", 0, kMaxWorkers, 0));
  s.local_rank = static_cast<int>(parse_variable(lookup, "LOCAL_RANK", 0, kMaxWorkers, 0));
  if (s.rank >= s.world_size)
    throw ConfigError("RANK=" + std::to_string(s.rank) + " is not below WORLD_SIZE=" + std::to_string(s.world_size) +
                      " (ranks count from 0)");
  if (s.world_size == 1) return s;
  s.store_file = variable(lookup, "NERTOOL_STORE_FILE");
  s.master_addr = variable(lookup, "MASTER_ADDR");
  s.master_port = static_cast<int>(parse_variable(lookup, "MASTER_PORT", 1, 65535, 0));
  s.socket_interface = variable(lookup, "GLOO_SOCKET_IFNAME");
  if (variable(lookup, "TORCHELASTIC_USE_AGENT_STORE") == "True") {
    const std::string attempt = variable(lookup, "TORCHELASTIC_RESTART_COUNT");
    s.agent_store_prefix = "/worker/attempt_" + (attempt.empty() ? std::string("0") : attempt);
  }
  if (s.store_file.empty()) {
    if (s.master_addr.empty())
      throw ConfigError("WORLD_SIZE=" + std::to_string(s.world_size) +
                        " but MASTER_ADDR is not set: give the address of the machine running RANK 0 (and "
                        "MASTER_PORT), or NERTOOL_STORE_FILE=PATH on one machine");
    if (s.master_port == 0)
      throw ConfigError("WORLD_SIZE=" + std::to_string(s.world_size) + " and MASTER_ADDR=" + s.master_addr +
                        " but MASTER_PORT is not set: give a free TCP port on that machine (torchrun uses 29500)");
  }
  return s;
}

DistributedSettings distributed_settings_from_environment() {
  return distributed_settings_from_environment([](const char* name) { return std::getenv(name); });
}

void Communicator::broadcast_bytes(std::string& bytes, int root) {
  if (world_size() == 1) return;
  auto size = torch::tensor({static_cast<int64_t>(bytes.size())}, torch::kLong);
  broadcast(size, root);
  auto data = torch::empty({size.item<int64_t>()}, torch::kUInt8);
  if (rank() == root && !bytes.empty()) std::memcpy(data.data_ptr(), bytes.data(), bytes.size());
  broadcast(data, root);
  bytes.assign(static_cast<const char*>(data.data_ptr()), static_cast<std::size_t>(data.numel()));
}

std::vector<std::string> Communicator::all_gather_bytes(const std::string& bytes) {
  std::vector<std::string> all(static_cast<std::size_t>(world_size()));
  for (int r = 0; r < world_size(); ++r) {
    auto& slot = all[static_cast<std::size_t>(r)];
    if (r == rank()) slot = bytes;
    broadcast_bytes(slot, r);
  }
  return all;
}

std::string pack_byte_records(const std::vector<std::string>& records) {
  std::string out;
  for (const auto& r : records) {
    const uint64_t n = r.size();
    out.append(reinterpret_cast<const char*>(&n), sizeof n);
    out += r;
  }
  return out;
}

std::vector<std::string> unpack_byte_records(const std::string& bytes) {
  std::vector<std::string> records;
  std::size_t at = 0;
  while (at < bytes.size()) {
    uint64_t n = 0;
    if (bytes.size() - at < sizeof n) throw Error("byte records: a length is cut off at byte " + std::to_string(at));
    std::memcpy(&n, bytes.data() + at, sizeof n);
    at += sizeof n;
    if (n > bytes.size() - at) throw Error("byte records: a record at byte " + std::to_string(at) + " is cut off");
    records.push_back(bytes.substr(at, n));
    at += n;
  }
  return records;
}

JobOutcome run_local_workers(const std::vector<std::string>& argv, int nproc) {
  const TemporaryDirectory job("nertool-job-");
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  std::vector<WorkerCommand> commands;
  for (int r = 0; r < nproc; ++r) {
    WorkerCommand c{argv,
                    {"RANK=" + std::to_string(r), "LOCAL_RANK=" + std::to_string(r),
                     "WORLD_SIZE=" + std::to_string(nproc), "NERTOOL_STORE_FILE=" + job.file("store")}};
    if (!std::getenv("OMP_NUM_THREADS"))
      c.env.push_back("OMP_NUM_THREADS=" + std::to_string(std::max(1u, cores / static_cast<unsigned>(nproc))));
    commands.push_back(std::move(c));
  }
  return run_workers(commands);
}

std::unique_ptr<Communicator> make_single_process_communicator() { return std::make_unique<SingleProcess>(); }

std::unique_ptr<Communicator> connect_workers(const DistributedSettings& s) {
  if (s.world_size == 1) return make_single_process_communicator();
#if NERTOOL_HAVE_GLOO
  try {
    auto store = open_store(s);
    auto options = c10d::ProcessGroupGloo::Options::create(s.timeout);
    options->devices.push_back(gloo_device(s));
    auto group = c10::make_intrusive<c10d::ProcessGroupGloo>(store, s.rank, s.world_size, options);
    return std::make_unique<GlooWorkers>(std::move(group), s.rank, s.world_size);
  } catch (const std::exception& e) {
    throw Error("distributed training: worker " + std::to_string(s.rank) + " of " + std::to_string(s.world_size) +
                " could not join through " + rendezvous_name(s) + ": " + first_line(e.what()) +
                " (are all workers started, with the same MASTER_ADDR/MASTER_PORT or store file?)");
  }
#else
  throw Error("distributed training: this build of nertool has no Gloo process group (LibTorch without "
              "USE_C10D_GLOO, or the Gloo headers missing at build time)");
#endif
}

std::vector<std::string> available_process_groups() {
#if NERTOOL_HAVE_GLOO
  return {"gloo"};
#else
  return {};
#endif
}

}  // namespace nertool::train
