#!/usr/bin/env bash
# Calls per second through Tencent Cloud's official TMS SDK for Python against `POST /`
# (TC3-HMAC-SHA256 signing, the TMS envelope) next to plain `POST /v1/scan` with a bearer
# token, on the same texts, one client, sequential calls, on loopback (issue #22). Needs the
# SDK: scripts/install-tms-sdk.sh. Usage: scripts/tms_bench.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${1:-50}"
PY=target/tms-sdk-venv/bin/python
[ -x "$PY" ] || { echo "run scripts/install-tms-sdk.sh first" >&2; exit 2; }
cargo build --release -q -p qinglang-cli
BIN=target/release/qinglang
DIR=$(mktemp -d)
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$DIR"' EXIT
printf '%s' "$(printf 'cd%.0s' $(seq 32))" > "$DIR/key"
"$BIN" serve --listen 127.0.0.1:0 --db "$DIR/q.db" --key-file "$DIR/key" > "$DIR/out" 2> "$DIR/err" &
SERVER=$!
for _ in $(seq 100); do grep -q "listening on" "$DIR/out" 2>/dev/null && break; sleep 0.1; done
ADDR=$(sed -n 's#^listening on http://##p' "$DIR/out")
KEYS=$("$BIN" token create --role service --name bench-tc3 --tc3 --db "$DIR/q.db" --key-file "$DIR/key")
BEARER=$("$BIN" token create --role service --name bench-bearer --db "$DIR/q.db" --key-file "$DIR/key")
SECRET_ID=$(sed -n 's/^SecretId: //p' <<< "$KEYS")
SECRET_KEY=$(sed -n 's/^SecretKey: //p' <<< "$KEYS")
"$PY" - "$ADDR" "$SECRET_ID" "$SECRET_KEY" "$BEARER" "$ROUNDS" <<'PYEOF'
import json, subprocess, sys
addr, sid, skey, bearer, rounds = sys.argv[1:]
texts = ["今天天气不错，我们去公园散步吧。", "想看裸聊的加我微信abc12345",
         "本周六上午九点在三楼会议室开会，请准时参加。", "详情加微信abc12345咨询",
         "国产精品久久久久久久_亚洲一区二区三区在线观看"]
spec = {"endpoint": addr, "secret_id": sid, "secret_key": skey,
        "bench": {"texts": texts, "rounds": int(rounds), "bearer": bearer}}
p = subprocess.run([sys.executable, "scripts/tms_sdk.py"], input=json.dumps(spec).encode(),
                   stdout=subprocess.PIPE, check=True)
b = json.loads(p.stdout)["bench"]
print(f"{b['calls']} calls each, sequential, one client, loopback:")
print(f"  TMS SDK  (POST /, TC3 signed):        {b['tms_per_s']:8.1f} calls/s")
print(f"  urllib   (POST /v1/scan, bearer):     {b['scan_per_s']:8.1f} calls/s")
# The server's own time per call (its request histogram), which leaves out the clients.
import urllib.request
metrics = urllib.request.urlopen(f"http://{addr}/metrics").read().decode()
def mean(route):
    sums = {}
    for line in metrics.splitlines():
        if line.startswith("qinglang_http_request_seconds_") and f'route="{route}"' in line \
                and 'method="POST"' in line:
            kind = line.split("{")[0].rsplit("_", 1)[1]
            sums[kind] = float(line.rsplit(" ", 1)[1])
    return sums["sum"] / sums["count"] * 1e6 if sums.get("count") else float("nan")
print(f"  server time per call: POST / {mean('/'):.0f} µs, POST /v1/scan {mean('/v1/scan'):.0f} µs")
PYEOF
