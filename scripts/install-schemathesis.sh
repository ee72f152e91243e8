#!/usr/bin/env bash
# Installs schemathesis (MIT, from PyPI) into target/schemathesis-venv, where the schema-driven
# API test finds it (crates/qinglang-cli/tests/schemathesis.rs, issue #23 item 3). Needs
# Python 3 with venv (Debian: python3-venv, installed here when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=target/schemathesis-venv
if "$VENV/bin/schemathesis" --version >/dev/null 2>&1; then
    echo "schemathesis is installed in $VENV"
    exit 0
fi
mkdir -p target
if ! python3 -m venv "$VENV" >/dev/null 2>&1; then
    SUDO=""
    if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends python3-venv
    rm -rf "$VENV"
    python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis>=4.3,<5"
"$VENV/bin/schemathesis" --version
