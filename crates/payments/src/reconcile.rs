//! Daily reconciliation (对账): the provider's statement of a China day
//! against the platform's payments and the departments' settlements.
//!
//! The statement's lines are indexed by payment id; the platform's
//! payments paid that day are streamed from the database and matched one
//! by one, so a day of a million payments needs the statement in memory
//! and nothing else. What does not match is a [`Mismatch`]:
//!
//! | kind | meaning |
//! | --- | --- |
//! | `provider_only` | the provider has a payment the platform never made |
//! | `status_mismatch` | the provider has it paid; the platform has it otherwise (a missed notification not yet recovered, or another day) |
//! | `platform_only` | the platform has it paid; the provider's statement lacks it |
//! | `amount_mismatch` | both have it, with different amounts |
//! | `settlement_missing` | paid longer than the grace, and no department settlement |
//! | `refund_provider_only` / `refund_platform_only` / `refund_amount_mismatch` | the same for the day's refunds |
//!
//! The report is stored (one per day; re-running replaces it) with its
//! mismatches, counted in the metrics, and returned.

use std::collections::{BTreeMap, HashMap};

use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use sqlx::Any;
use time::{Date, OffsetDateTime, Time};
use yuesou_gateway::clock::CHINA;

use crate::provider::{LineKind, Statement, StatementLine};
use crate::store::ms;
use crate::{Payments, Result};

/// At most this many mismatches are stored and reported in full (the
/// counts are always complete).
const MAX_LISTED: usize = 10_000;

/// What kind of difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MismatchKind {
    /// The provider has a payment the platform never made.
    ProviderOnly,
    /// The provider has it paid; the platform has it in another status or
    /// on another day.
    StatusMismatch,
    /// The platform has it paid; the provider does not.
    PlatformOnly,
    /// Both have it, with different amounts.
    AmountMismatch,
    /// Paid, but no department settlement after the grace period.
    SettlementMissing,
    /// A refund the provider made that the platform does not have.
    RefundProviderOnly,
    /// A refund the platform completed that the provider does not list.
    RefundPlatformOnly,
    /// A refund with different amounts.
    RefundAmountMismatch,
}

impl MismatchKind {
    /// The stored token.
    pub fn as_str(self) -> &'static str {
        match self {
            MismatchKind::ProviderOnly => "provider_only",
            MismatchKind::StatusMismatch => "status_mismatch",
            MismatchKind::PlatformOnly => "platform_only",
            MismatchKind::AmountMismatch => "amount_mismatch",
            MismatchKind::SettlementMissing => "settlement_missing",
            MismatchKind::RefundProviderOnly => "refund_provider_only",
            MismatchKind::RefundPlatformOnly => "refund_platform_only",
            MismatchKind::RefundAmountMismatch => "refund_amount_mismatch",
        }
    }
}

/// One difference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mismatch {
    /// What kind.
    pub kind: MismatchKind,
    /// The payment id (the provider's `out_trade_no`).
    pub payment_id: String,
    /// The provider's order id, if the provider has it.
    pub provider_order_id: Option<String>,
    /// The platform's amount, if it has the payment.
    pub platform_amount_fen: Option<i64>,
    /// The provider's amount, if it has the payment.
    pub provider_amount_fen: Option<i64>,
    /// The platform's status, if it has the payment.
    pub platform_status: Option<String>,
}

/// The report of one day (the operators' 对账报告).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReconciliationReport {
    /// The China day, `YYYY-MM-DD`.
    pub day: String,
    /// When it ran.
    #[serde(with = "time::serde::rfc3339")]
    pub ran_at: OffsetDateTime,
    /// Lines in the provider's statement.
    pub provider_lines: u64,
    /// The statement's payments, in fen.
    pub provider_payments_fen: i64,
    /// The platform's payments paid that day.
    pub platform_payments: u64,
    /// Their amounts, in fen.
    pub platform_payments_fen: i64,
    /// Payments that matched in every respect.
    pub matched: u64,
    /// Mismatches by kind (complete).
    pub counts: BTreeMap<String, u64>,
    /// The mismatches (the first 10,000).
    pub mismatches: Vec<Mismatch>,
    /// Payments refunded that day after their department had settled them:
    /// the department must be told outside the contract.
    pub department_follow_up: Vec<String>,
    /// How long it took, in milliseconds.
    pub elapsed_ms: u64,
}

impl ReconciliationReport {
    /// All mismatches (by the counts).
    pub fn total_mismatches(&self) -> u64 {
        self.counts.values().sum()
    }
}

#[derive(sqlx::FromRow)]
struct PlatformRow {
    id: String,
    amount_fen: i64,
    status: String,
    paid_at: i64,
    settled: Option<String>,
}

/// The day being reconciled.
struct DayScope {
    /// Its bounds in Unix milliseconds.
    bounds: (i64, i64),
    /// The provider whose payments are matched.
    provider: String,
    /// A payment paid before this (Unix ms) should have been settled.
    settled_by: i64,
}

/// The provider's statement indexed by payment id.
struct StatementIndex<'s> {
    payments: HashMap<&'s str, &'s StatementLine>,
    refunds: HashMap<&'s str, &'s StatementLine>,
    /// The statement's payments, in fen.
    payments_fen: i64,
}

impl<'s> StatementIndex<'s> {
    fn of(statement: &'s Statement) -> Self {
        let mut index = StatementIndex {
            payments: HashMap::new(),
            refunds: HashMap::new(),
            payments_fen: 0,
        };
        for line in &statement.lines {
            match line.kind {
                LineKind::Payment => {
                    index.payments_fen += line.amount_fen;
                    index.payments.insert(&line.out_trade_no, line);
                }
                LineKind::Refund => {
                    index.refunds.insert(&line.out_trade_no, line);
                }
            }
        }
        index
    }
}

/// The platform's side of the day's payments.
#[derive(Default)]
struct PlatformTotals {
    payments: u64,
    payments_fen: i64,
    matched: u64,
}

/// The mismatches found: every one counted by kind, the first
/// [`MAX_LISTED`] listed.
#[derive(Default)]
struct Tally {
    counts: BTreeMap<String, u64>,
    listed: Vec<Mismatch>,
}

impl Tally {
    fn note(&mut self, m: Mismatch) {
        *self.counts.entry(m.kind.as_str().to_owned()).or_default() += 1;
        if self.listed.len() < MAX_LISTED {
            self.listed.push(m);
        }
    }

    /// One platform payment against its statement line (if any): notes
    /// what differs; true when nothing does.
    fn check_payment(
        &mut self,
        row: &PlatformRow,
        line: Option<&StatementLine>,
        settled_by: i64,
    ) -> bool {
        let mismatch = |kind| Mismatch {
            kind,
            payment_id: row.id.clone(),
            provider_order_id: line.map(|l| l.order_id.clone()),
            platform_amount_fen: Some(row.amount_fen),
            provider_amount_fen: line.map(|l| l.amount_fen),
            platform_status: Some(row.status.clone()),
        };
        let mut fine = true;
        match line {
            None => {
                fine = false;
                self.note(mismatch(MismatchKind::PlatformOnly));
            }
            Some(line) if line.amount_fen != row.amount_fen => {
                fine = false;
                self.note(mismatch(MismatchKind::AmountMismatch));
            }
            Some(_) => {}
        }
        let unsettled = match row.status.as_str() {
            "paid" => row.paid_at <= settled_by,
            "settled" => row.settled.is_none(),
            _ => false,
        };
        if unsettled {
            fine = false;
            self.note(mismatch(MismatchKind::SettlementMissing));
        }
        fine
    }
}

/// The bounds of a China day in Unix milliseconds.
fn day_bounds(day: Date) -> (i64, i64) {
    let start = day.with_time(Time::MIDNIGHT).assume_offset(CHINA);
    (ms(start), ms(start + time::Duration::days(1)))
}

/// `YYYY-MM-DD`.
pub(crate) fn day_text(day: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        day.year(),
        u8::from(day.month()),
        day.day()
    )
}

impl Payments {
    /// Reconciles a China day: fetches the provider's statement and calls
    /// [`Payments::reconcile_with`].
    pub async fn reconcile(&self, day: Date) -> Result<ReconciliationReport> {
        let statement = self.inner.provider.statement(day).await?;
        self.reconcile_with(day, &statement).await
    }

    /// Reconciles a China day against a statement already fetched (or
    /// read from a file the provider sent).
    pub async fn reconcile_with(
        &self,
        day: Date,
        statement: &Statement,
    ) -> Result<ReconciliationReport> {
        let started = std::time::Instant::now();
        let ran_at = self.now();
        let mut lines = StatementIndex::of(statement);
        let mut tally = Tally::default();
        let scope = DayScope {
            bounds: day_bounds(day),
            provider: self.inner.provider.name().to_owned(),
            settled_by: ms(ran_at)
                - i64::try_from(self.inner.settings.settlement_grace.as_millis()).unwrap_or(0),
        };
        let platform = self
            .match_platform_payments(&scope, &mut lines.payments, &mut tally)
            .await?;
        self.provider_only_payments(lines.payments, &mut tally)
            .await?;
        let department_follow_up = self
            .match_refunds(&scope, lines.refunds, &mut tally)
            .await?;
        let report = ReconciliationReport {
            day: day_text(day),
            ran_at,
            provider_lines: statement.lines.len() as u64,
            provider_payments_fen: lines.payments_fen,
            platform_payments: platform.payments,
            platform_payments_fen: platform.payments_fen,
            matched: platform.matched,
            counts: tally.counts,
            mismatches: tally.listed,
            department_follow_up,
            elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        };
        self.store_report(&report).await?;
        self.inner
            .metrics
            .reconciliation(report.day.clone(), report.counts.clone());
        if report.total_mismatches() > 0 {
            tracing::warn!(day = %report.day, mismatches = report.total_mismatches(), "reconciliation found mismatches");
        } else {
            tracing::info!(day = %report.day, matched = report.matched, "reconciliation clean");
        }
        Ok(report)
    }

    /// Streams the platform's payments paid in the day and matches each
    /// against the statement, taking its line out of `lines` (what is left
    /// is the provider's alone).
    async fn match_platform_payments<'s>(
        &self,
        scope: &DayScope,
        lines: &mut HashMap<&'s str, &'s StatementLine>,
        tally: &mut Tally,
    ) -> Result<PlatformTotals> {
        let mut totals = PlatformTotals::default();
        let mut rows = sqlx::query_as::<Any, PlatformRow>(
            "SELECT p.id, p.amount_fen, p.status, p.paid_at, s.payment_id AS settled \
             FROM payments p LEFT JOIN payment_settlements s ON s.payment_id = p.id \
             WHERE p.paid_at >= $1 AND p.paid_at < $2 AND p.provider = $3",
        )
        .bind(scope.bounds.0)
        .bind(scope.bounds.1)
        .bind(&scope.provider)
        .fetch(self.inner.db.pool());
        while let Some(row) = rows.try_next().await? {
            totals.payments += 1;
            totals.payments_fen += row.amount_fen;
            let line = lines.remove(row.id.as_str());
            if tally.check_payment(&row, line, scope.settled_by) {
                totals.matched += 1;
            }
        }
        Ok(totals)
    }

    /// The statement's payments the platform did not have paid that day:
    /// another status (or day) when the platform knows the payment, else
    /// the provider's alone.
    async fn provider_only_payments(
        &self,
        lines: HashMap<&str, &StatementLine>,
        tally: &mut Tally,
    ) -> Result<()> {
        let mut left: Vec<&StatementLine> = lines.into_values().collect();
        left.sort_by(|a, b| a.out_trade_no.cmp(&b.out_trade_no));
        let known = self
            .statuses(left.iter().map(|l| l.out_trade_no.as_str()))
            .await?;
        for line in left {
            let status = known.get(&line.out_trade_no).cloned();
            let kind = if status.is_some() {
                MismatchKind::StatusMismatch
            } else {
                MismatchKind::ProviderOnly
            };
            tally.note(Mismatch {
                kind,
                payment_id: line.out_trade_no.clone(),
                provider_order_id: Some(line.order_id.clone()),
                platform_amount_fen: status.as_ref().map(|(_, amount)| *amount),
                provider_amount_fen: Some(line.amount_fen),
                platform_status: status.map(|(s, _)| s),
            });
        }
        Ok(())
    }

    /// The refunds completed in the day against the statement's refund
    /// lines; returns the refunded payments whose department had already
    /// settled them (to be told outside the contract).
    async fn match_refunds(
        &self,
        scope: &DayScope,
        mut lines: HashMap<&str, &StatementLine>,
        tally: &mut Tally,
    ) -> Result<Vec<String>> {
        let platform_refunds = sqlx::query_as::<Any, (String, i64, Option<String>)>(
            "SELECT r.payment_id, r.amount_fen, s.payment_id FROM payment_refunds r \
             JOIN payments p ON p.id = r.payment_id \
             LEFT JOIN payment_settlements s ON s.payment_id = r.payment_id \
             WHERE r.completed_at >= $1 AND r.completed_at < $2 AND p.provider = $3 \
             ORDER BY r.payment_id",
        )
        .bind(scope.bounds.0)
        .bind(scope.bounds.1)
        .bind(&scope.provider)
        .fetch_all(self.inner.db.pool())
        .await?;
        let mut department_follow_up = Vec::new();
        for (id, amount, settled) in platform_refunds {
            if settled.is_some() {
                department_follow_up.push(id.clone());
            }
            let refund = |kind, line: Option<&StatementLine>| Mismatch {
                kind,
                payment_id: id.clone(),
                provider_order_id: line.map(|l| l.order_id.clone()),
                platform_amount_fen: Some(amount),
                provider_amount_fen: line.map(|l| l.amount_fen),
                platform_status: Some("refunded".into()),
            };
            match lines.remove(id.as_str()) {
                None => tally.note(refund(MismatchKind::RefundPlatformOnly, None)),
                Some(line) if line.amount_fen != amount => {
                    tally.note(refund(MismatchKind::RefundAmountMismatch, Some(line)));
                }
                Some(_) => {}
            }
        }
        let mut left: Vec<&StatementLine> = lines.into_values().collect();
        left.sort_by(|a, b| a.out_trade_no.cmp(&b.out_trade_no));
        for line in left {
            tally.note(Mismatch {
                kind: MismatchKind::RefundProviderOnly,
                payment_id: line.out_trade_no.clone(),
                provider_order_id: Some(line.order_id.clone()),
                platform_amount_fen: None,
                provider_amount_fen: Some(line.amount_fen),
                platform_status: None,
            });
        }
        Ok(department_follow_up)
    }

    /// The stored report of a day, if it ran.
    pub async fn reconciliation_report(&self, day: Date) -> Result<Option<ReconciliationReport>> {
        let stored: Option<(String,)> =
            sqlx::query_as("SELECT report FROM payment_reconciliations WHERE day = $1")
                .bind(day_text(day))
                .fetch_optional(self.inner.db.pool())
                .await?;
        stored
            .map(|(json,)| {
                serde_json::from_str(&json)
                    .map_err(|e| crate::PaymentError::Internal(format!("stored report: {e}")))
            })
            .transpose()
    }

    /// Status and amount of these payments, where the platform has them.
    async fn statuses<'a>(
        &self,
        ids: impl Iterator<Item = &'a str>,
    ) -> Result<HashMap<String, (String, i64)>> {
        let ids: Vec<&str> = ids.collect();
        let mut found = HashMap::new();
        for chunk in ids.chunks(500) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT id, status, amount_fen FROM payments WHERE id IN ({})",
                placeholders.join(", ")
            );
            let mut query = sqlx::query_as::<Any, (String, String, i64)>(&sql);
            for id in chunk {
                query = query.bind(*id);
            }
            for (id, status, amount) in query.fetch_all(self.inner.db.pool()).await? {
                found.insert(id, (status, amount));
            }
        }
        Ok(found)
    }

    async fn store_report(&self, report: &ReconciliationReport) -> Result<()> {
        let json = serde_json::to_string(report)
            .map_err(|e| crate::PaymentError::Internal(format!("report: {e}")))?;
        let mut tx = self.inner.db.begin().await?;
        sqlx::query("DELETE FROM payment_mismatches WHERE day = $1")
            .bind(&report.day)
            .execute(&mut *tx)
            .await?;
        for (seq, m) in report.mismatches.iter().enumerate() {
            sqlx::query(
                "INSERT INTO payment_mismatches (day, seq, kind, payment_id, provider_order_id, \
                 platform_amount_fen, provider_amount_fen) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&report.day)
            .bind(seq as i64)
            .bind(m.kind.as_str())
            .bind(&m.payment_id)
            .bind(&m.provider_order_id)
            .bind(m.platform_amount_fen)
            .bind(m.provider_amount_fen)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "INSERT INTO payment_reconciliations \
             (day, ran_at, provider_lines, platform_payments, matched, mismatches, report) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (day) DO UPDATE SET ran_at = excluded.ran_at, \
             provider_lines = excluded.provider_lines, platform_payments = excluded.platform_payments, \
             matched = excluded.matched, mismatches = excluded.mismatches, report = excluded.report",
        )
        .bind(&report.day)
        .bind(ms(report.ran_at))
        .bind(report.provider_lines as i64)
        .bind(report.platform_payments as i64)
        .bind(report.matched as i64)
        .bind(report.total_mismatches() as i64)
        .bind(json)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
