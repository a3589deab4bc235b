// nertool-torch's own parts (torch_part.h): what it does first, and the text of --version.
#include <torch/cuda.h>
#include <torch/version.h>
#include <unistd.h>

#include <string>

#include "../torch_part.h"
#include "nertool/build_info.h"
#include "nertool/core/runtime_environment.h"
#include "nertool/ops/dispatch.h"
#include "nertool/train/distributed.h"

namespace nertool::cli {
namespace {

// Started directly rather than through `nertool`: give this program the same settings, which glibc and libgomp read
// only at start-up, by starting it again with them (once: afterwards they are set). If that fails, run as is.
void start(const ProgramStart& program) {
  if (runtime_environment().empty()) return;
  export_runtime_environment();
  ::execv("/proc/self/exe", program.argv);
}

std::string version_text(const VersionText&) {
  std::string text = std::string("nertool ") + NERTOOL_VERSION + " (commit " + NERTOOL_GIT_COMMIT + ")\n";
  text += std::string("LibTorch ") + TORCH_VERSION + "\n";
  const bool cuda = torch::cuda::is_available();
  text += std::string("CUDA: ") + (cuda ? "usable (" + std::to_string(torch::cuda::device_count()) + " device(s))"
                                        : "not usable");
  text += ops::dispatch::kCudaKernelsBuilt ? ", nertool CUDA kernels built" : ", nertool CUDA kernels not built";
  std::string groups;
  for (const auto& g : train::available_process_groups()) groups += (groups.empty() ? "" : ", ") + g;
  text += "\nprocess groups (distributed training): " + (groups.empty() ? std::string("none") : groups);
  return text;
}

TorchPartRegistration<ProgramStart> start_registration(start);
TorchPartRegistration<VersionText> version_registration(version_text);

}  // namespace
}  // namespace nertool::cli
