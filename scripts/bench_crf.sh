#!/usr/bin/env bash
# CRF forward+backward and Viterbi at batch 32 x length 128 x 9 tags (and the fused char-CNN max-pool): nertool's
# ops against the same computations written with LibTorch ops. One JSON line per measurement on stdout.
#   scripts/bench_crf.sh [cpu|cuda] [extra bench_crf flags, e.g. --iters 50 --threads 1]
# Builds the bench_crf target in ${BUILD_DIR:-build} first.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
DEVICE=${1:-cpu}
shift || true
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$BUILD_DIR" -j "${JOBS:-$(nproc)}" --target bench_crf >&2
"$BUILD_DIR/bench_crf" --device "$DEVICE" --batch 32 --length 128 --labels 9 "$@"
