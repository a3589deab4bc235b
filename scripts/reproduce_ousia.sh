#!/usr/bin/env bash
# The taxonomy-transfer experiment of the second seed system (its Table 1), with nertool's multitask tagger:
# source = OntoNotes 5.0 (configs/taxonomies/ontonotes5.json), target = CoNLL-2003 with only its first N training
# sentences (configs/taxonomies/conll2003.json), evaluated on the full CoNLL-2003 test set. Rows:
#   direct        the source model, its types mapped by configs/type_maps/ontonotes5_to_conll2003.json
#   finetune-soft stage 2 from the source model, hierarchical soft cross-entropy (encoder and detection frozen)
#   finetune-hard the same with the hard cross-entropy (ablation)
#   scratch       the same architecture trained on the N sentences alone (CoNLL taxonomy, no transfer)
# Each row: exact-type precision / recall / F1 (seqeval's numbers) and the partial-credit F1 in the CoNLL taxonomy.
#
# Usage: scripts/reproduce_ousia.sh [--data DIR] [--out DIR] [--sentences N] [--threads N] [--seed N]
#                                   [--pretrain-epochs N] [--finetune-epochs N] [--set key=value ...]
#   --data DIR             folder holding ontonotes5/ and conll2003/ (default: ../shared/data)
#   --out DIR              run directories (default: runs/ousia)
#   --sentences N          CoNLL-2003 training sentences used by the target rows (default 1000)
#   --threads N            CPU threads (train.num_threads; default 0 = LibTorch's default)
#   --seed N               training seed (default 42)
#   --pretrain-epochs N    stage-1 epochs (default: the config's)
#   --finetune-epochs N    stage-2 and scratch epochs (default: the config's)
#   --set k=v              extra overrides for every `nertool train` (e.g. model.bilstm_cnn.embeddings=FILE)
# Environment: NERTOOL (the binary; default build/nertool).
# Writes results/ousia.json and results/ousia.md (the table). A stage whose run directory already holds a model is
# not trained again, so an interrupted run continues where it stopped (an interrupted stage: resume it with
# nertool train --resume --out RUN_DIR, then run this script again).
set -euo pipefail
. "$(dirname "$0")/lib.sh"  # ROOT, nertool_binary, first_sentences
ARGS="$*"
DATA="$ROOT/../shared/data" OUT="$ROOT/runs/ousia" N=1000 THREADS=0 SEED=42 PRE_EPOCHS="" FT_EPOCHS="" SETS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --data) DATA=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --sentences) N=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --pretrain-epochs) PRE_EPOCHS=$2; shift 2 ;;
    --finetune-epochs) FT_EPOCHS=$2; shift 2 ;;
    --set) SETS+=(--set "$2"); shift 2 ;;
    -h|--help) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
NERTOOL=$(nertool_binary)
for f in ontonotes5/train.txt ontonotes5/dev.txt conll2003/train.txt conll2003/valid.txt conll2003/test.txt; do
  [[ -f $DATA/$f ]] || { echo "error: missing $DATA/$f" >&2; exit 1; }
done
SOURCE_TAX="$ROOT/configs/taxonomies/ontonotes5.json"
TARGET_TAX="$ROOT/configs/taxonomies/conll2003.json"
TYPE_MAP="$ROOT/configs/type_maps/ontonotes5_to_conll2003.json"
mkdir -p "$OUT" "$ROOT/results"

# The first N sentences of CoNLL-2003 train (-DOCSTART- lines kept), full valid and test.
SUBSET="$OUT/conll2003-first$N"
mkdir -p "$SUBSET"
first_sentences "$DATA/conll2003/train.txt" "$N" > "$SUBSET/train.txt"
cp "$DATA/conll2003/valid.txt" "$DATA/conll2003/test.txt" "$SUBSET/"

COMMON=(--seed "$SEED" --set "train.num_threads=$THREADS" "${SETS[@]}")
train() {  # run_dir, nertool train arguments...
  local dir=$1
  shift
  if [[ -f $dir/model.pt && -f $dir/train_summary.json ]]; then echo "reproduce_ousia: $dir done, kept" >&2; return; fi
  echo "running: $NERTOOL train $* --out $dir" >&2
  "$NERTOOL" train "$@" --out "$dir" "${COMMON[@]}" > "$dir.summary.json.tmp"
  mkdir -p "$dir" && mv "$dir.summary.json.tmp" "$dir/train_summary.json"
}
evaluate() {  # row name, eval arguments...
  local row=$1
  shift
  "$NERTOOL" eval --json --taxonomy "$TARGET_TAX" --data "$SUBSET/test.txt" "$@" > "$OUT/$row.eval.json"
}
PRE_SET=() FT_SET=()
[[ -n $PRE_EPOCHS ]] && PRE_SET=(--set "train.max_epochs=$PRE_EPOCHS")
[[ -n $FT_EPOCHS ]] && FT_SET=(--set "train.max_epochs=$FT_EPOCHS")
TAX_SET=(--set "model.multitask.taxonomy=$SOURCE_TAX")
start=$(date +%s)

train "$OUT/pretrain" --config "$ROOT/configs/multitask_pretrain.json" --data "$DATA/ontonotes5" "${TAX_SET[@]}" "${PRE_SET[@]}"
evaluate direct --model "$OUT/pretrain" --type-map "$TYPE_MAP"
for loss in soft hard; do
  train "$OUT/finetune-$loss" --config "$ROOT/configs/multitask_finetune.json" --init "$OUT/pretrain" --data "$SUBSET" \
    "${TAX_SET[@]}" --set "model.multitask.target_taxonomy=$TARGET_TAX" --set "model.multitask.loss=$loss" "${FT_SET[@]}"
  evaluate "finetune-$loss" --model "$OUT/finetune-$loss"
done
train "$OUT/scratch" --config "$ROOT/configs/multitask_pretrain.json" --data "$SUBSET" \
  --set "model.multitask.taxonomy=$TARGET_TAX" --set data.valid=valid.txt "${FT_SET[@]}"
evaluate scratch --model "$OUT/scratch"

python3 - "$OUT" "$N" "$SEED" "$(( $(date +%s) - start ))" "$ROOT/results" "$ARGS" <<'EOF'
import json, os, sys
out, n, seed, seconds, results, args = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
rows = []
for row, label in [("direct", "Direct (source model + type map)"), ("finetune-soft", "Fine-tuned, hierarchical soft loss"),
                   ("finetune-hard", "Fine-tuned, hard loss"), ("scratch", f"Trained on the {n} sentences alone")]:
    r = json.load(open(os.path.join(out, row + ".eval.json")))
    m = r["micro avg"]
    rows.append({"row": row, "label": label, "precision": m["precision"], "recall": m["recall"], "f1": m["f1"],
                 "partial_f1": r["partial_credit"]["partial_credit"]["f1"]})
doc = {"experiment": "taxonomy transfer OntoNotes 5.0 -> CoNLL-2003", "target_train_sentences": n, "seed": seed,
       "command": "scripts/reproduce_ousia.sh " + args, "wall_seconds": seconds, "rows": rows}
tmp = os.path.join(results, "ousia.json.tmp")
json.dump(doc, open(tmp, "w"), indent=2)
os.replace(tmp, os.path.join(results, "ousia.json"))
lines = [f"CoNLL-2003 test, target model trained on the first {n} CoNLL-2003 training sentences (seed {seed}).",
         f"Command: scripts/reproduce_ousia.sh {args}", "",
         "| approach | precision | recall | F1 | partial-credit F1 |", "| --- | --- | --- | --- | --- |"]
lines += [f"| {r['label']} | {100*r['precision']:.2f} | {100*r['recall']:.2f} | {100*r['f1']:.2f} | {100*r['partial_f1']:.2f} |"
          for r in rows]
tmp = os.path.join(results, "ousia.md.tmp")
open(tmp, "w").write("\n".join(lines) + "\n")
os.replace(tmp, os.path.join(results, "ousia.md"))
print("\n".join(lines))
EOF
