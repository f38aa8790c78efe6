//! Runs every query of the graded sets (`tests/queries*.tsv`, every input
//! kind, correction included) through the full search pipeline, uncached:
//! a small, deterministic workload for profilers.
//!
//! ```sh
//! cargo build --release --example profile_search
//! valgrind --tool=callgrind --collect-atstart=no \
//!     --toggle-collect='profile_search::run_all*' \
//!     target/release/examples/profile_search 1
//! ```
//!
//! The argument is the number of rounds over the queries (default 1). Only
//! `run_all` is measured by the command above, not opening the engine.
//!
//! `profile_search dump FILE` instead writes every response (JSON, one a
//! line) for six requests per query — default, explained, uncollapsed, with
//! a phone position, in a city and filtered to a region — so two builds can
//! be compared answer for answer (`cmp` the files).
//!
//! `profile_search slowest N` prints the N slowest queries (least of five
//! timings each) and the sum over all of them.
//!
//! It runs on the daemon's allocator (mimalloc); add `--features
//! system-allocator` to the build for the system's.

use std::hint::black_box;

use yuesou::{Engine, EngineOptions, Filters, Resources, SearchRequest};

/// The daemon's allocator (as `src/main.rs`): mimalloc (issue 9 §2 — glibc's
/// malloc/free were a fifth of a search's instructions). Build with
/// `--features system-allocator` to measure the system allocator instead.
#[cfg(not(feature = "system-allocator"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rounds: usize = args.first().and_then(|r| r.parse().ok()).unwrap_or(1);
    let root = yuesou::bundled_root();
    let engine = Engine::open(&EngineOptions::new(Resources::bundled(&root)))?;
    let mut queries = Vec::new();
    for file in [
        "queries.tsv",
        "queries_holdout.tsv",
        "queries_blind.tsv",
        "queries_round3.tsv",
    ] {
        let text = std::fs::read_to_string(root.join("tests").join(file))?;
        queries.extend(
            text.lines()
                .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
                .filter_map(|l| l.split('\t').nth(1).map(str::to_string)),
        );
    }
    if let [command, path] = args.as_slice()
        && command == "dump"
    {
        return dump(&engine, &queries, path);
    }
    if let [command, n] = args.as_slice()
        && command == "slowest"
    {
        slowest(&engine, &queries, n.parse()?);
        return Ok(());
    }
    let hits = run_all(&engine, &queries, rounds);
    println!("{} queries × {rounds} rounds, {hits} hits", queries.len());
    Ok(())
}

/// Searches every query `rounds` times; returns the number of hits seen.
#[inline(never)]
fn run_all(engine: &Engine, queries: &[String], rounds: usize) -> usize {
    let mut hits = 0;
    for _ in 0..rounds {
        for q in queries {
            if let Ok(r) = engine.search(&SearchRequest::new(q.as_str())) {
                hits += black_box(r).hits.len();
            }
        }
    }
    hits
}

/// Prints the `n` slowest queries (the least of five timings each), to see
/// which inputs the mean hides.
fn slowest(engine: &Engine, queries: &[String], n: usize) {
    let mut timed: Vec<(std::time::Duration, &str)> = queries
        .iter()
        .map(|q| {
            let least = (0..5)
                .map(|_| {
                    let start = std::time::Instant::now();
                    let _ = black_box(engine.search(&SearchRequest::new(q.as_str())));
                    start.elapsed()
                })
                .min()
                .unwrap_or_default();
            (least, q.as_str())
        })
        .collect();
    timed.sort_unstable_by(|a, b| b.cmp(a));
    let total: std::time::Duration = timed.iter().map(|t| t.0).sum();
    for (took, q) in timed.iter().take(n) {
        println!("{:>8.1} µs  {q}", took.as_secs_f64() * 1e6);
    }
    println!(
        "sum of all {} queries: {:.1} ms",
        timed.len(),
        total.as_secs_f64() * 1e3
    );
}

/// Requests per query in a dump.
const REQUESTS_PER_QUERY: usize = 6;

/// Writes every response of [`REQUESTS_PER_QUERY`] requests per query to
/// `path`.
fn dump(engine: &Engine, queries: &[String], path: &str) -> Result<(), Box<dyn std::error::Error>> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    for q in queries {
        let requests: [SearchRequest; REQUESTS_PER_QUERY] = [
            SearchRequest::new(q.as_str()),
            SearchRequest::new(q.as_str()).explain(true),
            SearchRequest::new(q.as_str()).collapse(false),
            // 天河区, 广州.
            SearchRequest::new(q.as_str()).at_position(23.1247, 113.3612),
            SearchRequest::new(q.as_str()).in_region("佛山"),
            SearchRequest::new(q.as_str()).filters(Filters {
                region: Some("440300".to_string()),
                ..Filters::default()
            }),
        ];
        for request in &requests {
            match engine.search(request) {
                Ok(r) => writeln!(out, "{}", serde_json::to_string(&r)?)?,
                Err(e) => writeln!(out, "error: {e}")?,
            }
        }
    }
    out.flush()?;
    println!(
        "{} queries × {} requests written to {path}",
        queries.len(),
        REQUESTS_PER_QUERY
    );
    Ok(())
}
