#!/usr/bin/env bash
# Builds nertool on a GPU machine against the machine's PyTorch (its LibTorch, with CUDA), runs the GPU-labelled
# tests (ctest -L gpu: kernels against the CPU path) and the CRF benchmark, and writes logs and JSON to $OUT.
#
# The other dependencies come from Debian 12 .deb files carried in a git-ignored folder (third_party/debs, or
# $NERTOOL_DEBS) and unpacked with `dpkg -x` into a prefix. Fetch them once on a Debian 12 machine with apt:
#   mkdir -p third_party/debs && cd third_party/debs && apt-get download \
#     libcli11-dev nlohmann-json3-dev libspdlog-dev libspdlog1.10 libfmt-dev libfmt9 libgtest-dev \
#     libsentencepiece-dev libsentencepiece0 libprotobuf-lite32 libutf8proc-dev libutf8proc2 \
#     pkgconf pkgconf-bin libpkgconf3
# With the `device` tool: run(command="bash scripts/gpu_build_and_test.sh", carry=["third_party/debs"]).
#
# Needs on the machine: python3 with torch built with CUDA, nvcc (CUDA toolkit; $CUDACXX or /usr/local/cuda),
# cmake >= 3.18, a C++17 compiler. The Debian libraries need glibc >= 2.36, and PyTorch wheels built with the
# pre-C++11 string ABI (before 2.7) cannot link with them: the script checks both and says so.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DEBS=${NERTOOL_DEBS:-$ROOT/third_party/debs}
PREFIX=${NERTOOL_DEPS_PREFIX:-$ROOT/build-gpu-deps}
BUILD_DIR=${BUILD_DIR:-$ROOT/build-gpu}
OUT=${OUT:-$BUILD_DIR/report}
JOBS=${JOBS:-$(nproc)}
mkdir -p "$OUT"
log() { echo "gpu_build_and_test: $*" | tee -a "$OUT/summary.txt"; }

command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv | tee "$OUT/gpu.txt"
python3 - <<'PY' | tee "$OUT/torch.txt"
import torch
print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available(),
      "cxx11_abi", torch._C._GLIBCXX_USE_CXX11_ABI)
PY
if ! python3 -c 'import torch,sys; sys.exit(0 if torch._C._GLIBCXX_USE_CXX11_ABI else 1)'; then
  log "this PyTorch uses the pre-C++11 std::string ABI; Debian's libraries use the new one: use PyTorch >= 2.7"
  exit 1
fi
TORCH_CMAKE=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')
TORCH_LIB=$(python3 -c 'import os,torch;print(os.path.join(os.path.dirname(torch.__file__), "lib"))')
NVCC=${CUDACXX:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
if [ ! -x "$NVCC" ]; then log "nvcc not found (set CUDACXX): the CUDA kernels cannot be built"; exit 1; fi
log "nvcc: $("$NVCC" --version | tail -1)"

# Dependencies: unpack the carried .debs into $PREFIX and point pkg-config files at it.
shopt -s nullglob
debs=("$DEBS"/*.deb)
if [ ${#debs[@]} -eq 0 ]; then log "no .deb files in $DEBS (see the top of this script)"; exit 1; fi
rm -rf "$PREFIX" && mkdir -p "$PREFIX"
for d in "${debs[@]}"; do dpkg -x "$d" "$PREFIX"; done
ARCH_LIB=$PREFIX/usr/lib/x86_64-linux-gnu
for pc in "$ARCH_LIB"/pkgconfig/*.pc "$PREFIX"/usr/share/pkgconfig/*.pc; do
  sed -i "s|^prefix=/usr\$|prefix=$PREFIX/usr|" "$pc"
done
export PATH=$PREFIX/usr/bin:$PATH
export PKG_CONFIG_PATH=$ARCH_LIB/pkgconfig:$PREFIX/usr/share/pkgconfig
export LD_LIBRARY_PATH=$ARCH_LIB:$TORCH_LIB${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
log "unpacked ${#debs[@]} packages into $PREFIX"

cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$TORCH_CMAKE;$PREFIX/usr;$ARCH_LIB/cmake" \
  -DCMAKE_INCLUDE_PATH="$PREFIX/usr/include" -DCMAKE_LIBRARY_PATH="$ARCH_LIB" \
  -DCMAKE_CUDA_COMPILER="$NVCC" -DCMAKE_BUILD_RPATH="$ARCH_LIB;$TORCH_LIB" \
  -DNERTOOL_SHARED_DIR="${NERTOOL_SHARED_DIR:-$ROOT/../shared}" 2>&1 | tee "$OUT/configure.log"
if ! grep -q "nertool: CUDA kernels ON" "$OUT/configure.log"; then
  log "CMake did not enable the CUDA kernels (see configure.log)"
  exit 1
fi
cmake --build "$BUILD_DIR" -j "$JOBS" --target test_ops_gpu test_ops bench_crf 2>&1 | tail -50 > "$OUT/build.log"
log "built"

status=0
ctest --test-dir "$BUILD_DIR" -L gpu --output-on-failure 2>&1 | tee "$OUT/ctest_gpu.log" || status=1
"$BUILD_DIR/tests/test_ops_gpu" --gtest_filter='*CUDA*' 2>&1 | tail -20 >> "$OUT/ctest_gpu.log" || status=1
if grep -q "SKIPPED" "$OUT/ctest_gpu.log" && grep -q "no CUDA device" "$OUT/ctest_gpu.log"; then
  log "CUDA tests were skipped: torch sees no GPU"
  status=1
fi
ctest --test-dir "$BUILD_DIR" -R '^(Crf|CharConvMaxPool)' --output-on-failure 2>&1 | tail -5 >> "$OUT/ctest_gpu.log" || status=1
"$BUILD_DIR/bench_crf" --device cuda | tee "$OUT/bench_cuda.jsonl" || status=1
"$BUILD_DIR/bench_crf" --device cpu --iters 5 | tee "$OUT/bench_cpu.jsonl" || status=1
log "done, status $status"
exit $status
