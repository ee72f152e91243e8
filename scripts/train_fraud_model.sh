#!/bin/sh
# Rebuilds the shipped fraud model (models/fraud.qlm, issue #20 item 3) from TeleAntiFraud
# train (caller turns), the written messages' dev part and COLD train comments (as ordinary),
# calibrated on TeleAntiFraud dev, and checks that the result is byte-identical to the
# committed model (training is deterministic). See models/README.md.
#   scripts/train_fraud_model.sh            # check
#   scripts/train_fraud_model.sh --write    # replace models/fraud.qlm
set -eu
cd "$(dirname "$0")/.."
python3 scripts/fraud_training_data.py --out target/fraud-model
cargo build --release -p qinglang-cli
OUT=target/fraud-model/fraud.qlm
./target/release/qinglang train --train target/fraud-model/train.jsonl \
    --calibrate target/fraud-model/calibrate.jsonl \
    --out "$OUT" --name fraud --category fraud --c 0.1 --bits 16 --ngrams 1-3 --seed 0
if [ "${1:-}" = "--write" ]; then
    cp "$OUT" models/fraud.qlm
    echo "wrote models/fraud.qlm"
elif cmp -s "$OUT" models/fraud.qlm; then
    echo "OK: the rebuilt model is byte-identical to models/fraud.qlm"
else
    echo "DIFFERENT: the rebuilt model differs from models/fraud.qlm" >&2
    exit 1
fi
