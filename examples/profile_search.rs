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

use std::hint::black_box;

use yuesou::{Engine, EngineOptions, Resources, SearchRequest};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|r| r.parse().ok())
        .unwrap_or(1);
    let root = yuesou::bundled_root();
    let engine = Engine::open(&EngineOptions::new(Resources::bundled(&root)))?;
    let mut queries = Vec::new();
    for file in ["queries.tsv", "queries_holdout.tsv", "queries_blind.tsv"] {
        let text = std::fs::read_to_string(root.join("tests").join(file))?;
        queries.extend(
            text.lines()
                .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
                .filter_map(|l| l.split('\t').nth(1).map(str::to_string)),
        );
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
