#!/usr/bin/env bash
# Records page (查询) over HTTP through the department gateways
# (docs/BENCHMARKS.md, "查询/证明 through the gateways"; issue 26):
#
#   (a) the development gateway (demo data, in process);
#   (b) the HTTP gateway: the daemon's gateway file points at reference
#       departments (crates/gateway/examples/reference_department.rs) on
#       loopback, which verify every signature and answer from the same
#       development data;
#   (c) (b) while another department answers every call after 2 s and a
#       second wrk keeps its records page busy: the normal department's
#       p99 with and without the slow one;
#   (b') (b) again after (c): recovery, and how much the machine drifted.
#
# One demo person (13800000001, 陈嘉明, L2) asks for 住房公积金缴存明细查询
# (gjj-jcmx-440100, 广州住房公积金管理中心) again and again; the slow
# department is 广东省公安厅交通管理局 (驾驶证记分查询, xsjs-jfcx-440000).
# The daemon runs over a private copy of data/ and dictionaries/ with a
# fresh data dir and the response cache off.
#
#   scripts/load_records.sh                       # 20 s per run, 16 connections
#   scripts/load_records.sh --duration 30 --connections 32 --slow-connections 48
#   scripts/load_records.sh --algorithm hmac-sha256 --slow-ms 2000
#
# Installs wrk with apt-get when it is missing. Builds the release binary and
# the example unless $YUESOU_BIN / $YUESOU_REFERENCE_BIN name builds to use
# (or --no-build). Not run by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=20
CONNECTIONS=16
SLOW_CONNECTIONS=32
SLOW_MS=2000
THREADS=2
ALGORITHM=ed25519
ACCESS_LOG=true
BUILD=1
while [ $# -gt 0 ]; do
    case "$1" in
        --duration) DURATION=$2; shift 2 ;;
        --connections) CONNECTIONS=$2; shift 2 ;;
        --slow-connections) SLOW_CONNECTIONS=$2; shift 2 ;;
        --slow-ms) SLOW_MS=$2; shift 2 ;;
        --threads) THREADS=$2; shift 2 ;;
        --algorithm) ALGORITHM=$2; shift 2 ;;
        --access-log) ACCESS_LOG=$2; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done

NORMAL_ITEM=gjj-jcmx-440100
NORMAL_DEPT="gjj=广州住房公积金管理中心"
SLOW_ITEM=xsjs-jfcx-440000
SLOW_DEPT="gat=广东省公安厅交通管理局"

if ! command -v wrk >/dev/null; then
    echo "== installing wrk"
    apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi
TARGET=${CARGO_TARGET_DIR:-$PWD/target}
if [ "$BUILD" = 1 ]; then
    if [ -z "${YUESOU_BIN:-}" ]; then
        echo "== cargo build --release --bin yuesou"
        cargo build --release --quiet --bin yuesou
    fi
    if [ -z "${YUESOU_REFERENCE_BIN:-}" ]; then
        echo "== cargo build --release --example reference_department"
        cargo build --release --quiet -p yuesou-gateway --features test-server --example reference_department
    fi
fi
BIN=${YUESOU_BIN:-$TARGET/release/yuesou}
REFERENCE=${YUESOU_REFERENCE_BIN:-$TARGET/release/examples/reference_department}

WORK=$(mktemp -d /tmp/yuesou-records.XXXXXX)
mkdir -p "$WORK/home"
cp -r data dictionaries "$WORK/home/"
PID=
REF_PID=
cleanup() {
    for p in $PID $REF_PID; do
        if kill -0 "$p" 2>/dev/null; then kill -TERM "$p"; wait "$p" 2>/dev/null || true; fi
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
json() { python3 -c "import json, sys; print(json.load(sys.stdin)$1)"; }

# start_daemon STATE_DIR [--gateway FILE]: starts the daemon, waits for
# /readyz, logs the demo person in (sets TOKEN).
start_daemon() {
    local state=$1; shift
    YUESOU_WATCH=false "$BIN" serve --addr "127.0.0.1:$PORT" --home "$WORK/home" \
        --data-dir "$WORK/$state" --cache-mb 0 --access-log "$ACCESS_LOG" "$@" \
        2>>"$WORK/daemon.log" >&2 &
    PID=$!
    until curl -fs "$BASE/readyz" >/dev/null 2>&1; do
        kill -0 "$PID" 2>/dev/null || { echo "the daemon died:" >&2; tail "$WORK/daemon.log" >&2; exit 1; }
        sleep 0.05
    done
    TOKEN=$(curl -fsS -H 'content-type: application/json' \
        -d '{"phone": "13800000001", "password": "yuesou-demo"}' "$BASE/api/v1/auth/login" | json '["token"]')
}

stop_daemon() {
    kill -TERM "$PID"
    wait "$PID" 2>/dev/null || true
    PID=
}

# check ITEM KIND: one look-up answers 200 with that record kind.
check() {
    local answer
    answer=$(curl -fsS -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/me/records?item=$1") \
        || { echo "the look-up of $1 failed:" >&2; curl -sS -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/me/records?item=$1" >&2; exit 1; }
    [ "$(echo "$answer" | json '["kind"]')" = "$2" ] || { echo "$1 answered another kind: $answer" >&2; exit 1; }
    echo "   $1 → $2, $(echo "$answer" | json '["total"]') rows in all, $(echo "$answer" | json '["rows"].__len__()') on page 1"
}

# records ITEM CONNECTIONS SECONDS [extra wrk options]: one wrk run; prints
# the RESULT line.
records() {
    local item=$1 connections=$2 seconds=$3; shift 3
    YUESOU_TOKEN=$TOKEN YUESOU_RECORDS_ITEM=$item wrk -t"$THREADS" -c"$connections" -d"${seconds}s" \
        --latency "$@" -s scripts/load/records.lua "$BASE"
}

RESULTS=()
# measure NAME: the normal department's page for DURATION seconds (after a
# 3 s warm-up), with wrk's report indented.
measure() {
    local name=$1 out load
    records "$NORMAL_ITEM" "$CONNECTIONS" 3 >/dev/null
    load=$(loadavg)
    out=$(records "$NORMAL_ITEM" "$CONNECTIONS" "$DURATION")
    echo "$out" | sed 's/^/    /'
    RESULTS+=("$name $(echo "$out" | grep '^RESULT' | sed 's/^RESULT //') load_before=${load// /,}")
}

gateway_metrics() {
    curl -fsS "$BASE/metrics" | grep -E '^yuesou_gateway_(calls_total|errors_total|breaker_state|in_flight)' \
        | sed 's/^/    /' || true
}

echo "== machine: $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(. /etc/os-release; echo "$PRETTY_NAME")"
echo "== $(date -u '+%Y-%m-%d %H:%M UTC'); load $(loadavg); binary $BIN"
echo "== wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s on $NORMAL_ITEM; slow: $SLOW_ITEM at ${SLOW_MS} ms, -c$SLOW_CONNECTIONS; access log $ACCESS_LOG; response cache off"

echo "-- (a) development gateway"
start_daemon state-a
check "$NORMAL_ITEM" housing_fund_deposits
measure "a/dev-gateway"
stop_daemon

echo "-- reference departments ($ALGORITHM): $NORMAL_DEPT, $SLOW_DEPT (delay ${SLOW_MS} ms)"
"$REFERENCE" --config "$WORK/gw/gateway.toml" --data "$WORK/home/data" --algorithm "$ALGORITHM" \
    --slow "gat=$SLOW_MS" "$NORMAL_DEPT" "$SLOW_DEPT" >"$WORK/reference.log" 2>&1 &
REF_PID=$!
until [ -f "$WORK/gw/gateway.toml" ]; do
    kill -0 "$REF_PID" 2>/dev/null || { echo "the reference departments died:" >&2; cat "$WORK/reference.log" >&2; exit 1; }
    sleep 0.05
done
sed 's/^/    /' "$WORK/reference.log"

echo "-- (b) HTTP gateway"
start_daemon state-b --gateway "$WORK/gw/gateway.toml"
check "$NORMAL_ITEM" housing_fund_deposits
measure "b/http-gateway"

echo "-- (c) HTTP gateway while $SLOW_ITEM answers after ${SLOW_MS} ms under -c$SLOW_CONNECTIONS"
SLOW_SECONDS=$((DURATION + 3 + 8))
YUESOU_COUNT_STATUS=1 records "$SLOW_ITEM" "$SLOW_CONNECTIONS" "$SLOW_SECONDS" --timeout 15s \
    >"$WORK/slow.out" 2>&1 &
SLOW_WRK=$!
sleep 4
measure "c/http-gateway+slow-department"
echo "   gateway metrics during (c):"
gateway_metrics
wait "$SLOW_WRK" || true
sed 's/^/    slow: /' "$WORK/slow.out"
RESULTS+=("c/slow-department $(grep '^RESULT' "$WORK/slow.out" | sed 's/^RESULT //')")

echo "-- (b') HTTP gateway again, the slow department idle"
sleep 3
measure "b2/http-gateway-again"
echo "   gateway metrics at the end:"
gateway_metrics
stop_daemon
kill -TERM "$REF_PID"
wait "$REF_PID" 2>/dev/null || true
REF_PID=
echo "   the reference departments saw:"
grep 'requests=' "$WORK/reference.log" | sed 's/^/    /'

echo
echo "== summary ($(date -u '+%Y-%m-%d %H:%M UTC'), load now $(loadavg))"
printf '%s\n' "${RESULTS[@]}"
p99() { printf '%s\n' "${RESULTS[@]}" | sed -n "s|^$1 .*p99_ms=\([0-9.]*\).*|\1|p"; }
echo "normal department p99: without the slow one $(p99 b/http-gateway) ms, with it $(p99 'c/http-gateway+slow-department') ms, after it $(p99 b2/http-gateway-again) ms"
