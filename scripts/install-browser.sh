#!/usr/bin/env bash
# Installs what the console's end-to-end tests drive: Debian's chromium and chromedriver,
# and a CJK font so that screenshots show Chinese text. Needs root (CI runs as root).
set -euo pipefail
if command -v chromedriver >/dev/null 2>&1 && command -v chromium >/dev/null 2>&1; then
    echo "chromium and chromedriver are installed"
    exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-wqy-zenhei
chromedriver --version
