//! Search latency on the bundled catalogue, the full pipeline without any
//! response cache (the engine has none; the daemon's is bypassed here).
//! Issue 9's targets: median ≤ 150 µs and p99 ≤ 1 ms over the graded sets
//! (`tests/queries*.tsv`: every input kind — Chinese, colloquial, pinyin,
//! initials, mixed, fuzzy, typos, questions, English — correction
//! included). Per-call percentiles (median, p90, p99, max) are printed for
//! every set, then criterion groups: `search_uncached` round-robins over
//! the graded sets (criterion reports its median), `search_bundled` times
//! typical requests, `search_spoken_long` round-robins over the long
//! (20–40 character) voice-input sentences of `tests/queries_round3.tsv`.
//! The 1,000,000-item figures are in `benches/scale.rs`.

mod common;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use yuesou::{Filters, SearchRequest};

fn bench(c: &mut Criterion) {
    let engine = common::bundled_engine();
    let mut queries = common::graded_queries("queries.tsv");
    queries.extend(common::graded_queries("queries_holdout.tsv"));
    queries.extend(common::graded_queries("queries_blind.tsv"));
    queries.extend(common::graded_queries("queries_round3.tsv"));
    let spoken: Vec<&str> = queries
        .iter()
        .filter(|(k, _)| k == "spoken_long")
        .map(|(_, q)| q.as_str())
        .collect();
    let typed: Vec<&str> = queries
        .iter()
        .filter(|(k, _)| {
            matches!(
                k.as_str(),
                "chinese"
                    | "colloquial"
                    | "traditional"
                    | "filler"
                    | "must_not_change"
                    | "spoken_long"
            )
        })
        .map(|(_, q)| q.as_str())
        .collect();
    let corrected: Vec<&str> = queries
        .iter()
        .filter(|(k, _)| {
            !matches!(
                k.as_str(),
                "chinese"
                    | "colloquial"
                    | "traditional"
                    | "filler"
                    | "must_not_change"
                    | "spoken_long"
            )
        })
        .map(|(_, q)| q.as_str())
        .collect();
    let all: Vec<&str> = queries.iter().map(|(_, q)| q.as_str()).collect();
    for (name, set) in [
        ("search_bundled all kinds (per call)", &all),
        ("search_bundled typed as is (per call)", &typed),
        (
            "search_bundled pinyin/typos, corrected (per call)",
            &corrected,
        ),
        ("search_bundled long spoken sentences (per call)", &spoken),
    ] {
        common::report_percentiles(name, set, 5, |q| {
            black_box(engine.search(&SearchRequest::new(*q)).ok());
        });
    }
    common::report_percentiles("search_bundled with a position (per call)", &all, 2, |q| {
        black_box(
            engine
                .search(&SearchRequest::new(*q).at_position(22.54, 114.05))
                .ok(),
        );
    });

    let mut uncached = c.benchmark_group("search_uncached");
    let mut i = 0;
    uncached.bench_function("graded_sets_round_robin", |b| {
        b.iter(|| {
            i = (i + 1) % all.len();
            black_box(engine.search(&SearchRequest::new(all[i])).expect("search"))
        })
    });
    uncached.finish();

    let mut long = c.benchmark_group("search_spoken_long");
    let mut j = 0;
    long.bench_function("round3_spoken_round_robin", |b| {
        b.iter(|| {
            j = (j + 1) % spoken.len();
            black_box(
                engine
                    .search(&SearchRequest::new(spoken[j]))
                    .expect("search"),
            )
        })
    });
    long.finish();

    let mut group = c.benchmark_group("search_bundled");
    for q in [
        "公积金提取",
        "养老金查洵",
        "hukou qianyi",
        "sfzbl",
        "我想查一下社保参保证明",
    ] {
        group.bench_function(q, |b| {
            b.iter(|| black_box(engine.search(&SearchRequest::new(q)).expect("search")))
        });
    }
    group.bench_function("filtered_社保_深圳_查询", |b| {
        let request = SearchRequest::new("社保").filters(Filters {
            region: Some("440300".into()),
            service_type: Some("查询".into()),
            ..Filters::default()
        });
        b.iter(|| black_box(engine.search(&request).expect("search")))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
