#!/usr/bin/env python3
"""Fraud and illegal-service messages (issue #20 figures; REV-11, REV-2, REV-6).

Scans with the real `qinglang scan --jsonl --format json` (default lexicon and model):

1. test_data/fraud/messages.jsonl: scam and illegal-service messages written for this project
   from public anti-fraud descriptions of the high-incidence types (bank, carrier, platform
   and government phishing, refund and customer-service impersonation, 刷单 tasks, loans,
   stock tips, prizes, gambling promotion, escort, fake documents), and ordinary messages (bank
   and carrier notices with their own sites and hotlines, verification codes, deliveries,
   promotions with 退订, chat). WRITTEN HERE, so a weak witness: every third message of a
   family is held out (--heldout) and was not looked at while tuning.
   Needs: scams flagged (review or block) >= 90%, each family >= 80%; ordinary blocked <= 1%,
   reviewed <= 5%.
2. --teleantifraud: ../shared/data/teleantifraud/test.jsonl, the caller's turns of each call
   joined (generated dialogues, Apache-2.0): fraud flagged >= 90%, ordinary flagged <= 5%.

Usage: scripts/fraud.py [--bin target/release/qinglang] [--heldout] [--teleantifraud [--split dev]] [--show]
Exit status: 0 when the figures measured hold, 1 otherwise, 2 on errors.
"""
import argparse, collections, json, os, sys

from qscan import scan_texts

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.environ.get("QINGLANG_DATA", os.path.join(ROOT, "..", "shared", "data"))
MESSAGES = os.path.join(ROOT, "test_data", "fraud", "messages.jsonl")


def messages(args):
    part = "heldout" if args.heldout else "dev"
    with open(MESSAGES, encoding="utf-8") as f:
        rows = [r for r in (json.loads(l) for l in f if l.strip()) if r["split"] == part]
    verdicts = scan_texts(args.bin, [r["text"] for r in rows])
    fam = collections.defaultdict(lambda: collections.Counter())
    ok = True
    for r, v in zip(rows, verdicts):
        c = fam[(r["label"], r["family"])]
        c["n"] += 1
        c[v["suggestion"]] += 1
        wrong = (v["suggestion"] == "pass") if r["label"] == "scam" else (v["suggestion"] != "pass")
        if args.show and wrong:
            print(f"  {r['id']}: {v['suggestion']} {[(h['term'], h['category'], h['action']) for h in v['hits']]}"
                  f"\n    {r['text']}")
    print(f"messages written here, {part} part ({len(rows)}):")
    scams = collections.Counter()
    for (label, family), c in sorted(fam.items()):
        flagged = c["review"] + c["block"]
        if label == "scam":
            scams.update(c)
            good = flagged / c["n"] >= 0.8
            ok &= good
            print(f"  scam {family:<18} flagged {flagged}/{c['n']} (block {c['block']}) {'OK' if good else 'FAIL (>= 80%)'}")
    share = (scams["review"] + scams["block"]) / max(scams["n"], 1)
    ok &= share >= 0.9
    print(f"  scams flagged: {scams['review'] + scams['block']}/{scams['n']} ({share:.1%}, need >= 90%)")
    ordinary = collections.Counter()
    for (label, family), c in fam.items():
        if label == "ordinary":
            ordinary.update(c)
    n = max(ordinary["n"], 1)
    good = ordinary["block"] / n <= 0.01 and ordinary["review"] / n <= 0.05
    ok &= good
    print(f"  ordinary: blocked {ordinary['block']}/{ordinary['n']} ({ordinary['block'] / n:.1%}, need <= 1%), "
          f"reviewed {ordinary['review']}/{ordinary['n']} ({ordinary['review'] / n:.1%}, need <= 5%) "
          f"{'OK' if good else 'FAIL'}")
    return ok


def teleantifraud(args):
    with open(os.path.join(DATA, "teleantifraud", f"{args.split}.jsonl"), encoding="utf-8") as f:
        calls = [json.loads(l) for l in f if l.strip()]
    texts = ["\n".join(t["text"] for t in c["turns"] if t["role"] == "caller") for c in calls]
    verdicts = scan_texts(args.bin, texts)
    by = collections.defaultdict(lambda: collections.Counter())
    for c, v in zip(calls, verdicts):
        key = c.get("fraud_type") or "ordinary" if c["is_fraud"] else "ordinary"
        by[key]["n"] += 1
        by[key]["flagged"] += v["suggestion"] != "pass"
    print(f"TeleAntiFraud {args.split} split ({len(calls)} calls, caller turns joined; generated dialogues):")
    fraud = collections.Counter()
    for key, c in sorted(by.items()):
        print(f"  {key:<24} flagged {c['flagged']}/{c['n']}")
        if key != "ordinary":
            fraud.update(c)
    f_share = fraud["flagged"] / max(fraud["n"], 1)
    o_share = by["ordinary"]["flagged"] / max(by["ordinary"]["n"], 1)
    print(f"  fraud flagged {f_share:.1%} (need >= 90%); ordinary flagged {o_share:.1%} (need <= 5%)")
    return f_share >= 0.9 and o_share <= 0.05


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "qinglang"))
    ap.add_argument("--heldout", action="store_true")
    ap.add_argument("--teleantifraud", action="store_true")
    ap.add_argument("--split", default="test", choices=["dev", "test"],
                    help="TeleAntiFraud split (dev calibrated the fraud model; test is the figure)")
    ap.add_argument("--show", action="store_true")
    args = ap.parse_args()
    ok = teleantifraud(args) if args.teleantifraud else messages(args)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
