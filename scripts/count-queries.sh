#!/usr/bin/env bash
# Counts the SQL statements one customer message costs over the widget's REST API: the request (the
# visitor check and the stored message) and its AI turn (read, decide, apply), from the statements
# sqlx logs. Usage: scripts/count-queries.sh [path/to/backstop] (default: the debug build).
set -euo pipefail
BIN="${1:-${CARGO_TARGET_DIR:-target}/debug/backstop}"
DIR="$(mktemp -d)"; LOG="$DIR/server.log"
trap 'kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; [ -n "${KEEP_LOG:-}" ] && cp "$LOG" "$KEEP_LOG"; rm -rf "$DIR"' EXIT
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BACKSTOP__MODELS__EMBEDDINGS=false RUST_LOG=warn,sqlx::query=debug \
  "$BIN" demo --data-dir "$DIR" --listen "127.0.0.1:$PORT" >"$LOG" 2>&1 &
PID=$!
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 200); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 0.2; done
SESSION="$(curl -sf -X POST -H 'Content-Type: application/json' "$BASE/api/widget/v1/demo/session" -d '{"lang":"en"}')"
TOKEN="$(python3 -c 'import sys, json; print(json.loads(sys.argv[1])["token"])' "$SESSION")"
CONV="$(python3 -c 'import sys, json; print(json.loads(sys.argv[1])["conversation_id"])' "$SESSION")"
# Statements, without the sweeper of SLA deadlines (it wakes on any change, not per message).
count() { grep 'sqlx::query' "$LOG" | grep -vc 'sla_due_at IS NOT NULL' || true; }
ask() {
  sleep 1
  local before; before="$(count)"
  curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' -H "X-Visitor-Token: $TOKEN" \
    "$BASE/api/widget/v1/demo/conversations/$CONV/messages" -d "{\"client_id\":\"$1\",\"body\":\"$2\"}"
  sleep 2
  echo "$(( $(count) - before )) statements: \"$2\" (request and AI turn)"
}
ask first "How long does delivery take?"
ask second "Can I return a sale item?"
ask third "Do you ship to Canada?"
