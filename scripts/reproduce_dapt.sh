#!/usr/bin/env bash
# The seed's transfer claim at small scale (docs/pretraining.md): does further pretraining on in-domain text help
# NER? A small RoBERTa (4 x 256, roberta-base tokenizer) is
#   1. pretrained from scratch as a masked LM on OntoNotes 5.0 + CoNLL-2003 train text (domain-adaptive data;
#      never valid or test): configs/pretrain_roberta_small.json;
#   2. continued on the news text of CoNLL-2003 train alone (task-adaptive: the RoBERTa_news step):
#      configs/tapt_roberta_small.json;
#   3. fine-tuned on CoNLL-2003 from each (rows "pretrained" and "pretrained+tapt") and from random initialisation
#      ("scratch"), SEEDS fine-tuning seeds per row: configs/roberta_small_finetune.json.
# Writes results/dapt.md (test F1 at the best dev epoch, mean and standard deviation per row), results/dapt.json and
# results/plots/dapt_mlm_loss.png (the masked-LM loss curves of steps 1 and 2).
#
# Usage: scripts/reproduce_dapt.sh [--data DIR] [--out DIR] [--seeds "1 2 3"] [--threads N] [--jobs N]
#                                  [--pretrain-epochs N] [--tapt-epochs N] [--finetune-epochs N] [--set KEY=VALUE]...
# --jobs N runs up to N steps at once (give --threads so that N x threads fits the cores): the scratch fine-tunes
# beside the pretraining chain, then the others N at a time; each step's log goes to RUN_DIR.log. --set goes to
# every step (for example --set train.precision=bf16).
# Every step resumes: a finished run is kept, an interrupted one continues from its checkpoint (--resume), so the
# script can be stopped and run again across sessions.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
DATA="$(shared_dir)/data" OUT="$ROOT/runs/dapt" SEEDS="1 2 3" THREADS=0 PRE="" TAPT="" FT="" SETS=()
ARGS=$(shell_words "$@")  # the command as recorded in results/dapt.json
while [[ $# -gt 0 ]]; do
  case $1 in
    --data) DATA=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --seeds) SEEDS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --jobs) POOL_JOBS=$2; shift 2 ;;
    --set) SETS+=(--set "$2"); shift 2 ;;
    --pretrain-epochs) PRE=$2; shift 2 ;;
    --tapt-epochs) TAPT=$2; shift 2 ;;
    --finetune-epochs) FT=$2; shift 2 ;;
    -h|--help) script_help "$0"; exit 0 ;;
    *) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
NERTOOL=$(nertool_binary)
TOKENIZER=$DATA/tokenizers/roberta-base
for f in "$DATA/ontonotes5/train.txt" "$DATA/conll2003/train.txt" "$TOKENIZER/vocab.json"; do
  [[ -f $f ]] || { echo "skipping: $f not found"; exit 0; }
done
mkdir -p "$OUT"

# step COMMAND RUN_DIR ARGS...: runs `nertool COMMAND` unless RUN_DIR is finished; resumes it when interrupted.
step() {
  local command=$1 run=$2; shift 2
  if [[ -f $run/metadata.json ]] && grep -q '"finished": *true' "$run/metadata.json"; then
    echo "done already: $run" >&2; return 0
  fi
  local resume=()
  [[ -f $run/checkpoint.pt ]] && resume=(--resume)
  local log
  log=$(pool_log "$run")
  echo "+ nertool $command --out $run ${resume[*]} $* ${SETS[*]} (log: $log)" >&2
  "$NERTOOL" "$command" --out "$run" "${resume[@]}" "$@" ${SETS[@]+"${SETS[@]}"} \
    --set train.num_threads="$THREADS" > "$run.summary.json" 2>> "$log"
}

finetune() {  # finetune ROW SEED
  local row=$1 seed=$2 init=()
  [[ $row == pretrained ]] && init=(--set model.pretrained="$OUT/pretrain")
  [[ $row == pretrained+tapt ]] && init=(--set model.pretrained="$OUT/tapt")
  step train "$OUT/finetune-$row-seed$seed" --config "$ROOT/configs/roberta_small_finetune.json" \
    --data "$DATA/conll2003" --set model.tokenizer="$TOKENIZER" --seed "$seed" ${init[@]+"${init[@]}"} \
    ${FT:+--set train.max_epochs=$FT}
}

pretraining_chain() {
  step pretrain "$OUT/pretrain" --config "$ROOT/configs/pretrain_roberta_small.json" --data "$DATA" \
    --set model.tokenizer="$TOKENIZER" ${PRE:+--set train.max_epochs=$PRE}
  step pretrain "$OUT/tapt" --config "$ROOT/configs/tapt_roberta_small.json" --data "$DATA" \
    --set model.pretrained="$OUT/pretrain" ${TAPT:+--set train.max_epochs=$TAPT}
}

# The scratch row needs no pretraining: with --jobs it runs beside the chain; the other rows wait for the chain.
pool_run pretraining_chain
chain=$POOL_LAST
for seed in $SEEDS; do pool_run finetune scratch "$seed"; done
pool_wait $chain
for seed in $SEEDS; do
  for row in pretrained pretrained+tapt; do pool_run finetune "$row" "$seed"; done
done
pool_wait
PYTHON=${PYTHON:-python3}
"$PYTHON" - "$OUT" "$ROOT/results" "$SEEDS" "$ARGS" <<'PY'
import json, os, statistics, subprocess, sys
out, results, seeds, args = sys.argv[1], sys.argv[2], sys.argv[3].split(), sys.argv[4]
rows = {}
for row in ["scratch", "pretrained", "pretrained+tapt"]:
    scores = []
    for seed in seeds:
        meta = json.load(open(os.path.join(out, f"finetune-{row}-seed{seed}", "metadata.json")))
        scores.append({"seed": int(seed), "dev_f1": meta["dev"]["f1"], "test_f1": meta["test"]["f1"]})
    rows[row] = scores
mlm = {}
for run in ["pretrain", "tapt"]:
    mlm[run] = [json.loads(l) for l in open(os.path.join(out, run, "metrics.jsonl"))]
json.dump({"command": "scripts/reproduce_dapt.sh " + args, "finetune": rows, "mlm": mlm},
          open(os.path.join(results, "dapt.json"), "w"), indent=1)
def mean_sd(xs):
    return 100 * statistics.mean(xs), 100 * (statistics.stdev(xs) if len(xs) > 1 else 0.0)
lines = ["# Small-scale domain- and task-adaptive pretraining (scripts/reproduce_dapt.sh)", "",
         "Command: `scripts/reproduce_dapt.sh " + args + "`", "",
         "Test F1 at the epoch with the best dev F1; mean ± sample standard deviation over the fine-tuning seeds.", "",
         "| row | seeds | dev F1 | test F1 | test F1 by seed |", "|---|---|---|---|---|"]
for row, scores in rows.items():
    d, t = mean_sd([s["dev_f1"] for s in scores]), mean_sd([s["test_f1"] for s in scores])
    by_seed = ", ".join(f"{s['seed']}: {100 * s['test_f1']:.2f}" for s in scores)
    lines.append(f"| {row} | {len(scores)} | {d[0]:.2f} ± {d[1]:.2f} | {t[0]:.2f} ± {t[1]:.2f} | {by_seed} |")
lines += ["", "Masked-LM held-out loss / accuracy by epoch:", ""]
for run, recs in mlm.items():
    lines.append(f"- {run}: " + ", ".join(f"{r['epoch']}: {r['dev_loss']:.3f} / {100 * r['dev_accuracy']:.1f}%"
                                          for r in recs))
open(os.path.join(results, "dapt.md"), "w").write("\n".join(lines) + "\n")
os.makedirs(os.path.join(results, "plots"), exist_ok=True)
data = os.path.join(out, "mlm_loss.dat")
with open(data, "w") as f:
    for run, recs in mlm.items():
        for r in recs:
            f.write(f"{r['epoch']} {r['train_loss']} {r['dev_loss']}\n")
        f.write("\n\n")
script = (f"set terminal pngcairo size 800,500\nset output '{results}/plots/dapt_mlm_loss.png'\n"
          "set xlabel 'epoch'\nset ylabel 'masked-LM loss'\nset grid\n"
          f"plot '{data}' index 0 using 1:2 w lp title 'pretrain: train', "
          "'' index 0 using 1:3 w lp title 'pretrain: held-out', "
          f"'' index 1 using 1:2 w lp title 'tapt: train', '' index 1 using 1:3 w lp title 'tapt: held-out'\n")
subprocess.run(["gnuplot"], input=script.encode(), check=False)
print(open(os.path.join(results, "dapt.md")).read())
PY
