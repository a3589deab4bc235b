#!/usr/bin/env bash
# Reproduces the seed paper's Table 3 (CoNLL-2003 English) with nertool: one row, or every row it has weights
# for, records each in results/, prints nertool's valid/test F1 beside the seed's and the best published figure,
# and can act as a regression gate for a CI.
#
# Usage: scripts/reproduce_table3.sh ROW|all [options]
#   ROW                bilstm_cnn       BiLSTM-CNN, the paper's softmax output (configs/bilstm_cnn.json)
#                      bilstm_cnn_crf   the same with a CRF output
#                      bert_base_cased  BERT-base cased (configs/bert_base_cased.json; weights bert-base-cased)
#                      roberta_base     RoBERTa-base (configs/roberta_base.json; weights roberta-base)
#                      roberta_news     RoBERTa_news (configs/roberta_news.json; weights news_roberta_base)
#                      all              every row above whose weights are there; the others are skipped
#   --recipe R         which config file the BiLSTM rows train with (transformer configs hold their fine-tuning
#                      settings whatever the recipe):
#                      paper (default): configs/bilstm_cnn_paper.json, the seed's exact settings.
#                      tuned: configs/bilstm_cnn.json, the settings of the README's results (lr 0.002 decaying
#                        linearly to 0 over 15 epochs, no early stopping, unk_replace 0.5). Names get "-tuned".
#                      best: the best published recipe. BiLSTM rows: tuned + lexicon features from OntoNotes 5.0
#                        names (Chiu & Nichols' emb + lex; --lexicon overrides); transformer rows: document
#                        context (Devlin et al.'s 92.4 setting). Names get "-best".
#   --weights DIR      converted transformer checkpoints: DIR/bert-base-cased, DIR/roberta-base,
#                      DIR/news_roberta_base (default: models/, where scripts/get_pretrained.sh puts them)
#   --embeddings F     BiLSTM rows: pretrained word vectors (GloVe text, word2vec/fastText .vec, word2vec
#                      binary); nertool takes word_dim from the file. "none" (default): random initialisation.
#   --lexicon L        BiLSTM rows: a lexicon file, "ontonotes5" (built with `nertool lexicon` from --ontonotes)
#                      or "none"; default: what the recipe says (none, or ontonotes5 for best)
#   --ontonotes DIR    OntoNotes 5.0 folder for --lexicon ontonotes5 (default: SHARED/data/ontonotes5)
#   --data DIR         folder with train.txt, valid.txt, test.txt (default: SHARED/data/conll2003)
#   --sentences N      train on the first N training sentences only (a smoke run; the name gets "-nN")
#   --eval-sentences M score on the first M valid and test sentences only
#   --seed N           training seed (default 42)
#   --threads N        intra-op threads for LibTorch (default 0: all cores)
#   --set k=v          extra config overrides for every row (they win over the recipe)
#   --runs DIR         where run directories go: DIR/<name> (default: runs/table3); --out DIR for one row
#   --name NAME        the run's name in results/ (one row only; default <row>[-<embeddings>][-lex][-<recipe>]
#                      [-nN]-seed<seed>)
#   --resume           continue run directories that exist (nertool train --resume)
#   --results DIR      where results go (default: results/): DIR/<name>.json, a row appended to DIR/table3.md,
#                      DIR/plots/<name>.png (F1 per epoch, the seed's Figures 4 and 5), and for `all`
#                      DIR/table3_<recipe>.md, the side-by-side table
#   --expect FILE      recorded expectations, {"<name>": {"valid_f1": x, "test_f1": y}, ...}
#                      (default: results/table3_expected.json)
#   --tolerance T      gate: exit 1 when a row that ran falls more than T F1 points below its expectation
# Environment: NERTOOL (the binary), NERTOOL_SHARED_DIR (SHARED; default ../shared beside the checkout).
# Exit: 0 when every row ran or was skipped for missing weights (and passed the gate), 1 on a failure or a
# gate miss, 2 on bad usage.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage() { script_help "$0"; }
ALL_ROWS=(bilstm_cnn bilstm_cnn_crf bert_base_cased roberta_base roberta_news)

# The BiLSTM rows' config file for the recipe (row_info runs once the options are parsed).
bilstm_config() { [[ $RECIPE == paper ]] && echo bilstm_cnn_paper || echo bilstm_cnn; }

# Every fact about a row, in one place: its config, its overrides, where its weights live (transformers), the
# seed's test F1 and the best published test F1 for the architecture with its source.
row_info() {
  ROW_SETS=() WEIGHTS_NAME="" HUB_NAME=""
  case $1 in
    bilstm_cnn) CONFIG=$(bilstm_config) SEED_TEST=89.10 BEST=91.62
      BEST_SOURCE="Chiu & Nichols 2016, BLSTM-CNN + emb + lex (90.91 without lex)" ;;
    bilstm_cnn_crf) CONFIG=$(bilstm_config) ROW_SETS=(--set model.decoder=crf) SEED_TEST="" BEST=91.21
      BEST_SOURCE="Ma & Hovy 2016, BiLSTM-CNN-CRF" ;;
    bert_base_cased) CONFIG=bert_base_cased WEIGHTS_NAME=bert-base-cased HUB_NAME=bert-base-cased
      SEED_TEST=91.25 BEST=92.4 BEST_SOURCE="Devlin et al. 2019, BERT-base, document context" ;;
    roberta_base) CONFIG=roberta_base WEIGHTS_NAME=roberta-base HUB_NAME=roberta-base SEED_TEST=71.61 BEST=""
      BEST_SOURCE="none published for roberta-base on CoNLL-2003" ;;
    roberta_news) CONFIG=roberta_news WEIGHTS_NAME=news_roberta_base HUB_NAME=allenai/news_roberta_base
      SEED_TEST=78.43 BEST="" BEST_SOURCE="none published" ;;
    *) return 1 ;;
  esac
}

TARGET=${1:-}
case "$TARGET" in
  -h|--help) usage; exit 0 ;;
  all) ROWS=("${ALL_ROWS[@]}") ;;
  *) if [[ " ${ALL_ROWS[*]} " == *" $TARGET "* ]]; then ROWS=("$TARGET"); else
       echo "error: unknown row '$TARGET'; usage: $0 ROW|all [options], ROW one of ${ALL_ROWS[*]} (see --help)" >&2
       exit 2; fi ;;
esac
shift
SHARED=$(shared_dir)
RECIPE=paper EMB=none LEX="" ONTONOTES="$SHARED/data/ontonotes5" DATA="$SHARED/data/conll2003" WEIGHTS="$ROOT/models"
N=0 M=0 SEED=42 THREADS=0 SETS=() RUNS="$ROOT/runs/table3" OUT="" NAME="" RESUME=0 RESULTS="$ROOT/results"
EXPECT="" TOLERANCE=""
need() { [[ $# -ge 2 ]] || { echo "error: $1 needs a value (see --help)" >&2; exit 2; }; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --resume) RESUME=1; shift; continue ;;
    -h|--help) usage; exit 0 ;;
  esac
  need "$@"
  case "$1" in
    --recipe) RECIPE=$2 ;;
    --weights) WEIGHTS=$2 ;;
    --embeddings) EMB=$2 ;;
    --lexicon) LEX=$2 ;;
    --ontonotes) ONTONOTES=$2 ;;
    --data) DATA=$2 ;;
    --sentences) N=$2 ;;
    --eval-sentences) M=$2 ;;
    --seed) SEED=$2 ;;
    --threads) THREADS=$2 ;;
    --set) SETS+=(--set "$2") ;;
    --runs) RUNS=$2 ;;
    --out) OUT=$2 ;;
    --name) NAME=$2 ;;
    --results) RESULTS=$2 ;;
    --expect) EXPECT=$2 ;;
    --tolerance) TOLERANCE=$2 ;;
    *) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift 2
done
case "$RECIPE" in paper|tuned|best) ;; *) echo "error: --recipe must be paper, tuned or best, not '$RECIPE'" >&2; exit 2 ;; esac
for v in "$N" "$M" "$SEED" "$THREADS"; do
  [[ $v =~ ^[0-9]+$ ]] || { echo "error: '$v' is not a non-negative integer" >&2; exit 2; }
done
if [[ -n $TOLERANCE && ! $TOLERANCE =~ ^[0-9]+([.][0-9]+)?$ ]]; then
  echo "error: --tolerance must be a non-negative number, not '$TOLERANCE'" >&2; exit 2
fi
if [[ ${#ROWS[@]} -gt 1 && ( -n $OUT || -n $NAME ) ]]; then
  echo "error: --out and --name name one row's run; with 'all' use --runs" >&2; exit 2
fi
EXPECT=${EXPECT:-$RESULTS/table3_expected.json}
[[ -z $TOLERANCE || -f $EXPECT ]] || { echo "error: --tolerance needs the expectations file $EXPECT (--expect)" >&2; exit 2; }
NERTOOL=$(nertool_binary)
for f in train.txt valid.txt test.txt; do [[ -f $DATA/$f ]] || { echo "error: missing $DATA/$f (--data)" >&2; exit 1; }; done
absolute() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
mkdir -p "$RUNS" "$RESULTS/plots"
RUNS=$(absolute "$RUNS") RESULTS=$(absolute "$RESULTS")

# The data the rows train on: the folder itself, or its first N / M sentences.
if (( N > 0 || M > 0 )); then
  SLICE="$RUNS/data-train$N-eval$M"
  mkdir -p "$SLICE"
  first_sentences "$DATA/train.txt" "$N" > "$SLICE/train.txt"
  for f in valid.txt test.txt; do first_sentences "$DATA/$f" "$M" > "$SLICE/$f"; done
  DATA=$SLICE
fi
DATA=$(absolute "$DATA")

# Word vectors for the BiLSTM rows (nertool takes word_dim from the file).
EMB_SETS=() EMB_NAME=random
if [[ $EMB != none ]]; then
  [[ -f $EMB ]] || { echo "error: embeddings file not found: $EMB" >&2; exit 1; }
  EMB=$(absolute "$EMB")
  EMB_SETS=(--set "model.bilstm_cnn.embeddings=$EMB")
  EMB_NAME=$(basename "$EMB"); EMB_NAME=${EMB_NAME%.*}
fi

# Lexicon features for the BiLSTM rows (built once per invocation when asked for by name).
LEX=${LEX:-$([[ $RECIPE == best ]] && echo ontonotes5 || echo none)}
LEX_SETS=() LEX_NAME=""
if [[ $LEX == ontonotes5 ]]; then
  for f in train.txt dev.txt test.txt; do
    [[ -f $ONTONOTES/$f ]] || { echo "error: --lexicon ontonotes5 needs $ONTONOTES/$f (see --ontonotes)" >&2; exit 1; }
  done
  mkdir -p "$RUNS/lexicons"
  LEX="$RUNS/lexicons/ontonotes5_to_conll2003.tsv"
  "$NERTOOL" lexicon --input "$ONTONOTES/train.txt" "$ONTONOTES/dev.txt" "$ONTONOTES/test.txt" \
    --type-map "$ROOT/configs/type_maps/ontonotes5_to_conll2003.json" --output "$LEX"
fi
if [[ $LEX != none ]]; then
  [[ -f $LEX ]] || { echo "error: lexicon file not found: $LEX" >&2; exit 1; }
  LEX=$(absolute "$LEX")
  LEX_SETS=(--set "model.bilstm_cnn.lexicon=$LEX") LEX_NAME=-lex
fi

RECIPE_NAME=$([[ $RECIPE == paper ]] || echo "-$RECIPE")
SLICE_NAME=$( (( N > 0 )) && echo "-n$N" || true)
SKIPPED=() RAN=()

# Runs one row and records it; a transformer row without weights is skipped with the way to get them.
run_row() {
  local row=$1 recipe_sets=() name out cmd start wall
  row_info "$row"
  if [[ -n $WEIGHTS_NAME ]]; then
    local weights="$WEIGHTS/$WEIGHTS_NAME"
    if [[ ! -f $weights/config.json ]]; then
      echo "reproduce_table3: skipping $row: no converted weights in $weights (get them with" \
           "scripts/get_pretrained.sh $HUB_NAME, or point --weights at a folder holding $WEIGHTS_NAME/)" >&2
      SKIPPED+=("$row")
      return 0
    fi
    [[ $RECIPE == best ]] && recipe_sets=(--set model.document_context=true)
    recipe_sets+=(--set "model.pretrained=$(absolute "$weights")")
    name=$row$([[ $RECIPE == best ]] && echo -best || true)$SLICE_NAME-seed$SEED
  else
    recipe_sets=("${EMB_SETS[@]}" "${LEX_SETS[@]}")
    name=$row-$EMB_NAME$LEX_NAME$RECIPE_NAME$SLICE_NAME-seed$SEED
  fi
  name=${NAME:-$name}
  out=${OUT:-$RUNS/$name}
  cmd=("$NERTOOL" train --config "$ROOT/configs/$CONFIG.json" --data "$DATA" --out "$out" --seed "$SEED"
       --set "train.num_threads=$THREADS" "${ROW_SETS[@]}" "${recipe_sets[@]}" "${SETS[@]}")
  (( RESUME )) && [[ -e $out ]] && cmd+=(--resume)
  echo "running: ${cmd[*]}" >&2
  start=$(date +%s)
  "${cmd[@]}" >&2  # its summary JSON goes with the logs; stdout is the table
  wall=$(( $(date +%s) - start ))
  python3 "$ROOT/scripts/table3_results.py" record --run "$out" --results "$RESULTS" --name "$name" --row "$row" \
    --recipe "$RECIPE" --wall "$wall" --seed-test "$SEED_TEST" --best "$BEST" --best-source "$BEST_SOURCE" \
    --command "${cmd[*]}"
  RAN+=("$name")
}

for row in "${ROWS[@]}"; do run_row "$row"; done
SUMMARY_ARGS=(summary --results "$RESULTS" --names "${RAN[@]+"${RAN[@]}"}" --skipped "${SKIPPED[@]+"${SKIPPED[@]}"}"
              --expect "$EXPECT")
[[ -n $TOLERANCE ]] && SUMMARY_ARGS+=(--tolerance "$TOLERANCE")
[[ $TARGET == all ]] && SUMMARY_ARGS+=(--table "$RESULTS/table3_$RECIPE.md")
python3 "$ROOT/scripts/table3_results.py" "${SUMMARY_ARGS[@]}"
