#!/usr/bin/env bash
# The schema fuzz run: starts `backstop demo` (words only, a fresh data directory, per-address
# limits lifted since every request comes from here), prepares a conversation, an article and an
# agent for the fuzzer to reach, and runs schemathesis (pinned, from PyPI, in a cached virtualenv)
# against the server's own /api/v1/openapi.json. It fails on any 5xx and on any response, status,
# content type or header that contradicts the description. Bounded in time (FUZZ_MAX_TIME seconds).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/backstop/target}"
SCHEMATHESIS_VERSION=4.32.5
CACHE="${BACKSTOP_CACHE:-$HOME/.cache/backstop}"
VENV="$CACHE/venv-schemathesis-$SCHEMATHESIS_VERSION"
MAX_TIME="${FUZZ_MAX_TIME:-240}"
MAX_EXAMPLES="${FUZZ_MAX_EXAMPLES:-40}"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
for tool in curl python3; do
    command -v "$tool" >/dev/null || { as_root apt-get update -qq; as_root apt-get install -y -qq "$tool" >/dev/null; }
done
if [ ! -x "$VENV/bin/schemathesis" ]; then
    echo "installing schemathesis $SCHEMATHESIS_VERSION (PyPI) into $VENV"
    rm -rf "$VENV"
    if ! python3 -m venv "$VENV" 2>/dev/null; then
        # Debian's own python3 keeps venv in a package of its own.
        as_root apt-get update -qq
        as_root apt-get install -y -qq python3-venv >/dev/null
        python3 -m venv "$VENV"
    fi
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

cargo build --quiet --locked -p backstop
BIN="$CARGO_TARGET_DIR/debug/backstop"
WORK="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
env BACKSTOP__MODELS__EMBEDDINGS=false \
    BACKSTOP__LIMITS__LOGINS_PER_IP=0 BACKSTOP__LIMITS__LOGINS_PER_ACCOUNT=0 \
    BACKSTOP__LIMITS__WIDGET_SESSIONS_PER_IP=0 BACKSTOP__LIMITS__MESSAGES_PER_VISITOR=0 \
    BACKSTOP__LIMITS__MESSAGES_PER_IP=0 BACKSTOP__LIMITS__REQUESTS_PER_IP=0 \
    BACKSTOP__AUTH__LOCKOUT_AFTER=0 RUST_LOG=warn \
    "$BIN" demo --listen "127.0.0.1:$PORT" --data-dir "$WORK/data" > "$WORK/server.log" 2>&1 &
SERVER=$!
cleanup() {
    kill "$SERVER" 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
for _ in $(seq 1 600); do
    curl -sf "$BASE/healthz" >/dev/null && break
    kill -0 "$SERVER" 2>/dev/null || { cat "$WORK/server.log"; echo "error: the demo server exited" >&2; exit 1; }
    sleep 0.5
done

# What the fuzzer should be able to reach: a visitor with a conversation, an article, an agent.
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }
post() { curl -sf -X POST "$BASE$1" -H 'content-type: application/json' "${@:3}" -d "$2"; }
ADMIN_TOKEN="$(post /api/v1/auth/login '{"tenant":"demo","email":"chen@maple.example","password":"backstop-demo"}' | json 'd["token"]')"
SESSION="$(post /api/widget/v1/demo/session '{"lang":"en"}')"
VISITOR="$(echo "$SESSION" | json 'd["token"]')"
CONVERSATION="$(echo "$SESSION" | json 'd["conversation_id"]')"
post "/api/widget/v1/demo/conversations/$CONVERSATION/messages" '{"body":"How long does delivery take?"}' \
    -H "x-visitor-token: $VISITOR" >/dev/null
ARTICLE="$(curl -sf "$BASE/api/v1/articles" -H "authorization: Bearer $ADMIN_TOKEN" | json 'd["articles"][0]["id"]')"
AGENT="$(curl -sf "$BASE/api/v1/agents" -H "authorization: Bearer $ADMIN_TOKEN" \
    | json '[a["agent"]["id"] for a in d["agents"] if a["agent"]["email"] == "sam@maple.example"][0]')"
export VISITOR CONVERSATION ARTICLE AGENT

cat > "$WORK/schemathesis.toml" <<TOML
max-time = $MAX_TIME
seed = 42
workers = 2
request-timeout = 30

[cache]
enabled = false

[checks]
enabled = false
not_a_server_error.enabled = true
status_code_conformance.enabled = true
content_type_conformance.enabled = true
response_schema_conformance.enabled = true
response_headers_conformance.enabled = true

[generation]
max-examples = $MAX_EXAMPLES
database = "none"

[phases.stateful]
enabled = false

# The admin signs in again whenever a request answers 401 (the fuzzer signs itself out too).
[auth.dynamic.openapi.bearer]
path = "/api/v1/auth/login"
payload = { tenant = "demo", email = "chen@maple.example", password = "backstop-demo" }
extract_selector = "/token"

[auth.openapi.visitor_token]
api_key = "\${VISITOR}"

[parameters]
"path.tenant" = "demo"

[[operations]]
include-path-regex = "/conversations/\\\\{id\\\\}"
parameters = { "path.id" = "\${CONVERSATION}" }

[[operations]]
include-path-regex = "^/api/v1/articles/\\\\{id\\\\}"
parameters = { "path.id" = "\${ARTICLE}" }

[[operations]]
include-path-regex = "^/api/v1/agents/\\\\{id\\\\}"
parameters = { "path.id" = "\${AGENT}" }
TOML

echo "fuzzing $BASE/api/v1/openapi.json (at most $MAX_TIME s, $MAX_EXAMPLES examples per operation)"
set +e
(cd "$WORK" && "$VENV/bin/schemathesis" --no-color --config-file "$WORK/schemathesis.toml" \
    run "$BASE/api/v1/openapi.json") 2>&1 | tee "$WORK/fuzz.log"
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then
    echo "--- server log (last 50 lines) ---"
    tail -n 50 "$WORK/server.log"
    echo "error: the schema fuzz run found responses that contradict the API description (or 5xx)" >&2
    exit "$status"
fi
# A 5xx the fuzzer did not see (a panic in a task, a failed request it did not wait for) shows here.
if grep -E "request failed|panicked" "$WORK/server.log"; then
    echo "error: the server logged a failure during the fuzz run" >&2
    exit 1
fi
