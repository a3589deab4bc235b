#!/usr/bin/env bash
# Tagging throughput on CPU, nertool vs a plain-PyTorch Python peer (scripts/bench_infer_peer.py), same weights.
#
#   tiny: the hf-tiny BERT fixture (2 layers, hidden 64), converted with `nertool convert --from hf`
#   base: a BERT-base-sized model (12 layers, hidden 768, 12 heads, 3072, vocab 28,996) with random weights,
#         written as a Hugging Face checkpoint by torch and converted the same way
#
# Two figures for nertool:
#   tagging     `nertool predict`'s own timer: reading the CoNLL file, tokenization, windows, forward passes,
#               writing the output; model loading and process start excluded. The ratio is taken on this one.
#   end-to-end  the whole `nertool predict` process, loading the weights included (~1 s of LibTorch start-up,
#               and BERT-base's 430 MB of weights).
# The peer times only its forward passes and argmax over pre-tokenized input (from `nertool tokenize`): no
# loading, no tokenization, no output, so the ratio is conservative. Both run with the same thread count and
# batch size (sentences), batches of length-sorted sentences.
#
# The peer runs twice: as users start it, and under the malloc settings `nertool` gives its LibTorch side
# (`nertool env`); the second ratio holds the allocator equal.
#
# --precision bf16 runs both sides under bfloat16 autocast (nertool predict --precision bf16, torch.autocast).
#
# Usage: scripts/bench_infer.sh [--threads N] [--batch B] [--base-limit N] [--skip-base] [--precision fp32|bf16]
# Env: PYTHON (default /usr/bin/python3), NERTOOL and NERTOOL_SHARED_DIR (scripts/lib.sh), SHARED (the shared folder, overriding NERTOOL_SHARED_DIR), WORK (default: a temp dir)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
NERTOOL=$(nertool_binary)
SHARED=${SHARED:-$(shared_dir)}
PYTHON=${PYTHON:-/usr/bin/python3}  # Debian's python3 has python3-torch
THREADS=1
BATCH=32
BASE_LIMIT=500
SKIP_BASE=0
PRECISION=fp32
while [ $# -gt 0 ]; do
  case $1 in
    --threads) THREADS=$2; shift 2 ;;
    --batch) BATCH=$2; shift 2 ;;
    --base-limit) BASE_LIMIT=$2; shift 2 ;;
    --skip-base) SKIP_BASE=1; shift ;;
    --precision) PRECISION=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=${WORK:-$(mktemp -d)}
export OMP_NUM_THREADS=$THREADS MKL_NUM_THREADS=$THREADS OPENBLAS_NUM_THREADS=$THREADS
TEST=$SHARED/data/conll2003/test.txt
[ -x "$NERTOOL" ] || { echo "error: $NERTOOL not built" >&2; exit 1; }

# First N sentences of a CoNLL file (N=0: all).
head_sentences() {
  awk -v n="$2" 'n>0 && /^$/ {c++; print; if (c>=n) exit; next} {print}' "$1"
}

now() { python3 -c 'import time; print(time.perf_counter())'; }

bench() {  # bench NAME HF_DIR LIMIT
  local name=$1 hf=$2 limit=$3 model=$WORK/$1-model input=$WORK/$1-input.txt
  rm -rf "$model"
  "$NERTOOL" --log-level warn convert --from hf "$hf" --to "$model"
  head_sentences "$TEST" "$limit" > "$input"
  local n
  n=$(awk 'BEGIN{c=0;prev=""} /^-DOCSTART-/{skip=1; next} /^$/{ if (inside) c++; inside=0; next} {inside=1} END{if(inside)c++; print c}' "$input")
  "$NERTOOL" --log-level warn tokenize --model "$model" --input "$input" > "$WORK/$name-tok.jsonl"
  local t0 t1
  t0=$(now)
  "$NERTOOL" --log-level info predict --model "$model" --input "$input" --format conll --batch-size "$BATCH" \
    --precision "$PRECISION" --device cpu -o "$WORK/$name-pred.txt" 2> "$WORK/$name-predict.log"
  t1=$(now)
  local tagging end_to_end peer peer_env
  # "tagged N sentences (M tokens) in X.XXs": nertool's own timer, in ms for precision.
  tagging=$(sed -n 's/.*tagged \([0-9]*\) sentences .* in \([0-9.]*\)s .*/\1 \2/p' "$WORK/$name-predict.log" |
            python3 -c 'import sys; n, s = sys.stdin.read().split(); print(round(int(n) / float(s), 1))')
  end_to_end=$(python3 -c "print(round($n / ($t1 - $t0), 1))")
  local peer_args=("$HERE/bench_infer_peer.py" "$hf" "$WORK/$name-tok.jsonl" --batch "$BATCH" --threads "$THREADS"
                   --precision "$PRECISION")
  peer=$("$PYTHON" "${peer_args[@]}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["sentences_per_s"])')
  # shellcheck disable=SC2086  # NAME=VALUE words without spaces
  peer_env=$(env $NERTOOL_ENV "$PYTHON" "${peer_args[@]}" |
             python3 -c 'import json,sys; print(json.load(sys.stdin)["sentences_per_s"])')
  python3 -c "print('%-5s %6d sentences  nertool tagging %9.1f sent/s (end-to-end %9.1f)   pytorch-python %9.1f sent/s   ratio %.2fx (end-to-end %.2fx)' % ('$name', $n, $tagging, $end_to_end, $peer, $tagging / $peer, $end_to_end / $peer))"
  python3 -c "print('%-5s %6s            pytorch-python in nertool\'s environment %9.1f sent/s   ratio %.2fx' % ('', '', $peer_env, $tagging / $peer_env))"
}
NERTOOL_ENV=$("$NERTOOL" env)

echo "threads $THREADS, batch $BATCH, precision $PRECISION, CoNLL-2003 test ($TEST)"
bench tiny "$SHARED/fixtures/hf-tiny/bert" 0

if [ "$SKIP_BASE" = 0 ]; then
  BASE=$WORK/base-hf
  if [ ! -f "$BASE/pytorch_model.bin" ]; then
    mkdir -p "$BASE"
    cp "$SHARED/fixtures/hf-tiny/bert/"{vocab.txt,tokenizer_config.json,special_tokens_map.json} "$BASE/"
    "$PYTHON" - "$SHARED/fixtures/hf-tiny/bert/config.json" "$BASE" <<'PY'
import json, sys, collections, torch
cfg = json.load(open(sys.argv[1]))
cfg.update(hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072)
json.dump(cfg, open(sys.argv[2] + "/config.json", "w"), indent=2)
torch.manual_seed(0)
h, i, sd = 768, 3072, collections.OrderedDict()
r = lambda *s: torch.randn(*s) * 0.02
sd["bert.embeddings.position_ids"] = torch.arange(512).unsqueeze(0)
sd["bert.embeddings.word_embeddings.weight"] = r(cfg["vocab_size"], h)
sd["bert.embeddings.position_embeddings.weight"] = r(512, h)
sd["bert.embeddings.token_type_embeddings.weight"] = r(2, h)
sd["bert.embeddings.LayerNorm.weight"] = 1 + r(h); sd["bert.embeddings.LayerNorm.bias"] = r(h)
for l in range(12):
    p = "bert.encoder.layer.%d." % l
    for m in ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"):
        sd[p + m + ".weight"] = r(h, h); sd[p + m + ".bias"] = r(h)
    sd[p + "attention.output.LayerNorm.weight"] = 1 + r(h); sd[p + "attention.output.LayerNorm.bias"] = r(h)
    sd[p + "intermediate.dense.weight"] = r(i, h); sd[p + "intermediate.dense.bias"] = r(i)
    sd[p + "output.dense.weight"] = r(h, i); sd[p + "output.dense.bias"] = r(h)
    sd[p + "output.LayerNorm.weight"] = 1 + r(h); sd[p + "output.LayerNorm.bias"] = r(h)
sd["classifier.weight"] = r(9, h); sd["classifier.bias"] = r(9)
torch.save(dict(sd), sys.argv[2] + "/pytorch_model.bin")  # a plain dict, as transformers writes them
PY
  fi
  bench base "$BASE" "$BASE_LIMIT"
fi
