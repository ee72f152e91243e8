#!/usr/bin/env python3
"""SEO stuffing on real hacked pages (issue #19 figures; REV-5, REV-4, REV-8).

Reads ../shared/data/seo-dev/seo_dev.jsonl (real pages: injected porn and gambling keyword runs
with the legitimate body of each page, and hard negatives) and scans with the real
`qinglang scan --jsonl --format json` (default lexicon and model):

- injected runs (`spam`): blocked, the share to reach is >= 95%;
- the bodies of injected pages: passed, >= 98%;
- hard negatives (crackdown news, sex education, Macau casino news, benign separator-joined
  titles): blocked, 0 allowed; reviewed is reported.

Sets of real pages, gathered by hand from stored public web pages, each on registered domains
none of the others has:
- development: all of ../shared/data/seo-dev (118 pages; until 2026-12-06 three in ten of its
  domains were held out, measured twice, then read) and test_data/seo-fresh (83 pages, the
  first fresh held-out set: measured once on 2026-12-06, 40/47 runs blocked, then read and
  made development data, `--set fresh`) and test_data/seo-fresh2 (89 pages, the second:
  measured once the same day, 39/49 runs, 46/49 bodies, 2/40 negatives blocked, then read,
  `--set fresh2`) and test_data/seo-fresh3 (90 pages, the third, gathered by a helper who
  reported only counts: measured once, 34/50 runs, 49/50 bodies, 2/40 negatives blocked,
  then read, `--set fresh3`) and test_data/seo-fresh4 (72 pages, the fourth: measured once,
  19/37 runs, 37/37 bodies, 2/35 negatives blocked, then read, `--set fresh4`)
  and test_data/seo-fresh5 (27 pages: the stored-pages corpus is running dry of domains the
  other sets do not have): measured once, 3/13 runs, 13/13 bodies, 0/14 negatives blocked,
  then read, `--set fresh5`);
  and test_data/seo-fresh6 (45 records from GitHub issue threads and repository files, another
  source than the stored pages: gathered by a helper on 2026-12-07 who reported counts only,
  measured once at 200e0e0: 12/28 runs, 9/9 bodies, 0/17 negatives blocked (5 reviewed), then
  read, `--set fresh6`);
  and test_data/seo-fresh7 (41 records from 41 GitHub repositories none of the sets above
  has, 14 of its 20 negatives repository files; gathered by a helper on 2026-12-07 who
  reported counts only): measured once at d64d3fb, 9/21 runs, 7/7 bodies, 2/20 negatives
  blocked (8 reviewed), then read, `--set fresh7`;
  and test_data/seo-fresh8 (60 records from stored web pages, GitHub issues and repository
  files, on repositories and registered domains none of the sets above has; gathered by a
  helper on 2026-12-07 who reported counts only): measured once at e8e7291, 17/32 runs, 15/17
  bodies, 3/28 negatives blocked (10 reviewed), then read, `--set fresh8`;
  and test_data/seo-fresh9 (62 records from stored web pages, GitHub issues and repository
  files, none of the sources above, with new genres: game private servers, account selling,
  fake invoices, cash-out, drugs; gathered by a helper on 2026-12-07 who reported counts
  only): measured once at adbbee0, 13/32 runs, 16/18 bodies, 1/30 negatives blocked (8
  reviewed), then read, `--set fresh9`;
  and test_data/seo-fresh10 (37 records, 16 injected, from stored web pages, GitHub issues
  and repository files none of the sources above has; gathered by a helper on 2026-12-07 who
  reported counts only): measured once at be9c16d, 7/16 runs, 3/4 bodies, 2/21 negatives
  blocked (6 reviewed; the session's starting build 10c659e: 6/16, 3/4, 3/21), then read,
  `--set fresh10`;
  and test_data/seo-fresh11 (18 records, 7 injected, from stored web pages, GitHub issues and
  repository files none of the sets above has; gathered by a helper on 2026-12-07 who reported
  counts only): measured once at 376390a, 5/7 runs, 2/2 bodies, 3/11 negatives blocked (1
  reviewed); the same build with --no-spam-model: 4/7, 2/2, 3/11 (0 reviewed); then read,
  `--set fresh11`;
- development, never held out: test_data/seo-train1 (75 records, 45 injected) and seo-train2
  (98 records, 52 injected), gathered on 2026-12-08 as training data for the spam model, none
  of seo-fresh12's sources, `--set train1`, `--set train2`;
  and test_data/seo-fresh12 (39 records, 21 injected, from stored web pages, GitHub issues and
  repository files none of the sets above has; gathered by a helper on 2026-12-08 who reported
  counts only): measured once at 8681824, 15/21 runs, 8/9 bodies, 1/18 negatives blocked (4
  reviewed); the same build with --no-spam-model: 11/21, 8/9, 1/18 (3 reviewed); then read,
  `--set fresh12`;
- held-out: none left. Every set above has been measured once and read; --heldout says so
  until a new set, gathered from another source and never looked at, is named here.
Standard library only. Usage:

    scripts/seo.py [--bin target/release/qinglang] [--set dev|fresh|fresh2|…|fresh12|train1|train2] [--heldout] [--show] [--no-spam-model]

Exit status: 0 when the three figures hold on the part measured, 1 otherwise, 2 on errors.
"""
import argparse, json, os, sys

from qscan import scan_texts

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.environ.get("QINGLANG_DATA", os.path.join(ROOT, "..", "shared", "data"))
DEV_SET = os.path.join(DATA, "seo-dev", "seo_dev.jsonl")
DEV_SETS = {
    "dev": ("seo-dev, development", DEV_SET),
    "fresh": ("seo-fresh, development", os.path.join(ROOT, "test_data", "seo-fresh", "seo_fresh.jsonl")),
    "fresh2": ("seo-fresh2, development",
               os.path.join(ROOT, "test_data", "seo-fresh2", "seo_fresh2.jsonl")),
    "fresh3": ("seo-fresh3, development",
               os.path.join(ROOT, "test_data", "seo-fresh3", "seo_fresh3.jsonl")),
    "fresh4": ("seo-fresh4, development",
               os.path.join(ROOT, "test_data", "seo-fresh4", "seo_fresh4.jsonl")),
    "fresh5": ("seo-fresh5, development",
               os.path.join(ROOT, "test_data", "seo-fresh5", "seo_fresh5.jsonl")),
    "fresh6": ("seo-fresh6, development",
               os.path.join(ROOT, "test_data", "seo-fresh6", "seo_fresh6.jsonl")),
    "fresh7": ("seo-fresh7, development",
               os.path.join(ROOT, "test_data", "seo-fresh7", "seo_fresh7.jsonl")),
    "fresh8": ("seo-fresh8, development",
               os.path.join(ROOT, "test_data", "seo-fresh8", "seo_fresh8.jsonl")),
    "fresh9": ("seo-fresh9, development",
               os.path.join(ROOT, "test_data", "seo-fresh9", "seo_fresh9.jsonl")),
    "fresh10": ("seo-fresh10, development",
                os.path.join(ROOT, "test_data", "seo-fresh10", "seo_fresh10.jsonl")),
    "fresh11": ("seo-fresh11, development",
                os.path.join(ROOT, "test_data", "seo-fresh11", "seo_fresh11.jsonl")),
    "fresh12": ("seo-fresh12, development",
                os.path.join(ROOT, "test_data", "seo-fresh12", "seo_fresh12.jsonl")),
    "train1": ("seo-train1, development (training data)",
               os.path.join(ROOT, "test_data", "seo-train1", "seo_train1.jsonl")),
    "train2": ("seo-train2, development (training data)",
               os.path.join(ROOT, "test_data", "seo-train2", "seo_train2.jsonl")),
}
# None: every set has been measured once and read (see above).
HELD_OUT_SET = None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "qinglang"))
    ap.add_argument("--set", choices=sorted(DEV_SETS), default="dev",
                    help="which development set (default dev)")
    ap.add_argument("--heldout", action="store_true", help="measure the held-out part (report once)")
    ap.add_argument("--show", action="store_true", help="print every miss and false flag")
    ap.add_argument("--no-spam-model", action="store_true",
                    help="scan without the spam model (what it adds, side by side)")
    args = ap.parse_args()
    if args.heldout and HELD_OUT_SET is None:
        print("no held-out set: every set has been measured once and read; gather a new one "
              "from another source and name it in HELD_OUT_SET", file=sys.stderr)
        sys.exit(2)
    if args.heldout and args.show:
        print("--show is for development sets: a held-out set's misses are not read before its "
              "one measurement", file=sys.stderr)
        sys.exit(2)
    part, path = ("held-out", HELD_OUT_SET) if args.heldout else DEV_SETS[args.set]
    with open(path, encoding="utf-8") as f:
        pages = [json.loads(line) for line in f if line.strip()]
    docs = []
    for p in pages:
        if p["kind"] == "injected":
            # The sets join a page's separate injected blocks (a header run and a footer, two
            # brand lines) with ` ||| `: on the page they are separate lines.
            docs.append(("injected run", p["spam"].replace(" ||| ", "\n"), p))
            # A spam post (seo-fresh6's issue threads) has no legitimate body to pass.
            if p["body"].strip():
                docs.append(("injected page body", p["body"], p))
        else:
            docs.append(("hard negative", p["body"], p))
    options = ["--no-spam-model"] if args.no_spam_model else []
    verdicts = scan_texts(args.bin, [d[1] for d in docs], *options)
    counts = {}
    for (kind, text, page), v in zip(docs, verdicts):
        c = counts.setdefault(kind, {"n": 0, "pass": 0, "review": 0, "block": 0})
        c["n"] += 1
        c[v["suggestion"]] += 1
        wrong = v["suggestion"] != "block" if kind == "injected run" else v["suggestion"] != "pass"
        if args.show and wrong:
            hits = ", ".join(f"{h['term']}/{h['action']}" for h in v["hits"][:6])
            print(f"  {kind}: {v['suggestion']} [{hits}] {page['url']}\n    {text[:120]!r}")
    print(f"{part} set ({len(pages)} pages):")
    ok = True
    checks = [("injected run", "injected runs", "block", 0.95, "blocked"),
              ("injected page body", "injected page bodies", "pass", 0.98, "passed")]
    for kind, plural, outcome, need, word in checks:
        c = counts.get(kind, {"n": 0, outcome: 0})
        share = c[outcome] / max(c["n"], 1)
        good = share >= need
        ok &= good
        print(f"  {plural} {word}: {c[outcome]}/{c['n']} ({share:.1%}, need >= {need:.0%}) "
              f"{'OK' if good else 'FAIL'}")
    c = counts.get("hard negative", {"n": 0, "block": 0, "review": 0})
    good = c["block"] == 0
    ok &= good
    print(f"  hard negatives blocked: {c['block']}/{c['n']} (need 0) {'OK' if good else 'FAIL'}; "
          f"reviewed {c['review']}/{c['n']}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
