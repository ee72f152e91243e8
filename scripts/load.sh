#!/usr/bin/env bash
# Bounded load test of the HTTP API on loopback (issue #3 figures):
#   POST /v1/content >= 5,000 reviews/s with p99 < 20 ms, POST /v1/scan >= 20,000/s.
# Starts a real `qinglang serve` on a fresh SQLite database, creates verified users, then
# drives each endpoint with crates/qinglang-server/examples/load.rs for SECONDS (default 10)
# over CONNECTIONS keep-alive connections (default 32). Server and load generator share
# this machine's cores.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-10}
CONNECTIONS=${2:-32}
# Two commands: `--example` limits a build to the example, so the server binary is built apart.
cargo build --release -q -p qinglang-cli
cargo build --release -q -p qinglang-server --example load
WORK=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
python3 -c 'import secrets; print(secrets.token_hex(32))' > "$WORK/key"
# The generator sends far more per author than a person would: lift the REV-7 rate limits,
# which this test does not measure.
sed -e 's/^author_per_minute = .*/author_per_minute = 0/' \
    -e 's/^group_per_minute = .*/group_per_minute = 0/' policy/default.toml > "$WORK/policy.toml"
target/release/qinglang serve --db "$WORK/q.db" --key-file "$WORK/key" --listen 127.0.0.1:0 \
  --policy "$WORK/policy.toml" \
  > "$WORK/out" 2> "$WORK/err" &
SERVER=$!
for _ in $(seq 100); do grep -q "listening on" "$WORK/out" 2>/dev/null && break; sleep 0.1; done
ADDR=$(sed -n 's#^listening on http://##p' "$WORK/out")
ADMIN=$(grep -A1 "admin token" "$WORK/err" | tail -1)
python3 - "$ADDR" "$ADMIN" "$WORK" <<'PY'
import json, random, sys, urllib.request
addr, admin, work = sys.argv[1:]
def call(path, token, body):
    req = urllib.request.Request(f"http://{addr}{path}", data=json.dumps(body).encode(),
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)
svc = call("/v1/tokens", admin, {"role": "service", "name": "load"})["token"]
open(f"{work}/token", "w").write(svc)
users = []
for i in range(500):
    uid = call("/v1/users", svc, {"nickname": f"user{i}"})["id"]
    call(f"/v1/users/{uid}/identity", svc, {"kind": "mobile", "value": f"139{i:08d}", "name": "测试"})
    users.append(uid)
clean = [l.strip() for l in open("../shared/data/wiki-zh-gsd/sentences.txt", encoding="utf-8") if l.strip()]
spam = ["免费毛片在线看", "出售冰毒K粉，量大从优", "澳门新葡京娱乐城，百家乐真人在线"]
rng = random.Random(7)
with open(f"{work}/content.jsonl", "w", encoding="utf-8") as f, open(f"{work}/scan.jsonl", "w", encoding="utf-8") as g:
    for n in range(20000):
        text = rng.choice(spam) if rng.random() < 0.01 else rng.choice(clean)
        f.write(json.dumps({"author": rng.choice(users), "kind": "message", "text": text}, ensure_ascii=False) + "\n")
        g.write(json.dumps({"text": text}, ensure_ascii=False) + "\n")
PY
TOKEN=$(cat "$WORK/token")
echo "scan:    $(target/release/examples/load "$ADDR" "$TOKEN" /v1/scan "$WORK/scan.jsonl" "$CONNECTIONS" "$SECONDS_PER_RUN")"
echo "content: $(target/release/examples/load "$ADDR" "$TOKEN" /v1/content "$WORK/content.jsonl" "$CONNECTIONS" "$SECONDS_PER_RUN")"
