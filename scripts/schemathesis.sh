#!/usr/bin/env bash
# OpenAPI conformance: runs schemathesis (from PyPI) against a daemon started
# here, with every check on and a bounded budget; exits non-zero on any
# failure. The whole API is covered: the public routes, the personal routes
# with a demo person's session, the operator routes with the operator token
# (schemathesis.toml maps each security scheme of the document to its
# credential), and the stateful phase follows the document's links
# (create → read → change → delete). The admin routes get no credential and
# are checked to refuse (401), as are the others when schemathesis drops the
# credential (its `ignored_auth` check).
#
#   scripts/schemathesis.sh [path/to/yuesou]
#
# The binary defaults to the debug build `cargo test` leaves behind
# ($CARGO_TARGET_DIR or target/). schemathesis is installed into a virtualenv
# under $YUESOU_TOOLS (default ~/.cache/yuesou-tools) on first use.
# Budget: SCHEMATHESIS_MAX_EXAMPLES (default 25) per operation and
# SCHEMATHESIS_MAX_TIME seconds (default 180) in all.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

VERSION=4.32.5
BIN=${1:-${CARGO_TARGET_DIR:-target}/debug/yuesou}
TOOLS=${YUESOU_TOOLS:-$HOME/.cache/yuesou-tools}
VENV="$TOOLS/schemathesis-$VERSION"
MAX_EXAMPLES=${SCHEMATHESIS_MAX_EXAMPLES:-25}
MAX_TIME=${SCHEMATHESIS_MAX_TIME:-180}

if [ ! -x "$BIN" ]; then
    echo "no daemon binary at $BIN (run cargo test or cargo build first)" >&2
    exit 1
fi
if [ ! -x "$VENV/bin/schemathesis" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$VERSION"
fi

# A free port, the daemon on it, and the daemon stopped on every exit.
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
LOG=$(mktemp)
# schemathesis keeps caches in its working directory: a scratch one.
SCRATCH=$(mktemp -d)
DATA=$(mktemp -d)
# Limits meant for people, not for a generator sending hundreds of requests
# from one address in a minute.
CONFIG="$SCRATCH/yuesou.toml"
printf 'feedback_per_hour = 100000\nverify_per_minute = 100000\n' >"$CONFIG"
# An admin token is set (and not sent), so the admin routes answer 401 as
# their security scheme says.
export YUESOU_OPERATOR=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
YUESOU_ADMIN_TOKEN=$(python3 -c 'import secrets; print(secrets.token_hex(16))') \
YUESOU_OPERATOR_TOKEN="$YUESOU_OPERATOR" \
YUESOU_WATCH=false YUESOU_ACCESS_LOG=false YUESOU_CACHE_MB=0 \
    "$BIN" --config "$CONFIG" --data-dir "$DATA" serve --addr "127.0.0.1:$PORT" >"$LOG" 2>&1 &
DAEMON=$!
trap 'kill "$DAEMON" 2>/dev/null || true; wait "$DAEMON" 2>/dev/null || true; rm -rf "$LOG" "$SCRATCH" "$DATA"' EXIT

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

# The demo person (L2, with licences, applications and organisations): one
# session for every personal route. Logout and session revocation are left
# out of the run (the stateful phase finds the session's own id in the
# sessions list, and either would end that session for every operation
# after it); tests/personal/security_matrix.rs and tests/personal/centre_http.rs cover them.
login() {
    curl -fsS -H 'content-type: application/json' \
        -d '{"phone": "13800000001", "password": "yuesou-demo"}' "$BASE/api/v1/auth/login" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}
export YUESOU_SESSION=$(login)

# Every check, a fixed seed (reproducible runs), and a time cap.
cd "$SCRATCH"
"$VENV/bin/schemathesis" --config-file "$ROOT/scripts/schemathesis.toml" run "$BASE/api/v1/openapi.json" \
    --checks all \
    --max-examples "$MAX_EXAMPLES" \
    --max-time "$MAX_TIME" \
    --seed 9 \
    --workers 1 \
    --request-timeout 10 \
    --generation-database none \
    --exclude-path /api/v1/auth/logout \
    --exclude-operation-id revoke_session \
    --no-color
