#include "nertool/core/runtime_environment.h"

#include <malloc.h>

#include <cstdlib>

namespace nertool {

std::vector<EnvironmentSetting> runtime_environment(const EnvironmentLookup& lookup) {
  std::vector<EnvironmentSetting> settings;
  if (lookup("NERTOOL_TUNE_ENVIRONMENT") == std::optional<std::string>("0")) return settings;
  auto add = [&](const char* name, const char* value, const char* why) {
    if (!lookup(name)) settings.push_back({name, value, why});
  };
  // 32 MB is the largest mmap threshold glibc accepts; a batch's tensors are below it.
  add("GLIBC_TUNABLES",
      "glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824",
      "malloc keeps tensors in its heap, reuses freed memory and asks for huge pages: far fewer page faults");
  add("OMP_WAIT_POLICY", "PASSIVE",
      "idle OpenMP threads sleep instead of spinning, so they leave the cores to OpenBLAS's threads and to "
      "other programs");
  return settings;
}

std::vector<EnvironmentSetting> runtime_environment() {
  return runtime_environment([](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    return value ? std::optional<std::string>(value) : std::nullopt;
  });
}

void export_runtime_environment() {
  for (const auto& s : runtime_environment()) ::setenv(s.name.c_str(), s.value.c_str(), /*overwrite=*/0);
}

void return_free_memory() { ::malloc_trim(0); }

}  // namespace nertool
