#!/usr/bin/env bash
# The whole test suite, as CI runs it: set-up, lint, then every test inside a D-Bus session
# with an unlocked gnome-keyring and a fresh kernel session keyring.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
# The product as users build it: without the test-only `testing` feature.
cargo clippy --bins --locked -- -D warnings
# By default every test target (unit tests and tests/it); examples and benches are not run by
# `cargo test`, and clippy --all-targets above already compiles them.
[ $# -eq 0 ] && set -- --tests
exec dbus-run-session -- bash scripts/test-in-session.sh "$@"
