#pragma once
// Data-parallel training on c10d, the C++ core of torch.distributed. Workers find each other through a store
// (TCPStore across machines, FileStore on one machine) and exchange tensors through a Gloo process group; the
// trainer talks to them only through Communicator, so one process is the same code with a communicator that has
// nothing to exchange. docs/distributed.md tells how to launch and what to expect.
#include <torch/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "nertool/core/worker_supervisor.h"

namespace nertool::train {

// Where the workers of one job meet, read from torchrun's environment (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR,
// MASTER_PORT), so torchrun, Slurm or mpirun-style launchers start `nertool train` unchanged. NERTOOL_STORE_FILE
// names a FileStore file instead of MASTER_ADDR/MASTER_PORT (one machine, no listening socket).
struct DistributedSettings {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;
  std::string master_addr;
  int master_port = 0;
  std::string store_file;
  std::string socket_interface;  // GLOO_SOCKET_IFNAME: the network interface Gloo uses (default: the hostname's)
  // torchrun's agent serves the TCPStore (TORCHELASTIC_USE_AGENT_STORE=True): join it under this key prefix.
  std::string agent_store_prefix;
  std::chrono::milliseconds timeout{std::chrono::minutes(30)};  // a dead or silent worker ends the job after it
};

using EnvironmentLookup = std::function<const char*(const char*)>;

// Reads the settings; without WORLD_SIZE (or with 1) they describe one process. Throws ConfigError naming the
// variable for a non-number, RANK >= WORLD_SIZE, or neither store given.
DistributedSettings distributed_settings_from_environment(const EnvironmentLookup& lookup);
DistributedSettings distributed_settings_from_environment();  // the process's environment

// The collectives the trainer needs. Every worker calls each one in the same order. Errors (a worker that died,
// the timeout) are nertool::Error naming this worker and the operation.
class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int world_size() const = 0;
  // The one worker that logs, evaluates and writes files.
  bool is_writer() const { return rank() == 0; }
  // Sums each CPU tensor over all workers, in place; all collectives are started before the first is waited for.
  virtual void all_reduce_sum(std::vector<torch::Tensor>& tensors) = 0;
  // Copies `tensor` (CPU) of worker `root` into every worker's tensor of the same shape.
  virtual void broadcast(torch::Tensor& tensor, int root) = 0;
  virtual void barrier() = 0;

  // Every worker gets `root`'s bytes.
  void broadcast_bytes(std::string& bytes, int root);
  // Every worker gets every worker's bytes, indexed by rank.
  std::vector<std::string> all_gather_bytes(const std::string& bytes);
};

// Several byte strings as one (each preceded by its 8-byte length), to travel in one broadcast, and back. unpack
// throws Error when the bytes do not hold whole records.
std::string pack_byte_records(const std::vector<std::string>& records);
std::vector<std::string> unpack_byte_records(const std::string& bytes);

// One process: every collective is the identity.
std::unique_ptr<Communicator> make_single_process_communicator();

// Joins the job (world_size 1: the single-process communicator). Throws Error when the store cannot be reached or
// the other workers do not arrive within the timeout, or when this build has no Gloo.
std::unique_ptr<Communicator> connect_workers(const DistributedSettings& settings);

// `nertool train --nproc N`: runs `argv` (a program and its arguments) as N local workers that meet through a
// FileStore in a temporary folder, watched as one job (core/worker_supervisor.h), as torchrun --nproc-per-node
// would. Each worker gets OMP_NUM_THREADS = cores / N unless the variable is set already.
JobOutcome run_local_workers(const std::vector<std::string>& argv, int nproc);

// Process groups this build can create ("gloo"); empty when LibTorch was built without distributed support.
std::vector<std::string> available_process_groups();

}  // namespace nertool::train
