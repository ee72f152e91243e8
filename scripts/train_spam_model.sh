#!/bin/sh
# Rebuilds the shipped spam model (models/spam.qlm, issue #19 item 1) from the injected runs,
# page bodies and hard negatives of every SEO set and COLD train's comments (as ordinary),
# calibrated on 5-fold out-of-fold scores, and checks that the result is byte-identical to
# the committed model (training is deterministic). See models/README.md; the figure of a set
# the model never saw is scripts/spam_loso.py's.
#   scripts/train_spam_model.sh            # check
#   scripts/train_spam_model.sh --write    # replace models/spam.qlm
set -eu
cd "$(dirname "$0")/.."
python3 scripts/spam_training_data.py --out target/spam-model
cargo build --release -p qinglang-cli
OUT=target/spam-model/spam.qlm
./target/release/qinglang train --train target/spam-model/train.jsonl --calibrate-folds 5 \
    --out "$OUT" --name spam --category spam --c 0.1 --bits 18 --ngrams 1-3 --seed 0
if [ "${1:-}" = "--write" ]; then
    cp "$OUT" models/spam.qlm
    echo "wrote models/spam.qlm"
elif cmp -s "$OUT" models/spam.qlm; then
    echo "OK: the rebuilt model is byte-identical to models/spam.qlm"
else
    echo "DIFFERENT: the rebuilt model differs from models/spam.qlm" >&2
    exit 1
fi
