//! Shared set-up of the benchmarks: engines, realistic query sets read from
//! the graded test sets, and per-call latency percentiles.

#![allow(dead_code)]

use std::time::{Duration, Instant};

use yuesou::{Engine, EngineOptions, Resources};

/// The daemon's allocator (as `src/main.rs`): mimalloc (issue 9 §2 — glibc's
/// malloc/free were a fifth of a search's instructions). Build with
/// `--features system-allocator` to measure the system allocator instead.
#[cfg(not(feature = "system-allocator"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The engine over the bundled catalogue (in-memory index).
pub fn bundled_engine() -> Engine {
    Engine::open(&EngineOptions::new(Resources::bundled(
        &yuesou::bundled_root(),
    )))
    .expect("the bundled data loads")
}

/// The queries of a graded set in `tests/` (kind, query), in file order.
pub fn graded_queries(file: &str) -> Vec<(String, String)> {
    let path = yuesou::bundled_root().join("tests").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let mut f = l.split('\t');
            Some((f.next()?.to_string(), f.next()?.to_string()))
        })
        .collect()
}

/// Every prefix a person types on the way to each query (one keystroke at a
/// time): Chinese, pinyin, initials and mixed, as they come.
pub fn typing_prefixes(queries: &[(String, String)]) -> Vec<String> {
    let mut out = Vec::new();
    for (_, q) in queries {
        let chars: Vec<char> = q.chars().collect();
        for n in 1..=chars.len() {
            out.push(chars[..n].iter().collect());
        }
    }
    out
}

/// Times `f` once per input, `rounds` times over the inputs, and prints the
/// per-call median, p90, p99 and maximum.
pub fn report_percentiles<T>(name: &str, inputs: &[T], rounds: usize, mut f: impl FnMut(&T)) {
    let mut samples: Vec<Duration> = Vec::with_capacity(inputs.len() * rounds);
    for _ in 0..rounds {
        for input in inputs {
            let start = Instant::now();
            f(input);
            samples.push(start.elapsed());
        }
    }
    samples.sort_unstable();
    let at = |p: f64| samples[((samples.len() - 1) as f64 * p).round() as usize];
    println!(
        "{name}: {} calls  median {:?}  p90 {:?}  p99 {:?}  max {:?}",
        samples.len(),
        at(0.5),
        at(0.9),
        at(0.99),
        at(1.0)
    );
}
