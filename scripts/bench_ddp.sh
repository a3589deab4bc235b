#!/usr/bin/env bash
# Data-parallel training throughput on this machine: training tokens/s of one process with 1 thread, one process
# with 2 threads, and 2 worker processes with 1 thread each (nertool train --nproc 2), for the BiLSTM-CNN and a
# BERT-base-size transformer (12 x 768, from random weights: no pretrained weights are needed for speed), and the
# time each step spends combining the two workers' gradients (all-reduce over Gloo on loopback).
#
#   scripts/bench_ddp.sh [--sentences N] [--bert-sentences N] [--epochs N] [--out DIR]
#
# Data: the first N sentences of CoNLL-2003 train from ../shared (or $NERTOOL_SHARED_DIR). Prints one table; the
# 2-process rows also give the ratio against 1 process x 1 thread and 1 process x 2 threads.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
SENTENCES=2000
BERT_SENTENCES=256
EPOCHS=1
OUT=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --sentences) SENTENCES=$2; shift 2 ;;
    --bert-sentences) BERT_SENTENCES=$2; shift 2 ;;
    --epochs) EPOCHS=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) script_help "$0"; exit 0 ;;
    *) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
NERTOOL=$(nertool_binary)
SHARED=$(shared_dir)
CONLL=$SHARED/data/conll2003
TOKENIZER=$SHARED/data/tokenizers/bert-base-cased
for f in "$CONLL/train.txt" "$TOKENIZER/vocab.txt"; do
  [[ -f $f ]] || { echo "skipping: $f not found (the shared data folder is $SHARED)"; exit 0; }
done
OUT=${OUT:-$(mktemp -d /tmp/nertool-bench-ddp-XXXXXX)}
mkdir -p "$OUT"
echo "bench_ddp: $(nproc) cores, $("$NERTOOL" --version | sed -n 2p), work in $OUT" >&2

make_data() {  # make_data DIR N: train = first N sentences, valid = first 50 of valid (evaluation kept short)
  mkdir -p "$1"
  first_sentences "$CONLL/train.txt" "$2" > "$1/train.txt"
  first_sentences "$CONLL/valid.txt" 50 > "$1/valid.txt"
}
make_data "$OUT/data-bilstm" "$SENTENCES"
make_data "$OUT/data-bert" "$BERT_SENTENCES"
cat > "$OUT/bert_base_size.json" <<JSON
{
  "description": "BERT-base size (12 layers x 768, 12 heads, 3072), random weights, bert-base-cased tokenizer: speed only",
  "data": {"train": "train.txt", "valid": "valid.txt"},
  "model": {"encoder": "bert", "decoder": "softmax", "tokenizer": "$TOKENIZER", "max_seq_length": 128,
            "transformer": {"vocab_size": 28996, "hidden_size": 768, "num_layers": 12, "num_heads": 12,
                            "intermediate_size": 3072, "max_position_embeddings": 512, "type_vocab_size": 2,
                            "layer_norm_eps": 1e-12}},
  "train": {"optimizer": "adamw", "lr": 5e-5, "batch_sentences": 16, "eval_batch_sentences": 32, "patience": 0}
}
JSON

# run NAME CONFIG DATA THREADS NPROC: trains EPOCHS epochs; prints "tokens/s allreduce_ms_per_step params"
run() {
  local name=$1 config=$2 data=$3 threads=$4 nproc=$5 dir=$OUT/run-$1
  rm -rf "$dir"
  local args=(train -c "$config" -d "$data" -o "$dir" --set train.max_epochs="$EPOCHS" --set train.device=cpu
              --set train.num_threads="$threads" --set train.log_percent=50 --set data.test=)
  [[ $nproc -gt 1 ]] && args+=(--nproc "$nproc")
  OMP_NUM_THREADS=$threads "$NERTOOL" "${args[@]}" > "$dir.json" 2> "$dir.log" \
    || { echo "error: $name failed; see $dir.log" >&2; tail -3 "$dir.log" >&2; exit 1; }
  python3 - "$dir" <<'PY'
import json, sys
d = sys.argv[1]
rows = [json.loads(l) for l in open(d + "/metrics.jsonl")]
meta = json.load(open(d + "/metadata.json"))
tok_s = sum(r["tokens_per_s"] for r in rows) / len(rows)
steps = rows[-1]["steps"]
reduce_ms = 1000 * sum(r.get("reduce_seconds", 0) for r in rows) / max(steps, 1)
print(f"{tok_s:.0f} {reduce_ms:.2f} {meta['parameters']}")
PY
}

printf "%-12s %-22s %12s %16s %14s %10s %10s\n" model setup "tokens/s" "all-reduce ms/step" "grad MB/step" "vs 1x1" "vs 1x2"
for model in bilstm_cnn bert_base_size; do
  if [[ $model == bilstm_cnn ]]; then config=$ROOT/configs/bilstm_cnn_paper.json; data=$OUT/data-bilstm
  else config=$OUT/bert_base_size.json; data=$OUT/data-bert; fi
  read -r t11 _ params < <(run "$model-1x1" "$config" "$data" 1 1)
  read -r t12 _ _ < <(run "$model-1x2" "$config" "$data" 2 1)
  read -r t21 r21 _ < <(run "$model-2x1" "$config" "$data" 1 2)
  mb=$(python3 -c "print(f'{$params * 4 / 1e6:.1f}')")
  printf "%-12s %-22s %12s %16s %14s %10s %10s\n" "$model" "1 process x 1 thread" "$t11" "-" "-" "1.00" "-"
  printf "%-12s %-22s %12s %16s %14s %10s %10s\n" "$model" "1 process x 2 threads" "$t12" "-" "-" \
    "$(python3 -c "print(f'{$t12/$t11:.2f}')")" "1.00"
  printf "%-12s %-22s %12s %16s %14s %10s %10s\n" "$model" "2 processes x 1 thread" "$t21" "$r21" "$mb" \
    "$(python3 -c "print(f'{$t21/$t11:.2f}')")" "$(python3 -c "print(f'{$t21/$t12:.2f}')")"
done
