//! Time to open the engine: a full build of the in-memory index from the
//! bundled data, and a start that reuses a persisted index.

use criterion::{Criterion, criterion_group, criterion_main};
use yuesou::{Engine, EngineOptions, Resources};

fn bench(c: &mut Criterion) {
    let resources = Resources::bundled(&yuesou::bundled_root());
    let mut group = c.benchmark_group("engine_open");
    group.sample_size(10);
    group.bench_function("build_in_memory", |b| {
        b.iter(|| Engine::open(&EngineOptions::new(resources.clone())).expect("build"))
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let persisted = EngineOptions::new(resources.clone()).with_index_dir(dir.path());
    Engine::open(&persisted).expect("first build");
    group.bench_function("reuse_persisted", |b| {
        b.iter(|| {
            let engine = Engine::open(&persisted).expect("reopen");
            assert!(engine.reused_index());
            engine
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
