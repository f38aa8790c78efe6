//! Search latency on the bundled catalogue over a mixed query set.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use yuesou::{Engine, EngineOptions, Filters, Resources, SearchRequest};

/// Queries written the way people type them: short, colloquial, filler words,
/// traditional characters, spaces.
const QUERIES: [&str; 16] = [
    "公积金贷款进度",
    "我想查一下社保参保证明",
    "戶籍遷移",
    "驾驶证 记分",
    "社保卡补换",
    "港澳证续签",
    "车检预约",
    "公积金提取",
    "结婚登记",
    "低保申请",
    "个税",
    "出生证明",
    "怎么交水费",
    "房产证查询",
    "失业金",
    "居住证办理",
];

fn bench(c: &mut Criterion) {
    let engine = Engine::open(&EngineOptions::new(Resources::bundled(
        &yuesou::bundled_root(),
    )))
    .expect("bundled data loads");
    let mut group = c.benchmark_group("search_bundled");
    group.bench_function("mixed_16_queries", |b| {
        b.iter(|| {
            for q in QUERIES {
                black_box(engine.search(&SearchRequest::new(q)).expect("search"));
            }
        })
    });
    group.bench_function("single_公积金提取", |b| {
        b.iter(|| {
            black_box(
                engine
                    .search(&SearchRequest::new("公积金提取"))
                    .expect("search"),
            )
        })
    });
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
