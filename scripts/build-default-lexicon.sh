#!/usr/bin/env bash
# Rebuilds lexicons/default.txt and lexicons/CURATION.md from the raw houbb word lists.
#
# Clean text used for curation: COLD *train* safe comments only. The wiki sentences and
# COLD dev are held out so that scripts/measure-false-blocks.sh measures on unseen text
# (COLD test is never used for anything but reporting the classifier's figures).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${QINGLANG_DATA:-../shared/data}
# jieba's word list (MIT) as a measure of ordinary vocabulary; fetched from PyPI, used only
# here, never shipped. See lexicons/PROVENANCE.md.
VOCAB_DIR=target/curation
VOCAB="$VOCAB_DIR/jieba-0.42.1/jieba/dict.txt"
if [ ! -f "$VOCAB" ]; then
  mkdir -p "$VOCAB_DIR"
  python3 -m pip download jieba==0.42.1 --no-deps --no-binary :all: -d "$VOCAB_DIR" -q
  tar -xzf "$VOCAB_DIR/jieba-0.42.1.tar.gz" -C "$VOCAB_DIR" jieba-0.42.1/jieba/dict.txt
fi
cargo run --release -q -p qinglang-cli -- lexicon build \
  --houbb "$DATA/lexicon-houbb" \
  --clean "$DATA/cold/train.csv" \
  --ordinary lexicons/curation/ordinary.txt \
  --review lexicons/curation/review.txt \
  --add lexicons/curation/added.txt \
  --add lexicons/curation/families.txt \
  --vocabulary "$VOCAB" \
  --out lexicons/default.txt \
  --report lexicons/CURATION.md
