#!/usr/bin/env bash
# Installs Tencent Cloud's official TMS and IMS SDKs for Python (tencentcloud-sdk-python-tms and
# -ims, Apache-2.0, from PyPI) into target/tms-sdk-venv, where the TMS-compatible endpoint's test finds it
# (crates/qinglang-cli/tests/tms_sdk.rs). Needs Python 3 with venv (Debian: python3-venv).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=target/tms-sdk-venv
if "$VENV/bin/python" -c "import tencentcloud.tms.v20201229, tencentcloud.ims.v20201229" >/dev/null 2>&1; then
    echo "tencentcloud-sdk-python-tms and -ims are installed in $VENV"
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
"$VENV/bin/pip" install --quiet --disable-pip-version-check \
    "tencentcloud-sdk-python-tms>=3.0.1200,<4" "tencentcloud-sdk-python-ims>=3.0.1200,<4"
"$VENV/bin/python" -c "import tencentcloud.tms.v20201229, tencentcloud.ims.v20201229; print('tencentcloud-sdk-python-tms and -ims installed in $(pwd)/$VENV')"
