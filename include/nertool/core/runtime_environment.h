#pragma once
// The environment `nertool` gives `nertool-torch` (src/cli/torch_part.h). glibc's malloc reads its settings
// (GLIBC_TUNABLES) only before main() runs, so the hand-over from `nertool` is the one place where the program can
// choose them for itself. By default every tensor of more than 128 KB is a fresh mmap, returned on free, and each
// of its 4 KB pages faults when first touched. Page faults are expensive on virtual machines: without them
// BiLSTM-CNN tagging ran 1.4-1.75x and training 1.55x faster (docs/performance.md). nertool keeps large blocks in
// the heap (mmap_threshold), keeps freed memory for the next batch (trim_threshold) and asks for transparent huge
// pages (hugetlb=1, glibc 2.35+; older glibc ignores tunables it does not know).
// LibTorch's OpenMP threads spin between parallel regions by default (libgomp reads OMP_WAIT_POLICY at start-up,
// too), competing with OpenBLAS's own threads for the same cores: with 2 threads on 2 cores, BiLSTM-CNN training
// ran 3.2x slower than on 1 thread, and 25x slower beside another busy program. Passive waiting removes that
// (docs/performance.md).
// A variable the user has set is never changed, and NERTOOL_TUNE_ENVIRONMENT=0 turns this off.

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace nertool {

struct EnvironmentSetting {
  std::string name;
  std::string value;
  std::string why;  // one line, for `nertool env --explain`
};

// Reads one variable; nullopt when it is not set.
using EnvironmentLookup = std::function<std::optional<std::string>(const std::string& name)>;

// The variables nertool sets for nertool-torch, given the current environment: only those not set already, none
// when NERTOOL_TUNE_ENVIRONMENT is "0".
std::vector<EnvironmentSetting> runtime_environment(const EnvironmentLookup& lookup);

// The same for this process's environment.
std::vector<EnvironmentSetting> runtime_environment();

// Sets runtime_environment() in this process's environment, for a program it is about to exec.
void export_runtime_environment();

// Hands the heap's free pages back to the system (glibc malloc_trim). Long jobs that free what each step used
// call it between steps: under the trim threshold above, glibc would keep every freed block, and a predict run
// over a large file grew by hundreds of MB of free memory.
void return_free_memory();

}  // namespace nertool
