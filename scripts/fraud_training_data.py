#!/usr/bin/env python3
"""Writes the training and calibration sets of the shipped fraud model (issue #20 item 3).

Deterministic: the same inputs give the same files. Output (JSONL {"text", "label"}, 1 = fraud):

  target/fraud-model/train.jsonl      TeleAntiFraud train (caller turns joined by newlines),
                                      the written scam and ordinary messages of the dev part,
                                      and COLD train comments as ordinary (they are not fraud:
                                      they keep the model from reading "a comment" as "fraud")
  target/fraud-model/calibrate.jsonl  TeleAntiFraud dev, the same way

Never used here: TeleAntiFraud test, the held-out written messages, COLD dev/test, the wiki
sentences: the figures are measured on them (scripts/fraud.py, scripts/false_blocks.py).

Usage: scripts/fraud_training_data.py [--out DIR]
"""
import argparse, csv, json, os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.environ.get("QINGLANG_DATA", os.path.join(ROOT, "..", "shared", "data"))


def calls(split):
    with open(os.path.join(DATA, "teleantifraud", f"{split}.jsonl"), encoding="utf-8") as f:
        for line in f:
            if line.strip():
                c = json.loads(line)
                text = "\n".join(t["text"] for t in c["turns"] if t["role"] == "caller")
                if text.strip():
                    yield text, int(c["is_fraud"])


def written_dev():
    with open(os.path.join(ROOT, "test_data", "fraud", "messages.jsonl"), encoding="utf-8") as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                if r["split"] == "dev":
                    yield r["text"], int(r["label"] == "scam")


def cold_train():
    with open(os.path.join(DATA, "cold", "train.csv"), encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            yield row["TEXT"], 0


def write(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for text, label in rows:
            f.write(json.dumps({"text": text, "label": label}, ensure_ascii=False) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "target", "fraud-model"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    train = list(calls("train")) + list(written_dev()) + list(cold_train())
    write(os.path.join(args.out, "train.jsonl"), train)
    write(os.path.join(args.out, "calibrate.jsonl"), calls("dev"))
    print(f"wrote {len(train)} training texts ({sum(l for _, l in train)} fraud) to {args.out}")


if __name__ == "__main__":
    main()
