#!/usr/bin/env bash
# Installs the Debian packages the differential tests use as oracles: Poetry 1.3.2 (poetry.lock
# freshness) and the venv module (real environments built with pip). Idempotent: a second run only
# checks. pip 23.2.1, Python 3.11 and npm come with the machine; each test checks its own versions.
set -euo pipefail
need_apt=()
for pkg in python3-poetry python3-venv; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "test setup: apt-get install ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
