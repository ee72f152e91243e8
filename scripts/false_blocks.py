#!/usr/bin/env python3
"""False blocks of the default lexicon on clean text (issue #2 figure).

Runs the real `qinglang scan --jsonl --format json` over each clean set and counts verdicts.
Sets: the 1,000 wiki sentences (held out from curation), COLD safe comments from dev (held
out) and from train (used by curation, reported separately). Usage:

    scripts/false_blocks.py [--bin target/release/qinglang] [--show N]
"""
import argparse, csv, os, sys, collections

from qscan import scan_texts

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.environ.get("QINGLANG_DATA", os.path.join(ROOT, "..", "shared", "data"))


def cold_safe(name):
    with open(os.path.join(DATA, "cold", name), encoding="utf-8-sig", newline="") as f:
        return [r["TEXT"] for r in csv.DictReader(f) if r["label"].strip() == "0"]


def wiki():
    with open(os.path.join(DATA, "wiki-zh-gsd", "sentences.txt"), encoding="utf-8") as f:
        return [l.rstrip("\n") for l in f if l.strip()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "qinglang"))
    ap.add_argument("--show", type=int, default=0, help="print up to N blocked texts per set")
    args = ap.parse_args()
    sets = [("wiki sentences (held out)", wiki(), 0.005),
            ("COLD dev safe (held out)", cold_safe("dev.csv"), 0.01),
            ("COLD train safe (curation input)", cold_safe("train.csv"), 0.01)]
    failed = False
    for name, texts, limit in sets:
        verdicts = scan_texts(args.bin, texts)
        counts = collections.Counter(v["suggestion"] for v in verdicts)
        rate = counts["block"] / len(texts)
        ok = rate <= limit
        failed |= not ok
        print(f"{name}: {len(texts)} texts, block {counts['block']} ({rate:.2%}, limit {limit:.1%}) "
              f"review {counts['review']} ({counts['review']/len(texts):.2%}) {'OK' if ok else 'OVER'}")
        shown = 0
        for v in verdicts:
            if v["suggestion"] == "block" and shown < args.show:
                shown += 1
                terms = ", ".join(f"{h['term']}({h['category']})" for h in v["hits"])
                print(f"    {texts[v['id']][:60]}  <- {terms}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
