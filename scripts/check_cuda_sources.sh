#!/usr/bin/env bash
# Compiles every src/ops/*_cuda.cu with nvcc (syntax and type check, no GPU needed) so kernels cannot rot on
# machines whose LibTorch has no CUDA. Skips with a message when nvcc is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
NVCC=${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
shopt -s nullglob
sources=(src/ops/*_cuda.cu)
if [ ${#sources[@]} -eq 0 ]; then echo "check_cuda_sources: no .cu files"; exit 0; fi
if [ ! -x "$NVCC" ]; then echo "check_cuda_sources: nvcc not found, skipping ${#sources[@]} file(s)"; exit 0; fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for f in "${sources[@]}"; do
  "$NVCC" -std=c++17 -Iinclude -arch=sm_80 -c "$f" -o "$out/$(basename "$f").o"
  echo "check_cuda_sources: $f compiles"
done
