#!/usr/bin/env bash
# Batch tagging in bounded memory: tags a generated text file with `nertool predict --input-format text --format
# spans`, samples the process's RSS every second, and plots RSS against the lines processed (PNG), with the
# throughput beside it. RSS should level off after warm-up whatever the file size.
#
# Usage: scripts/bench_predict_memory.sh [--size-mb N] [--model RUN_DIR] [--out DIR] [--long-line-tokens N]
#   --size-mb N            size of the generated input (default 1024: 1 GB)
#   --model RUN_DIR        the model to tag with (default: a small BiLSTM-CNN, 1 layer of 32, trained for 4 epochs
#                          on data/sample: memory is the pipeline's, not the network's; this one tagged 1 GB in
#                          2 h 5 min on 2 cores shared with a build, the paper's 2 layers of 275 are far slower)
#   --out DIR              work folder: input, output, rss.tsv, rss.png (default runs/bench_predict_memory)
#   --long-line-tokens N   one line of N tokens every 10,000 lines (tagged in pieces; default 200000)
# Environment: NERTOOL (the binary), NERTOOL_SHARED_DIR (CoNLL-2003 words for the text; data/sample otherwise).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
SIZE_MB=1024 MODEL="" OUT="$ROOT/runs/bench_predict_memory" LONG=200000
while [[ $# -gt 0 ]]; do
  case "$1" in
    --size-mb) SIZE_MB=$2; shift 2 ;;
    --model) MODEL=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --long-line-tokens) LONG=$2; shift 2 ;;
    -h|--help) script_help "$0"; exit 0 ;;
    *) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
NERTOOL=$(nertool_binary)
calc() { awk "BEGIN { printf \"%.3f\", $1 }"; }
mkdir -p "$OUT"
if [[ -z $MODEL ]]; then
  MODEL="$OUT/model"
  if [[ ! -f $MODEL/model.pt ]]; then
    rm -rf "$MODEL"
    "$NERTOOL" train --config "$ROOT/configs/bilstm_cnn_paper.json" --data "$ROOT/data/sample" --out "$MODEL" \
      --set train.max_epochs=4 --set train.patience=0 --set model.bilstm_cnn.hidden_size=32 \
      --set model.bilstm_cnn.num_layers=1 --set model.bilstm_cnn.word_dim=32 --set model.bilstm_cnn.char_filters=16 \
      >/dev/null
  fi
fi
WORDS="$(shared_dir)/data/conll2003/train.txt"
[[ -f $WORDS ]] || WORDS="$ROOT/data/sample/train.txt"
INPUT="$OUT/input-${SIZE_MB}mb.txt"
if [[ ! -f $INPUT ]]; then
  python3 - "$WORDS" "$INPUT" "$SIZE_MB" "$LONG" <<'PY'
import random, sys
words_file, out, size_mb, long_tokens = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
words = [l.split()[0] for l in open(words_file, encoding="utf-8") if l.strip() and not l.startswith("-DOCSTART-")]
rng = random.Random(1)
limit, written, lines = size_mb << 20, 0, 0
with open(out + ".tmp", "w", encoding="utf-8") as f:
    while written < limit:
        n = long_tokens if lines % 10000 == 9999 else rng.randint(5, 40)
        line = " ".join(rng.choice(words) for _ in range(n)) + "\n"
        f.write(line)
        written += len(line.encode("utf-8"))
        lines += 1
import os
os.replace(out + ".tmp", out)
PY
fi
LINES=$(wc -l < "$INPUT")
echo "input: $INPUT ($LINES lines, $(( $(stat -c %s "$INPUT") >> 20 )) MiB); model: $MODEL" >&2

OUTPUT="$OUT/output.jsonl"
rm -f "$OUTPUT"
"$NERTOOL" predict --model "$MODEL" --input-format text --input "$INPUT" --format spans --output "$OUTPUT" \
  2>"$OUT/predict.log" &
PID=$!
start=$(date +%s.%N)
printf 'seconds\trss_mib\toutput_mib\n' > "$OUT/rss.tsv"
while kill -0 "$PID" 2>/dev/null; do
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$PID/status" 2>/dev/null || true)
  # The output grows in a temporary file beside OUTPUT until the end (atomic write).
  bytes=$(stat -c %s "$OUTPUT".tmp.* 2>/dev/null | head -1 || true)
  [[ -n $rss ]] && printf '%s\t%s\t%s\n' "$(calc "$(date +%s.%N) - $start")" "$(calc "$rss / 1024")" \
    "$(calc "${bytes:-0} / 1048576")" >> "$OUT/rss.tsv"
  sleep 1
done
wait "$PID"
seconds=$(calc "$(date +%s.%N) - $start")
OUT_MB=$(calc "$(stat -c %s "$OUTPUT") / 1048576")
IN_MB=$(calc "$(stat -c %s "$INPUT") / 1048576")
# Lines processed at each sample: the output's share of its final size times the line count.
python3 - "$OUT" "$LINES" "$OUT_MB" "$IN_MB" "$seconds" <<'PY'
import sys
out, lines, out_mb, in_mb, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
rows = [l.split("\t") for l in open(out + "/rss.tsv").read().splitlines()[1:]]
rows = [(float(t), float(r), min(float(o), out_mb)) for t, r, o in rows]
with open(out + "/rss_lines.tsv", "w") as f:
    for t, r, o in rows:
        f.write("%d\t%.1f\n" % (lines * o / out_mb if out_mb else 0, r))
def peak(lo, hi):
    sel = [r for _, r, o in rows if lo * out_mb < o <= hi * out_mb]
    return max(sel) if sel else float("nan")
print("tagged %d lines (%.0f MiB) in %.0f s: %.0f lines/s, %.2f MiB/s" % (lines, in_mb, seconds, lines / seconds,
                                                                      in_mb / seconds))
print("RSS peak: whole run %.0f MiB; after warm-up, by fifths of the output: %s MiB" % (
    max(r for _, r, _ in rows), " / ".join("%.0f" % peak(k / 5, (k + 1) / 5) for k in range(1, 5))))
PY
if command -v gnuplot >/dev/null; then
  gnuplot <<GP
set terminal pngcairo size 900,500 noenhanced
set output "$OUT/rss.png"
set title "nertool predict --input-format text --format spans: RSS against lines processed ($LINES lines)"
set xlabel "lines processed"
set ylabel "RSS (MiB)"
set yrange [0:*]
set grid
plot "$OUT/rss_lines.tsv" using 1:2 with lines lw 2 title "RSS"
GP
  echo "plot: $OUT/rss.png" >&2
fi
