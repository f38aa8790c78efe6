//! The same searches and suggestions on a generated catalogue of 1,000,000
//! items (issue: suggest median ≤ 20 µs, p99 ≤ 100 µs; search with
//! correction p99 ≤ 30 ms). The catalogue is grown from the bundled one by
//! `yuesou_core::synthetic` (every service × every region × sub-cases).
//! `YUESOU_SCALE_ITEMS` changes the size.

mod common;

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use yuesou::{Catalogue, Engine, EngineOptions, Gazetteer, Resources, SearchRequest, synthetic};

fn scale_engine() -> Engine {
    let items: usize = std::env::var("YUESOU_SCALE_ITEMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let resources = Resources::bundled(&yuesou::bundled_root());
    let gazetteer =
        Gazetteer::load_with_towns(&resources.divisions, &resources.towns).expect("gazetteer");
    let base = Catalogue::load(&resources.catalogue, &gazetteer).expect("catalogue");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("items.jsonl");
    let started = Instant::now();
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
    for item in synthetic::generate(base.items(), &gazetteer, items, 2026) {
        serde_json::to_writer(&mut out, &item).expect("write");
        std::io::Write::write_all(&mut out, b"\n").expect("write");
    }
    drop(out);
    println!("generated {items} items in {:?}", started.elapsed());
    let started = Instant::now();
    let engine = Engine::open(&EngineOptions::new(resources.with_catalogue(&path)))
        .expect("the generated catalogue loads");
    println!(
        "engine over {} items opened in {:?}",
        engine.catalogue().len(),
        started.elapsed()
    );
    engine
}

fn bench(c: &mut Criterion) {
    let engine = scale_engine();
    let mut queries = common::graded_queries("queries.tsv");
    queries.extend(common::graded_queries("queries_holdout.tsv"));
    let prefixes = common::typing_prefixes(&queries);
    common::report_percentiles("suggest_1m (per call)", &prefixes, 3, |p| {
        black_box(engine.suggest(p, 10));
    });
    let all: Vec<&str> = queries.iter().map(|(_, q)| q.as_str()).collect();
    common::report_percentiles("search_1m all kinds (per call)", &all, 1, |q| {
        black_box(engine.search(&SearchRequest::new(*q)).ok());
    });
    common::report_percentiles("search_1m with a position (per call)", &all, 1, |q| {
        black_box(
            engine
                .search(&SearchRequest::new(*q).at_position(22.54, 114.05))
                .ok(),
        );
    });

    let mut group = c.benchmark_group("scale_1m");
    group.sample_size(20);
    let mut i = 0;
    group.bench_function("suggest_mixed_prefixes", |b| {
        b.iter(|| {
            i = (i + 1) % prefixes.len();
            black_box(engine.suggest(&prefixes[i], 10))
        })
    });
    let mut j = 0;
    group.bench_function("search_graded_round_robin", |b| {
        b.iter(|| {
            j = (j + 1) % all.len();
            black_box(engine.search(&SearchRequest::new(all[j])).ok())
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
