//! Times every query of the graded sets (`tests/queries*.tsv`) through the
//! full search pipeline, uncached, on the system allocator: per set and for
//! the long spoken sentences (`spoken_long` of `tests/queries_round3.tsv`),
//! the median, p90, p99 and max of each query's least of five timings.
//! A core-only stand-in for `benches/search.rs` (no daemon crates to build):
//!
//! ```sh
//! cargo run --release -p yuesou-core --example time_queries
//! cargo run --release -p yuesou-core --example time_queries -- dump FILE
//! ```
//!
//! `one QUERY N` searches one query N times (for `valgrind --tool=callgrind
//! --toggle-collect='time_queries::search_one'`).
//!
//! `dump FILE` writes every response (JSON, one a line, explained) instead,
//! so two builds can be compared answer for answer (`cmp` the files).

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use yuesou_core::{Engine, EngineOptions, Resources, SearchRequest};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let engine = Engine::open(&EngineOptions::new(Resources::bundled(&root)))?;
    let mut sets: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for file in [
        "queries.tsv",
        "queries_holdout.tsv",
        "queries_blind.tsv",
        "queries_round3.tsv",
    ] {
        let text = std::fs::read_to_string(root.join("tests").join(file))?;
        let queries = text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| {
                let mut f = l.split('\t');
                Some((f.next()?.to_string(), f.next()?.to_string()))
            })
            .collect();
        sets.push((file.to_string(), queries));
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [command, path] = args.as_slice()
        && command == "dump"
    {
        let mut out = String::new();
        for (_, queries) in &sets {
            for (_, q) in queries {
                for request in [
                    SearchRequest::new(q.as_str()),
                    SearchRequest::new(q.as_str()).explain(true),
                    SearchRequest::new(q.as_str()).in_region("440300"),
                ] {
                    out.push_str(&serde_json::to_string(&engine.search(&request)?)?);
                    out.push('\n');
                }
            }
        }
        std::fs::write(path, out)?;
        return Ok(());
    }
    if let [command, query, rounds] = args.as_slice()
        && command == "one"
    {
        // One query, `rounds` times: a workload for a profiler.
        for _ in 0..rounds.parse::<usize>().unwrap_or(1) {
            black_box(search_one(&engine, query));
        }
        return Ok(());
    }
    let spoken: Vec<(String, String)> = sets
        .iter()
        .flat_map(|(_, qs)| qs.iter().filter(|(k, _)| k == "spoken_long").cloned())
        .collect();
    let all: Vec<(String, String)> = sets.iter().flat_map(|(_, qs)| qs.iter().cloned()).collect();
    sets.push(("all sets".into(), all));
    sets.push(("spoken_long (20–40 characters)".into(), spoken));
    println!(
        "{:<34} {:>5} {:>9} {:>9} {:>9} {:>9}",
        "set", "n", "median", "p90", "p99", "max"
    );
    for (name, queries) in &sets {
        let mut times: Vec<Duration> = queries
            .iter()
            .map(|(_, q)| {
                (0..5)
                    .map(|_| {
                        let start = Instant::now();
                        black_box(engine.search(&SearchRequest::new(q.as_str())).ok());
                        start.elapsed()
                    })
                    .min()
                    .unwrap_or_default()
            })
            .collect();
        times.sort();
        let at = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize];
        println!(
            "{name:<34} {:>5} {:>7.1}µs {:>7.1}µs {:>7.1}µs {:>7.1}µs",
            times.len(),
            at(0.5).as_secs_f64() * 1e6,
            at(0.9).as_secs_f64() * 1e6,
            at(0.99).as_secs_f64() * 1e6,
            at(1.0).as_secs_f64() * 1e6,
        );
    }
    Ok(())
}

/// One uncached search (its own function, for profilers to select).
#[inline(never)]
fn search_one(engine: &Engine, query: &str) -> Option<yuesou_core::SearchResponse> {
    engine.search(&SearchRequest::new(query)).ok()
}
