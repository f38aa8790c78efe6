//! Hot searches at volume: what a search pays to be counted (the in-memory
//! `observe`), what writing a batch costs, and what recomputing the hot
//! list costs after 100,000 … 1,000,000 logged searches over 300,000
//! distinct queries from 200,000 clients (a skewed, Zipf-like mix) — on the
//! embedded SQLite store with `synchronous = FULL`.
//!
//! `cargo bench -p yuesou-server --bench hot`

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use yuesou_centre::{Centre, Db, Providers};
use yuesou_server::activity::{Activity, HotSettings, Reading};

const DISTINCT_QUERIES: usize = 300_000;
const CLIENTS: usize = 200_000;
const CHECKPOINTS: [usize; 4] = [100_000, 250_000, 500_000, 1_000_000];
/// Searches written per flush while logging (the daemon flushes every
/// 2 s or every 2,048 searches, whichever comes first).
const FLUSH_EVERY: usize = 2_048;

/// A deterministic stream of (client, query) picks: queries skewed so that
/// a few are very common and most are rare, clients uniform.
struct Traffic {
    state: u64,
    readings: Vec<Reading>,
    clients: Vec<String>,
}

impl Traffic {
    fn new() -> Traffic {
        let readings = (0..DISTINCT_QUERIES)
            .map(|n| Reading {
                key: format!("查询{n}"),
                display: format!("查询{n}"),
                typed: format!("查询{n}"),
                countable: true,
            })
            .collect();
        let clients = (0..CLIENTS)
            .map(|n| format!("10.{}.{}.{}", n >> 16, (n >> 8) & 255, n & 255))
            .collect();
        Traffic {
            state: 0x9E37_79B9_7F4A_7C15,
            readings,
            clients,
        }
    }

    fn next_unit(&mut self) -> f64 {
        // xorshift64*
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        (self.state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }

    fn pick(&mut self) -> (usize, usize) {
        let q = ((self.next_unit().powf(3.0)) * DISTINCT_QUERIES as f64) as usize;
        let c = (self.next_unit() * CLIENTS as f64) as usize;
        (q.min(DISTINCT_QUERIES - 1), c.min(CLIENTS - 1))
    }
}

fn setup(rt: &tokio::runtime::Runtime) -> (tempfile::TempDir, Arc<Activity>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let centre = rt.block_on(async {
        let db = Db::open_sqlite(dir.path()).await.expect("database");
        Centre::new(
            db,
            Providers::development_without_identities(&dir.path().join("outbox")),
        )
    });
    let activity = Arc::new(Activity::new(centre, HotSettings::default()));
    (dir, activity)
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let (_dir, activity) = setup(&rt);
    // Searches are stamped now, so the list's window holds them.
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let mut traffic = Traffic::new();

    // The search path: one observation (no I/O).
    let mut group = c.benchmark_group("hot/observe");
    group.bench_function("one search", |b| {
        b.iter_custom(|iters| {
            let mut spent = Duration::ZERO;
            let mut done = 0;
            while done < iters {
                let batch = (iters - done).min(FLUSH_EVERY as u64);
                let picks: Vec<_> = (0..batch).map(|_| traffic.pick()).collect();
                let start = Instant::now();
                for (q, c) in &picks {
                    activity.observe(None, &traffic.clients[*c], &traffic.readings[*q], now_ms);
                }
                spent += start.elapsed();
                done += batch;
                rt.block_on(activity.flush()).expect("flush");
            }
            spent
        })
    });
    group.finish();

    // Writing a batch and recomputing the list, as the log grows.
    let mut group = c.benchmark_group("hot/after");
    group.sample_size(20);
    let mut logged = 0usize;
    for checkpoint in CHECKPOINTS {
        while logged < checkpoint {
            for _ in 0..FLUSH_EVERY.min(checkpoint - logged) {
                let (q, c) = traffic.pick();
                activity.observe(None, &traffic.clients[c], &traffic.readings[q], now_ms);
                logged += 1;
            }
            rt.block_on(activity.flush()).expect("flush");
        }
        group.bench_with_input(
            BenchmarkId::new("write 2048 searches", checkpoint),
            &checkpoint,
            |b, _| {
                b.iter_custom(|iters| {
                    let mut spent = Duration::ZERO;
                    for _ in 0..iters {
                        for _ in 0..FLUSH_EVERY {
                            let (q, c) = traffic.pick();
                            activity.observe(
                                None,
                                &traffic.clients[c],
                                &traffic.readings[q],
                                now_ms,
                            );
                        }
                        let start = Instant::now();
                        rt.block_on(activity.flush()).expect("flush");
                        spent += start.elapsed();
                    }
                    spent
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new("recompute the list", checkpoint),
            &checkpoint,
            |b, _| b.iter(|| rt.block_on(activity.refresh(None)).expect("refresh")),
        );
        let list = activity.current_hot();
        black_box(&list);
        eprintln!(
            "after {checkpoint} searches: {} listed, {} candidates, top {:?}",
            list.entries.len(),
            list.explained.len(),
            list.entries.first().map(|e| (&e.query, e.score))
        );
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
