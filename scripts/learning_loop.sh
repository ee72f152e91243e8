#!/bin/sh
# Measures learning from moderators' decisions (REV-9) as a deployment would use it, on COLD
# dev only (never test): split dev into odd rows (A, what the moderators review) and even rows
# (B, later traffic), run the whole engine (shipped lexicon and model) over A with --errors,
# learn A's false positives as ham and its misses as spam, then evaluate B (and A again) with
# what was learned.
#   scripts/learning_loop.sh
# Prints the accuracy of B and A before and after. Figures: models/README.md, "Learning".
set -eu
cd "$(dirname "$0")/.."
if [ $# -gt 0 ]; then
    echo "usage: scripts/learning_loop.sh (no arguments: it measures the shipped engine)" >&2
    exit 2
fi
cargo build --release -p qinglang-cli
Q="$PWD/target/release/qinglang"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
python3 - "$WORK" <<'PY'
import csv, json, sys
work = sys.argv[1]
with open("../shared/data/cold/dev.csv", newline="", encoding="utf-8") as f:
    rows = list(csv.DictReader(f))
for name, part in (("A", rows[0::2]), ("B", rows[1::2])):
    with open(f"{work}/{name}.jsonl", "w", encoding="utf-8") as out:
        for r in part:
            out.write(json.dumps({"text": r["TEXT"], "label": int(r["label"])}, ensure_ascii=False) + "\n")
PY
cd "$WORK"
# Each figure goes through a variable: a failing eval inside an echo argument would be lost.
accuracy() {
    "$Q" eval "$@" --format json >eval.json
    python3 -c 'import json; print(json.load(open("eval.json"))["accuracy"])'
}
b=$(accuracy B.jsonl)
a=$(accuracy A.jsonl)
echo "before: B $b  A $a"
"$Q" eval A.jsonl --errors errors.jsonl >/dev/null
python3 - <<'PY'
import json
n = {"ham": 0, "spam": 0}
with open("ham.jsonl", "w", encoding="utf-8") as ham, open("spam.jsonl", "w", encoding="utf-8") as spam:
    for line in open("errors.jsonl", encoding="utf-8"):
        e = json.loads(line)
        kind = "spam" if str(e["gold"]) == "1" else "ham"
        n[kind] += 1
        (spam if kind == "spam" else ham).write(json.dumps({"text": e["text"]}, ensure_ascii=False) + "\n")
print(f"learning {n['ham']} false positives as ham, {n['spam']} misses as spam")
PY
"$Q" key init >/dev/null
# `learn` refuses an empty file.
[ -s ham.jsonl ] && "$Q" learn --db loop.db --ham ham.jsonl
[ -s spam.jsonl ] && "$Q" learn --db loop.db --spam spam.jsonl
b=$(accuracy B.jsonl --learned loop.db)
a=$(accuracy A.jsonl --learned loop.db)
echo "after:  B $b  A $a"
