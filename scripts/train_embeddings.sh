#!/usr/bin/env bash
# Trains word vectors with fastText (skipgram) on unlabeled text that is allowed for CoNLL-2003 experiments: the
# token column of OntoNotes 5 (train, dev, test: none of it is CoNLL-2003 text) plus CoNLL-2003 *train* only.
# CoNLL-2003 valid and test text is never read. The result is a fastText .vec text file (header "N DIM", then one
# word and its DIM numbers per line) that `model.bilstm_cnn.embeddings` of configs/bilstm_cnn.json accepts.
#
# Usage: scripts/train_embeddings.sh [--data DIR] [--out DIR] [--dim N] [--epoch N] [--min-count N]
#                                    [--threads N] [--keep-case] [--seed N]
#   --data DIR       folder holding conll2003/ and ontonotes5/ (default: SHARED/data, SHARED being
#                    $NERTOOL_SHARED_DIR, else ../shared beside the checkout)
#   --out DIR        output folder (default: runs/embeddings, git-ignored); writes fasttext.<dim>d.vec, corpus.txt
#   --dim N          vector size (default 100)
#   --epoch N        passes over the text (default 10; the text is small, ~2.3M tokens)
#   --min-count N    words seen fewer times get no vector (default 3)
#   --threads N      fastText threads (default 1: reproducible with --seed)
#   --keep-case      keep the original case (default: lower-case the text, like GloVe 6B; the encoder looks words
#                    up as-is first, then lower-cased, so lower-cased vectors serve every casing)
#   --seed N         fastText seed (default 0)
# Example: nice scripts/train_embeddings.sh && nertool train --config configs/bilstm_cnn.json \
#            --set model.bilstm_cnn.embeddings=runs/embeddings/fasttext.100d.vec
set -euo pipefail
. "$(dirname "$0")/lib.sh"
DATA="$(shared_dir)/data"
OUT="$ROOT/runs/embeddings"
DIM=100 EPOCH=10 MINCOUNT=3 THREADS=1 LOWER=1 SEED=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --data) DATA=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --dim) DIM=$2; shift 2 ;;
    --epoch) EPOCH=$2; shift 2 ;;
    --min-count) MINCOUNT=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --keep-case) LOWER=0; shift ;;
    --seed) SEED=$2; shift 2 ;;
    -h|--help) script_help "$0"; exit 0 ;;
    *) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
command -v fasttext >/dev/null || { echo "error: fasttext not found (apt-get install fasttext)" >&2; exit 1; }
SOURCES=("$DATA"/ontonotes5/train.txt "$DATA"/ontonotes5/dev.txt "$DATA"/ontonotes5/test.txt
         "$DATA"/conll2003/train.txt)
for f in "${SOURCES[@]}"; do [[ -f $f ]] || { echo "error: missing $f" >&2; exit 1; }; done
mkdir -p "$OUT"
CORPUS="$OUT/corpus.txt"
# One sentence per line from the first (token) column; -DOCSTART- markers dropped.
awk 'NF == 0 { if (line != "") print line; line = ""; next }
     $1 == "-DOCSTART-" { next }
     { line = (line == "" ? $1 : line " " $1) }
     END { if (line != "") print line }' "${SOURCES[@]}" > "$CORPUS.tmp.$$"
if [[ $LOWER == 1 ]]; then
  python3 -c 'import sys
for l in sys.stdin: sys.stdout.write(l.lower())' < "$CORPUS.tmp.$$" > "$CORPUS.tmp2.$$" && mv "$CORPUS.tmp2.$$" "$CORPUS.tmp.$$"
fi
mv "$CORPUS.tmp.$$" "$CORPUS"
echo "corpus: $(wc -l < "$CORPUS") sentences, $(wc -w < "$CORPUS") tokens -> $CORPUS" >&2
PREFIX="$OUT/fasttext.${DIM}d"
start=$(date +%s)
fasttext skipgram -input "$CORPUS" -output "$PREFIX.tmp" -dim "$DIM" -epoch "$EPOCH" -minCount "$MINCOUNT" \
  -thread "$THREADS" -seed "$SEED" -verbose 1
mv "$PREFIX.tmp.vec" "$PREFIX.vec"
mv "$PREFIX.tmp.bin" "$PREFIX.bin"
echo "wrote $PREFIX.vec ($(head -1 "$PREFIX.vec")) in $(( $(date +%s) - start )) s" >&2
