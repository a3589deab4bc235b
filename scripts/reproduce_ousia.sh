#!/usr/bin/env bash
# Taxonomy transfer, the second seed system's experiment (its Table 1), with nertool's multitask tagger, for any
# source and target named in an experiment file (docs/taxonomy.md, "Setting up a transfer experiment"; the default
# is configs/transfer/ontonotes5_to_conll2003.json). A source model is trained once on the source data in the source
# taxonomy; then, for every target training-set size and seed, on the first N target training sentences:
#   direct        the source model, its types mapped by the experiment's type map (once: it sees no target data)
#   finetune-soft stage 2 from the source model, hierarchical soft cross-entropy (encoder and detection frozen)
#   finetune-hard the same with the hard cross-entropy (ablation)
#   finetune-soft-detector  the soft loss with the detection CRF trained too (model.multitask.stage2_detection_weight
#                 1, train.freeze leaving it out; the encoder stays frozen)
#   scratch       the source config trained on the N sentences alone, in the target taxonomy (no transfer)
# Every row is scored on the full target test file: exact-type precision / recall / F1 (seqeval's numbers) and the
# partial-credit F1 in the target taxonomy.
#
# Usage: scripts/reproduce_ousia.sh [--experiment FILE] [--data DIR] [--out DIR] [--sizes "1000"] [--seeds "42"]
#                                   [--threads N] [--jobs N] [--pretrain-epochs N] [--finetune-epochs N]
#                                   [--set key=value ...] [--set-for SIZE "key=value ..."]
#   --experiment FILE      source and target: data folders, files, taxonomies, type map, configs (JSON)
#   --data DIR             folder the experiment's data folders are relative to (default: ../shared/data)
#   --out DIR              run directories (default: runs/<experiment name>)
#   --results DIR          where the table, the JSON and the plot go (default: results/)
#   --sizes "N ..."        target training-set sizes, in sentences; "all" is the whole file (default: 1000)
#   --seeds "S ..."        seeds of the target rows, for each size (default: 42); the source model uses the first
#   --seeds-for SIZE "S ..."  other seeds for one size (e.g. --seeds-for all "42": one seed for the full set, the
#                          costliest); repeatable
#   --rows "R ..."         target rows to run at every size: soft, hard, soft-detector, scratch (default: all four)
#   --rows-for SIZE "R ..."  other rows for one size (e.g. only the best transfer variant and scratch on the
#                          learning curve's other sizes); repeatable
#   --threads N            CPU threads (train.num_threads; default 0 = LibTorch's default)
#   --jobs N               runs at once (default 1; give --threads so that N x threads fits the cores): the scratch
#                          rows beside the source model, then the transfer rows N at a time; each run's log goes to
#                          RUN_DIR.log
#   --pretrain-epochs N    source-model epochs (default: the source config's)
#   --finetune-epochs N    fine-tuning and scratch epochs (default: the configs')
#   --set k=v              extra overrides for every `nertool train` (e.g. model.bilstm_cnn.embeddings=FILE)
#   --set-for SIZE "k=v ..."  extra overrides for the target runs of one size, over --set and --finetune-epochs
#                          (e.g. smaller batches for the smallest sets: --set-for 100 "train.batch_sentences=8");
#                          repeatable
# Environment: NERTOOL (the binary; default build/nertool).
# The source model is also scored on the target test file with types ignored (`nertool eval --untyped`): how many
# target mentions its detector finds, which bounds every transfer row's recall; scripts/detection_recall.py breaks
# that recall down by gold type and kind of sentence (where the detector misses).
# Writes RESULTS/<name>.json (every run's scores) and RESULTS/<name>.md (mean and standard deviation over the seeds
# for every size and row); with two sizes or more also RESULTS/plots/<name>_learning_curve.png (F1 against target
# sentences, log x-axis). A finished run is kept and an interrupted one resumed, so the script can be stopped and
# run again.
set -euo pipefail
. "$(dirname "$0")/lib.sh"  # ROOT, nertool_binary, shared_dir, first_sentences, shell_words, pool_*
ARGS=$(shell_words "$@")
EXPERIMENT="$ROOT/configs/transfer/ontonotes5_to_conll2003.json"
DATA="$(shared_dir)/data" OUT="" RESULTS="$ROOT/results" SIZES="1000" SEEDS="42" THREADS=0
PRE_EPOCHS="" FT_EPOCHS="" SETS=()
declare -A SEEDS_FOR=() ROWS_FOR=() SETS_FOR=()
ROWS="soft hard soft-detector scratch"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --experiment) EXPERIMENT=$2; shift 2 ;;
    --data) DATA=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --results) RESULTS=$2; shift 2 ;;
    --sizes) SIZES=$2; shift 2 ;;
    --seeds) SEEDS=$2; shift 2 ;;
    --seeds-for) SEEDS_FOR[$2]=$3; shift 3 ;;
    --rows) ROWS=$2; shift 2 ;;
    --rows-for) ROWS_FOR[$2]=$3; shift 3 ;;
    --threads) THREADS=$2; shift 2 ;;
    --jobs) POOL_JOBS=$2; shift 2 ;;
    --pretrain-epochs) PRE_EPOCHS=$2; shift 2 ;;
    --finetune-epochs) FT_EPOCHS=$2; shift 2 ;;
    --set) SETS+=(--set "$2"); shift 2 ;;
    --set-for) SETS_FOR[$2]=$3; shift 3 ;;
    -h|--help) script_help "$0"; exit 0 ;;
    *) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
NERTOOL=$(nertool_binary)
for rows in "$ROWS" "${ROWS_FOR[@]}"; do
  for row in $rows; do
    [[ $row =~ ^(soft|hard|soft-detector|scratch)$ ]] ||
      { echo "error: unknown row '$row' (rows: soft, hard, soft-detector, scratch)" >&2; exit 2; }
  done
done
[[ -f $EXPERIMENT ]] || { echo "error: experiment file not found: $EXPERIMENT" >&2; exit 2; }

# The experiment file as shell variables (absolute paths), checked: every key present, every file there.
eval "$(python3 - "$EXPERIMENT" "$DATA" <<'PY'
import json, os, shlex, sys
path, data = sys.argv[1], sys.argv[2]
def fail(message):
    print(f"error: {path}: {message}", file=sys.stderr)
    print("exit 2")
    sys.exit(0)
try:
    e = json.load(open(path))
except (OSError, ValueError) as err:
    fail(f"not a readable JSON file ({err})")
if not isinstance(e, dict):
    fail("must be a JSON object")
here = os.path.dirname(os.path.abspath(path))
def get(obj, key, where):
    if not isinstance(obj, dict) or not isinstance(obj.get(key), str) or not obj[key]:
        fail(f"{where}{key}: missing (a non-empty string)")
    return obj[key]
def beside(p):
    return os.path.normpath(p if os.path.isabs(p) else os.path.join(here, p))
out = {"NAME": get(e, "name", ""), "TYPE_MAP": beside(get(e, "type_map", "")),
       "SOURCE_CONFIG": beside(get(e, "source_config", "")), "FINETUNE_CONFIG": beside(get(e, "finetune_config", ""))}
for side, files in [("source", ["train", "valid"]), ("target", ["train", "valid", "test"])]:
    s = e.get(side)
    folder = get(s, "data", side + ".")
    folder = folder if os.path.isabs(folder) else os.path.join(data, folder)
    out[side.upper() + "_TAX"] = beside(get(s, "taxonomy", side + "."))
    for f in files:
        out[f"{side.upper()}_{f.upper()}"] = os.path.normpath(os.path.join(folder, get(s, f, side + ".")))
for key, value in out.items():
    if key != "NAME" and not os.path.isfile(value):
        fail(f"{key.lower()}: {value} is not a file")
for key, value in out.items():
    print(f"{key}={shlex.quote(value)}")
PY
)"
OUT=${OUT:-$ROOT/runs/$NAME}
mkdir -p "$OUT" "$RESULTS"
read -r SOURCE_SEED _ <<< "$SEEDS"
COMMON=(--set "train.num_threads=$THREADS" "${SETS[@]}")
PRE_SET=() FT_SET=()
[[ -n $PRE_EPOCHS ]] && PRE_SET=(--set "train.max_epochs=$PRE_EPOCHS")
[[ -n $FT_EPOCHS ]] && FT_SET=(--set "train.max_epochs=$FT_EPOCHS")

# train RUN_DIR ARGS...: `nertool train` unless RUN_DIR is finished; resumed when interrupted. The caller's
# size_sets (--set-for) go last.
train() {
  local run=$1 resume=()
  shift
  if [[ -f $run/metadata.json ]] && grep -q '"finished": *true' "$run/metadata.json"; then
    echo "reproduce_ousia: $run done, kept" >&2; return 0
  fi
  [[ -f $run/checkpoint.pt ]] && resume=(--resume)
  local log
  log=$(pool_log "$run")
  echo "+ nertool train --out $run ${resume[*]} $* ${size_sets[*]:-} (log: $log)" >&2
  "$NERTOOL" train --out "$run" "${resume[@]}" "$@" "${COMMON[@]}" ${size_sets[@]+"${size_sets[@]}"} \
    > "$run.summary.json" 2>> "$log"
}
# evaluate RUN_DIR OUTPUT.json [eval arguments...]: `nertool eval --json` of the run on the target test file, exact and
# partial-credit scores.
evaluate() {
  local run=$1 output=$2
  shift 2
  "$NERTOOL" eval --json --model "$run" --data "$TARGET_TEST" --taxonomy "$TARGET_TAX" "$@" > "$output.tmp"
  mv "$output.tmp" "$output"
}
start=$(date +%s)

# source_model: the source model, scored on the target test file through the type map and with types ignored.
source_model() {
  train "$OUT/source" --config "$SOURCE_CONFIG" --data "$(dirname "$SOURCE_TRAIN")" --seed "$SOURCE_SEED" \
    --set "data.train=$SOURCE_TRAIN" --set "data.valid=$SOURCE_VALID" --set data.test= \
    --set "model.multitask.taxonomy=$SOURCE_TAX" "${PRE_SET[@]}"
  evaluate "$OUT/source" "$OUT/direct.eval.json" --type-map "$TYPE_MAP"
  source_detection "$OUT/source"
}
# source_detection RUN_DIR: one tagging pass of the target test file, then the mentions found with types ignored:
# scored (`eval --untyped`: detection.eval.json) and broken down by gold type and kind of sentence
# (scripts/detection_recall.py: detection.breakdown.json), which shows where the source detector misses.
source_detection() {
  local predicted="$OUT/detection.predicted.txt"
  "$NERTOOL" predict --model "$1" --input "$TARGET_TEST" > "$predicted.tmp"
  mv "$predicted.tmp" "$predicted"
  "$NERTOOL" eval --json --untyped --file "$predicted" > "$OUT/detection.eval.json.tmp"
  python3 "$ROOT/scripts/detection_recall.py" "$predicted" --json > "$OUT/detection.breakdown.json.tmp"
  mv "$OUT/detection.eval.json.tmp" "$OUT/detection.eval.json"
  mv "$OUT/detection.breakdown.json.tmp" "$OUT/detection.breakdown.json"
}
# seeds_of SIZE, rows_of SIZE: the seeds and the rows of that size.
seeds_of() { echo "${SEEDS_FOR[$1]:-$SEEDS}"; }
rows_of() { echo "${ROWS_FOR[$1]:-$ROWS}"; }
# target_row SIZE SEED ROW: one row of the table for one size and seed, trained and scored.
target_row() {
  local size=$1 seed=$2 row=$3 runs="$OUT/n$1-seed$2"
  # The test file is scored once, by evaluate, not after every epoch: half the scoring time of a small run.
  local target=(--data "$OUT/target-$size" --set data.train=train.txt --set "data.valid=$TARGET_VALID"
                --set data.test=) overrides override
  read -r -a overrides <<< "${SETS_FOR[$size]:-}"
  local size_sets=()  # read by train: last on its command line, so they win
  for override in ${overrides[@]+"${overrides[@]}"}; do size_sets+=(--set "$override"); done
  mkdir -p "$runs"
  if [[ $row == scratch ]]; then
    train "$runs/scratch" --config "$SOURCE_CONFIG" "${target[@]}" --seed "$seed" \
      --set "model.multitask.taxonomy=$TARGET_TAX" "${FT_SET[@]}"
    evaluate "$runs/scratch" "$runs/scratch.eval.json"
    return
  fi
  local variant=(--set "model.multitask.loss=${row%-detector}")
  [[ $row == *-detector ]] && variant+=(--set model.multitask.stage2_detection_weight=1
                                        --set 'train.freeze=["encoder."]')
  train "$runs/finetune-$row" --config "$FINETUNE_CONFIG" --init "$OUT/source" "${target[@]}" --seed "$seed" \
    --set "model.multitask.taxonomy=$SOURCE_TAX" --set "model.multitask.target_taxonomy=$TARGET_TAX" \
    "${variant[@]}" "${FT_SET[@]}"
  evaluate "$runs/finetune-$row" "$runs/finetune-$row.eval.json"
}

for size in $SIZES; do
  mkdir -p "$OUT/target-$size"
  first_sentences "$TARGET_TRAIN" "$([[ $size == all ]] && echo 0 || echo "$size")" > "$OUT/target-$size/train.txt"
done
# Scratch rows need no source model: with --jobs they run beside it; the transfer rows wait for it.
pool_run source_model
source_job=$POOL_LAST
for pass in scratch transfer; do
  [[ $pass == transfer ]] && pool_wait $source_job
  for size in $SIZES; do
    for seed in $(seeds_of "$size"); do
      for row in $(rows_of "$size"); do
        if [[ $pass == scratch && $row == scratch || $pass == transfer && $row != scratch ]]; then
          pool_run target_row "$size" "$seed" "$row"
        fi
      done
    done
  done
done
pool_wait

SEEDS_BY_SIZE=$(for size in $SIZES; do printf '%s=%s;' "$size" "$(seeds_of "$size")"; done)
ROWS_BY_SIZE=$(for size in $SIZES; do printf '%s=%s;' "$size" "$(rows_of "$size")"; done)
python3 - "$OUT" "$NAME" "$SIZES" "$SEEDS_BY_SIZE" "$(( $(date +%s) - start ))" "$RESULTS" "$ARGS" "$EXPERIMENT" \
  "$TARGET_TRAIN" "$ROWS_BY_SIZE" <<'PY'
import json, os, statistics, subprocess, sys
out, name, sizes, seeds_by_size, seconds, results, args, experiment, target_train, rows_by_size = sys.argv[1:11]
sizes = sizes.split()
def by_size(text):
    return {k: v.split() for k, v in (item.split("=", 1) for item in text.split(";") if item)}
seeds_of, rows_of = by_size(seeds_by_size), by_size(rows_by_size)
labels = {"direct": "Direct (source model + type map)", "finetune-soft": "Fine-tuned, hierarchical soft loss",
          "finetune-hard": "Fine-tuned, hard loss",
          "finetune-soft-detector": "Fine-tuned, soft loss, detector trained too",
          "scratch": "Same architecture, target sentences alone"}
target_rows = ["finetune-soft", "finetune-hard", "finetune-soft-detector", "scratch"]
def scores(path):
    r = json.load(open(path))
    m = r["micro avg"]
    return {"precision": m["precision"], "recall": m["recall"], "f1": m["f1"],
            "partial_f1": r["partial_credit"]["partial_credit"]["f1"]}
def sentences(path):
    n, k = 0, 0
    for line in open(path, encoding="utf-8", errors="replace"):
        if line.strip() and not line.startswith("-DOCSTART-"): k += 1
        elif not line.strip() and k: n, k = n + 1, 0
    return n + (1 if k else 0)
direct = scores(os.path.join(out, "direct.eval.json"))
detection = json.load(open(os.path.join(out, "detection.eval.json")))["micro avg"]
detection = {k: detection[k] for k in ["precision", "recall", "f1", "support", "predicted", "correct"]}
breakdown = json.load(open(os.path.join(out, "detection.breakdown.json")))
runs = []
for size in sizes:
    n = sentences(os.path.join(out, f"target-{size}", "train.txt"))
    for seed in seeds_of[size]:
        for row in target_rows:
            if (row if row == "scratch" else row[len("finetune-"):]) not in rows_of[size]:
                continue
            runs.append({"size": size, "sentences": n, "seed": int(seed), "row": row,
                         **scores(os.path.join(out, f"n{size}-seed{seed}", row + ".eval.json"))})
def mean_sd(xs):
    return 100 * statistics.mean(xs), 100 * (statistics.stdev(xs) if len(xs) > 1 else 0.0)
summary = []
for size in sizes:
    for row in target_rows:
        rs = [r for r in runs if r["size"] == size and r["row"] == row]
        if not rs:
            continue
        summary.append({"size": size, "sentences": rs[0]["sentences"], "row": row, "seeds": len(rs),
                        **{k: mean_sd([r[k] for r in rs]) for k in ["precision", "recall", "f1", "partial_f1"]}})
doc = {"experiment": experiment, "command": "scripts/reproduce_ousia.sh " + args, "wall_seconds": int(seconds),
       "source_detection": detection, "source_detection_breakdown": breakdown, "direct": direct, "runs": runs,
       "summary": summary}
def write(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)
write(os.path.join(results, name + ".json"), json.dumps(doc, indent=1) + "\n")
def pct(ms, seeds):
    return f"{ms[0]:.2f} ± {ms[1]:.2f}" if seeds > 1 else f"{ms[0]:.2f}"
seed_lists = {" ".join(seeds_of[size]) for size in sizes}
if len(seed_lists) == 1:
    only = seeds_of[sizes[0]]
    seeds_text = (f", mean ± standard deviation over seeds {', '.join(only)}." if len(only) > 1
                  else f" (seed {only[0]}).")
else:
    seeds_text = ("; mean ± standard deviation over the seeds of each size (" +
                  "; ".join(f"{size}: {', '.join(seeds_of[size])}" for size in sizes) + ").")
lines = [f"Taxonomy transfer ({os.path.basename(experiment)}), scored on the target test file; target rows trained on "
         f"the first N sentences of {os.path.basename(os.path.dirname(target_train))}/{os.path.basename(target_train)}"
         + seeds_text, f"Command: `scripts/reproduce_ousia.sh {args}`", "",
         f"Source model's mention detection on the target test file, types ignored (`nertool eval --untyped`): "
         f"precision {100*detection['precision']:.2f}, recall {100*detection['recall']:.2f}, "
         f"F1 {100*detection['f1']:.2f} ({detection['correct']} of {detection['support']} target mentions found).", "",
         "Its recall by gold type and by kind of sentence (`scripts/detection_recall.py`): " + "; ".join(
             f"{key} {100*row['recall']:.1f} ({row['found']} of {row['mentions']})"
             for key, row in breakdown["recall"].items() if key != "all") +
         "; with a leading \"the\" dropped from its mentions, recall "
         f"{100*breakdown['recall_without_leading_the']:.1f}.",
         "",
         "| target sentences | approach | precision | recall | F1 | partial-credit F1 |",
         "| --- | --- | --- | --- | --- | --- |",
         f"| - | {labels['direct']} | {100*direct['precision']:.2f} | {100*direct['recall']:.2f} | "
         f"{100*direct['f1']:.2f} | {100*direct['partial_f1']:.2f} |"]
for s in summary:
    k = s["seeds"]
    lines.append(f"| {s['sentences']} | {labels[s['row']]} | {pct(s['precision'], k)} | {pct(s['recall'], k)} | "
                 f"{pct(s['f1'], k)} | {pct(s['partial_f1'], k)} |")
write(os.path.join(results, name + ".md"), "\n".join(lines) + "\n")
print("\n".join(lines))
if len(sizes) > 1:
    os.makedirs(os.path.join(results, "plots"), exist_ok=True)
    data = os.path.join(out, "learning_curve.dat")
    titles = {"finetune-soft": "fine-tuned, soft loss", "finetune-hard": "fine-tuned, hard loss",
              "finetune-soft-detector": "fine-tuned, soft loss, detector trained", "scratch": "scratch"}
    plotted = []  # one data block per row that has points, in ascending sentences
    with open(data, "w") as f:
        for row in target_rows:
            points = sorted((s for s in summary if s["row"] == row), key=lambda s: s["sentences"])
            if not points:
                continue
            for s in points:
                f.write(f"{s['sentences']} {s['f1'][0]} {s['f1'][1]}\n")
            f.write("\n\n")
            plotted.append(row)
    png = os.path.join(results, "plots", name + "_learning_curve.png")
    curves = ", ".join(f"'{data}' index {i} using 1:2:3 with yerrorlines title '{titles[row]}'"
                       for i, row in enumerate(plotted))
    script = (f"set terminal pngcairo size 800,500\nset output '{png}'\nset logscale x\n"
              "set xlabel 'target training sentences'\n"
              "set ylabel 'exact-type F1 (%)'\nset key bottom right\nset grid\n"
              f"plot {curves}, {100*direct['f1']} with lines dashtype 2 title 'direct'\n")
    subprocess.run(["gnuplot"], input=script.encode(), check=False)
PY
