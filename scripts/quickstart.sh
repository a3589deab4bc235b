#!/usr/bin/env bash
# The README's main command: installs dependencies, builds nertool, trains a tagger, evaluates it and tags a file.
#
#   scripts/quickstart.sh                      # BiLSTM-CNN on the bundled sample (data/sample), 8 epochs: ~10 s once built
#   scripts/quickstart.sh --data ../shared/data/conll2003   # configs/bilstm_cnn.json on CoNLL-2003 (README results)
#   scripts/quickstart.sh --config configs/bilstm_cnn.json --out runs/mine --set train.max_epochs=20
#
# Options: --data DIR (folder with train.txt/valid.txt/test.txt), --config FILE (default configs/bilstm_cnn.json;
# on the sample configs/bilstm_cnn_paper.json, whose constant high learning rate learns its 170 sentences in 8
# epochs, where bilstm_cnn.json's decaying one needs about 15), --out RUN_DIR (default runs/quickstart-<config
# name>), --epochs N (default: 8 on the sample, the config's own value otherwise), --set key=value (repeatable,
# passed to nertool train). BUILD_DIR picks the build folder.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

DATA=""
CONFIG=""
OUT=""
EPOCHS=""
SETS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --data) DATA=$2; shift 2 ;;
    --config) CONFIG=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --epochs) EPOCHS=$2; shift 2 ;;
    --set) SETS+=(--set "$2"); shift 2 ;;
    -h|--help) script_help "$ROOT/scripts/quickstart.sh"; exit 0 ;;
    *) echo "quickstart: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

SAMPLE=0
if [ -z "$DATA" ]; then
  DATA=data/sample
  SAMPLE=1
  EPOCHS=${EPOCHS:-8}
  CONFIG=${CONFIG:-configs/bilstm_cnn_paper.json}
fi
CONFIG=${CONFIG:-configs/bilstm_cnn.json}
[ -f "$CONFIG" ] || { echo "quickstart: config $CONFIG not found" >&2; exit 2; }
[ -d "$DATA" ] || { echo "quickstart: data directory $DATA not found" >&2; exit 2; }
NAME=$(basename "$CONFIG" .json)
OUT=${OUT:-runs/quickstart-$NAME}
if [ -e "$OUT" ]; then
  OUT="$OUT-$(date +%Y%m%d-%H%M%S)"
fi

bash scripts/install_deps.sh
TARGETS=nertool bash scripts/build.sh  # the tool only: the test programs are scripts/test.sh's
BUILD_DIR=${BUILD_DIR:-build}
NERTOOL="$BUILD_DIR/nertool"

TRAIN_ARGS=(--config "$CONFIG" --data "$DATA" --out "$OUT" --set data.test=test.txt)
if [ -n "$EPOCHS" ]; then TRAIN_ARGS+=(--set "train.max_epochs=$EPOCHS"); fi
if [ "$SAMPLE" = 1 ]; then
  # The sample is tiny: smaller batches give the optimizer enough steps in a few epochs.
  TRAIN_ARGS+=(--set train.batch_tokens=100 --set train.patience=0)
fi
TRAIN_ARGS+=("${SETS[@]}")

echo "== training: $NERTOOL train ${TRAIN_ARGS[*]}"
"$NERTOOL" train "${TRAIN_ARGS[@]}"

echo "== evaluating on $DATA/test.txt"
"$NERTOOL" eval --model "$OUT" --data "$DATA/test.txt" | tee "$OUT/test_report.txt"

echo "== tagging $DATA/test.txt"
"$NERTOOL" predict --model "$OUT" --input "$DATA/test.txt" --format conll --output "$OUT/test.predicted.conll"
"$NERTOOL" predict --model "$OUT" --input "$DATA/test.txt" --format spans --output "$OUT/test.spans.jsonl"

cat <<MSG

Done. Outputs in $OUT/:
  model (run directory)   $OUT   (config.json, model.pt, labels.json, vocabularies, metadata.json)
  per-epoch metrics       $OUT/metrics.jsonl
  F1 plot                 $OUT/f1.png
  test report             $OUT/test_report.txt
  tagged test file        $OUT/test.predicted.conll   (input columns + predicted label)
  entity spans            $OUT/test.spans.jsonl
Tag your own text:  $NERTOOL predict --model $OUT --input-format text --input FILE --format spans
MSG
