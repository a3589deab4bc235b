#!/usr/bin/env bash
# Checks the CUDA code that machines whose LibTorch has no CUDA would otherwise never compile (no GPU needed):
# 1. every src/ops/*_cuda.cu with nvcc (skipped with a message when nvcc is absent);
# 2. every src/ops/*.cc that dispatches by device (dispatch::on_device of ops/dispatch.h), with NERTOOL_HAVE_CUDA=1 as a syntax check, so the
#    CUDA branches (generic lambdas a CPU build never instantiates) are type-checked against the kernels' API.
set -euo pipefail
cd "$(dirname "$0")/.."
NVCC=${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
CXX=${CXX:-c++}
shopt -s nullglob
sources=(src/ops/*_cuda.cu)
if [ ${#sources[@]} -eq 0 ]; then echo "check_cuda_sources: no .cu files"; exit 0; fi
if [ ! -x "$NVCC" ]; then
  echo "check_cuda_sources: nvcc not found, skipping ${#sources[@]} file(s)"
else
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
  for f in "${sources[@]}"; do
    "$NVCC" -std=c++17 -Iinclude -arch=sm_80 -c "$f" -o "$out/$(basename "$f").o"
    echo "check_cuda_sources: $f compiles"
  done
fi
TORCH_API=/usr/include/torch/csrc/api/include
if [ ! -d "$TORCH_API" ]; then echo "check_cuda_sources: LibTorch headers not in /usr/include, skipping dispatch"; exit 0; fi
for f in $(grep -l 'dispatch::on_device' src/ops/*.cc); do
  "$CXX" -std=c++17 -fsyntax-only -Wall -Wextra -Werror -Wno-unused-parameter -DNERTOOL_HAVE_CUDA=1 \
    -Iinclude -Isrc/ops -isystem "$TORCH_API" "$f"
  echo "check_cuda_sources: $f compiles with its CUDA branch"
done
