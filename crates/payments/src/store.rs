//! The payments tables (migration `0006_payments.sql` of the store crate):
//! rows, and the one way a status changes — [`transition_tx`], a
//! conditional update (`WHERE id = … AND status = <expected>`) that bumps
//! the version and records the transition in the same transaction. Two
//! racing writers (a notification and a query, two recovering instances)
//! cannot both apply: the second finds the status changed and does
//! nothing.

use sqlx::Any;
use time::OffsetDateTime;
use yuesou_store::{Db, StoreError, Tx};

use crate::PaymentError;
use crate::model::{Payment, PaymentStatus, Transition};

/// Every column of `payments`, in [`Row`]'s order.
pub(crate) const COLUMNS: &str = "id, account_id, actor_id, idempotency_key, request_digest, \
     target_type, item_id, department, target_id, kind, title, item_title, payee, \
     account_masked, period, payer_name, payer_id_masked, amount_fen, status, version, \
     provider, provider_order_id, pay_url, failure, created_at, updated_at, expires_at, \
     paid_at, settled_at, refunded_at, attempts, next_attempt_at";

/// A row of `payments`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub(crate) struct Row {
    pub id: String,
    pub account_id: String,
    pub actor_id: String,
    pub idempotency_key: String,
    pub request_digest: String,
    pub target_type: String,
    pub item_id: String,
    pub department: String,
    pub target_id: String,
    pub kind: String,
    pub title: String,
    pub item_title: String,
    pub payee: String,
    pub account_masked: String,
    pub period: Option<String>,
    pub payer_name: String,
    pub payer_id_masked: String,
    pub amount_fen: i64,
    pub status: String,
    pub version: i64,
    pub provider: String,
    pub provider_order_id: Option<String>,
    pub pay_url: Option<String>,
    pub failure: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub expires_at: i64,
    pub paid_at: Option<i64>,
    pub settled_at: Option<i64>,
    pub refunded_at: Option<i64>,
    pub attempts: i64,
    pub next_attempt_at: i64,
}

/// Unix milliseconds.
pub(crate) fn ms(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// The instant of Unix milliseconds.
pub(crate) fn instant(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

impl Row {
    /// The status, or an internal error for a corrupt row.
    pub(crate) fn status(&self) -> Result<PaymentStatus, PaymentError> {
        PaymentStatus::parse(&self.status)
            .ok_or_else(|| PaymentError::Internal(format!("payment {} has a bad status", self.id)))
    }

    /// The id the person sees for its bill or top-up.
    pub(crate) fn listed_target_id(&self) -> String {
        format!("{}:{}", self.item_id, self.target_id)
    }

    /// The payment as its owner sees it.
    pub(crate) fn view(
        &self,
        receipt_number: Option<String>,
        wallet_entry_id: Option<String>,
    ) -> Result<Payment, PaymentError> {
        Ok(Payment {
            id: self.id.clone(),
            status: self.status()?,
            target_type: self.target_type.clone(),
            target_id: self.listed_target_id(),
            item_id: self.item_id.clone(),
            item_title: self.item_title.clone(),
            kind: self.kind.clone(),
            title: self.title.clone(),
            payee: self.payee.clone(),
            account: self.account_masked.clone(),
            period: self.period.clone(),
            amount_fen: self.amount_fen,
            pay_url: if self.status == "paying" {
                self.pay_url.clone()
            } else {
                None
            },
            provider: self.provider.clone(),
            failure: self.failure.clone(),
            created_at: instant(self.created_at),
            expires_at: instant(self.expires_at),
            paid_at: self.paid_at.map(instant),
            settled_at: self.settled_at.map(instant),
            refunded_at: self.refunded_at.map(instant),
            receipt_number,
            wallet_entry_id,
        })
    }
}

/// Inserts a new payment (status `created`, version 1) and its first
/// transition. A unique index may refuse it ([`StoreError::Duplicate`]).
pub(crate) async fn insert(db: &Db, row: &Row, actor: &str) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    let placeholders: Vec<String> = (1..=32).map(|i| format!("${i}")).collect();
    let sql = format!(
        "INSERT INTO payments ({COLUMNS}) VALUES ({})",
        placeholders.join(", ")
    );
    sqlx::query(&sql)
        .bind(&row.id)
        .bind(&row.account_id)
        .bind(&row.actor_id)
        .bind(&row.idempotency_key)
        .bind(&row.request_digest)
        .bind(&row.target_type)
        .bind(&row.item_id)
        .bind(&row.department)
        .bind(&row.target_id)
        .bind(&row.kind)
        .bind(&row.title)
        .bind(&row.item_title)
        .bind(&row.payee)
        .bind(&row.account_masked)
        .bind(&row.period)
        .bind(&row.payer_name)
        .bind(&row.payer_id_masked)
        .bind(row.amount_fen)
        .bind(&row.status)
        .bind(row.version)
        .bind(&row.provider)
        .bind(&row.provider_order_id)
        .bind(&row.pay_url)
        .bind(&row.failure)
        .bind(row.created_at)
        .bind(row.updated_at)
        .bind(row.expires_at)
        .bind(row.paid_at)
        .bind(row.settled_at)
        .bind(row.refunded_at)
        .bind(row.attempts)
        .bind(row.next_attempt_at)
        .execute(&mut *tx)
        .await?;
    record(
        &mut tx,
        &row.id,
        1,
        None,
        PaymentStatus::Created,
        row.created_at,
        "create",
        actor,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Records one transition.
#[allow(clippy::too_many_arguments)]
async fn record(
    tx: &mut Tx,
    id: &str,
    version: i64,
    from: Option<PaymentStatus>,
    to: PaymentStatus,
    at: i64,
    cause: &str,
    actor: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO payment_transitions (payment_id, version, from_status, to_status, at, cause, actor) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(version)
    .bind(from.map(PaymentStatus::as_str))
    .bind(to.as_str())
    .bind(at)
    .bind(cause)
    .bind(actor)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A value to set along with a transition.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    Int(Option<i64>),
    Text(Option<String>),
}

/// A change of status: to what, why, by whom, and which columns change
/// with it.
#[derive(Debug, Clone)]
pub(crate) struct Change {
    pub to: PaymentStatus,
    pub cause: String,
    pub actor: String,
    pub set: Vec<(&'static str, Value)>,
}

impl Change {
    pub(crate) fn new(to: PaymentStatus, cause: &str, actor: &str) -> Change {
        Change {
            to,
            cause: cause.to_owned(),
            actor: actor.to_owned(),
            set: Vec::new(),
        }
    }

    pub(crate) fn int(mut self, column: &'static str, value: Option<i64>) -> Change {
        self.set.push((column, Value::Int(value)));
        self
    }

    pub(crate) fn text(mut self, column: &'static str, value: Option<String>) -> Change {
        self.set.push((column, Value::Text(value)));
        self
    }
}

/// Moves payment `id` from `from` to `change.to` if it is still `from`:
/// the new version, or `None` when another writer changed it first.
pub(crate) async fn transition_tx(
    tx: &mut Tx,
    id: &str,
    from: PaymentStatus,
    change: &Change,
    now: i64,
) -> Result<Option<i64>, StoreError> {
    let mut sql = String::from(
        "UPDATE payments SET status = $1, version = version + 1, updated_at = $2, \
         attempts = 0, next_attempt_at = $2",
    );
    for (i, (column, _)) in change.set.iter().enumerate() {
        sql.push_str(&format!(", {column} = ${}", i + 5));
    }
    sql.push_str(" WHERE id = $3 AND status = $4 RETURNING version");
    let mut query = sqlx::query_scalar::<Any, i64>(&sql)
        .bind(change.to.as_str())
        .bind(now)
        .bind(id)
        .bind(from.as_str());
    for (_, value) in &change.set {
        query = match value {
            Value::Int(v) => query.bind(*v),
            Value::Text(v) => query.bind(v.clone()),
        };
    }
    let Some(version) = query.fetch_optional(&mut **tx).await? else {
        return Ok(None);
    };
    record(
        tx,
        id,
        version,
        Some(from),
        change.to,
        now,
        &change.cause,
        &change.actor,
    )
    .await?;
    Ok(Some(version))
}

/// [`transition_tx`] in a transaction of its own, trying each of `from`
/// in turn: the status it moved from, or `None`.
pub(crate) async fn transition(
    db: &Db,
    id: &str,
    from: &[PaymentStatus],
    change: &Change,
    now: i64,
) -> Result<Option<PaymentStatus>, StoreError> {
    for status in from {
        let mut tx = db.begin().await?;
        match transition_tx(&mut tx, id, *status, change, now).await {
            Ok(Some(_)) => {
                tx.commit().await?;
                return Ok(Some(*status));
            }
            Ok(None) => tx.rollback().await?,
            Err(e) => return Err(e),
        }
    }
    Ok(None)
}

/// Postpones recovery's next attempt at a payment still in `status`.
pub(crate) async fn postpone(
    db: &Db,
    id: &str,
    status: PaymentStatus,
    next_attempt_at: i64,
    failure: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE payments SET attempts = attempts + 1, next_attempt_at = $1, failure = $2 \
         WHERE id = $3 AND status = $4",
    )
    .bind(next_attempt_at)
    .bind(failure)
    .bind(id)
    .bind(status.as_str())
    .execute(db.pool())
    .await?;
    Ok(())
}

/// A payment by id.
pub(crate) async fn get(db: &Db, id: &str) -> Result<Option<Row>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM payments WHERE id = $1");
    Ok(sqlx::query_as::<Any, Row>(&sql)
        .bind(id)
        .fetch_optional(db.pool())
        .await?)
}

/// The payment of an account's idempotency key.
pub(crate) async fn by_key(
    db: &Db,
    account_id: &str,
    key: &str,
) -> Result<Option<Row>, StoreError> {
    let sql =
        format!("SELECT {COLUMNS} FROM payments WHERE account_id = $1 AND idempotency_key = $2");
    Ok(sqlx::query_as::<Any, Row>(&sql)
        .bind(account_id)
        .bind(key)
        .fetch_optional(db.pool())
        .await?)
}

/// The payment holding a bill (live or succeeded), if any.
pub(crate) async fn holding(
    db: &Db,
    department: &str,
    target_id: &str,
) -> Result<Option<Row>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM payments WHERE department = $1 AND target_id = $2 \
         AND target_type = 'bill' AND status IN ('created', 'paying', 'paid', 'settled')"
    );
    Ok(sqlx::query_as::<Any, Row>(&sql)
        .bind(department)
        .bind(target_id)
        .fetch_optional(db.pool())
        .await?)
}

/// An account's payments, newest first.
pub(crate) async fn list(db: &Db, account_id: &str, limit: i64) -> Result<Vec<Row>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM payments WHERE account_id = $1 \
         ORDER BY created_at DESC, id DESC LIMIT $2"
    );
    Ok(sqlx::query_as::<Any, Row>(&sql)
        .bind(account_id)
        .bind(limit)
        .fetch_all(db.pool())
        .await?)
}

/// Payments in `status` whose next attempt is due and that were last
/// changed at or before `changed_before`, oldest first.
pub(crate) async fn due(
    db: &Db,
    status: PaymentStatus,
    now: i64,
    changed_before: i64,
    limit: i64,
) -> Result<Vec<Row>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM payments WHERE status = $1 AND next_attempt_at <= $2 \
         AND updated_at <= $3 ORDER BY next_attempt_at, id LIMIT $4"
    );
    Ok(sqlx::query_as::<Any, Row>(&sql)
        .bind(status.as_str())
        .bind(now)
        .bind(changed_before)
        .bind(limit)
        .fetch_all(db.pool())
        .await?)
}

/// The receipt number and wallet entry of a payment, if it has a receipt.
pub(crate) async fn receipt_ref(
    db: &Db,
    payment_id: &str,
) -> Result<Option<(String, Option<String>)>, StoreError> {
    Ok(sqlx::query_as::<Any, (String, Option<String>)>(
        "SELECT number, wallet_entry_id FROM payment_receipts WHERE payment_id = $1",
    )
    .bind(payment_id)
    .fetch_optional(db.pool())
    .await?)
}

#[derive(sqlx::FromRow)]
struct TransitionRow {
    version: i64,
    from_status: Option<String>,
    to_status: String,
    at: i64,
    cause: String,
    actor: String,
}

/// A payment's transitions, in order.
pub(crate) async fn transitions(db: &Db, id: &str) -> Result<Vec<Transition>, PaymentError> {
    let rows = sqlx::query_as::<Any, TransitionRow>(
        "SELECT version, from_status, to_status, at, cause, actor FROM payment_transitions \
         WHERE payment_id = $1 ORDER BY version",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|r| {
            let to = PaymentStatus::parse(&r.to_status)
                .ok_or_else(|| PaymentError::Internal("bad transition status".into()))?;
            Ok(Transition {
                version: r.version,
                from: r.from_status.as_deref().and_then(PaymentStatus::parse),
                to,
                at: instant(r.at),
                cause: r.cause,
                actor: r.actor,
            })
        })
        .collect()
}
