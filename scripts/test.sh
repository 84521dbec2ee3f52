#!/usr/bin/env bash
# Runs every Backstop test: the Rust workspace (unit, storage contract, integration against the real
# server) and the browser tests in headless Chromium. Installs what the browser tests need.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/backstop/target}"

echo "== cargo test (workspace) =="
cargo test --workspace --locked

echo "== browser tests =="
bash tests/browser/run.sh
