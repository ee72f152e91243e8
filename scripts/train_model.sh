#!/bin/sh
# Rebuilds the shipped classifier (models/cold.qlm) from COLD train + dev and checks that the
# result is byte-identical to the committed model (training is deterministic).
#   scripts/train_model.sh            # check
#   scripts/train_model.sh --write    # replace models/cold.qlm
set -eu
cd "$(dirname "$0")/.."
DATA=../shared/data/cold
cargo build --release -p qinglang-cli
OUT=target/cold.qlm
./target/release/qinglang train --train "$DATA/train.csv" --calibrate "$DATA/dev.csv" \
    --out "$OUT" --name cold --category discrimination --c 0.1 --bits 20 --ngrams 1-3 --seed 0
if [ "${1:-}" = "--write" ]; then
    cp "$OUT" models/cold.qlm
    echo "wrote models/cold.qlm"
elif cmp -s "$OUT" models/cold.qlm; then
    echo "OK: the rebuilt model is byte-identical to models/cold.qlm"
else
    echo "DIFFERENT: the rebuilt model differs from models/cold.qlm" >&2
    exit 1
fi
