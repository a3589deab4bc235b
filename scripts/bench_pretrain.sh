#!/usr/bin/env bash
# Masked-LM pretraining throughput: subwords/s of `nertool pretrain` against the same step in PyTorch Python
# (scripts/bench_pretrain_peer.py: RobertaForMaskedLM's computation, dynamic masking, AdamW, clipping), fp32 and
# bf16, side by side, as a ratio. Model: configs/pretrain_roberta_small.json's RoBERTa (4 x 256, vocabulary 50,265).
#
#   scripts/bench_pretrain.sh [--sentences N] [--threads T] [--precisions "fp32 bf16"] [--out DIR]
#
# nertool trains two epochs on the first N sentences of CoNLL-2003 train, packed into full sequences of 128
# subwords (pretrain.packing=fill, as the peer's), 32 per batch; its figure is the second epoch's training time
# (masking included, evaluation not), so that start-up costs count for neither side. The peer times as many
# steps on full sequences of 128 random ids, after 2 untimed steps. Both use T intra-op threads (default: all
# cores). Without AVX512-BF16 both sides emulate bf16 and run about 20 times slower than fp32. The peer runs
# twice: as users start it, and with the settings nertool gives itself (`nertool env`: malloc, OpenMP waiting); the
# first ratio is what users see, the second compares the two programs alone.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
SENTENCES=2000
THREADS=$(nproc)
PRECISIONS="fp32 bf16"
OUT=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --sentences) SENTENCES=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --precisions) PRECISIONS=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) script_help "$0"; exit 0 ;;
    *) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
NERTOOL=$(nertool_binary)
SHARED=$(shared_dir)
CONLL=$SHARED/data/conll2003
TOKENIZER=$SHARED/data/tokenizers/roberta-base
for f in "$CONLL/train.txt" "$TOKENIZER/vocab.json"; do
  [[ -f $f ]] || { echo "skipping: $f not found (the shared data folder is $SHARED)"; exit 0; }
done
PYTHON=$(python_with_torch)
OUT=${OUT:-$(mktemp -d /tmp/nertool-bench-pretrain-XXXXXX)}
mkdir -p "$OUT/data"
first_sentences "$CONLL/train.txt" "$SENTENCES" > "$OUT/data/train.txt"
first_sentences "$CONLL/valid.txt" 20 > "$OUT/data/valid.txt"
echo "bench_pretrain: $(nproc) cores, $THREADS threads, $("$NERTOOL" --version | sed -n 2p), work in $OUT" >&2

NERTOOL_ENV=$("$NERTOOL" env)
# peer_run [env NAME=VALUE ...]: the peer's subwords/s for $steps steps at $precision, with those words before it.
peer_run() {
  "$@" "$PYTHON" "$ROOT/scripts/bench_pretrain_peer.py" --steps "$steps" --threads "$THREADS" \
    --precision "$precision" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["subwords_per_s"])'
}
printf '%-10s %14s %14s %7s %20s %7s\n' precision "nertool sw/s" "pytorch sw/s" ratio "pytorch, env sw/s" ratio
for precision in $PRECISIONS; do
  run=$OUT/run-$precision
  rm -rf "$run"
  "$NERTOOL" pretrain --config "$ROOT/configs/pretrain_roberta_small.json" --data "$OUT/data" --out "$run" \
    --set model.tokenizer="$TOKENIZER" --set 'pretrain.train_files=["train.txt"]' --set pretrain.valid_file=valid.txt \
    --set train.max_epochs=2 --set train.num_threads="$THREADS" --set train.precision="$precision" \
    --set pretrain.packing=fill --set train.log_percent=100 > "$OUT/summary-$precision.json" 2> "$OUT/log-$precision.txt"
  ours=$("$PYTHON" -c 'import json,sys; print(json.loads(open(sys.argv[1]).readlines()[-1])["tokens_per_s"])' "$run/metrics.jsonl")
  steps=$("$PYTHON" -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["steps"])' "$run/metrics.jsonl")
  peer=$(peer_run)
  peer_env=$(peer_run env $NERTOOL_ENV)
  "$PYTHON" -c 'import sys; p, a, b, c = sys.argv[1], *map(float, sys.argv[2:])
print("%-10s %14.0f %14.0f %6.2fx %20.0f %6.2fx" % (p, a, b, a / b, c, a / c))' "$precision" "$ours" "$peer" "$peer_env"
done
