#!/usr/bin/env bash
# Configures and builds nertool into ${BUILD_DIR:-build} (Release). Extra arguments go to cmake's configure step.
# TARGETS (space-separated) builds only those targets (quickstart.sh: nertool, which brings nertool-torch).
# One build per folder at a time: a second one (quickstart.sh and test.sh both build) waits for the first, since
# two makes writing the same objects corrupt them.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}
mkdir -p "$BUILD_DIR"
exec 9>"$BUILD_DIR/.build.lock"
if ! flock -n 9; then
  echo "build.sh: another build of $BUILD_DIR is running; waiting for it" >&2
  flock 9
fi
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-Release} "$@" >/dev/null
read -r -a targets <<< "${TARGETS:-}"
cmake --build "$BUILD_DIR" -j "$JOBS" ${targets[@]+--target "${targets[@]}"}
