#!/usr/bin/env bash
# Soak (#23 item 6; OPS-5): MINUTES (default 10) of mixed load on one real `qinglang serve`
# over a fresh SQLite database, in 30-second slices. In every slice, at once: scans
# (POST /v1/scan, 8 connections), submissions into groups (POST /v1/content, 8), reports
# (POST /v1/reports, 2; merged per target) from the load generator, and a moderator signing in
# to the console and reading its pages (/, /queue, /reports, /audit) in a loop. After each
# slice: the server's resident heap (RssAnon) and mapped files (RssFile: SQLite's WAL index
# grows with the database, which is not a leak), the database's size, each stream's
# requests/s and p99, and the slowest console page. The heap must stay flat: the flood index,
# the principal and secret caches and the sessions are bounded. Exit status 1 when the last
# slice's heap is over 1.5x the third's (the first slices warm the caches and SQLite's page
# cache) or any 5xx was answered.
# Usage: scripts/soak.sh [MINUTES]
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES=${1:-10}
# Two commands: `--example` limits a build to the example, so the server binary is built apart.
cargo build --release -q -p qinglang-cli
cargo build --release -q -p qinglang-server --example load
WORK=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
python3 -c 'import secrets; print(secrets.token_hex(32))' > "$WORK/key"
# As scripts/load.sh: the generator sends far more per author than a person would.
sed -e 's/^author_per_minute = .*/author_per_minute = 0/' \
    -e 's/^group_per_minute = .*/group_per_minute = 0/' policy/default.toml > "$WORK/policy.toml"
target/release/qinglang serve --db "$WORK/q.db" --key-file "$WORK/key" --listen 127.0.0.1:0 \
  --policy "$WORK/policy.toml" > "$WORK/out" 2> "$WORK/err" &
SERVER=$!
for _ in $(seq 100); do grep -q "listening on" "$WORK/out" 2>/dev/null && break; sleep 0.1; done
ADDR=$(sed -n 's#^listening on http://##p' "$WORK/out")
ADMIN=$(grep -A1 "admin token" "$WORK/err" | sed -n 2p)
python3 - "$ADDR" "$ADMIN" "$WORK" "$SERVER" "$MINUTES" <<'PY'
import json, random, re, subprocess, sys, threading, time, urllib.parse, urllib.request
addr, admin, work, pid, minutes = sys.argv[1:]
def call(path, token, body):
    req = urllib.request.Request(f"http://{addr}{path}", data=json.dumps(body).encode(),
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)
svc = call("/v1/tokens", admin, {"role": "service", "name": "soak"})["token"]
lead = call("/v1/tokens", admin, {"role": "lead", "name": "soak-lead"})["token"]
users = []
for i in range(300):
    uid = call("/v1/users", svc, {"nickname": f"user{i}"})["id"]
    call(f"/v1/users/{uid}/identity", svc, {"kind": "mobile", "value": f"139{i:08d}", "name": "测试"})
    users.append(uid)
groups = [call("/v1/groups", svc, {"owner": users[g], "name": f"群{g}", "max_members": 500})["id"] for g in range(10)]
members = {}
for n, uid in enumerate(users):
    g = groups[n % len(groups)]
    if users[groups.index(g)] != uid:
        call(f"/v1/groups/{g}/members", svc, {"user": uid})
    members[uid] = g
clean = [l.strip() for l in open("../shared/data/wiki-zh-gsd/sentences.txt", encoding="utf-8") if l.strip()]
spam = ["免费毛片在线看", "出售冰毒K粉，量大从优", "澳门新葡京娱乐城，百家乐真人在线",
        "加微信abc12345领取福利", "兼职刷单日结，加QQ 12345678"]
rng = random.Random(23)
with open(f"{work}/content.jsonl", "w", encoding="utf-8") as f, \
     open(f"{work}/scan.jsonl", "w", encoding="utf-8") as g, \
     open(f"{work}/reports.jsonl", "w", encoding="utf-8") as r:
    for n in range(20000):
        text = rng.choice(spam) if rng.random() < 0.05 else rng.choice(clean)
        # Every 7th message is new: a flood index that only grew would show in the memory.
        if n % 7 == 0:
            text = f"{text} {n}"
        author = rng.choice(users)
        f.write(json.dumps({"author": author, "group": members[author], "kind": "message", "text": text}, ensure_ascii=False) + "\n")
        g.write(json.dumps({"text": text}, ensure_ascii=False) + "\n")
        r.write(json.dumps({"target": {"kind": "user", "id": rng.choice(users)}, "category": "fraud",
                            "note": "骗钱", "reporter": rng.choice(users)}, ensure_ascii=False) + "\n")

slowest = {}

def console_pages(stop, counts):
    """A moderator's browser: sign in with the lead's token, read pages, sign in again."""
    while not stop.is_set():
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        page = opener.open(f"http://{addr}/login").read().decode()
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
        opener.open(f"http://{addr}/login", data=urllib.parse.urlencode(
            {"csrf": csrf, "token": lead, "next": "/"}).encode()).read()
        for _ in range(20):
            for path in ["/", "/queue", "/reports", "/audit"]:
                t = time.perf_counter()
                try:
                    opener.open(f"http://{addr}{path}").read()
                    counts.append(time.perf_counter() - t)
                    slowest[path] = max(slowest.get(path, 0), time.perf_counter() - t)
                except urllib.error.HTTPError as e:
                    counts.append(-e.code)
            if stop.is_set():
                break

def rss_kib():
    """(anonymous, file-backed) resident KiB: the heap, and pages of mapped files."""
    fields = {}
    for line in open(f"/proc/{pid}/status"):
        key, _, value = line.partition(":")
        if key in ("RssAnon", "RssFile", "RssShmem"):
            fields[key] = int(value.split()[0])
    return fields.get("RssAnon", 0), fields.get("RssFile", 0) + fields.get("RssShmem", 0)

def db_mib():
    import os
    return sum(os.path.getsize(f"{work}/q.db{x}") for x in ("", "-wal") if os.path.exists(f"{work}/q.db{x}")) / 2**20

load = "target/release/examples/load"
streams = [("scan", "/v1/scan", "scan.jsonl", 8), ("content", "/v1/content", "content.jsonl", 8),
           ("reports", "/v1/reports", "reports.jsonl", 2)]
rows, bad = [], 0
print(f"soak: {minutes} min in 30 s slices on {addr}")
print(f"{'slice':>5} {'heap MiB':>8} {'files MiB':>9} {'db MiB':>7} " + " ".join(f"{n + ' /s':>12} {n + ' p99':>12}" for n, *_ in streams) + f" {'pages':>6} {'page p99':>9}  slowest page")
for s in range(int(float(minutes) * 2)):
    stop, page_times = threading.Event(), []
    pager = threading.Thread(target=console_pages, args=(stop, page_times))
    pager.start()
    procs = [subprocess.Popen([load, addr, svc, path, f"{work}/{file}", str(conns), "30"],
                              stdout=subprocess.PIPE, text=True) for _, path, file, conns in streams]
    results = [json.loads(p.communicate()[0]) for p in procs]
    stop.set(); pager.join()
    for res in results:
        bad += sum(n for code, n in res["statuses"].items() if code.startswith("5"))
    bad += sum(1 for t in page_times if t <= -500)
    ok_pages = sorted(t for t in page_times if t > 0)
    page_p99 = ok_pages[int(len(ok_pages) * 0.99) - 1] * 1000 if ok_pages else float("nan")
    anon, files = (x / 1024 for x in rss_kib())
    rows.append(anon)
    slow = max(slowest.items(), key=lambda kv: kv[1], default=("-", 0))
    slowest.clear()
    print(f"{s + 1:>5} {anon:>8.1f} {files:>9.1f} {db_mib():>7.0f} " + " ".join(
        f"{res['requests_per_second']:>12.0f} {res['latency_ms']['p99']:>9.2f} ms" for res in results)
        + f" {len(page_times):>6} {page_p99:>6.1f} ms  {slow[0]} {slow[1] * 1000:.0f} ms", flush=True)
base = rows[min(2, len(rows) - 1)]
growth = rows[-1] / base if base else 1
print(f"heap: {rows[-1]:.1f} MiB at the end, {base:.1f} MiB after slice {min(3, len(rows))} ({growth:.2f}x); 5xx answers: {bad}")
sys.exit(0 if growth <= 1.5 and bad == 0 else 1)
PY
