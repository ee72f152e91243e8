#!/bin/sh
# Runs every fuzz target (fuzz/fuzz_targets, issue #23 item 2) for SECONDS each (default 10)
# from the committed seeds, on a copy of the corpus so that the repository is not written to.
# Needs a nightly toolchain and cargo-fuzz (installed here when missing); without a nightly
# toolchain it says so and exits 0: fuzzing is then skipped, not failed.
#   scripts/fuzz.sh [SECONDS]
set -eu
cd "$(dirname "$0")/../fuzz"
SECONDS_EACH=${1:-10}
if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    echo "fuzz: SKIPPED — no nightly toolchain on this machine (cargo fuzz needs one)"
    exit 0
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
cargo +nightly fuzz build -O
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
status=0
for target in $(cargo +nightly fuzz list); do
    mkdir -p "$WORK/$target"
    cp -r "corpus/$target/." "$WORK/$target/" 2>/dev/null || true
    if cargo +nightly fuzz run -O "$target" "$WORK/$target" -- \
        -max_total_time="$SECONDS_EACH" -max_len=4096 -artifact_prefix="$WORK/" \
        >"$WORK/$target.log" 2>&1; then
        echo "fuzz: $target: $(grep -Eo 'Done [0-9]+ runs in [0-9]+ second' "$WORK/$target.log" | tail -1)"
    else
        echo "fuzz: $target: FAILED"
        tail -40 "$WORK/$target.log"
        status=1
    fi
done
exit $status
