#!/usr/bin/env python3
"""The spam model on sets it never saw (issue #19 item 1): leave-one-source-out.

Every SEO set (scripts/seo.py: seo-dev and seo-fresh … seo-fresh11, each gathered from
sources none of the others has, and seo-train1 and seo-train2, gathered as training data, which may share
sources with the older sets but none with the held-out seo-fresh12) is left out of the spam model's training in turn; a model trained
exactly as scripts/train_spam_model.sh trains the shipped one, on the rest, then judges the
set left out. Printed per set and in total:

- the model alone: injected runs it flags at the review and block probabilities
  (`spam_model_review`, `spam_model_block` of policy/default.toml), and the page bodies and
  hard negatives it flags at the review probability;
- the whole engine (default lexicon, rules, abuse and fraud models, policy/default.toml) with
  that spam model:
  runs blocked, bodies passed, hard negatives blocked, as scripts/seo.py counts them. The
  lexicon and rules were developed on every set, this one included, so only the model's
  part of this figure is out of sample.

Standard library only; needs target/release/qinglang (cargo build --release -p qinglang-cli).

    scripts/spam_loso.py [--bin target/release/qinglang] [--sets dev,fresh3] [--misses FILE]

--misses FILE writes every run the engine did not block and every body or hard negative it
did not pass (JSONL: set, kind, suggestion, the left-out model's probability, labels, text),
to read what the model and the rules miss on a source they were not shown.
"""
import argparse, json, os, re, subprocess, sys, tempfile

from qscan import scan_texts

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SETS = ["dev", "fresh", "fresh2", "fresh3", "fresh4", "fresh5", "fresh6", "fresh7", "fresh8",
        "fresh9", "fresh10", "fresh11", "train1", "train2"]
# The options of scripts/train_spam_model.sh.
TRAIN = ["--calibrate-folds", "5", "--name", "spam", "--category", "spam", "--c", "0.1",
         "--bits", "18", "--ngrams", "1-3", "--seed", "0"]


def shipped_thresholds():
    with open(os.path.join(ROOT, "policy", "default.toml"), encoding="utf-8") as f:
        text = f.read()
    get = lambda k: float(re.search(rf"^{k} = ([0-9.]+)$", text, re.M).group(1))
    return text, get("spam_model_review"), get("spam_model_block")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "qinglang"))
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--misses", help="write the engine's misses here (JSONL)")
    args = ap.parse_args()
    misses = open(args.misses, "w", encoding="utf-8") if args.misses else None
    shipped_policy = os.path.join(ROOT, "policy", "default.toml")
    policy_text, review, block = shipped_thresholds()
    total = {}
    with tempfile.TemporaryDirectory() as tmp:
        # A policy under which every spam-model probability above 0.01 is reported, so that
        # the model alone can be read at any threshold.
        open_policy = os.path.join(tmp, "open.toml")
        with open(open_policy, "w", encoding="utf-8") as f:
            f.write(re.sub(r"^spam_model_review = .*$", "spam_model_review = 0.01",
                           policy_text, flags=re.M))
        for name in args.sets.split(","):
            out = os.path.join(tmp, name)
            subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "spam_training_data.py"),
                            "--out", out, "--leave-out", name], check=True, stdout=subprocess.DEVNULL)
            model = os.path.join(out, "spam.qlm")
            subprocess.run([args.bin, "train", "--train", os.path.join(out, "train.jsonl"),
                            "--out", model, *TRAIN], check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            with open(os.path.join(out, "left-out.jsonl"), encoding="utf-8") as f:
                rows = [json.loads(l) for l in f if l.strip()]
            texts = [r["text"] for r in rows]
            opened = scan_texts(args.bin, texts, "--spam-model", model, "--policy", open_policy)
            engine = scan_texts(args.bin, texts, "--spam-model", model, "--policy", shipped_policy)
            counts = {}
            for r, o, v in zip(rows, opened, engine):
                p = max([h.get("probability") or 0 for h in o["hits"]
                         if h["source"] == "model:spam"] or [0])
                c = counts.setdefault(r["kind"], {"n": 0, "review": 0, "block": 0, "engine": 0,
                                                  "reviewed": 0})
                c["n"] += 1
                c["review"] += p >= review
                c["block"] += p >= block
                right = v["suggestion"] == ("block" if r["kind"] == "run" else "pass")
                wrong_negative = r["kind"] == "negative" and v["suggestion"] == "block"
                c["engine"] += right if r["kind"] != "negative" else wrong_negative
                c["reviewed"] += v["suggestion"] == "review"
                if misses and v["suggestion"] != ("block" if r["kind"] == "run" else "pass"):
                    misses.write(json.dumps({"set": name, "kind": r["kind"],
                                             "suggestion": v["suggestion"],
                                             "spam_probability": round(p, 3),
                                             "labels": v.get("labels"), "text": r["text"]},
                                            ensure_ascii=False) + "\n")
            for kind, c in counts.items():
                t = total.setdefault(kind, dict.fromkeys(c, 0))
                for k in c:
                    t[k] += c[k]
            print(line(name, counts, review, block), flush=True)
    print(line("total", total, review, block))


def line(name, counts, review, block):
    run = counts.get("run", {"n": 0, "review": 0, "block": 0, "engine": 0, "reviewed": 0})
    body = counts.get("body", {"n": 0, "review": 0, "engine": 0})
    neg = counts.get("negative", {"n": 0, "review": 0, "engine": 0})
    return (f"{name:8} model alone: runs {run['review']}/{run['n']} >= {review}, "
            f"{run['block']}/{run['n']} >= {block}; bodies {body['review']}/{body['n']}, "
            f"negatives {neg['review']}/{neg['n']} >= {review} | engine: runs blocked "
            f"{run['engine']}/{run['n']} (reviewed {run['reviewed']}), bodies passed {body['engine']}/{body['n']}, "
            f"negatives blocked {neg['engine']}/{neg['n']}")


if __name__ == "__main__":
    main()
