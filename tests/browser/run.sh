#!/usr/bin/env bash
# The one entry point CI calls for the real-browser end-to-end tests: gets Chromium + fonts, the npm deps and the binary, then runs the tests.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"

# Run apt-get as root, or through sudo; otherwise explain what is missing.
apt_install() {
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo="sudo"
    else
      echo "error: the browser tests need the Debian packages: $*" >&2
      echo "       install them as root (apt-get install -y $*) or run this script as root / with passwordless sudo." >&2
      exit 1
    fi
  fi
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "$@"
}

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
# Chinese glyphs in the screenshots (widget and inbox are bilingual); without a CJK font they render as boxes.
if ! { command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q .; }; then
  missing+=(fonts-noto-cjk)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "==> installing ${missing[*]}"
  apt_install "${missing[@]}"
fi

echo "==> npm ci (tests/browser)"
(cd "$HERE" && npm ci --no-audit --no-fund)

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${HOME}/.cache/backstop/target}"
echo "==> cargo build -p backstop (target dir: $CARGO_TARGET_DIR)"
cargo build -p backstop

export BACKSTOP_BIN="$CARGO_TARGET_DIR/debug/backstop"
mkdir -p "$HERE/artifacts"
echo "==> browser tests (screenshots in tests/browser/artifacts/)"
# The files are listed by the shell: `node --test DIR/` only searches a directory on Node 20
# (from Node 21 on, a directory argument is taken as a file and fails with MODULE_NOT_FOUND).
shopt -s nullglob
tests=(tests/browser/*.test.mjs)
[ "${#tests[@]}" -gt 0 ] || { echo "error: no tests/browser/*.test.mjs found" >&2; exit 1; }
node --test --test-concurrency=1 "${tests[@]}"
