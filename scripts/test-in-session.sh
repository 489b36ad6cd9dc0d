#!/usr/bin/env bash
# Runs inside `dbus-run-session`: unlock a throwaway gnome-keyring, then the tests in a new
# kernel session keyring (keyutils needs one).
set -euo pipefail
cd "$(dirname "$0")/.."
export XDG_DATA_HOME="${TMPDIR:-/tmp}/scc-onboard-test-data.$$"
mkdir -p "$XDG_DATA_HOME"
eval "$(printf 'test-keyring-password' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
exec keyctl session - cargo test --locked "$@"
