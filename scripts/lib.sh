# Helpers the scripts share (source it: `. "$(dirname "$0")/lib.sh"`). Sets ROOT, the checkout.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# script_help FILE: a script's help, its header comment (the comment lines after the #! line) without the "# ".
script_help() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$1"; }

# The nertool binary: $NERTOOL when set, else $BUILD_DIR/nertool, build/nertool, then the first build-*/nertool.
nertool_binary() {
  local cand
  if [[ -n ${NERTOOL:-} ]]; then
    [[ -x $NERTOOL ]] || { echo "error: NERTOOL=$NERTOOL is not an executable" >&2; return 1; }
    echo "$NERTOOL"; return 0
  fi
  for cand in "$ROOT/${BUILD_DIR:-build}/nertool" "$ROOT/build/nertool" "$ROOT"/build-*/nertool; do
    [[ -x $cand ]] && { echo "$cand"; return 0; }
  done
  echo "error: nertool binary not found (build it with scripts/build.sh, or set NERTOOL)" >&2
  return 1
}

# The folder holding data/ and fixtures/: $NERTOOL_SHARED_DIR, else ../shared beside the checkout.
shared_dir() { echo "${NERTOOL_SHARED_DIR:-$(cd "$ROOT/.." && pwd)/shared}"; }
# shell_words ARGS...: the arguments as one line a shell reads back as the same words (a recorded command must
# re-run: --sizes "100 300" is one argument). Plain words stay bare, others go in single quotes.
shell_words() {
  local word out=()
  for word in "$@"; do
    if [[ $word =~ ^[A-Za-z0-9_./=:,+@%-]+$ ]]; then out+=("$word"); else out+=("'${word//\'/\'\\\'\'}'"); fi
  done
  echo "${out[*]}"
}

# first_sentences FILE N: the first N sentences of a CoNLL file, -DOCSTART- lines and blank lines kept as they
# stand (N <= 0: the whole file).
first_sentences() {
  awk -v n="$2" 'n <= 0 { print; next }
                 NF == 0 { if (k > 0) { s++; k = 0 } print; if (s >= n) exit; next }
                 /^-DOCSTART-/ { print; next } { print; k++ }' "$1"
}

# python_with_torch: $PYTHON when set, else the first of python3, /usr/bin/python3 that imports torch (Debian's
# python3-torch lives in /usr/bin/python3); fails with a message when none does.
python_with_torch() {
  local cand
  for cand in ${PYTHON:-} python3 /usr/bin/python3; do
    "$cand" -c 'import torch' 2>/dev/null && { echo "$cand"; return 0; }
  done
  echo "error: no python3 with torch found (apt-get install python3-torch, or set PYTHON)" >&2
  return 1
}

# A pool of background steps for the reproduction scripts' --jobs N (POOL_JOBS). pool_run COMMAND... runs COMMAND
# in the background once fewer than POOL_JOBS started ones are running (POOL_JOBS 1: in the foreground) and sets
# POOL_LAST to its pid (empty in the foreground); pool_wait [PID] waits for that one, or for all, and fails naming
# how many failed, stopping the steps still running (a stopped run resumes on the next start). A failed foreground
# step fails the script as before (set -e).
POOL_JOBS=1 POOL_PIDS=() POOL_LAST=""
pool_run() {
  POOL_LAST=""
  if (( POOL_JOBS <= 1 )); then "$@"; return; fi
  while (( $(jobs -rp | wc -l) >= POOL_JOBS )); do wait -n || true; done
  "$@" &
  POOL_LAST=$!
  POOL_PIDS+=("$POOL_LAST")
}
pool_wait() {
  local pid failed=0 pids=("$@")
  (( $# > 0 )) || pids=(${POOL_PIDS[@]+"${POOL_PIDS[@]}"})
  for pid in ${pids[@]+"${pids[@]}"}; do wait "$pid" || failed=$((failed + 1)); done
  (( $# > 0 )) || POOL_PIDS=()
  (( failed == 0 )) && return 0
  echo "error: $failed background step(s) failed (see their logs); stopping the others" >&2
  local running
  running=$(jobs -rp)
  [[ -z $running ]] || kill $running 2>/dev/null || true
  return 1
}
# pool_log RUN_DIR: where a step's log goes: RUN_DIR.log when steps run side by side, else the script's stderr.
pool_log() { if (( POOL_JOBS > 1 )); then echo "$1.log"; else echo /dev/stderr; fi; }
