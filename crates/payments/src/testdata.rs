//! Generated payments for benchmarks and demos of reconciliation: a day of
//! `n` settled payments written straight into the database in bulk, and
//! the statement the provider would send for it, with a few mismatches of
//! each kind seeded on purpose.
//!
//! Generated rows carry their final state only (no transitions, no
//! receipts): they exist to measure reconciliation, not to be paid.
//! `examples/reconcile_bench.rs` runs it on PostgreSQL.

use std::collections::BTreeMap;

use time::{Date, Time};
use yuesou_gateway::clock::CHINA;
use yuesou_store::Db;

use crate::provider::rng::Rng;
use crate::provider::{LineKind, Statement, StatementLine};
use crate::reconcile::MismatchKind;
use crate::store::{COLUMNS, instant, ms};
use crate::{PaymentError, Result};

/// Rows per insert statement (32 columns each: within both backends'
/// parameter limits).
const CHUNK: usize = 400;

/// What [`generate_day`] made.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The provider's statement of the day.
    pub statement: Statement,
    /// The mismatches seeded, by kind (what reconciliation must find).
    pub seeded: BTreeMap<MismatchKind, u64>,
}

/// Writes `n` payments of provider `provider` paid on `day` (China) into
/// `db`, settled but for the seeded `settlement_missing` ones, and returns
/// the statement with the seeded differences: one of each kind per
/// 250,000 payments (at least one). `seed` makes amounts and times
/// reproducible; ids are `PAY-<day>-G<index>`, so a day is generated once.
pub async fn generate_day(
    db: &Db,
    day: Date,
    n: u64,
    seed: u64,
    provider: &str,
) -> Result<Generated> {
    let mut rng = Rng::new(seed);
    let start = ms(day.with_time(Time::MIDNIGHT).assume_offset(CHINA));
    let tag = format!(
        "{:04}{:02}{:02}",
        day.year(),
        u8::from(day.month()),
        day.day()
    );
    let every = 250_000u64;
    let mut seeded: BTreeMap<MismatchKind, u64> = BTreeMap::new();
    let mut lines = Vec::with_capacity(usize::try_from(n).unwrap_or(0));
    let mut batch: Vec<(String, i64, i64, bool)> = Vec::with_capacity(CHUNK);
    for i in 0..n {
        let id = format!("PAY-{tag}-G{i:011}");
        let amount = i64::try_from(rng.between(100, 60_000)).unwrap_or(100);
        let paid_at = start + i64::try_from(rng.between(0, 86_399_999)).unwrap_or(0);
        let slot = i % every;
        let settled = slot != 3;
        if slot == 3 {
            *seeded.entry(MismatchKind::SettlementMissing).or_default() += 1;
        }
        match slot {
            1 => {
                *seeded.entry(MismatchKind::AmountMismatch).or_default() += 1;
                lines.push(line(&id, amount + 1, paid_at));
            }
            2 => {
                *seeded.entry(MismatchKind::PlatformOnly).or_default() += 1;
            }
            _ => lines.push(line(&id, amount, paid_at)),
        }
        batch.push((id, amount, paid_at, settled));
        if batch.len() == CHUNK {
            insert(db, &batch, provider, &tag).await?;
            batch.clear();
        }
    }
    if !batch.is_empty() {
        insert(db, &batch, provider, &tag).await?;
    }
    for k in 0..(n / every).max(1) {
        *seeded.entry(MismatchKind::ProviderOnly).or_default() += 1;
        let paid_at = start + i64::try_from(rng.between(0, 86_399_999)).unwrap_or(0);
        lines.push(line(&format!("PAY-{tag}-X{k:011}"), 1234, paid_at));
    }
    Ok(Generated {
        statement: Statement { lines },
        seeded,
    })
}

fn line(id: &str, amount_fen: i64, paid_at: i64) -> StatementLine {
    StatementLine {
        out_trade_no: id.to_owned(),
        order_id: format!("DEV{}", &id[id.len() - 12..]),
        kind: LineKind::Payment,
        amount_fen,
        at: instant(paid_at),
    }
}

async fn insert(
    db: &Db,
    batch: &[(String, i64, i64, bool)],
    provider: &str,
    tag: &str,
) -> Result<()> {
    let mut sql = format!("INSERT INTO payments ({COLUMNS}) VALUES ");
    let mut p = 0;
    for (i, _) in batch.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..32 {
            if c > 0 {
                sql.push_str(", ");
            }
            p += 1;
            sql.push_str(&format!("${p}"));
        }
        sql.push(')');
    }
    let mut query = sqlx::query(&sql);
    for (id, amount, paid_at, settled) in batch {
        let status = if *settled { "settled" } else { "paid" };
        let bill = format!("electricity.{tag}.{}", &id[id.len() - 11..]);
        query = query
            .bind(id.clone())
            .bind("acct-bench")
            .bind("acct-bench")
            .bind(format!("key-{id}"))
            .bind("generated")
            .bind("bill")
            .bind("shjf-dfjf-440100")
            .bind("广州供电局")
            .bind(bill)
            .bind("electricity")
            .bind("电费")
            .bind("电费缴费")
            .bind("广东电网有限责任公司广州供电局")
            .bind("03******0000")
            .bind(None::<String>)
            .bind("测试")
            .bind("4401**********0000")
            .bind(*amount)
            .bind(status)
            .bind(3i64)
            .bind(provider.to_owned())
            .bind(Some(format!("DEV{}", &id[id.len() - 12..])))
            .bind(None::<String>)
            .bind(None::<String>)
            .bind(paid_at - 60_000)
            .bind(*paid_at)
            .bind(paid_at + 840_000)
            .bind(Some(*paid_at))
            .bind(settled.then_some(paid_at + 1000))
            .bind(None::<i64>)
            .bind(0i64)
            .bind(*paid_at);
    }
    let mut tx = db.begin().await?;
    query.execute(&mut *tx).await?;
    let settled: Vec<&(String, i64, i64, bool)> = batch.iter().filter(|b| b.3).collect();
    if !settled.is_empty() {
        let mut sql = String::from(
            "INSERT INTO payment_settlements (payment_id, settlement_id, receipt_number, amount_fen, settled_at, recorded_at) VALUES ",
        );
        for i in 0..settled.len() {
            if i > 0 {
                sql.push_str(", ");
            }
            let b = i * 6;
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6
            ));
        }
        let mut query = sqlx::query(&sql);
        for (id, amount, paid_at, _) in settled {
            query = query
                .bind(id.clone())
                .bind(format!("STL{}", &id[id.len() - 11..]))
                .bind(format!("GD{tag}{}", &id[id.len() - 10..]))
                .bind(*amount)
                .bind(paid_at + 1000)
                .bind(paid_at + 1000);
        }
        query.execute(&mut *tx).await?;
    }
    tx.commit().await.map_err(PaymentError::from)?;
    Ok(())
}
