#!/usr/bin/env bash
# Soak: 10 minutes of mixed traffic (search, suggest, login, applications,
# wallet present and verify, history) against a release daemon, then the
# verdict of scripts/soak.py: no errors, flat memory, flat latency (first vs
# last minute). Figures go to docs/BENCHMARKS.md ("Soak").
#
#   scripts/soak.sh [SECONDS] [WORKERS]     (default 600 s, 6 workers)
#
# Builds the release binary (or runs $YUESOU_BIN), starts it on a free port
# over a fresh data directory with the bundled catalogue and demo accounts,
# the response cache and access log at their defaults. One setting differs:
# the verifier limit is raised, since the one client address of this script
# stands for many verifiers. Not run by .ci/run (it takes 10 minutes).
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_TOTAL=${1:-600}
WORKERS=${2:-6}
if [ -z "${YUESOU_BIN:-}" ]; then
    cargo build --release --quiet --bin yuesou
fi
BIN=${YUESOU_BIN:-${CARGO_TARGET_DIR:-$PWD/target}/release/yuesou}

WORK=$(mktemp -d /tmp/yuesou-soak.XXXXXX)
printf 'verify_per_minute = 1000000\n' >"$WORK/yuesou.toml"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
YUESOU_WATCH=false "$BIN" --config "$WORK/yuesou.toml" --data-dir "$WORK/data" \
    serve --addr "127.0.0.1:$PORT" >"$WORK/daemon.log" 2>&1 &
DAEMON=$!
trap 'kill "$DAEMON" 2>/dev/null || true; wait "$DAEMON" 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 600); do
    curl -fsS "$BASE/readyz" >/dev/null 2>&1 && break
    kill -0 "$DAEMON" 2>/dev/null || { cat "$WORK/daemon.log" >&2; exit 1; }
    sleep 0.5
done
curl -fsS "$BASE/readyz" >/dev/null
echo "soak: $BIN on $BASE for $SECONDS_TOTAL s, $WORKERS workers; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
python3 scripts/soak.py "$BASE" "$DAEMON" --seconds "$SECONDS_TOTAL" --workers "$WORKERS"
status=$?
echo "soak: daemon log: $(wc -l <"$WORK/daemon.log") lines, $(grep -c -E ' (ERROR|WARN) ' "$WORK/daemon.log" || true) warnings or errors"
exit $status
