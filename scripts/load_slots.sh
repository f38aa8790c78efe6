#!/usr/bin/env bash
# 预约 slot listing over HTTP (docs/BENCHMARKS.md, "预约 over HTTP"; issue 25):
# `GET /api/v1/items/{id}/slots` for every item the halls book, replayed
# with wrk against the release daemon (response cache off), beside
# /healthz in the same sitting.
#
# The request set (made here from data/catalogue.jsonl and
# data/booking/services.json): every 预约 or in-person item of a service
# the halls book, from tomorrow, in three shapes — 7 days at the halls
# nearest a point in the item's city (the app's first screen), 14 days
# likewise, and 7 days at one named hall. Before the runs the demo person
# at L2 books what the rules allow (one booking per service), so that the
# listings count real bookings.
#
#   scripts/load_slots.sh                   # 20 s per run, 16 connections
#   scripts/load_slots.sh --rounds 3 --duration 15
#
# Installs wrk with apt-get when it is missing. $YUESOU_BIN runs another
# build (else the release build, built first unless --no-build). Not run by
# .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=20
CONNECTIONS=16
THREADS=2
ROUNDS=1
BUILD=1
ACCESS_LOG=true
while [ $# -gt 0 ]; do
    case "$1" in
        --duration) DURATION=$2; shift 2 ;;
        --connections) CONNECTIONS=$2; shift 2 ;;
        --threads) THREADS=$2; shift 2 ;;
        --rounds) ROUNDS=$2; shift 2 ;;
        --access-log) ACCESS_LOG=$2; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done

if ! command -v wrk >/dev/null; then
    echo "== installing wrk"
    apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi
if [ "$BUILD" = 1 ] && [ -z "${YUESOU_BIN:-}" ]; then
    echo "== cargo build --release --bin yuesou"
    cargo build --release --quiet --bin yuesou
fi
BIN=${YUESOU_BIN:-${CARGO_TARGET_DIR:-$PWD/target}/release/yuesou}

WORK=$(mktemp -d /tmp/yuesou-slots.XXXXXX)
mkdir -p "$WORK/home"
cp -r data dictionaries "$WORK/home/"
PID=
cleanup() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill -TERM "$PID"; wait "$PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT
YUESOU_WATCH=false "$BIN" serve --addr "127.0.0.1:$PORT" --home "$WORK/home" \
    --data-dir "$WORK/state" --cache-mb 0 --access-log "$ACCESS_LOG" >>"$WORK/daemon.log" 2>&1 &
PID=$!
until curl -fs "$BASE/readyz" >/dev/null 2>&1; do
    kill -0 "$PID" 2>/dev/null || { echo "the daemon died:" >&2; tail "$WORK/daemon.log" >&2; exit 1; }
    sleep 0.05
done

# The request set, and the demo person's bookings (one per service, at
# the first open slot of the nearest hall).
python3 - "$WORK" "$BASE" <<'EOF'
import json, sys, urllib.request, datetime
work, base = sys.argv[1], sys.argv[2]
services = json.load(open("data/booking/services.json"))["services"]
families = {s["family"] for s in services if s.get("at_hall")}
halls = [json.loads(l) for l in open("data/halls.jsonl") if l.strip()]
tomorrow = (datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))) + datetime.timedelta(days=1)).date()
items = []
for line in open("data/catalogue.jsonl"):
    item = json.loads(line)
    if item["id"].rsplit("-", 1)[0] in families:
        items.append(item["id"])
def hall_near(code):
    city = code[:4]
    for h in halls:
        if h["region_code"].startswith(city):
            return h
    return halls[0]
paths = []
for n, item in enumerate(items):
    hall = hall_near(item.rsplit("-", 1)[1])
    near = f"lat={hall['lat']}&lng={hall['lng']}"
    paths.append(f"/api/v1/items/{item}/slots?from={tomorrow}&days=7&{near}")
    paths.append(f"/api/v1/items/{item}/slots?from={tomorrow}&days=14&{near}")
    paths.append(f"/api/v1/items/{item}/slots?from={tomorrow}&days=7&hall={hall['id']}")

def call(method, path, token=None, body=None):
    req = urllib.request.Request(base + path, method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"content-type": "application/json", **({"authorization": f"Bearer {token}"} if token else {})})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, {}
booked = 0
for phone in ["13800000001"]:
    status, login = call("POST", "/api/v1/auth/login", body={"phone": phone, "password": "yuesou-demo"})
    if status != 200:
        continue
    for item in items[::7]:
        status, listing = call("GET", f"/api/v1/items/{item}/slots?from={tomorrow}&days=7")
        if status != 200 or not listing.get("halls"):
            continue
        hall = listing["halls"][0]
        start = next((s["start"] for d in hall["days"] if d["state"] == "open"
                      for s in d["slots"] if s["left"] > 0), None)
        if start and call("POST", "/api/v1/me/appointments", login["token"],
                          {"item_id": item, "hall_id": hall["hall_id"], "start": start})[0] == 201:
            booked += 1
# Every listing answered once before the runs: what does not answer 200
# (a named hall that does not book a province-wide item: 400, as it
# should) is reported and left out of the set.
refused = {}
for path in paths:
    status, body = call("GET", path)
    if status != 200:
        refused.setdefault(status, []).append(path)
print(f"   {len(items)} items, {len(paths)} listing requests; {booked} demo bookings made")
for status, which in sorted(refused.items()):
    print(f"   {len(which)} answer {status} and are left out, e.g. {which[0]}")
left_out = {p for which in refused.values() for p in which}
paths = [p for p in paths if p not in left_out]
open(f"{work}/slots.txt", "w").write("\n".join(paths) + "\n")
open(f"{work}/healthz.txt", "w").write("/healthz\n")
EOF
STATUS=$(curl -s -o /dev/null -w '%{http_code}' "$BASE$(head -1 "$WORK/slots.txt")")
[ "$STATUS" = 200 ] || { echo "the first listing answered $STATUS" >&2; exit 1; }

echo "== machine: $(nproc) cores ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(. /etc/os-release; echo "$PRETTY_NAME")"
echo "== $(date -u '+%Y-%m-%d %H:%M UTC'); load $(loadavg); binary $BIN"
echo "== wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, $ROUNDS round(s); access log $ACCESS_LOG; response cache off"

RESULTS=()
run() {
    local name=$1 paths=$2 out load
    YUESOU_LOAD_PATHS=$paths wrk -t"$THREADS" -c"$CONNECTIONS" -d3s -s scripts/load/replay.lua "$BASE" >/dev/null
    load=$(loadavg)
    out=$(YUESOU_LOAD_PATHS=$paths wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency \
        -s scripts/load/replay.lua "$BASE")
    echo "$out" | sed 's/^/    /'
    RESULTS+=("$name $(echo "$out" | grep '^RESULT' | sed 's/^RESULT //') load_before=${load// /,}")
}
for round in $(seq 1 "$ROUNDS"); do
    suffix=$([ "$ROUNDS" = 1 ] || echo "#$round")
    echo "-- slot listings${suffix:+ round $round}"
    run "slots$suffix" "$WORK/slots.txt"
    echo "-- /healthz${suffix:+ round $round}"
    run "healthz$suffix" "$WORK/healthz.txt"
done

echo
echo "== summary ($(date -u '+%Y-%m-%d %H:%M UTC'), load now $(loadavg))"
printf '%s\n' "${RESULTS[@]}"
