#!/usr/bin/env python3
"""Writes the training set of the shipped spam model (models/spam.qlm, issue #19 item 1).

The spam model reads what hacked pages and spam posts inject: SEO keyword runs, gambling and
porn promotions, spam posts in issue threads. Its positives are the injected runs of every
SEO set (real pages gathered outside the project: ../shared/data/seo-dev and
test_data/seo-fresh … seo-fresh11, seo-train1 and seo-train2); its negatives are the legitimate bodies of those pages,
their hard negatives (crackdown news, sex education, casino news, separator-joined titles,
repository files), TeleAntiFraud train's ordinary service calls (commerce with its numbers and
offers) and COLD train's comments (ordinary talk, offensive or not: neither is SEO spam).

Deterministic: the same inputs give the same file. Output (JSONL {"text", "label"}, 1 = spam):

  DIR/train.jsonl

With --leave-out SET, that set's pages are left out (for the leave-one-source-out figure,
scripts/spam_loso.py) and written to DIR/left-out.jsonl as {"kind", "text"}.

Never used here: test_data/seo-fresh12 (the held-out set), COLD dev/test, TeleAntiFraud dev/test, the fraud messages written for this
project and the wiki sentences: the false-block figures are measured on
them (scripts/false_blocks.py).

Usage: scripts/spam_training_data.py [--out DIR] [--leave-out SET]
"""
import argparse, csv, json, os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.environ.get("QINGLANG_DATA", os.path.join(ROOT, "..", "shared", "data"))

# Every SEO set by name, in the order scripts/seo.py lists them.
SETS = {"dev": os.path.join(DATA, "seo-dev", "seo_dev.jsonl")}
for suffix in ["", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"]:
    SETS[f"fresh{suffix}"] = os.path.join(ROOT, "test_data", f"seo-fresh{suffix}",
                                          f"seo_fresh{suffix}.jsonl")
# Gathered as training data (2026-12-08), from none of seo-fresh12's sources.
for suffix in ["1", "2"]:
    SETS[f"train{suffix}"] = os.path.join(ROOT, "test_data", f"seo-train{suffix}",
                                          f"seo_train{suffix}.jsonl")


def pages(name):
    """(kind, text) of a set: `run` (label 1), `body` and `negative` (label 0)."""
    with open(SETS[name], encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            p = json.loads(line)
            if p["kind"] == "injected":
                # Separate injected blocks are joined with ` ||| ` in the sets: on the page
                # they are separate lines (as scripts/seo.py scans them).
                yield "run", p["spam"].replace(" ||| ", "\n")
                if p["body"].strip():
                    yield "body", p["body"]
            else:
                yield "negative", p["body"]


def service_calls():
    """TeleAntiFraud train's ordinary service calls (ordering food, deliveries, bookings), the
    caller's turns: legitimate commerce with its phone numbers and offers is not spam."""
    with open(os.path.join(DATA, "teleantifraud", "train.jsonl"), encoding="utf-8") as f:
        for line in f:
            if line.strip():
                c = json.loads(line)
                text = "\n".join(t["text"] for t in c["turns"] if t["role"] == "caller")
                if text.strip() and not c["is_fraud"]:
                    yield text, 0


def cold_train():
    with open(os.path.join(DATA, "cold", "train.csv"), encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            yield row["TEXT"], 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "target", "spam-model"))
    ap.add_argument("--leave-out", choices=sorted(SETS), help="leave this set out")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rows = []
    for name in SETS:
        if name == args.leave_out:
            with open(os.path.join(args.out, "left-out.jsonl"), "w", encoding="utf-8") as f:
                for kind, text in pages(name):
                    f.write(json.dumps({"kind": kind, "text": text}, ensure_ascii=False) + "\n")
            continue
        rows.extend((text, int(kind == "run")) for kind, text in pages(name))
    rows.extend(service_calls())
    rows.extend(cold_train())
    with open(os.path.join(args.out, "train.jsonl"), "w", encoding="utf-8") as f:
        for text, label in rows:
            f.write(json.dumps({"text": text, "label": label}, ensure_ascii=False) + "\n")
    spam = sum(label for _, label in rows)
    print(f"{args.out}/train.jsonl: {len(rows)} texts, {spam} spam")


if __name__ == "__main__":
    main()
