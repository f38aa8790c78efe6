//! The provider's asynchronous notifications (支付结果通知), and the
//! events they share with queries: paid, closed, refunded.
//!
//! Order of checks: the signature (nothing is read from an unverified
//! body), the payment (an unknown order changes nothing), the amount and
//! order id (a mismatch changes nothing), then the event is applied as a
//! conditional transition — so a duplicate, late or out-of-order
//! notification finds the status already moved and does nothing. Every
//! verified notification is recorded once with what it did; refused ones
//! are logged with the provider and the reason only (no personal data).

use http::HeaderMap;
use time::OffsetDateTime;
use yuesou_store::StoreError;

use crate::model::PaymentStatus;
use crate::provider::{Notification, NotificationEvent, ProviderError};
use crate::store::{self, Change, Row, ms};
use crate::{PaymentError, Payments, Result};

/// What a notification (or a query's answer) did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// It moved the payment.
    Applied,
    /// The payment had moved there already (a re-delivery, or the query
    /// came first).
    Duplicate,
    /// It no longer applies (a `closed` after `paid`, a refund of a
    /// payment not being refunded).
    Ignored,
}

impl Effect {
    fn name(self) -> &'static str {
        match self {
            Effect::Applied => "applied",
            Effect::Duplicate => "duplicate",
            Effect::Ignored => "ignored",
        }
    }
}

/// What [`Payments::on_notification`] did with an accepted notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationOutcome {
    /// The payment.
    pub payment_id: String,
    /// `paid`, `closed` or `refunded`.
    pub event: &'static str,
    /// What it did.
    pub effect: Effect,
    /// The payment's status afterwards.
    pub status: PaymentStatus,
}

impl Payments {
    /// Handles a provider's notification: the raw body and headers of the
    /// callback request. `Ok` means "processed (or already processed)":
    /// answer the provider with `provider().acknowledgement(true)`. An
    /// error with a 4xx [`PaymentError::http_status`] will not get better
    /// by re-sending (forged, unknown order, wrong amount); a 5xx one may.
    pub async fn on_notification(
        &self,
        body: &[u8],
        headers: &HeaderMap,
    ) -> Result<NotificationOutcome> {
        let now = self.now();
        let provider = self.inner.provider.name().to_owned();
        let notification = match self.inner.provider.verify_notification(body, headers, now) {
            Ok(n) => n,
            Err(e) => {
                let outcome = match &e {
                    ProviderError::Stale => "stale",
                    ProviderError::Malformed(_) => "malformed",
                    _ => "bad_signature",
                };
                self.inner.metrics.notification(outcome);
                tracing::warn!(provider = %provider, reason = %e, "payment notification refused");
                return Err(e.into());
            }
        };
        let Some(row) = store::get(&self.inner.db, &notification.out_trade_no).await? else {
            self.inner.metrics.notification("unknown_order");
            tracing::warn!(provider = %provider, "payment notification for an unknown order");
            return Err(PaymentError::UnknownOrder);
        };
        if row.provider != provider {
            self.inner.metrics.notification("unknown_order");
            tracing::warn!(provider = %provider, payment = %row.id, "notification from another provider");
            return Err(PaymentError::UnknownOrder);
        }
        let order_differs = row
            .provider_order_id
            .as_deref()
            .is_some_and(|id| id != notification.order_id);
        if notification.amount_fen != row.amount_fen || order_differs {
            self.record_notification(&notification, &row.id, "mismatch", now)
                .await?;
            self.inner.metrics.notification("mismatch");
            tracing::error!(
                provider = %provider,
                payment = %row.id,
                expected_fen = row.amount_fen,
                got_fen = notification.amount_fen,
                order_differs,
                "payment notification does not match its payment: refused"
            );
            return Err(PaymentError::NotificationMismatch {
                expected_fen: row.amount_fen,
                got_fen: notification.amount_fen,
            });
        }
        let effect = match &notification.event {
            NotificationEvent::Paid { paid_at } => {
                self.apply_paid(&row, *paid_at, &notification.order_id, "notification", now)
                    .await?
            }
            NotificationEvent::Closed => self.apply_closed(&row, "notification", now).await?,
            NotificationEvent::Refunded {
                refund_id,
                provider_refund_id,
                at,
            } => {
                self.apply_refunded(&row, refund_id, provider_refund_id, *at, now)
                    .await?
            }
        };
        let first = self
            .record_notification(&notification, &row.id, effect.name(), now)
            .await?;
        // A re-delivery of a notification seen before is a duplicate,
        // whatever the state machine said.
        let effect = if !first && effect != Effect::Applied {
            Effect::Duplicate
        } else {
            effect
        };
        self.inner.metrics.notification(effect.name());
        // Settle now when the department answers quickly; recovery
        // finishes otherwise (dropping the settlement midway is safe).
        let mut status = self.status_of(&row.id).await?;
        if status == PaymentStatus::Paid {
            let timeout = self.inner.settings.settle_timeout;
            match tokio::time::timeout(timeout, self.settle_one(&row.id)).await {
                Ok(Err(e)) => {
                    tracing::warn!(payment = %row.id, code = e.code(), "settlement after notification failed");
                }
                Err(_) => {
                    tracing::info!(payment = %row.id, "settlement slower than the notification's timeout")
                }
                Ok(Ok(_)) => {}
            }
            status = self.status_of(&row.id).await?;
        }
        Ok(NotificationOutcome {
            payment_id: row.id,
            event: notification.event.name(),
            effect,
            status,
        })
    }

    async fn status_of(&self, id: &str) -> Result<PaymentStatus> {
        store::get(&self.inner.db, id)
            .await?
            .ok_or(PaymentError::PaymentNotFound)?
            .status()
    }

    /// Records a verified notification once: `false` when its id was
    /// recorded before (a re-delivery).
    async fn record_notification(
        &self,
        n: &Notification,
        payment_id: &str,
        outcome: &str,
        now: OffsetDateTime,
    ) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO payment_notifications \
             (provider, notification_id, payment_id, event, amount_fen, received_at, outcome) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (provider, notification_id) DO NOTHING",
        )
        .bind(self.inner.provider.name())
        .bind(&n.id)
        .bind(payment_id)
        .bind(n.event.name())
        .bind(n.amount_fen)
        .bind(ms(now))
        .bind(outcome)
        .execute(self.inner.db.pool())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The provider says the order was paid (a notification or a query).
    /// `created`/`paying` become `paid`; a payment that had failed or
    /// expired meanwhile becomes `paid` too when its bill is still free, or
    /// is refunded when another payment holds the bill.
    pub(crate) async fn apply_paid(
        &self,
        row: &Row,
        paid_at: OffsetDateTime,
        order_id: &str,
        cause: &str,
        now: OffsetDateTime,
    ) -> Result<Effect> {
        let actor = if cause == "notification" {
            "provider"
        } else {
            "recovery"
        };
        let change = Change::new(PaymentStatus::Paid, cause, actor)
            .int("paid_at", Some(ms(paid_at)))
            .text("provider_order_id", Some(order_id.to_owned()))
            .text("failure", None);
        let db = &self.inner.db;
        let live = [PaymentStatus::Paying, PaymentStatus::Created];
        if store::transition(db, &row.id, &live, &change, ms(now))
            .await?
            .is_some()
        {
            self.inner.metrics.transition(PaymentStatus::Paid);
            return Ok(Effect::Applied);
        }
        let current = store::get(db, &row.id)
            .await?
            .ok_or(PaymentError::PaymentNotFound)?;
        match current.status()? {
            PaymentStatus::Failed | PaymentStatus::Expired => {
                let dead = [PaymentStatus::Expired, PaymentStatus::Failed];
                let late = Change {
                    cause: format!("late_payment:{cause}"),
                    ..change.clone()
                };
                match store::transition(db, &row.id, &dead, &late, ms(now)).await {
                    Ok(Some(_)) => {
                        self.inner.metrics.transition(PaymentStatus::Paid);
                        tracing::info!(payment = %row.id, "paid after it had lapsed; the bill was free");
                        Ok(Effect::Applied)
                    }
                    Ok(None) => Ok(Effect::Duplicate),
                    Err(StoreError::Duplicate(_)) => {
                        // Another payment holds the bill: give the money back.
                        tracing::warn!(payment = %row.id, "paid after it had lapsed; the bill is held by another payment: refunding");
                        let refund =
                            Change::new(PaymentStatus::Refunding, "paid_after_close", actor)
                                .int("paid_at", Some(ms(paid_at)))
                                .text("provider_order_id", Some(order_id.to_owned()))
                                .text("failure", Some("paid_after_close".into()));
                        self.start_refund(
                            &current,
                            &dead,
                            refund,
                            "system",
                            "paid_after_close",
                            now,
                        )
                        .await?;
                        Ok(Effect::Applied)
                    }
                    Err(e) => Err(e.into()),
                }
            }
            _ => Ok(Effect::Duplicate),
        }
    }

    /// The provider says the order closed unpaid: a live payment fails
    /// (`closed`); anything else ignores it (a `closed` arriving after
    /// `paid` is out of order).
    pub(crate) async fn apply_closed(
        &self,
        row: &Row,
        cause: &str,
        now: OffsetDateTime,
    ) -> Result<Effect> {
        let actor = if cause == "notification" {
            "provider"
        } else {
            "recovery"
        };
        let expired = ms(now) >= row.expires_at;
        let (to, failure) = if expired {
            (PaymentStatus::Expired, "expired")
        } else {
            (PaymentStatus::Failed, "closed")
        };
        let change = Change::new(to, &format!("closed:{cause}"), actor)
            .text("failure", Some(failure.into()));
        let live = [PaymentStatus::Paying, PaymentStatus::Created];
        if store::transition(&self.inner.db, &row.id, &live, &change, ms(now))
            .await?
            .is_some()
        {
            self.inner.metrics.transition(to);
            return Ok(Effect::Applied);
        }
        let current = self.status_of(&row.id).await?;
        Ok(
            if matches!(current, PaymentStatus::Failed | PaymentStatus::Expired) {
                Effect::Duplicate
            } else {
                Effect::Ignored
            },
        )
    }

    /// The provider says a refund completed.
    pub(crate) async fn apply_refunded(
        &self,
        row: &Row,
        refund_id: &str,
        provider_refund_id: &str,
        at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<Effect> {
        if self
            .complete_refund(&row.id, refund_id, provider_refund_id, at, now)
            .await?
        {
            return Ok(Effect::Applied);
        }
        Ok(
            if self.status_of(&row.id).await? == PaymentStatus::Refunded {
                Effect::Duplicate
            } else {
                Effect::Ignored
            },
        )
    }
}
