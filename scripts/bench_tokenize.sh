#!/usr/bin/env bash
# Tokenizer throughput of `nertool tokenize` on CoNLL-2003 test (words/s and subwords/s, tokenizer loading
# included), for bert-base-cased (WordPiece) and roberta-base (byte-level BPE).
# usage: scripts/bench_tokenize.sh [NERTOOL_BINARY] [SHARED_DIR]  (defaults: scripts/lib.sh's)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bin="${1:-$(nertool_binary)}"
shared="${2:-$(shared_dir)}"
input="$shared/data/conll2003/test.txt"
[ -x "$bin" ] || { echo "nertool binary not found: $bin (build it or pass its path)" >&2; exit 1; }
[ -f "$input" ] || { echo "CoNLL-2003 test not found: $input" >&2; exit 1; }
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
printf '%-16s %10s %10s %12s %14s\n' tokenizer seconds words words/s subwords/s
for tok in bert-base-cased roberta-base; do
  best=""
  for run in 1 2 3; do  # best of three: the first run also warms the page cache
    start=$(date +%s.%N)
    "$bin" tokenize --tokenizer "$shared/data/tokenizers/$tok" --input "$input" >/dev/null 2>"$log"
    end=$(date +%s.%N)
    t=$(echo "$end - $start" | bc -l)
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
  done
  # "N sentences, W words, S subwords (special tokens included)"
  words=$(grep -o '[0-9]* words' "$log" | awk '{print $1}')
  subwords=$(grep -o '[0-9]* subwords' "$log" | awk '{print $1}')
  printf '%-16s %10.3f %10d %12.0f %14.0f\n' "$tok" "$best" "$words" "$(echo "$words / $best" | bc -l)" \
    "$(echo "$subwords / $best" | bc -l)"
done
