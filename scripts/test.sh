#!/usr/bin/env bash
# The README's test command: installs dependencies, builds, and runs every test with ctest.
# Shared data (CoNLL-2003, fixtures) is read from ${NERTOOL_SHARED_DIR:-../shared}.
set -euo pipefail
cd "$(dirname "$0")/.."
NERTOOL_WITH_FUZZ=${NERTOOL_WITH_FUZZ:-1} bash scripts/install_deps.sh
export NERTOOL_SHARED_DIR=${NERTOOL_SHARED_DIR:-$(cd .. && pwd)/shared}
if [ ! -d "$NERTOOL_SHARED_DIR" ]; then
  echo "note: $NERTOOL_SHARED_DIR not found: tests that need CoNLL-2003 or the HF fixtures will be skipped"
fi
bash scripts/build.sh -DNERTOOL_SHARED_DIR="$NERTOOL_SHARED_DIR"
bash scripts/check_cuda_sources.sh
(
  cd "${BUILD_DIR:-build}"
  # The test programs link LibTorch themselves: give them the settings `nertool` gives nertool-torch (`nertool env`).
  while IFS= read -r setting; do [ -n "$setting" ] && export "$setting"; done < <(./nertool env)
  ctest --output-on-failure -j "${JOBS:-$(nproc)}" "$@"
)
# Every fuzz target, deterministically (seed 1, a fixed number of runs from fuzz/corpus); NERTOOL_WITH_FUZZ=0 skips.
if [ "${NERTOOL_WITH_FUZZ:-1}" = 1 ]; then bash scripts/fuzz.sh --ci; fi
