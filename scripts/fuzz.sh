#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ (clang, ASan + UBSan) into build-fuzz/ and runs each.
#
# Usage: scripts/fuzz.sh [SECONDS] [--ci] [--only NAME] [--jobs N]
#   SECONDS     how long each target explores (default 60); new inputs go to build-fuzz/corpus/<target>/
#   --ci        deterministic regression run instead: every target, seed 1, a fixed number of executions
#               (FUZZ_CI_RUNS, default 20000) from its seed corpus fuzz/corpus/<target>/; what CI runs
#   --only NAME one target (conll, json, wordpiece, ...)
# Needs clang and libFuzzer's runtime: NERTOOL_WITH_FUZZ=1 scripts/install_deps.sh. A finding leaves the input in
# build-fuzz/crashes/<target>/ and makes the script exit 1. The table it prints is what docs/reliability.md records.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
SECONDS_PER=60 CI=0 ONLY="" JOBS=$(nproc)
while [[ $# -gt 0 ]]; do
  case "$1" in
    --ci) CI=1; shift ;;
    --only) ONLY=$2; shift 2 ;;
    --jobs) JOBS=$2; shift 2 ;;
    -h|--help) script_help "$0"; exit 0 ;;
    [0-9]*) SECONDS_PER=$1; shift ;;
    *) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
command -v clang++ >/dev/null || { echo "error: clang++ not found (NERTOOL_WITH_FUZZ=1 scripts/install_deps.sh)" >&2; exit 1; }
BUILD="$ROOT/build-fuzz"
CXX=clang++ cmake -S "$ROOT/fuzz" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j "$JOBS" >/dev/null
# Leak checks need ptrace-like privileges that some CI containers lack: exploration runs have them, --ci does not.
LEAKS=$(( CI ? 0 : 1 ))
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=$LEAKS:allocator_may_return_null=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/fuzz/lsan_libtorch.supp}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
printf '%-16s %12s %8s %10s %8s  %s\n' target executions seconds "exec/s" corpus result
for bin in "$BUILD"/fuzz_*; do
  [[ -x $bin ]] || continue
  name=$(basename "$bin"); name=${name#fuzz_}
  [[ -n $ONLY && $name != "$ONLY" ]] && continue
  corpus="$BUILD/corpus/$name" crashes="$BUILD/crashes/$name"
  mkdir -p "$corpus" "$crashes"
  args=(-rss_limit_mb=4096 -max_len=65536 -print_final_stats=1 -artifact_prefix="$crashes/")
  if (( CI )); then  # a fresh copy of the seeds: libFuzzer adds what it finds to its first corpus folder
    corpus="$BUILD/ci-corpus/$name"
    rm -rf "$corpus" && mkdir -p "$corpus" && cp "$ROOT/fuzz/corpus/$name"/* "$corpus/"
    args+=(-seed=1 -runs="${FUZZ_CI_RUNS:-20000}"); dirs=("$corpus")
  else args+=(-max_total_time="$SECONDS_PER"); dirs=("$corpus" "$ROOT/fuzz/corpus/$name"); fi
  log="$BUILD/$name.log"
  start=$(date +%s.%N)
  if "$bin" "${args[@]}" "${dirs[@]}" >"$log" 2>&1; then result=ok; else result="FINDING (see $log)"; status=1; fi
  elapsed=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.0f", e - s }')
  execs=$(awk '/stat::number_of_executed_units/ { print $NF }' "$log" | tail -1)
  printf '%-16s %12s %8s %10s %8s  %s\n' "$name" "${execs:-?}" "$elapsed" \
    "$(awk -v n="${execs:-0}" -v t="$elapsed" 'BEGIN { printf "%.0f", (t > 0) ? n / t : n }')" \
    "$(ls "$corpus" | wc -l)" "$result"
done
exit $status
