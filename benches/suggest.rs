//! Autocomplete latency (issue: median ≤ 20 µs, p99 ≤ 100 µs) on the bundled
//! catalogue, over every keystroke prefix of the graded query sets —
//! Chinese, full pinyin, initials, mixed and fuzzy pinyin as people type.
//! The 1,000,000-item figures are in `benches/scale.rs`.

mod common;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

fn bench(c: &mut Criterion) {
    let engine = common::bundled_engine();
    let mut queries = common::graded_queries("queries.tsv");
    queries.extend(common::graded_queries("queries_holdout.tsv"));
    let prefixes = common::typing_prefixes(&queries);
    common::report_percentiles("suggest_bundled (per call)", &prefixes, 5, |p| {
        black_box(engine.suggest(p, 10));
    });
    let mut group = c.benchmark_group("suggest_bundled");
    let mut i = 0;
    group.bench_function("mixed_prefixes", |b| {
        b.iter(|| {
            i = (i + 1) % prefixes.len();
            black_box(engine.suggest(&prefixes[i], 10))
        })
    });
    for prefix in ["公积", "gongjij", "gjj", "户kou", "sengyu", "shebaok"] {
        group.bench_function(prefix, |b| b.iter(|| black_box(engine.suggest(prefix, 10))));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
