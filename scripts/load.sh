#!/usr/bin/env bash
# HTTP load figures for `yuesou serve` (docs/BENCHMARKS.md, "HTTP load").
#
# Builds the release binary, starts the daemon on a free port over a private
# copy of data/ and dictionaries/ with a fresh data dir, waits for /readyz,
# then replays the mixed request sets of scripts/load/ (search.txt,
# suggest.txt) with wrk and prints throughput, p50/p99 latency and failures.
# Also measures start-up to ready with an existing index and resident memory.
#
#   scripts/load.sh                      # cache on and off, 20 s per run
#   scripts/load.sh --reload             # also edit the catalogue mid-run
#   scripts/load.sh --cache off --duration 30 --connections 16   # the uncached figure of issue 9
#                                        # (searches/s beside /healthz/s, same run)
#   scripts/load.sh --search-pool blocking
#   scripts/load.sh --cache on --miss-share 0.3   # 30 % of searches carry a phone position (never cached)
#   scripts/load.sh --cache off --rounds 5 # search and /healthz alternate five times in one
#                                        # daemon run; the ratio per round and its median
#                                        # (a shared machine's speed drifts between runs)
#
# Installs wrk with apt-get when it is missing. Not run by .ci/run. $YUESOU_BIN
# runs another build of the binary (to compare two builds in one sitting).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=20
CONNECTIONS=16
THREADS=2
CACHE=both
RELOAD=0
BUILD=1
SEARCH_POOL=inline
ACCESS_LOG=true
MISS_SHARE=0
ROUNDS=1
while [ $# -gt 0 ]; do
    case "$1" in
        --duration) DURATION=$2; shift 2 ;;
        --connections) CONNECTIONS=$2; shift 2 ;;
        --threads) THREADS=$2; shift 2 ;;
        --cache) CACHE=$2; shift 2 ;;
        --reload) RELOAD=1; shift ;;
        --no-build) BUILD=0; shift ;;
        --search-pool) SEARCH_POOL=$2; shift 2 ;;
        --access-log) ACCESS_LOG=$2; shift 2 ;;
        --miss-share) MISS_SHARE=$2; shift 2 ;;
        --rounds) ROUNDS=$2; shift 2 ;;
        -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done

if ! command -v wrk >/dev/null; then
    echo "== installing wrk"
    apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi
if [ "$BUILD" = 1 ]; then
    echo "== cargo build --release"
    cargo build --release --quiet --bin yuesou
fi
BIN=${YUESOU_BIN:-${CARGO_TARGET_DIR:-$PWD/target}/release/yuesou}

WORK=$(mktemp -d /tmp/yuesou-load.XXXXXX)
mkdir -p "$WORK/home/data" "$WORK/home/dictionaries"
cp data/*.jsonl "$WORK/home/data/"
cp dictionaries/* "$WORK/home/dictionaries/"
TOKEN=load-$(od -An -tx8 -N8 /dev/urandom | tr -d ' ')-token
PID=
cleanup() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill -TERM "$PID"; wait "$PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
    local p
    while :; do
        p=$((20000 + RANDOM % 20000))
        (echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
    done
}
PORT=$(free_port)
BASE=http://127.0.0.1:$PORT

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# start CACHE_MB: starts the daemon, waits for /readyz; sets PID and
# READY_MS (start-up to ready).
start() {
    local t0
    t0=$(now_ms)
    YUESOU_ADMIN_TOKEN=$TOKEN "$BIN" serve --addr "127.0.0.1:$PORT" --home "$WORK/home" \
        --data-dir "$WORK/state" --cache-mb "$1" --search-pool "$SEARCH_POOL" \
        --access-log "$ACCESS_LOG" --reload-debounce-ms 300 2>>"$WORK/daemon.log" &
    PID=$!
    until curl -fs "$BASE/readyz" >/dev/null 2>&1; do
        kill -0 "$PID" 2>/dev/null || { echo "the daemon died:" >&2; tail "$WORK/daemon.log" >&2; exit 1; }
        sleep 0.005
    done
    READY_MS=$(( $(now_ms) - t0 ))
}

stop() {
    kill -TERM "$PID"
    wait "$PID" 2>/dev/null || true
    PID=
}

rss() { awk '/^VmRSS/ {printf "%.0f", $2/1024}' "/proc/$PID/status"; }
hwm() { awk '/^VmHWM/ {printf "%.0f", $2/1024}' "/proc/$PID/status"; }
generation() { curl -fs -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/admin/status" | sed -n 's/.*"generation":\([0-9]*\).*/\1/p'; }

# Appends a copy of the first catalogue item under a new id, written aside
# and renamed into place (as a deployment would).
edit_catalogue() {
    local n=$1 file=$WORK/home/data/catalogue.jsonl
    { cat "$file"; head -1 "$file" | sed "s/\"id\":\"[^\"]*\"/\"id\":\"load-reload-$n\"/; s/\"title\":\"[^\"]*\"/\"title\":\"压测热更新事项$n\"/"; } >"$file.new"
    mv "$file.new" "$file"
}

echo /healthz >"$WORK/healthz.txt"

RESULTS=()
# run NAME PATHS: one wrk run; with --reload, edits the catalogue halfway.
run() {
    local name=$1 paths=$2 out gen0 gen1 editor="" reload_note=""
    YUESOU_LOAD_PATHS=$paths YUESOU_LOAD_MISS_SHARE=$MISS_SHARE wrk -t"$THREADS" -c"$CONNECTIONS" -d3s -s scripts/load/replay.lua "$BASE" >/dev/null
    gen0=$(generation)
    if [ "$RELOAD" = 1 ]; then
        ( sleep $((DURATION / 2)); edit_catalogue "${name//\//-}-$RANDOM" ) &
        editor=$!
    fi
    out=$(YUESOU_LOAD_PATHS=$paths YUESOU_LOAD_MISS_SHARE=$MISS_SHARE wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency \
        -s scripts/load/replay.lua "$BASE")
    if [ -n "$editor" ]; then wait "$editor"; fi
    echo "$out" | sed 's/^/    /'
    if [ "$RELOAD" = 1 ]; then
        sleep 1
        gen1=$(generation)
        reload_note=" generation=$gen0->$gen1"
    fi
    RESULTS+=("$name $(echo "$out" | grep '^RESULT' | sed 's/^RESULT //')$reload_note")
}

echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(. /etc/os-release; echo "$PRETTY_NAME"), $(rustc --version)"
echo "== wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s; search pool: $SEARCH_POOL; access log: $ACCESS_LOG; uncacheable share of searches: $MISS_SHARE"

case "$CACHE" in
    both) MODES="0 64" ;;
    on) MODES="64" ;;
    off) MODES="0" ;;
    *) echo "--cache on|off|both" >&2; exit 2 ;;
esac

start 64
echo "== first start (builds the index): ${READY_MS} ms to ready"
stop
for mb in $MODES; do
    label=$([ "$mb" = 0 ] && echo "cache-off" || echo "cache-on")
    start "$mb"
    ready=$READY_MS
    echo "== $label: start-up to ready with the existing index: ${ready} ms; RSS $(rss) MiB"
    for round in $(seq 1 "$ROUNDS"); do
        suffix=$([ "$ROUNDS" = 1 ] || echo "#$round")
        echo "-- search ($(wc -l <scripts/load/search.txt) distinct requests)${suffix:+ round $round}"
        run "search/$label$suffix" "$PWD/scripts/load/search.txt"
        echo "-- /healthz (the daemon's own HTTP floor, same run)${suffix:+ round $round}"
        run "healthz/$label$suffix" "$WORK/healthz.txt"
    done
    echo "-- suggest ($(wc -l <scripts/load/suggest.txt) distinct requests)"
    run "suggest/$label" "$PWD/scripts/load/suggest.txt"
    RESULTS+=("memory/$label rss_mib=$(rss) peak_rss_mib=$(hwm) startup_ms=$ready")
    stop
done

echo
echo "== summary"
printf '%s\n' "${RESULTS[@]}"
# Searches/s as a share of /healthz/s in the same daemon run (issue 9: ≥ 20 % uncached),
# per round (each search run against the /healthz run right after it), then
# the median over the rounds.
for label in cache-off cache-on; do
    ratios=()
    for round in $(seq 1 "$ROUNDS"); do
        suffix=$([ "$ROUNDS" = 1 ] || echo "#$round")
        s=$(printf '%s\n' "${RESULTS[@]}" | sed -n "s|^search/$label$suffix .*rps=\([0-9]*\).*|\1|p")
        h=$(printf '%s\n' "${RESULTS[@]}" | sed -n "s|^healthz/$label$suffix .*rps=\([0-9]*\).*|\1|p")
        if [ -n "$s" ] && [ -n "$h" ] && [ "$h" -gt 0 ]; then
            ratio=$(awk "BEGIN {printf \"%.1f\", 100 * $s / $h}")
            ratios+=("$ratio")
            echo "ratio/$label$suffix search_over_healthz=$ratio%"
        fi
    done
    if [ "${#ratios[@]}" -gt 1 ]; then
        echo "ratio/$label median_of_${#ratios[@]}_rounds=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}')%"
    fi
done
if grep -q "reload failed" "$WORK/daemon.log"; then
    echo "!! reload failures in the daemon log:"; grep "reload failed" "$WORK/daemon.log"
fi
