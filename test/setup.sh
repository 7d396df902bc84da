#!/usr/bin/env bash
# Installs the Debian packages the tests use: Poetry 1.3.2 (poetry.lock freshness) and the venv
# module (real environments built with pip) as oracles, and the openssl CLI (the TLS tests make
# their CA and certificates with it at test time). Idempotent: a second run only checks. pip 23.2.1, Python 3.11 and npm come with the machine; each test checks its own versions.
set -euo pipefail
source "$(dirname "$0")/support/aptInstall.sh"
apt_install "test setup" python3-poetry python3-venv openssl
