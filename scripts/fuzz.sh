#!/usr/bin/env bash
# Bounded fuzzing of every cargo-fuzz target in fuzz/ (issue 14, "Fuzzing and
# conformance").
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]      (default 8)
#
# 1. Builds all targets once with the nightly toolchain and libFuzzer's
#    coverage instrumentation — what `cargo fuzz build -O --sanitizer none`
#    does, done here with plain `cargo +nightly build` so that only nightly is
#    needed (installing cargo-fuzz costs a CI run minutes). No sanitizer: the
#    project's crates have no `unsafe` code, so what the fuzzers look for
#    (panics, overflow checks, failed property assertions) needs no
#    AddressSanitizer, while instrumenting every dependency (tantivy, jieba,
#    tokio, axum, SQLite's C code) makes the build markedly slower and every
#    input slower to run. Panics and failed assertions abort the process,
#    which libFuzzer reports as a crash. For a deeper run use ASan:
#    `cargo +nightly fuzz run TARGET` (needs `cargo install cargo-fuzz`).
#    Optimisation level 1 (FUZZ_OPT_LEVEL, default 1): on an idle 2-core
#    machine (2026-12-02) the cold build took 304 s at level 1 against
#    384 s at the release default of 3, and the 8-second runs executed about
#    as many inputs (query_pipeline 9.9 k against 9.7 k, search_request 82 k
#    against 100 k) — in a bounded CI run the build is the cost.
# 2. Runs each target for SECONDS_PER_TARGET with `-max_total_time`, on a
#    fresh corpus copied from the checked-in seeds in fuzz/seeds/<target>/
#    (the working corpus goes to fuzz/corpus/<target>/, which git ignores,
#    crash inputs to fuzz/artifacts/<target>/).
#    The seed is fixed (FUZZ_SEED, default 1) so that a run can be repeated:
#    set FUZZ_SEED=0 for a random one (libFuzzer's default) to explore more.
# 3. Exits non-zero on the first crash, naming the reproducer:
#    `fuzz/target/x86_64-unknown-linux-gnu/release/<target> <artifact>`.
#
# Without the nightly toolchain it says so and exits 0: the same entry points
# are covered by property tests in the normal suite (fuzz/README.md).
#
# Measured on the 2-core development machine, 2026-12-02, while two other
# cold tantivy builds shared the cores (load average 6-12): cold build of the
# fuzz targets (empty fuzz/target, nightly, all dependencies) 41 min wall;
# rebuild after a change to the fuzz crate's dependencies 6 min 18 s; a no-op
# build 1 s; the runs with the default 8 s a target, 7 targets: 64 s (no
# crash; query_pipeline runs ~200 inputs/s, the body targets 10-40 k/s).
# Figures on a quieter machine are in docs/BENCHMARKS.md.
set -euo pipefail

seconds=${1:-8}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root/fuzz"

if ! rustc +nightly -V >/dev/null 2>&1; then
    echo "fuzz: SKIPPED: no nightly toolchain here; the property tests of the normal suite" >&2
    echo "fuzz: (cargo test) cover the same entry points" >&2
    exit 0
fi

# Its own target directory (other flags than the workspace's builds): under
# $CARGO_TARGET_DIR/fuzz when that is set, else fuzz/target.
fuzz_target=${CARGO_TARGET_DIR:+$CARGO_TARGET_DIR/fuzz}
fuzz_target=${fuzz_target:-$root/fuzz/target}
start=$(date +%s)
triple=$(rustc +nightly -vV | sed -n 's/^host: //p')
# The instrumentation cargo-fuzz adds for libFuzzer (coverage counters, the
# PC table, comparison tracing, stack depth), debug assertions and overflow
# checks on, and `cfg(fuzzing)`. `--target` keeps build scripts and proc
# macros uninstrumented.
RUSTFLAGS="-Cpasses=sancov-module \
 -Cllvm-args=-sanitizer-coverage-level=4 \
 -Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
 -Cllvm-args=-sanitizer-coverage-pc-table \
 -Cllvm-args=-sanitizer-coverage-trace-compares \
 -Cllvm-args=-sanitizer-coverage-stack-depth \
 -Cdebug-assertions -Coverflow-checks --cfg fuzzing" \
    CARGO_PROFILE_RELEASE_OPT_LEVEL="${FUZZ_OPT_LEVEL:-1}" \
    CARGO_TARGET_DIR="$fuzz_target" cargo +nightly build --release --locked --target "$triple" --bins
built=$(date +%s)
echo "fuzz: build took $((built - start)) s"

bin="$fuzz_target/$triple/release"
targets=$(sed -n 's/^name = "\(.*\)"$/\1/p' Cargo.toml | grep -v '^yuesou-fuzz$')
status=0
for target in $targets; do
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
        -seed="${FUZZ_SEED:-1}" \
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
