//! Reconciliation of a generated day: writes `--payments` settled payments
//! (1,000,000 by default) of one day straight into the database, with a few
//! mismatches of each kind seeded, then times the reconciliation job
//! against the provider's statement of that day.
//!
//! ```text
//! cargo run --release -p yuesou-payments --example reconcile_bench -- \
//!     [--url postgres://postgres@127.0.0.1:5432/test] [--payments 1000000] [--data data]
//! ```
//!
//! Without `--url` it makes a fresh schema on the test server
//! (`YUESOU_TEST_POSTGRES`, default `postgres://postgres@127.0.0.1:5432/test`).
//! The day is 2026-10-01; a database that has it already is refused (the
//! generated ids are per day).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use time::macros::{date, datetime};
use yuesou_gateway::{DevGateway, ManualClock};
use yuesou_payments::{Delivery, DevProvider, DevProviderConfig, PayableItems, Payments, Settings};

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let n: u64 = arg(&args, "--payments").map_or(Ok(1_000_000), |v| v.parse())?;
    let data = PathBuf::from(arg(&args, "--data").unwrap_or_else(|| "data".into()));
    let url = match arg(&args, "--url") {
        Some(url) => url,
        None => yuesou_store::testing::postgres_schema()
            .await
            .ok_or("no PostgreSQL: pass --url or start the test server")?,
    };
    let db = yuesou_store::Db::connect(&url).await?;
    let day = date!(2026 - 10 - 01);
    let clock = Arc::new(ManualClock::new(datetime!(2026-10-02 02:00 UTC)));
    let gateway = Arc::new(DevGateway::from_data_dir(&data)?.with_clock(clock.clone()));
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let provider = Arc::new(DevProvider::new(
        DevProviderConfig::new("http://127.0.0.1:8080"),
        clock.clone(),
        Delivery::Sink(tx),
    )?);
    let settings = Settings::new(
        "http://127.0.0.1:8080/api/v1/payments/notify/dev",
        "http://127.0.0.1:8080",
    );
    let payments = Payments::new(
        db.clone(),
        gateway,
        provider,
        PayableItems::default(),
        settings,
        clock,
    );

    let t0 = Instant::now();
    let generated = yuesou_payments::testdata::generate_day(&db, day, n, 1, "dev").await?;
    let generating = t0.elapsed();
    println!(
        "generated {n} payments and {} statement lines in {:.1} s",
        generated.statement.lines.len(),
        generating.as_secs_f64()
    );
    if db.backend() == yuesou_store::Backend::Postgres {
        sqlx::query("ANALYZE payments").execute(db.pool()).await?;
        sqlx::query("ANALYZE payment_settlements")
            .execute(db.pool())
            .await?;
    }

    let t1 = Instant::now();
    let report = payments.reconcile_with(day, &generated.statement).await?;
    let reconciling = t1.elapsed();
    println!(
        "reconciled {} in {:.2} s ({:.0} payments/s): {} matched, {} mismatches",
        report.day,
        reconciling.as_secs_f64(),
        report.platform_payments as f64 / reconciling.as_secs_f64(),
        report.matched,
        report.total_mismatches()
    );
    for (kind, count) in &report.counts {
        let seeded = generated
            .seeded
            .iter()
            .find(|(k, _)| k.as_str() == kind)
            .map_or(0, |(_, n)| *n);
        println!("  {kind}: {count} (seeded {seeded})");
    }
    let expected: u64 = generated.seeded.values().sum();
    if report.total_mismatches() != expected {
        return Err(format!(
            "expected {expected} mismatches, found {}",
            report.total_mismatches()
        )
        .into());
    }
    Ok(())
}
