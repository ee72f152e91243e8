#!/usr/bin/env bash
# Installs the CJK fonts the picture tests draw Chinese text with (#24): the OCR tests and
# `examples/ocr_figures` render chat screenshots in WenQuanYi Zen Hei and Micro Hei, Noto Sans
# and Serif CJK, and AR PL UMing and UKai, so that OCR is measured on more than one typeface.
# Test-time only: the product ships no font. Needs root (CI runs as root).
set -euo pipefail
PACKAGES="fonts-wqy-zenhei fonts-wqy-microhei fonts-noto-cjk fonts-arphic-uming fonts-arphic-ukai"
missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
    echo "CJK fonts are installed"
    exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
