#!/usr/bin/env bash
# Acknowledged writes per second of the personal centre, per database
# (docs/DEPLOYMENT.md sizes the database from it): a release daemon, one
# demo person's session, wrk sending a mix of feedback, profile changes and
# saved application steps (scripts/load/writes.lua), every one committed
# before its answer.
#
#   scripts/load_writes.sh [sqlite|postgres] [SECONDS] [CONNECTIONS]
#
# postgres uses $YUESOU_TEST_POSTGRES (default postgres://postgres@127.0.0.1:5432/test)
# in a fresh schema. Not run by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

BACKEND=${1:-sqlite}
DURATION=${2:-15}
CONNECTIONS=${3:-16}
command -v wrk >/dev/null || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
if [ -z "${YUESOU_BIN:-}" ]; then
    cargo build --release --quiet --bin yuesou
fi
BIN=${YUESOU_BIN:-${CARGO_TARGET_DIR:-$PWD/target}/release/yuesou}

WORK=$(mktemp -d /tmp/yuesou-writes.XXXXXX)
printf 'feedback_per_hour = 1000000\n' >"$WORK/yuesou.toml"
DATABASE=
if [ "$BACKEND" = postgres ]; then
    PG=${YUESOU_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}
    SCHEMA=w_$(od -An -tx4 -N4 /dev/urandom | tr -d ' ')
    psql "$PG" -qc "CREATE SCHEMA $SCHEMA"
    DATABASE="$PG?options=-c%20search_path%3D$SCHEMA"
fi
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
YUESOU_DATABASE=$DATABASE YUESOU_WATCH=false YUESOU_ACCESS_LOG=false \
    "$BIN" --config "$WORK/yuesou.toml" --data-dir "$WORK/data" serve --addr "127.0.0.1:$PORT" \
    >"$WORK/daemon.log" 2>&1 &
DAEMON=$!
cleanup() {
    kill "$DAEMON" 2>/dev/null || true
    wait "$DAEMON" 2>/dev/null || true
    if [ "$BACKEND" = postgres ]; then psql "$PG" -qc "DROP SCHEMA $SCHEMA CASCADE" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
until curl -fs "$BASE/readyz" >/dev/null 2>&1; do
    kill -0 "$DAEMON" 2>/dev/null || { cat "$WORK/daemon.log" >&2; exit 1; }
    sleep 0.2
done
json() { python3 -c "import json, sys; print(json.load(sys.stdin)$1)"; }
export YUESOU_TOKEN=$(curl -fsS -H 'content-type: application/json' \
    -d '{"phone": "13800000001", "password": "yuesou-demo"}' "$BASE/api/v1/auth/login" | json '["token"]')
export YUESOU_APPLICATION=$(curl -fsS -H 'content-type: application/json' -H "Authorization: Bearer $YUESOU_TOKEN" \
    -d '{"item_id": "rcjy-jydj-440100"}' "$BASE/api/v1/me/applications" | json '["id"]')
echo "== $BACKEND: wrk -t2 -c$CONNECTIONS -d${DURATION}s; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s scripts/load/writes.lua "$BASE" | grep '^RESULT'
