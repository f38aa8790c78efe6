#!/usr/bin/env bash
# Bounded fuzzing of every cargo-fuzz target in fuzz/ (issue 14, "Fuzzing and
# conformance").
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]      (default 8)
#
# 1. Builds all targets once: `cargo +nightly fuzz build -O --sanitizer none`.
#    No sanitizer: the project's crates have no `unsafe` code, so what the
#    fuzzers look for (panics, overflow checks, failed property assertions)
#    needs no AddressSanitizer, while instrumenting every dependency
#    (tantivy, jieba, tokio, axum, SQLite's C code) makes the cold build
#    markedly slower and every input slower to run. Panics and failed assertions still abort the process,
#    which libFuzzer reports as a crash. For a deeper run use ASan:
#    `cargo +nightly fuzz run TARGET` (default sanitizer).
# 2. Runs each target for SECONDS_PER_TARGET with `-max_total_time`, on a
#    fresh corpus copied from the checked-in seeds in fuzz/seeds/<target>/
#    (the working corpus goes to fuzz/corpus/<target>/, which git ignores,
#    crash inputs to fuzz/artifacts/<target>/).
# 3. Exits non-zero on the first crash, naming the reproducer:
#    `fuzz/target/x86_64-unknown-linux-gnu/release/<target> <artifact>`.
#
# Measured on the 2-core development machine, 2026-12-02, while two other
# cold tantivy builds shared the cores (load average 6-12): cold build of the
# fuzz targets (empty fuzz/target, nightly, all dependencies) 41 min wall;
# rebuild after a change to the fuzz crate's dependencies 6 min 18 s; a no-op
# build 1 s; the runs with the default 8 s a target, 7 targets: 64 s (no
# crash; query_pipeline runs ~200 inputs/s, the body targets 10-40 k/s).
# On an idle machine expect the cold build near the release figures of
# /work/shared/CRATES.md (~6-7 min): too long for a tight CI budget unless
# fuzz/target is cached.
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
set -euo pipefail

seconds=${1:-8}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root/fuzz"

if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "fuzz: needs the nightly toolchain and cargo-fuzz (cargo install cargo-fuzz);" >&2
    echo "fuzz: the proptest equivalents run in the normal suite (cargo test)" >&2
    exit 2
fi

start=$(date +%s)
cargo +nightly fuzz build -O --sanitizer none
built=$(date +%s)
echo "fuzz: build took $((built - start)) s"

triple=$(rustc +nightly -vV | sed -n 's/^host: //p')
bin="$root/fuzz/target/$triple/release"
status=0
for target in $(cargo +nightly fuzz list); do
    corpus="$root/fuzz/corpus/$target"
    artifacts="$root/fuzz/artifacts/$target"
    rm -rf "$corpus"
    mkdir -p "$corpus" "$artifacts"
    if [ -d "$root/fuzz/seeds/$target" ]; then
        cp "$root/fuzz/seeds/$target"/* "$corpus"/
    fi
    echo "fuzz: $target for ${seconds} s"
    if ! "$bin/$target" "$corpus" \
        -max_total_time="$seconds" \
        -timeout=10 \
        -rss_limit_mb=2048 \
        -max_len=8192 \
        -print_final_stats=1 \
        -artifact_prefix="$artifacts/" \
        >"$artifacts/log.txt" 2>&1; then
        echo "fuzz: $target CRASHED; last lines of $artifacts/log.txt:" >&2
        tail -n 30 "$artifacts/log.txt" >&2
        ls "$artifacts" >&2
        status=1
        break
    fi
    grep -E '^stat::number_of_executed_units|^stat::new_units_added' "$artifacts/log.txt" |
        sed "s/^/fuzz: $target /" || true
done
echo "fuzz: runs took $(($(date +%s) - built)) s"
exit $status
