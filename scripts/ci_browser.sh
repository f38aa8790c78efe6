#!/usr/bin/env bash
# Browser tests of the web app: headless Chromium (Debian's `chromium`)
# driven by playwright-core, with an axe-core audit, against a daemon started
# here on a free port with a fresh data directory (demo data on).
#
#   scripts/ci_browser.sh [path/to/yuesou]
#
# Without an argument the debug build ($CARGO_TARGET_DIR or target/) is
# brought up to date first — not a no-op right after `cargo test`, which
# builds the daemon with its dev-dependencies' features, so .ci/run passes
# the binary the tests built. Screenshots (360×780) go to
# target/screenshots/ (artifacts, not committed).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=${1:-$TARGET/debug/yuesou}
SHOTS=${SCREENSHOTS:-$ROOT/target/screenshots}
started=$(date +%s)

# Chromium and a CJK font (without one, Chinese renders as boxes).
if ! command -v chromium >/dev/null 2>&1 || ! fc-list :lang=zh 2>/dev/null | grep -q .; then
    SUDO=""
    if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null
fi

# The test dependencies, exactly as locked.
(cd web-tests && npm ci --no-audit --no-fund --loglevel=error)

if [ $# -eq 0 ]; then
    # The daemon as the tree is now.
    cargo build --locked --bin yuesou
fi

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
DATA=$(mktemp -d)
LOG="$DATA/daemon.log"
OPERATOR_TOKEN=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
YUESOU_OPERATOR_TOKEN=$OPERATOR_TOKEN YUESOU_WATCH=false YUESOU_ACCESS_LOG=false \
    "$BIN" serve --addr "127.0.0.1:$PORT" --data-dir "$DATA/data" --demo true >"$LOG" 2>&1 &
DAEMON=$!
cleanup() {
    kill "$DAEMON" 2>/dev/null || true
    wait "$DAEMON" 2>/dev/null || true
    rm -rf "$DATA"
}
trap cleanup EXIT

for _ in $(seq 1 600); do
    if curl -fsS "$BASE/readyz" >/dev/null 2>&1; then
        break
    fi
    if ! kill -0 "$DAEMON" 2>/dev/null; then
        echo "the daemon exited:" >&2
        cat "$LOG" >&2
        exit 1
    fi
    sleep 0.5
done
curl -fsS "$BASE/readyz" >/dev/null

# A fresh daemon has no live hot searches (they need several people): the
# app shows the curated list (/api/v1/hot?curated=true) until there are,
# and the browser tests check that it does (issue 23).

mkdir -p "$SHOTS"
status=0
(cd web-tests && BASE_URL="$BASE" SCREENSHOTS="$SHOTS" OUTBOX="$DATA/data/outbox/sms.jsonl" CHROMIUM="$(command -v chromium)" \
    node --test --test-concurrency=1 --test-reporter=spec tests/) || status=$?
if [ "$status" != 0 ]; then
    echo "== daemon log (tail)" >&2
    tail -n 40 "$LOG" >&2
fi
echo "browser tests: $(( $(date +%s) - started )) s; screenshots in $SHOTS"
exit "$status"
