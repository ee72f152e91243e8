#!/usr/bin/env python3
"""Flood-campaign figures (issue #5, REV-7) through the real `qinglang scan --jsonl --floods`.

A campaign of 200 variants of one advertisement (random noise symbols and spaces inserted,
synonym swaps, changed phone digits and WeChat ids, reordered clauses) is mixed at random
positions into 100,000 ordinary messages. Ordinary messages are built from real text (COLD
train/dev, SWSR, wiki-zh-gsd; never COLD test), every clause used at most once, so two
ordinary messages are near copies only where the sources themselves repeat a text.

Acceptance: >= 95% of the variants linked to the campaign (the first copy cannot be: it is
the campaign's first message), <= 0.1% of ordinary messages linked to any campaign, and
`--floods` adds <= 20% to scan time (median of back-to-back pairs of runs, both with
--no-model; see scripts/paired.py).

    python3 scripts/floods.py              # build, generate (seeded), measure, check
    python3 scripts/floods.py --no-build   # use target/release/qinglang as it is

The generated set is written to test_data/floods/ (messages.jsonl is git-ignored when large;
the ad variants are committed in variants.jsonl). Exit status: 0 pass, 1 fail, 2 error.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from paired import children_cpu, describe, paired_cost

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
OUT = ROOT / "test_data" / "floods"
QINGLANG = ROOT / "target" / "release" / "qinglang"

AD_CLAUSES = [
    "兼职刷单日结工资",
    "每天只需两小时",
    "在家用手机就能做",
    "月入过万不是梦",
    "名额有限先到先得",
    "有意者加微信{wx}详聊",
    "或致电{phone}",
]
SYNONYMS = {
    "兼职": ["兼职", "副业", "业余兼职"],
    "日结": ["日结", "当天结算", "天天结"],
    "工资": ["工资", "佣金", "报酬"],
    "每天": ["每天", "每日", "一天"],
    "两小时": ["两小时", "2小时", "两个小时"],
    "在家": ["在家", "宅家", "足不出户"],
    "月入过万": ["月入过万", "月入上万", "月收入过万"],
    "不是梦": ["不是梦", "轻松实现", "很简单"],
    "名额有限": ["名额有限", "人数有限", "名额不多"],
    "先到先得": ["先到先得", "手慢无", "抓紧报名"],
    "有意者": ["有意者", "感兴趣的", "想做的"],
    "详聊": ["详聊", "细聊", "咨询"],
    "致电": ["致电", "打电话", "联系"],
}
NOISE = ["*", ".", "-", " ", "~", "|", "❤", "★", "、", "✨", "_"]


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def csv_column(path: Path, column: str) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return [row[column].strip() for row in csv.DictReader(f) if row.get(column, "").strip()]


def clauses() -> list[str]:
    texts: list[str] = []
    for path, column in [
        (DATA / "cold" / "train.csv", "TEXT"),
        (DATA / "cold" / "dev.csv", "TEXT"),
        (DATA / "swsr" / "SexComment.csv", "comment_text"),
    ]:
        texts.extend(csv_column(path, column))
    wiki = DATA / "wiki-zh-gsd" / "sentences.txt"
    texts.extend(s.strip() for s in wiki.read_text(encoding="utf-8").splitlines() if s.strip())
    out: list[str] = []
    seen: set[str] = set()
    for t in texts:
        for c in re.split(r"(?<=[，。！？!?；;])", re.sub(r"\s+", " ", t)):
            c = c.strip()
            if c and c not in seen:
                seen.add(c)
                out.append(c)
    return out


def ordinary(rng: random.Random, n: int) -> list[str]:
    pool = clauses()
    rng.shuffle(pool)
    messages: list[str] = []
    i = 0
    while len(messages) < n and i < len(pool):
        k = 1 if rng.random() < 0.6 else 2
        messages.append("".join(pool[i : i + k]))
        i += k
    if len(messages) < n:
        raise SystemExit(f"only {len(messages)} ordinary messages from {len(pool)} clauses")
    return messages


def variant(rng: random.Random) -> str:
    phone = "1" + rng.choice("3589") + "".join(rng.choice("0123456789") for _ in range(9))
    wx = "".join(rng.choice("abcdefghjkmnpqrstuvwxyz") for _ in range(rng.randint(5, 8)))
    parts = [c.format(wx=wx, phone=phone) for c in AD_CLAUSES]
    # Reorder: swap two of the first five clauses half of the time.
    if rng.random() < 0.5:
        a, b = rng.sample(range(5), 2)
        parts[a], parts[b] = parts[b], parts[a]
    text = "，".join(parts) + "。"
    # Synonym swaps: each known phrase is replaced with probability 0.3.
    for word, choices in SYNONYMS.items():
        if word in text and rng.random() < 0.3:
            text = text.replace(word, rng.choice(choices), 1)
    # Noise: 3-10 symbols or spaces at random positions.
    chars = list(text)
    for _ in range(rng.randint(3, 10)):
        chars.insert(rng.randrange(len(chars) + 1), rng.choice(NOISE))
    return "".join(chars)


def generate(seed: int, n_ordinary: int, n_variants: int) -> tuple[Path, set[int], set[int]]:
    rng = random.Random(seed)
    messages = [(t, False) for t in ordinary(rng, n_ordinary)]
    variants = [variant(rng) for _ in range(n_variants)]
    for v in variants:
        messages.insert(rng.randrange(len(messages) + 1), (v, True))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "variants.jsonl").write_text(
        "".join(json.dumps({"text": v}, ensure_ascii=False) + "\n" for v in variants),
        encoding="utf-8",
    )
    path = OUT / "messages.jsonl"
    ads: set[int] = set()
    normal: set[int] = set()
    with path.open("w", encoding="utf-8") as f:
        for i, (text, is_ad) in enumerate(messages, start=1):
            (ads if is_ad else normal).add(i)
            f.write(json.dumps({"id": i, "text": text}, ensure_ascii=False) + "\n")
    return path, ads, normal


def run(cmd: list[str]) -> tuple[float, float, bytes]:
    """Runs `cmd`; returns its wall time, its CPU time and its output."""
    cpu = children_cpu()
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - t
    cpu = children_cpu() - cpu
    if proc.returncode not in (0, 1):
        log(proc.stderr.decode("utf-8", "replace"))
        raise SystemExit(2)
    return elapsed, cpu, proc.stdout


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seed", type=int, default=20261128)
    p.add_argument("--ordinary", type=int, default=100_000)
    p.add_argument("--variants", type=int, default=200)
    p.add_argument("-n", "--runs", type=int, default=15)
    p.add_argument("--no-build", action="store_true")
    args = p.parse_args()
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "qinglang-cli"], cwd=ROOT,
                       check=True)
    path, ads, normal = generate(args.seed, args.ordinary, args.variants)
    rel = str(path.relative_to(ROOT))
    base = [str(QINGLANG), "scan", "--jsonl", "--format", "json", "--no-model"]
    floods = base + ["--floods", "--flood-min-copies", "2", rel]

    _, _, out = run(floods)
    linked: dict[int, int] = {}
    for line in out.decode("utf-8").splitlines():
        v = json.loads(line)
        for h in v["hits"]:
            if h["source"] == "rule:flood":
                linked[v["id"]] = h["campaign"]["id"]
    campaigns = [linked[i] for i in ads if i in linked]
    main_campaign = statistics.mode(campaigns) if campaigns else None
    found = sum(1 for i in ads if linked.get(i) == main_campaign)
    # The campaign's first message is its id: linked by definition, though never flagged.
    found += 1 if main_campaign in ads and main_campaign not in linked else 0
    wrong = sorted(i for i in normal if i in linked)
    lines = path.read_text(encoding="utf-8").splitlines()

    log(f"measuring time: {args.runs} back-to-back pairs of runs")
    plain_t: list[float] = []
    flood_t: list[float] = []
    plain_cpu: list[float] = []
    flood_cpu: list[float] = []
    for i in range(args.runs):
        # The order alternates, so neither side always runs second (scripts/paired.py).
        for cmd, wall, cpu in [(base + [rel], plain_t, plain_cpu), (floods, flood_t, flood_cpu)][
            :: 1 if i % 2 == 0 else -1
        ]:
            w, c, _ = run(cmd)
            wall.append(w)
            cpu.append(c)
    cost = paired_cost(plain_t, flood_t)
    cpu_cost = paired_cost(plain_cpu, flood_cpu)

    n_ads, n_normal = len(ads), len(normal)
    print(f"data: {rel}: {n_normal} ordinary messages + {n_ads} ad variants")
    print(f"variants linked to the campaign: {found}/{n_ads} = {found / n_ads:.2%} (needs >= 95%)")
    print(f"ordinary messages linked to a campaign: {len(wrong)}/{n_normal} = "
          f"{len(wrong) / n_normal:.3%} (limit 0.1%)")
    for i in wrong[:5]:
        print(f"  e.g. line {i} -> campaign {linked[i]}: {json.loads(lines[i - 1])['text'][:40]}")
    print(f"scan time (median): {statistics.median(plain_t):.3f} s without --floods, "
          f"{statistics.median(flood_t):.3f} s with")
    print(f"flood check cost: {describe(cost, args.runs)} (limit 20%)")
    print(f"  in CPU time (user + system, same runs; not the gate): {describe(cpu_cost, args.runs)}")
    ok = found / n_ads >= 0.95 and len(wrong) / n_normal <= 0.001 and cost["median"] <= 0.20
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
