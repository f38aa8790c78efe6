#!/usr/bin/env python3
"""Mixed traffic against a running daemon for a fixed time (default 10
minutes), then a verdict: no errors, flat memory, flat latency.

    scripts/soak.py BASE_URL DAEMON_PID [--seconds 600] [--workers 6]

Each worker loops over the mix a person of the app produces: searches (the
mixed requests of scripts/load/search.txt, with and without a session, a
third of those without a place given a phone position), suggestions
(scripts/load/suggest.txt), opening the personal centre
(profile, history, applications), starting or resuming an application and
saving a step, presenting a licence from the wallet and having a verifier
check it; every 25th round a fresh password login. Every answer must be
2xx. Latency is recorded per request and the daemon's resident memory
(VmRSS) every 2 s; the report compares the first and the last minute.

Verdict (exit 1 when broken):
- no request failed (status, connection error or timeout);
- memory is flat: RSS over the last minute at most 10 % (and 16 MiB) above
  the second minute (the first minute holds warm-up: caches, pools);
- latency is flat: the last minute's median at most 50 % (and 2 ms) above
  the first minute's, the p99 at most 100 % (and 10 ms) above.
"""

import argparse
import http.client
import json
import random
import statistics
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PHONE = "13800000001"
PASSWORD = "yuesou-demo"


def percentile(values, p):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


class Client:
    """One keep-alive connection; every call is timed and checked."""

    def __init__(self, host, port, record):
        self.host, self.port, self.record = host, port, record
        self.conn = http.client.HTTPConnection(host, port, timeout=30)

    def call(self, kind, method, path, token=None, body=None):
        headers = {"accept": "application/json"}
        data = None
        if token:
            headers["authorization"] = f"Bearer {token}"
        if body is not None:
            data = json.dumps(body).encode()
            headers["content-type"] = "application/json"
        start = time.perf_counter()
        try:
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
            payload = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as e:
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            self.record(kind, time.perf_counter() - start, f"connection: {e}")
            return None
        elapsed = time.perf_counter() - start
        if not 200 <= status < 300:
            self.record(kind, elapsed, f"{status} {method} {path.split('?')[0]}: {payload[:200]!r}")
            return None
        self.record(kind, elapsed, None)
        return json.loads(payload) if payload else {}


def login(client):
    answer = client.call("login", "POST", "/api/v1/auth/login",
                         body={"phone": PHONE, "password": PASSWORD})
    return answer["token"] if answer else None


def worker(base, searches, suggestions, stop, record, seed):
    rng = random.Random(seed)
    host, port = base.netloc.split(":")
    client = Client(host, int(port), record)
    token = login(client)
    items = ["rcjy-jydj-440100", "sb-ylzy-440100", "hz-jzdj-440100", "sb-lhyb-440100"]
    round_no = 0
    while not stop.is_set():
        round_no += 1
        if round_no % 25 == 0 or token is None:
            token = login(client) or token
        for _ in range(6):
            path = rng.choice(searches)
            if rng.random() < 0.33 and not any(p in path for p in ("city=", "region=", "lat=")):
                lat = 22.5 + rng.random() * 1.2
                lng = 113.0 + rng.random() * 1.5
                path += f"&lat={lat:.5f}&lng={lng:.5f}"
            client.call("search", "GET", path, token if rng.random() < 0.5 else None)
        client.call("suggest", "GET", rng.choice(suggestions))
        client.call("centre", "GET", "/api/v1/me/profile", token)
        client.call("history", "GET", "/api/v1/me/history", token)
        app = client.call("applications", "POST", "/api/v1/me/applications", token,
                          {"item_id": rng.choice(items)})
        if app and app.get("current_step", 0) < len(app.get("steps", [])):
            client.call("applications", "PUT",
                        f"/api/v1/me/applications/{app['id']}/steps/{app['current_step']}",
                        token, {"answers": {"soak": str(round_no)}})
        client.call("applications", "GET", "/api/v1/me/applications?size=10", token)
        wallet = client.call("wallet", "GET", "/api/v1/me/wallet", token)
        if wallet and wallet.get("items"):
            licence = rng.choice(wallet["items"])
            full = client.call("wallet", "GET", f"/api/v1/me/wallet/{licence['id']}", token)
            fields = [f["name"] for f in (full or {}).get("fields", [])][:2]
            shown = client.call("present", "POST", f"/api/v1/me/wallet/{licence['id']}/present",
                                token, {"disclose": fields})
            if shown:
                client.call("verify", "POST", "/api/v1/wallet/verify", None,
                            {"token": shown["token"]})


def rss_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("pid", type=int)
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--workers", type=int, default=6)
    args = parser.parse_args()
    base = urllib.parse.urlparse(args.base)
    searches = [q for q in (ROOT / "scripts/load/search.txt").read_text().splitlines() if q.strip()]
    suggestions = [q for q in (ROOT / "scripts/load/suggest.txt").read_text().splitlines()
                   if q.strip()]

    started = time.monotonic()
    lock = threading.Lock()
    minutes = {}  # minute -> {"lat": {kind: [s]}, "errors": [..]}
    memory = {}  # minute -> [rss KiB]

    def record(kind, seconds, error):
        minute = int((time.monotonic() - started) // 60)
        with lock:
            bucket = minutes.setdefault(minute, {"lat": {}, "errors": []})
            bucket["lat"].setdefault(kind, []).append(seconds)
            if error:
                bucket["errors"].append(f"{kind}: {error}")

    stop = threading.Event()
    threads = [threading.Thread(target=worker, args=(base, searches, suggestions, stop, record, i), daemon=True)
               for i in range(args.workers)]
    for t in threads:
        t.start()
    while time.monotonic() - started < args.seconds:
        time.sleep(2)
        minute = int((time.monotonic() - started) // 60)
        memory.setdefault(minute, []).append(rss_kib(args.pid))
    stop.set()
    for t in threads:
        t.join(timeout=60)

    last = max(m for m in minutes if m < args.seconds // 60) if args.seconds >= 120 else 0
    print(f"{'minute':>6} {'requests':>9} {'req/s':>7} {'errors':>6} {'p50 ms':>7} {'p99 ms':>7} {'RSS MiB':>8}")
    rows = {}
    for minute in sorted(minutes):
        if minute * 60 >= args.seconds:
            continue
        lat = [x for xs in minutes[minute]["lat"].values() for x in xs]
        rss = max(memory.get(minute, [0])) / 1024
        rows[minute] = (lat, rss)
        print(f"{minute + 1:>6} {len(lat):>9} {len(lat) / 60:>7.0f} {len(minutes[minute]['errors']):>6} "
              f"{percentile(lat, 50) * 1000:>7.2f} {percentile(lat, 99) * 1000:>7.2f} {rss:>8.1f}")
    print()
    kinds = sorted({k for m in minutes.values() for k in m["lat"]})
    print(f"{'kind':>12} {'requests':>9} {'p50 ms':>7} {'p99 ms':>7}")
    for kind in kinds:
        lat = [x for m in minutes.values() for x in m["lat"].get(kind, [])]
        print(f"{kind:>12} {len(lat):>9} {percentile(lat, 50) * 1000:>7.2f} {percentile(lat, 99) * 1000:>7.2f}")

    errors = [e for m in minutes.values() for e in m["errors"]]
    broken = []
    if errors:
        broken.append(f"{len(errors)} failed requests, e.g. {errors[:3]}")
    first, final = rows.get(0), rows.get(last)
    if first and final and last >= 1:
        base_rss = rows.get(1, first)[1]
        if final[1] > max(base_rss * 1.10, base_rss + 16):
            broken.append(f"memory grew: {base_rss:.1f} MiB in minute 2, {final[1]:.1f} MiB in the last")
        p50a, p50b = percentile(first[0], 50), percentile(final[0], 50)
        p99a, p99b = percentile(first[0], 99), percentile(final[0], 99)
        if p50b > max(p50a * 1.5, p50a + 0.002):
            broken.append(f"median latency grew: {p50a * 1000:.2f} -> {p50b * 1000:.2f} ms")
        if p99b > max(p99a * 2.0, p99a + 0.010):
            broken.append(f"p99 latency grew: {p99a * 1000:.2f} -> {p99b * 1000:.2f} ms")
    total = sum(len(r[0]) for r in rows.values())
    print(f"\n{total} requests in {args.seconds} s ({total / args.seconds:.0f}/s), "
          f"{len(errors)} errors, {args.workers} workers")
    if broken:
        print("SOAK FAILED: " + "; ".join(broken), file=sys.stderr)
        sys.exit(1)
    print("soak: no errors, memory and latency flat")


if __name__ == "__main__":
    main()
