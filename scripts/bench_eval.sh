#!/usr/bin/env bash
# Benchmarks `nertool eval` on the CoNLL-2003 test set (46k tokens, parsing included): the gold file against
# itself and against a corrupted copy. Prints the median wall time of RUNS runs of each (hyperfine when
# installed, else a date +%s%N loop), and the same scoring in nertool-torch for comparison. Builds nertool into ${BUILD_DIR:-build} first when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
BUILD_DIR=${BUILD_DIR:-build}
RUNS=${RUNS:-15}
SHARED=$(shared_dir)
GOLD=${GOLD:-$SHARED/data/conll2003/test.txt}
[ -f "$GOLD" ] || { echo "bench_eval: $GOLD not found (set GOLD or NERTOOL_SHARED_DIR)" >&2; exit 1; }
if [ ! -x "$BUILD_DIR/nertool" ]; then
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$BUILD_DIR" -j "${JOBS:-$(nproc)}" --target nertool
fi
NERTOOL=$BUILD_DIR/nertool

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# Corrupted copy: every 5th entity retyped, every 7th B- turned into I- (ill-formed), every 11th I- dropped.
awk 'BEGIN { split("PER LOC ORG MISC", T, " ") }
     NF >= 2 && $1 != "-DOCSTART-" {
       lab = $NF
       if (lab ~ /^B-/) { nb++; if (nb % 5 == 0) { t = substr(lab, 3); for (k = 1; k <= 4; k++) if (T[k] == t) lab = "B-" T[k % 4 + 1] }
                          else if (nb % 7 == 0) lab = "I-" substr(lab, 3) }
       else if (lab ~ /^I-/) { ni++; if (ni % 11 == 0) lab = "O" }
       $NF = lab }
     { print }' "$GOLD" > "$TMP/pred.txt"

median() { sort -n | awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.1f", m }'; }

# command...: "WALL CPU" medians in ms over RUNS runs (CPU = user + sys, which a busy machine does not inflate)
median_ms() {
  local walls=() cpus=()
  for _ in $(seq "$RUNS"); do
    local t0 t1 cpu
    t0=$(date +%s%N)
    cpu=$( { TIMEFORMAT='%3U %3S'; time "$@" > /dev/null 2>&1; } 2>&1 )
    t1=$(date +%s%N)
    walls+=($(( (t1 - t0) / 1000 )))
    cpus+=($(awk '{ printf "%d", ($1 + $2) * 1000000 }' <<< "$cpu"))
  done
  echo "$(printf '%s\n' "${walls[@]}" | median | awk '{ printf "%.1f", $1 / 1000 }')" \
       "$(printf '%s\n' "${cpus[@]}" | median | awk '{ printf "%.1f", $1 / 1000 }')"
}

bench() {  # label, nertool arguments...
  local label=$1
  shift
  if command -v hyperfine > /dev/null; then
    hyperfine -N --warmup 2 --runs "$RUNS" --export-json "$TMP/h.json" "$NERTOOL $*" > /dev/null
    python3 -c "import json,sys; print('%-28s median %.1f ms (hyperfine, %s runs)' % (sys.argv[1], json.load(open(sys.argv[2]))['results'][0]['median'] * 1000, sys.argv[3]))" \
      "$label" "$TMP/h.json" "$RUNS"
  else
    "$NERTOOL" "$@" > /dev/null  # warm the page cache
    local m
    read -r -a m <<< "$(median_ms "$NERTOOL" "$@")"
    printf '%-28s median wall %s ms, median CPU (user+sys) %s ms (%s runs)\n' "$label" "${m[0]}" "${m[1]}" "$RUNS"
  fi
}

echo "nertool eval on $GOLD ($(grep -c . "$GOLD") non-blank lines)"
bench "gold vs itself" eval --gold "$GOLD" --pred "$GOLD"
bench "gold vs corrupted copy" eval --gold "$GOLD" --pred "$TMP/pred.txt"
bench "gold vs corrupted, --json" eval --json --gold "$GOLD" --pred "$TMP/pred.txt"
bench "nertool --help (start-up)" --help
# The same command in the LibTorch-linked companion (what `nertool eval` cost before the front-end split):
# the difference is LibTorch's start-up.
if [ -x "$BUILD_DIR/nertool-torch" ]; then
  NERTOOL=$BUILD_DIR/nertool-torch bench "nertool-torch, corrupted" eval --gold "$GOLD" --pred "$TMP/pred.txt"
fi
