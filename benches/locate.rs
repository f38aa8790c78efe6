//! Reverse lookup of a phone position to its district (issue: median ≤ 5 µs),
//! including the WGS-84 → GCJ-02 conversion, over positions spread across
//! Guangdong and its neighbours.

mod common;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

fn bench(c: &mut Criterion) {
    let engine = common::bundled_engine();
    // A grid over Guangdong and its surroundings (WGS-84), 0.1° apart.
    let mut positions = Vec::new();
    let mut lat = 20.2;
    while lat < 25.6 {
        let mut lng = 109.6;
        while lng < 117.4 {
            positions.push((lat, lng));
            lng += 0.1;
        }
        lat += 0.1;
    }
    common::report_percentiles(
        "locate_position (per call)",
        &positions,
        20,
        |&(lat, lng)| {
            black_box(engine.locate_position(lat, lng).ok());
        },
    );
    let mut i = 0;
    c.bench_function("locate_position/grid", |b| {
        b.iter(|| {
            i = (i + 1) % positions.len();
            let (lat, lng) = positions[i];
            black_box(engine.locate_position(lat, lng).ok())
        })
    });
    c.bench_function("locate_position/tianhe", |b| {
        b.iter(|| black_box(engine.locate_position(23.1247, 113.3612).ok()))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
