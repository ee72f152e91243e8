"""One helper for the measurement scripts: texts through the real `qinglang scan --jsonl
--format json`, one verdict per text, in order. Standard library only."""
import json, subprocess, sys


def scan_texts(binary, texts, *options):
    """Verdicts (dicts) for `texts`; `options` are extra scan arguments (`--no-model`, …).
    Exits with the scan's error when it fails (exit status other than 0 or 1)."""
    payload = "".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n"
                      for i, t in enumerate(texts))
    p = subprocess.run([binary, "scan", "--jsonl", "--format", "json", *options],
                       input=payload.encode(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode not in (0, 1):
        sys.exit(f"scan failed ({p.returncode}): {p.stderr.decode(errors='replace')}")
    verdicts = [json.loads(l) for l in p.stdout.decode().splitlines() if l.strip()]
    if len(verdicts) != len(texts):
        sys.exit(f"{len(texts)} texts but {len(verdicts)} verdicts")
    return verdicts
