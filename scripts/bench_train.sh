#!/usr/bin/env bash
# Training and prediction throughput of nertool's BiLSTM-CNN (configs/bilstm_cnn_paper.json: constant NAdam rate, no
# <unk> replacement, as the peer trains) against the same model written in PyTorch Python (scripts/bench_peer.py),
# on the same CoNLL-2003 slice with the same thread count, run one after the other. Prints both and the ratios
# (nertool / Python; goal: >= 1.3 training, >= 2 prediction).
#
# Usage: scripts/bench_train.sh [--data DIR] [--sentences N] [--predict-sentences N] [--threads N] [--epochs N]
#                              [--precision fp32|bf16]
#   --data DIR             CoNLL-2003 folder (default ../shared/data/conll2003)
#   --sentences N          training sentences (the first N of train.txt; default 2000)
#   --predict-sentences N  sentences tagged (the first N of test.txt; default 2000)
#   --threads N            intra-op threads for both sides (default 1)
#   --epochs N             training epochs timed (default 1)
#   --precision P          fp32 (default) or bf16: nertool's train.precision and predict --precision, the peer's
#                          forward passes under torch.autocast (which leaves nn.LSTM in float32; nertool runs its
#                          LSTMs in bfloat16, layers/bilstm_stack.h)
# Training throughput: nertool's own tokens/s of the epoch (metrics.jsonl, training steps only) vs the peer's
# timed training loop (featurization, forward, backward, clipping, NAdam). Prediction: `nertool predict`'s own
# timer (reading the file, featurization, forward, decoding, writing; the ratio is taken on it), and its whole
# process (loading LibTorch and the model too), vs the peer's featurize + forward + argmax + label strings loop,
# batches of 64 sentences on both sides.
# The peer runs twice: as a user would start it, and under the malloc settings that `nertool` gives its LibTorch
# side (`nertool env`, core/runtime_environment.h). The first ratio is what users see; the second compares the two
# implementations with the allocator held equal.
# Environment: NERTOOL (binary; default build/nertool, else build-*/nertool), PYTHON (default: the first of python3, /usr/bin/python3 that imports torch).
set -euo pipefail
. "$(dirname "$0")/lib.sh"  # sets ROOT
DATA="$(shared_dir)/data/conll2003" N=2000 M=2000 THREADS=1 EPOCHS=1 PRECISION=fp32
while [[ $# -gt 0 ]]; do
  case "$1" in
    --data) DATA=$2; shift 2 ;;
    --sentences) N=$2; shift 2 ;;
    --predict-sentences) M=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --epochs) EPOCHS=$2; shift 2 ;;
    --precision) PRECISION=$2; shift 2 ;;
    -h|--help) script_help "$0"; exit 0 ;;
    *) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
NERTOOL=$(nertool_binary)
PYTHON=$(python_with_torch)
export OMP_NUM_THREADS=$THREADS MKL_NUM_THREADS=$THREADS OPENBLAS_NUM_THREADS=$THREADS
WORK=$(mktemp -d "${TMPDIR:-/tmp}/nertool-bench-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# First N sentences of a CoNLL file (no -DOCSTART- lines).
slice() { awk -v n="$2" '/^-DOCSTART-/ { next } NF == 0 { if (k > 0) { print ""; s++; k = 0 }; if (s >= n) exit; next }
                         { print; k++ } END { if (k > 0) print "" }' "$1"; }
mkdir -p "$WORK/data"
slice "$DATA/train.txt" "$N" > "$WORK/data/train.txt"
slice "$DATA/valid.txt" 50 > "$WORK/data/valid.txt"
slice "$DATA/test.txt" "$M" > "$WORK/predict.txt"
echo "nertool: training $EPOCHS epoch(s) on $N sentences, $THREADS thread(s), $PRECISION" >&2
"$NERTOOL" train --config "$ROOT/configs/bilstm_cnn_paper.json" --data "$WORK/data" --out "$WORK/run" \
  --set train.max_epochs="$EPOCHS" --set train.patience=0 --set train.num_threads="$THREADS" --set data.test='""' --set train.precision="$PRECISION" \
  > "$WORK/train.log" 2>&1 || { cat "$WORK/train.log" >&2; exit 1; }
echo "nertool: predicting $M sentences" >&2
start=$(date +%s.%N)
"$NERTOOL" predict --model "$WORK/run" --input "$WORK/predict.txt" --format conll --precision "$PRECISION" > "$WORK/pred.txt" 2> "$WORK/predict.log" \
  || { cat "$WORK/predict.log" >&2; exit 1; }
end=$(date +%s.%N)
peer() {  # peer [env NAME=VALUE ...]: the command words before the peer's own
  "$@" "$PYTHON" "$ROOT/scripts/bench_peer.py" --train "$WORK/data/train.txt" --predict "$WORK/predict.txt" \
    --sentences "$N" --predict-sentences "$M" --threads "$THREADS" --epochs "$EPOCHS" --precision "$PRECISION"
}
echo "python peer: same slice" >&2
peer > "$WORK/peer.json"
NERTOOL_ENV=$("$NERTOOL" env)
echo "python peer: same slice, nertool's environment (${NERTOOL_ENV:-nothing to set})" >&2
# shellcheck disable=SC2086  # NAME=VALUE words without spaces
peer env $NERTOOL_ENV > "$WORK/peer_env.json"
"$PYTHON" - "$WORK/run/metrics.jsonl" "$WORK/peer.json" "$start" "$end" "$M" "$THREADS" "$WORK/predict.log" \
  "$WORK/peer_env.json" <<'PY'
import json, re, sys
metrics, peer_file, start, end, m, threads, predict_log, peer_env_file = sys.argv[1:9]
epochs = [json.loads(l) for l in open(metrics) if l.strip()]
epochs = [e for e in epochs if "tokens_per_s" in e]
train_tps = sum(e["tokens_per_s"] for e in epochs) / len(epochs)
end_to_end_sps = int(m) / (float(end) - float(start))
tagged = re.search(r"tagged (\d+) sentences .* in ([0-9.]+)s", open(predict_log).read())
pred_sps = int(tagged.group(1)) / float(tagged.group(2))
peer = json.load(open(peer_file))
peer_env = json.load(open(peer_env_file))
def figures(p):
    return {"train_tokens_per_s": round(p["train_tokens_per_s"], 1),
            "predict_sentences_per_s": round(p["predict_sentences_per_s"], 1)}
out = {"threads": int(threads), "precision": peer.get("precision", "fp32"),
       "nertool": {"train_tokens_per_s": round(train_tps, 1), "predict_sentences_per_s": round(pred_sps, 1),
                   "predict_end_to_end_sentences_per_s": round(end_to_end_sps, 1)},
       "pytorch_python": figures(peer),
       "pytorch_python_nertool_env": figures(peer_env),
       "ratio_train": round(train_tps / peer["train_tokens_per_s"], 2),
       "ratio_predict": round(pred_sps / peer["predict_sentences_per_s"], 2),
       "ratio_train_same_env": round(train_tps / peer_env["train_tokens_per_s"], 2),
       "ratio_predict_same_env": round(pred_sps / peer_env["predict_sentences_per_s"], 2)}
print("%-28s %14s %16s" % ("", "train tok/s", "predict sent/s"))
print("%-28s %14.1f %16.1f" % ("nertool", train_tps, pred_sps))
print("%-28s %14.1f %16.1f" % ("pytorch python", peer["train_tokens_per_s"], peer["predict_sentences_per_s"]))
print("%-28s %14.1f %16.1f" % ("pytorch python, nertool env", peer_env["train_tokens_per_s"],
                                peer_env["predict_sentences_per_s"]))
print("%-28s %13.2fx %15.2fx" % ("ratio", out["ratio_train"], out["ratio_predict"]))
print("%-28s %13.2fx %15.2fx" % ("ratio, same environment", out["ratio_train_same_env"],
                                  out["ratio_predict_same_env"]))
print("nertool predict end to end (LibTorch and model loading included): %.1f sentences/s, %.2fx"
      % (end_to_end_sps, end_to_end_sps / peer["predict_sentences_per_s"]))
print(json.dumps(out))
PY
