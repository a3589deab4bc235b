#!/usr/bin/env bash
# Downloads the pre-trained checkpoints behind configs/bert_base_cased.json, configs/roberta_base.json and
# configs/roberta_news.json from the Hugging Face hub and converts each into a nertool model directory:
#
#   bert-base-cased            -> models/bert-base-cased
#   roberta-base               -> models/roberta-base
#   allenai/news_roberta_base  -> models/news_roberta_base
#
# Needs internet access and either `huggingface-cli` (pip install huggingface_hub) or curl. Files land in
# $DOWNLOAD_DIR (default models/hf) and are kept, so a second run only converts. The checkpoints are base models
# (no NER head): the classifier is created for the CoNLL-2003 label set, read from $LABELS_FROM (a CoNLL file,
# default data/conll2003/train.txt) or $LABELS (a file with one label per line).
#
# Usage: scripts/get_pretrained.sh [MODEL...]     (default: all three; names as in the hub)
#        NERTOOL=build/nertool LABELS_FROM=../shared/data/conll2003/train.txt scripts/get_pretrained.sh roberta-base
set -euo pipefail

NERTOOL=${NERTOOL:-build/nertool}
DOWNLOAD_DIR=${DOWNLOAD_DIR:-models/hf}
OUT_DIR=${OUT_DIR:-models}
LABELS_FROM=${LABELS_FROM:-data/conll2003/train.txt}
LABELS=${LABELS:-}
HUB=${HF_ENDPOINT:-https://huggingface.co}

models=("$@")
[ ${#models[@]} -eq 0 ] && models=(bert-base-cased roberta-base allenai/news_roberta_base)

# Files worth fetching; absent ones (e.g. model.safetensors on older repos) are skipped.
files=(config.json model.safetensors pytorch_model.bin vocab.txt vocab.json merges.txt tokenizer.json
       tokenizer_config.json special_tokens_map.json sentencepiece.bpe.model)

[ -x "$NERTOOL" ] || { echo "error: $NERTOOL not found (build first: scripts/build.sh, or set NERTOOL=)" >&2; exit 1; }
if [ -z "$LABELS" ] && [ ! -f "$LABELS_FROM" ]; then
  echo "error: label set needed for the new classifier: set LABELS_FROM=CONLL_FILE or LABELS=FILE" >&2
  exit 1
fi

fetch() {  # fetch REPO DEST
  local repo=$1 dest=$2
  mkdir -p "$dest"
  if command -v huggingface-cli >/dev/null 2>&1; then
    huggingface-cli download "$repo" "${files[@]}" --local-dir "$dest" >/dev/null 2>&1 || true
  fi
  for f in "${files[@]}"; do
    [ -s "$dest/$f" ] && continue
    # Prefer safetensors: skip the .bin when it is already there.
    if [ "$f" = pytorch_model.bin ] && [ -s "$dest/model.safetensors" ]; then continue; fi
    if curl -fsSL --retry 3 -o "$dest/$f.part" "$HUB/$repo/resolve/main/$f"; then
      mv "$dest/$f.part" "$dest/$f"
    else
      rm -f "$dest/$f.part"
    fi
  done
  [ -s "$dest/config.json" ] || { echo "error: could not download $repo (no config.json)" >&2; exit 1; }
}

for repo in "${models[@]}"; do
  name=${repo##*/}
  src="$DOWNLOAD_DIR/$name"
  dst="$OUT_DIR/$name"
  echo "== $repo"
  fetch "$repo" "$src"
  if [ -e "$dst" ]; then
    echo "   $dst exists; remove it to convert again"
    continue
  fi
  label_args=(--labels-from "$LABELS_FROM")
  [ -n "$LABELS" ] && label_args=(--labels "$LABELS")
  "$NERTOOL" convert --from hf "$src" --to "$dst" "${label_args[@]}"
  echo "   -> $dst"
done
