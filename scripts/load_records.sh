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
#   (b') (b) again after the last (c): recovery;
#   (p) a public page (天气预报, ggfw-tq-440100) without a login through each
#       gateway: no session and no audit write, so the gateway's own cost
#       is not hidden behind the audit commit that bounds a personal page.
#
# Two daemons run side by side (one per gateway, each idle while the other
# is measured), so (a), (b) and (c) alternate in each round and a shared
# machine's drift shows as the spread between rounds.
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
#   scripts/load_records.sh --rounds 3   # (a), (b), (c), (p) three times over
#   scripts/load_records.sh --pace-ms 20 # each measured connection waits 20 ms
#                                        # between requests (16 × 50/s = 800/s at most):
#                                        # below saturation, latency is service time,
#                                        # not queueing (the slow department's wrk
#                                        # is never paced)
#   scripts/load_records.sh --pace-ms 20 --control-pace-ms 500
#                                        # also (c0): the same -c32 second wrk, paced
#                                        # to about the slow run's rate, on the normal
#                                        # department's page — extra load without a
#                                        # slow department, to tell the two apart
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
ROUNDS=1
PACE_MS=0
CONTROL_PACE_MS=0
while [ $# -gt 0 ]; do
    case "$1" in
        --duration) DURATION=$2; shift 2 ;;
        --connections) CONNECTIONS=$2; shift 2 ;;
        --slow-connections) SLOW_CONNECTIONS=$2; shift 2 ;;
        --slow-ms) SLOW_MS=$2; shift 2 ;;
        --threads) THREADS=$2; shift 2 ;;
        --algorithm) ALGORITHM=$2; shift 2 ;;
        --access-log) ACCESS_LOG=$2; shift 2 ;;
        --rounds) ROUNDS=$2; shift 2 ;;
        --pace-ms) PACE_MS=$2; shift 2 ;;
        --control-pace-ms) CONTROL_PACE_MS=$2; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        -h|--help) sed -n '2,45p' "$0"; exit 0 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done

NORMAL_ITEM=gjj-jcmx-440100
NORMAL_DEPT="gjj=广州住房公积金管理中心"
SLOW_ITEM=xsjs-jfcx-440000
SLOW_DEPT="gat=广东省公安厅交通管理局"
PUBLIC_ITEM=ggfw-tq-440100
PUBLIC_DEPT="qxj=广州市气象局"

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
DEV_PID=
HTTP_PID=
REF_PID=
cleanup() {
    for p in $DEV_PID $HTTP_PID $REF_PID; do
        if kill -0 "$p" 2>/dev/null; then kill -TERM "$p"; wait "$p" 2>/dev/null || true; fi
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
json() { python3 -c "import json, sys; print(json.load(sys.stdin)$1)"; }

# start_daemon NAME [--gateway FILE]: starts a daemon on a free port with its
# own data dir, waits for /readyz and logs the demo person in; sets
# STARTED_PID, STARTED_BASE and STARTED_TOKEN.
start_daemon() {
    local name=$1 port; shift
    port=$(free_port)
    YUESOU_WATCH=false "$BIN" serve --addr "127.0.0.1:$port" --home "$WORK/home" \
        --data-dir "$WORK/state-$name" --cache-mb 0 --access-log "$ACCESS_LOG" "$@" \
        >>"$WORK/daemon-$name.log" 2>&1 &
    STARTED_PID=$!
    STARTED_BASE=http://127.0.0.1:$port
    until curl -fs "$STARTED_BASE/readyz" >/dev/null 2>&1; do
        kill -0 "$STARTED_PID" 2>/dev/null || { echo "the daemon died:" >&2; tail "$WORK/daemon-$name.log" >&2; exit 1; }
        sleep 0.05
    done
    STARTED_TOKEN=$(curl -fsS -H 'content-type: application/json' \
        -d '{"phone": "13800000001", "password": "yuesou-demo"}' "$STARTED_BASE/api/v1/auth/login" | json '["token"]')
}

# check BASE TOKEN ITEM KIND: one look-up (no login with an empty TOKEN)
# answers 200 with that record kind.
check() {
    local answer auth=()
    [ -z "$2" ] || auth=(-H "Authorization: Bearer $2")
    answer=$(curl -fsS "${auth[@]}" "$1/api/v1/me/records?item=$3") \
        || { echo "the look-up of $3 failed:" >&2; curl -sS "${auth[@]}" "$1/api/v1/me/records?item=$3" >&2; exit 1; }
    [ "$(echo "$answer" | json '["kind"]')" = "$4" ] || { echo "$3 answered another kind: $answer" >&2; exit 1; }
    echo "   $3 → $4, $(echo "$answer" | json '["total"]') rows in all, $(echo "$answer" | json '["rows"].__len__()') on page 1"
}

# records BASE TOKEN ITEM CONNECTIONS SECONDS [extra wrk options]: one wrk
# run (its report ends with the RESULT line).
records() {
    local base=$1 token=$2 item=$3 connections=$4 seconds=$5; shift 5
    YUESOU_TOKEN=$token YUESOU_RECORDS_ITEM=$item wrk -t"$THREADS" -c"$connections" -d"${seconds}s" \
        --latency "$@" -s scripts/load/records.lua "$base"
}

RESULTS=()
# measure NAME BASE TOKEN [ITEM]: the normal department's page (or ITEM's)
# for DURATION seconds (after a 3 s warm-up), with wrk's report indented.
measure() {
    local name=$1 base=$2 token=$3 item=${4:-$NORMAL_ITEM} out load
    YUESOU_PACE_MS=$PACE_MS records "$base" "$token" "$item" "$CONNECTIONS" 3 >/dev/null
    load=$(loadavg)
    out=$(YUESOU_PACE_MS=$PACE_MS records "$base" "$token" "$item" "$CONNECTIONS" "$DURATION")
    echo "$out" | sed 's/^/    /'
    RESULTS+=("$name $(echo "$out" | grep '^RESULT' | sed 's/^RESULT //') load_before=${load// /,}")
}

gateway_metrics() {
    curl -fsS "$HTTP_BASE/metrics" | grep -E '^yuesou_gateway_(calls_total\{.*records|errors_total|breaker_state|in_flight)' \
        | sed 's/^/    /' || true
}

echo "== machine: $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(. /etc/os-release; echo "$PRETTY_NAME")"
echo "== $(date -u '+%Y-%m-%d %H:%M UTC'); load $(loadavg); binary $BIN"
echo "== wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s on $NORMAL_ITEM, paced ${PACE_MS} ms (0: not), $ROUNDS round(s); slow: $SLOW_ITEM at ${SLOW_MS} ms, -c$SLOW_CONNECTIONS; access log $ACCESS_LOG; response cache off"

echo "-- reference departments ($ALGORITHM): $NORMAL_DEPT, $SLOW_DEPT (delay ${SLOW_MS} ms), $PUBLIC_DEPT"
"$REFERENCE" --config "$WORK/gw/gateway.toml" --data "$WORK/home/data" --algorithm "$ALGORITHM" \
    --slow "gat=$SLOW_MS" "$NORMAL_DEPT" "$SLOW_DEPT" "$PUBLIC_DEPT" >"$WORK/reference.log" 2>&1 &
REF_PID=$!
until [ -f "$WORK/gw/gateway.toml" ]; do
    kill -0 "$REF_PID" 2>/dev/null || { echo "the reference departments died:" >&2; cat "$WORK/reference.log" >&2; exit 1; }
    sleep 0.05
done
sed 's/^/    /' "$WORK/reference.log"

echo "-- daemons"
start_daemon dev
DEV_PID=$STARTED_PID DEV_BASE=$STARTED_BASE DEV_TOKEN=$STARTED_TOKEN
echo "   development gateway: $DEV_BASE"
check "$DEV_BASE" "$DEV_TOKEN" "$NORMAL_ITEM" housing_fund_deposits
start_daemon http --gateway "$WORK/gw/gateway.toml"
HTTP_PID=$STARTED_PID HTTP_BASE=$STARTED_BASE HTTP_TOKEN=$STARTED_TOKEN
echo "   HTTP gateway: $HTTP_BASE"
check "$HTTP_BASE" "$HTTP_TOKEN" "$NORMAL_ITEM" housing_fund_deposits
check "$HTTP_BASE" "$HTTP_TOKEN" "$SLOW_ITEM" driving_licence
check "$HTTP_BASE" "" "$PUBLIC_ITEM" weather_forecast

SLOW_SECONDS=$((DURATION + 3 + 8))
for round in $(seq 1 "$ROUNDS"); do
    suffix=$([ "$ROUNDS" = 1 ] || echo "#$round")
    echo "-- (a) development gateway${suffix:+ round $round}"
    measure "a/dev-gateway$suffix" "$DEV_BASE" "$DEV_TOKEN"

    echo "-- (b) HTTP gateway${suffix:+ round $round}"
    measure "b/http-gateway$suffix" "$HTTP_BASE" "$HTTP_TOKEN"

    if [ "$CONTROL_PACE_MS" -gt 0 ]; then
        echo "-- (c0) HTTP gateway while a second wrk asks the same page, -c$SLOW_CONNECTIONS paced ${CONTROL_PACE_MS} ms${suffix:+ round $round}"
        YUESOU_PACE_MS=$CONTROL_PACE_MS YUESOU_COUNT_STATUS=1 records "$HTTP_BASE" "$HTTP_TOKEN" "$NORMAL_ITEM" \
            "$SLOW_CONNECTIONS" "$SLOW_SECONDS" --timeout 15s >"$WORK/control.out" 2>&1 &
        CONTROL_WRK=$!
        sleep 4
        measure "c0/http-gateway+control-load$suffix" "$HTTP_BASE" "$HTTP_TOKEN"
        wait "$CONTROL_WRK" || true
        RESULTS+=("c0/control-load$suffix $(grep '^RESULT' "$WORK/control.out" | sed 's/^RESULT //')")
        sleep 3
    fi

    echo "-- (c) HTTP gateway while $SLOW_ITEM answers after ${SLOW_MS} ms under -c$SLOW_CONNECTIONS${suffix:+ round $round}"
    YUESOU_COUNT_STATUS=1 records "$HTTP_BASE" "$HTTP_TOKEN" "$SLOW_ITEM" "$SLOW_CONNECTIONS" "$SLOW_SECONDS" \
        --timeout 15s >"$WORK/slow.out" 2>&1 &
    SLOW_WRK=$!
    sleep 4
    measure "c/http-gateway+slow-department$suffix" "$HTTP_BASE" "$HTTP_TOKEN"
    echo "   gateway metrics during (c):"
    gateway_metrics
    wait "$SLOW_WRK" || true
    sed 's/^/    slow: /' "$WORK/slow.out"
    RESULTS+=("c/slow-department$suffix $(grep '^RESULT' "$WORK/slow.out" | sed 's/^RESULT //')")
    # Let the slow department's last calls finish before the next run.
    sleep 3

    echo "-- (p) public page without a login, development gateway${suffix:+ round $round}"
    measure "p/public-dev-gateway$suffix" "$DEV_BASE" "" "$PUBLIC_ITEM"
    echo "-- (p) public page without a login, HTTP gateway${suffix:+ round $round}"
    measure "p/public-http-gateway$suffix" "$HTTP_BASE" "" "$PUBLIC_ITEM"
done

echo "-- (b') HTTP gateway again, the slow department idle"
measure "b2/http-gateway-again" "$HTTP_BASE" "$HTTP_TOKEN"
echo "   gateway metrics at the end:"
gateway_metrics
for p in $DEV_PID $HTTP_PID; do kill -TERM "$p"; wait "$p" 2>/dev/null || true; done
DEV_PID= HTTP_PID=
kill -TERM "$REF_PID"
wait "$REF_PID" 2>/dev/null || true
REF_PID=
echo "   the reference departments saw:"
grep 'requests=' "$WORK/reference.log" | sed 's/^/    /'
# Warnings and errors of the daemons, by kind (time and request id left
# out); the access log makes the files large, so grep first.
for f in "$WORK"/daemon-*.log; do
    grep -E '(WARN|ERROR)' "$f" | sed 's/\x1b\[[0-9;]*m//g' | grep -E '^[^ ]+ +(WARN|ERROR) ' \
        | sed -E "s/^[^ ]+ +//; s/request\{[^}]*\}: //; s/^/$(basename "$f" .log): /" || true
done | sort | uniq -c | sort -rn >"$WORK/problems.txt"
if [ -s "$WORK/problems.txt" ]; then
    echo "   warnings and errors in the daemons' logs (count, daemon, message):"
    cut -c1-260 "$WORK/problems.txt" | sed 's/^/    /'
fi

echo
echo "== summary ($(date -u '+%Y-%m-%d %H:%M UTC'), load now $(loadavg))"
printf '%s\n' "${RESULTS[@]}"
p99() { printf '%s\n' "${RESULTS[@]}" | sed -n "s|^$1 .*p99_ms=\([0-9.]*\).*|\1|p" | paste -sd' '; }
echo "normal department p99 (ms): development gateway $(p99 'a/dev-gateway[#0-9]*'); HTTP gateway alone $(p99 'b/http-gateway[#0-9]*'); beside the slow department $(p99 'c/http-gateway+slow-department[#0-9]*'); beside the control load $(p99 'c0/http-gateway+control-load[#0-9]*'); alone again after it $(p99 'b2/http-gateway-again')"
echo "public page p99 (ms), no login: development gateway $(p99 'p/public-dev-gateway[#0-9]*'); HTTP gateway $(p99 'p/public-http-gateway[#0-9]*')"
