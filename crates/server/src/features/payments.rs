//! 缴费 in the daemon: the `yuesou-payments` crate composed with the
//! department gateways, the catalogue and the wallet.
//!
//! - [`PaymentsDesk`] holds the payment service once the catalogue is
//!   loaded (payable items come from it) and, with demo data on, the
//!   development provider whose confirmation page the router mounts;
//! - [`PaymentsDesk::run`] is the background loop of every replica:
//!   recovery every 5 s (lost notifications, settlements after a crash,
//!   lapsed orders), receipts into the wallet, refunded receipts withdrawn,
//!   and the daily reconciliation at 10:00 China time;
//! - [`problem`] turns a payment refusal into a problem in the reader's
//!   language.
//!
//! Without demo data no provider is configured (a real provider's
//! contract is the crate's `Provider` trait): payment routes answer 503.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use time::OffsetDateTime;
use tokio::sync::watch;
use yuesou_centre::{Centre, RealIdentity, Subject};
use yuesou_gateway::{Clock, DepartmentGateway, SystemClock};
use yuesou_payments::{
    BillFamilies, Delivery, DevProvider, DevProviderConfig, ItemInfo, PayableItems, Payer,
    PaymentError, Payments, Receipt, Settings, money,
};
use yuesou_wallet::Licence;

use crate::i18n::Text;
use crate::problem::{Problem, ProblemKind};

/// How often recovery and the receipt tasks run.
pub const ROUND_EVERY: Duration = Duration::from_secs(5);

/// Receipts put into wallets per round.
pub const RECEIPTS_PER_ROUND: i64 = 50;

/// The hour (China time) the previous day is reconciled.
pub const RECONCILE_AT_HOUR: u8 = 10;

/// The wallet licence type of receipts.
pub const RECEIPT_TYPE: &str = "payment_receipt";

/// The payment service of the daemon.
pub struct PaymentsDesk {
    payments: OnceLock<Payments>,
    dev: Option<Arc<DevProvider>>,
}

impl std::fmt::Debug for PaymentsDesk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PaymentsDesk")
            .field("ready", &self.payments.get().is_some())
            .field("development", &self.dev.is_some())
            .finish()
    }
}

impl PaymentsDesk {
    /// A desk paying through the development provider, its page at
    /// `public_url`/dev-pay/… (demo mode only).
    pub fn development(public_url: &str) -> Result<PaymentsDesk, yuesou_payments::ProviderError> {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let provider = DevProvider::new(DevProviderConfig::new(public_url), clock, Delivery::Http)?;
        Ok(PaymentsDesk {
            payments: OnceLock::new(),
            dev: Some(Arc::new(provider)),
        })
    }

    /// A desk without a provider: payments answer 503.
    pub fn none() -> PaymentsDesk {
        PaymentsDesk {
            payments: OnceLock::new(),
            dev: None,
        }
    }

    /// The development provider, when there is one (its page is mounted).
    pub fn dev(&self) -> Option<&Arc<DevProvider>> {
        self.dev.as_ref()
    }

    /// Composes the payment service once the catalogue is loaded: the
    /// payable items of `items`, bills asked through `gateway`, the
    /// provider's notifications to `callback_url`. Later calls change
    /// nothing.
    pub fn install(
        &self,
        centre: &Centre,
        gateway: Arc<dyn DepartmentGateway>,
        items: Vec<ItemInfo>,
        callback_url: &str,
        public_url: &str,
    ) {
        let Some(provider) = &self.dev else {
            return;
        };
        let payable = PayableItems::build(items, &BillFamilies::bundled());
        tracing::info!(items = payable.len(), "payments: payable items");
        let payments = Payments::new(
            centre.db().clone(),
            gateway,
            provider.clone(),
            payable,
            Settings::new(callback_url, public_url),
            Arc::new(SystemClock),
        );
        let _ = self.payments.set(payments);
    }

    /// The payment service, or 503 when payments are not configured (or
    /// the catalogue is still loading).
    pub fn payments(&self) -> Result<&Payments, Problem> {
        self.payments.get().ok_or_else(|| Problem {
            retry_after: Some(5),
            ..Problem::new(ProblemKind::Unavailable, "err-payment-not-configured")
        })
    }

    /// Runs the background rounds until `stop` turns true.
    pub async fn run(self: Arc<Self>, centre: Centre, mut stop: watch::Receiver<bool>) {
        let mut reconciled: Option<time::Date> = None;
        loop {
            if let Some(payments) = self.payments.get() {
                round(payments, &centre, &mut reconciled).await;
            }
            tokio::select! {
                _ = tokio::time::sleep(ROUND_EVERY) => {}
                _ = stop.wait_for(|s| *s) => return,
            }
        }
    }
}

/// One background round (every replica runs them; each step is safe
/// concurrently).
async fn round(payments: &Payments, centre: &Centre, reconciled: &mut Option<time::Date>) {
    let now = OffsetDateTime::now_utc();
    match payments.recover(now).await {
        Ok(r) if r.settled + r.found_paid + r.closed + r.refunds + r.errors > 0 => tracing::info!(
            settled = r.settled,
            found_paid = r.found_paid,
            closed = r.closed,
            refunds = r.refunds,
            errors = r.errors,
            "payments recovered"
        ),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "payments: recovery failed"),
    }
    issue_receipts(payments, centre).await;
    withdraw_receipts(payments, centre).await;
    let china = now.to_offset(time::macros::offset!(+8));
    let yesterday = china.date().previous_day();
    if china.hour() >= RECONCILE_AT_HOUR
        && let Some(day) = yesterday
        && *reconciled != Some(day)
    {
        match payments.reconciliation_report(day).await {
            Ok(Some(_)) => *reconciled = Some(day),
            Ok(None) => match payments.reconcile(day).await {
                Ok(report) => {
                    tracing::info!(day = %day, mismatches = report.total_mismatches(), "payments reconciled");
                    *reconciled = Some(day);
                }
                Err(e) => tracing::warn!(error = %e, "payments: reconciliation failed"),
            },
            Err(e) => tracing::warn!(error = %e, "payments: reconciliation report unreadable"),
        }
    }
}

/// The wallet certificate of a receipt (the holder is filled in from the
/// account by the centre).
pub fn receipt_licence(receipt: &Receipt) -> Licence {
    let mut fields = std::collections::BTreeMap::new();
    fields.insert("item".to_owned(), receipt.item_title.clone());
    fields.insert("payee".to_owned(), receipt.payee.clone());
    fields.insert("account".to_owned(), receipt.account.clone());
    if let Some(period) = &receipt.period {
        fields.insert("period".to_owned(), period.clone());
    }
    fields.insert("amount".to_owned(), money::yuan(receipt.amount_fen));
    fields.insert(
        "paid_at".to_owned(),
        yuesou_booking::cst::rfc3339(receipt.paid_at),
    );
    Licence {
        number: receipt.number.clone(),
        type_code: RECEIPT_TYPE.to_owned(),
        holder: String::new(),
        holder_name: receipt.payer_name.clone(),
        authority: receipt.payee.clone(),
        issued_on: receipt
            .issued_at
            .to_offset(time::macros::offset!(+8))
            .date(),
        expires_on: None,
        fields,
    }
}

async fn issue_receipts(payments: &Payments, centre: &Centre) {
    let receipts = match payments.receipts_to_issue(RECEIPTS_PER_ROUND).await {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(error = %e, "payments: receipts unreadable");
            return;
        }
    };
    for receipt in receipts {
        let entry = match centre
            .wallet_issue_to(&receipt.account_id, receipt_licence(&receipt))
            .await
        {
            Ok(entry) => entry,
            Err(e) => {
                tracing::warn!(error = %e, "payments: a receipt could not enter the wallet");
                continue;
            }
        };
        // The same receipt is the same wallet entry (keyed by its number),
        // so a second replica attaching it changes nothing.
        if let Err(e) = payments
            .attach_wallet_entry(&receipt.payment_id, &entry.id)
            .await
        {
            tracing::warn!(error = %e, "payments: a receipt's wallet entry not recorded");
        }
    }
}

async fn withdraw_receipts(payments: &Payments, centre: &Centre) {
    let receipts = match payments.receipts_to_withdraw(RECEIPTS_PER_ROUND).await {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(error = %e, "payments: refunded receipts unreadable");
            return;
        }
    };
    for receipt in receipts {
        match centre
            .wallet_revoke(RECEIPT_TYPE, &receipt.number, "refunded")
            .await
        {
            Ok(_) => {
                if let Err(e) = payments.mark_withdrawn(&receipt.payment_id).await {
                    tracing::warn!(error = %e, "payments: withdrawal not recorded");
                }
            }
            Err(e) => tracing::warn!(error = %e, "payments: a receipt could not be withdrawn"),
        }
    }
}

/// The catalogue's items as the payment crate needs them.
pub fn item_infos(engine: &yuesou_core::Engine) -> Vec<ItemInfo> {
    engine
        .catalogue()
        .items()
        .iter()
        .map(|item| ItemInfo {
            id: item.id.clone(),
            title: item.title.clone(),
            department: item.department.clone(),
            region_name: Some(engine.gazetteer().display_name(&item.region_code))
                .filter(|n| !n.is_empty()),
            audience: item.audience.clone(),
        })
        .collect()
}

/// Who pays: the session's account and its verified identity.
pub async fn payer_of(centre: &Centre, subject: &Subject) -> Result<Payer, Problem> {
    let identity = centre.real_identity(subject).await?;
    let (id_number, uscc, name) = match identity {
        Some(RealIdentity::Person { name, id_number }) => (Some(id_number), None, name),
        Some(RealIdentity::Organisation { name, uscc }) => (None, Some(uscc), name),
        None => (None, None, String::new()),
    };
    Ok(Payer {
        account_id: subject.account_id.clone(),
        actor_id: subject.actor_id.clone(),
        id_number,
        uscc,
        name,
    })
}

/// A payment refusal as the person reads it: a problem whose `code` is
/// `err-payment-<code>`.
pub fn problem(error: PaymentError) -> Problem {
    use PaymentError as E;
    let id = format!("err-payment-{}", error.code().replace('_', "-"));
    let text = match &error {
        E::AmountOutOfRange {
            min_fen,
            max_fen,
            step_fen,
        } => Text::new(id)
            .arg("min", money::yuan(*min_fen))
            .arg("max", money::yuan(*max_fen))
            .arg("step", money::yuan(*step_fen)),
        E::BillExpired { due } => Text::new(id).arg("due", due.to_string()),
        _ => Text::new(id),
    };
    let kind = match &error {
        E::IdentityRequired => {
            return Problem {
                level: Some("L2"),
                ..Problem::new(ProblemKind::StepUpRequired, text)
            };
        }
        E::InvalidIdempotencyKey => return Problem::invalid_parameter("Idempotency-Key", text),
        E::AmountInvalid(_) => return Problem::invalid_parameter("amount_fen", text),
        E::DepartmentUnavailable { retry_after_secs } => {
            return Problem {
                retry_after: Some(
                    retry_after_secs
                        .and_then(|s| u32::try_from(s).ok())
                        .unwrap_or(30),
                ),
                ..Problem::new(ProblemKind::DepartmentUnavailable, text)
            };
        }
        E::ProviderUnavailable | E::StorageUnavailable(_) | E::DatabaseUnavailable => {
            return Problem {
                retry_after: Some(2),
                ..Problem::new(ProblemKind::Unavailable, text)
            };
        }
        E::Internal(fault) => return Problem::internal(fault),
        E::BillNotFound | E::TopUpNotFound | E::PaymentNotFound | E::UnknownOrder => {
            ProblemKind::NotFound
        }
        E::BillPaid { .. }
        | E::BillExpired { .. }
        | E::PaymentInProgress { .. }
        | E::NotRefundable { .. }
        | E::AlreadyRefunded => ProblemKind::Conflict,
        E::IdempotencyKeyReused { .. }
        | E::AmountOutOfRange { .. }
        | E::DepartmentRefused { .. }
        | E::NotificationMismatch { .. } => ProblemKind::PaymentRejected,
        E::DepartmentNotConnected => ProblemKind::NotPayableOnline,
        E::DepartmentFailed { .. } | E::ProviderRefused { .. } => ProblemKind::DepartmentError,
        E::BadSignature { .. } | E::NotificationStale => ProblemKind::Forbidden,
        E::RefundReasonRequired | E::NotificationMalformed { .. } => ProblemKind::InvalidRequest,
        _ => return Problem::internal(format!("payment error {}", error.code())),
    };
    Problem::new(kind, text)
}

/// The payment counters in the OpenMetrics text format (the families of
/// [`yuesou_payments::PaymentStats`]; label values are fixed tokens:
/// statuses, outcomes, error codes, mismatch kinds — never personal data).
pub fn render_metrics(stats: &yuesou_payments::PaymentStats) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let counter = |out: &mut String, name: &str, help: &str, value: u64| {
        let _ = writeln!(
            out,
            "# TYPE {name} counter\n# HELP {name} {help}\n{name}_total {value}"
        );
    };
    let labelled = |out: &mut String,
                    (name, kind, help): (&str, &str, &str),
                    label: &str,
                    values: &std::collections::BTreeMap<String, u64>| {
        let _ = writeln!(out, "# TYPE {name} {kind}\n# HELP {name} {help}");
        let suffix = if kind == "counter" { "_total" } else { "" };
        for (value, n) in values {
            let value = value.replace('\\', "\\\\").replace('"', "\\\"");
            let _ = writeln!(out, "{name}{suffix}{{{label}=\"{value}\"}} {n}");
        }
    };
    counter(
        &mut out,
        "yuesou_payments_created",
        "Payments created",
        stats.created,
    );
    counter(
        &mut out,
        "yuesou_payments_replayed",
        "Payment creations answered from an idempotency key used before",
        stats.replayed,
    );
    labelled(
        &mut out,
        (
            "yuesou_payments_transitions",
            "counter",
            "Payment transitions by the status entered",
        ),
        "to",
        &stats.transitions,
    );
    labelled(
        &mut out,
        (
            "yuesou_payments_notifications",
            "counter",
            "Provider notifications by outcome",
        ),
        "outcome",
        &stats.notifications,
    );
    labelled(
        &mut out,
        (
            "yuesou_payments_errors",
            "counter",
            "Refused or failed payment calls by error code",
        ),
        "code",
        &stats.errors,
    );
    labelled(
        &mut out,
        (
            "yuesou_payments_settle_failures",
            "counter",
            "Failed settlement attempts by the gateway's code",
        ),
        "code",
        &stats.settle_failures,
    );
    let last = stats
        .last_reconciliation
        .as_ref()
        .map(|(_, kinds)| kinds.clone())
        .unwrap_or_default();
    labelled(
        &mut out,
        (
            "yuesou_payments_reconciliation_mismatches",
            "gauge",
            "Mismatches by kind in the last daily reconciliation",
        ),
        "kind",
        &last,
    );
    out
}
