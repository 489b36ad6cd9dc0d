#!/usr/bin/env bash
# Installs everything the wizard and the test suite need on a fresh Debian machine (run as root).
# Idempotent: a second run installs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pair in tmux:tmux dbus-run-session:dbus gnome-keyring-daemon:gnome-keyring keyctl:keyutils xdg-open:xdg-utils node:nodejs npm:npm; do
  cmd=${pair%%:*}; pkg=${pair##*:}
  command -v "$cmd" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# npm packages for the local OAuth/OIDC provider used by the tests.
if [ -f tests/support/oidc/package.json ] && [ ! -d tests/support/oidc/node_modules ]; then
  (cd tests/support/oidc && npm ci --no-audit --no-fund --silent)
fi
