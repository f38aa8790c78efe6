//! The values the daemon passes in and gets back: who pays ([`Payer`]), what
//! is paid ([`PaymentTarget`]), the payment as the person sees it
//! ([`Payment`]), bills ([`BillView`], [`TopUpView`]), receipts
//! ([`Receipt`]) and the audit trail ([`Transition`]).
//!
//! Money is integer fen everywhere; times are `OffsetDateTime` (serialised
//! as RFC 3339); dates are China dates.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use yuesou_gateway::SubjectRef;

use crate::PaymentError;

/// Who pays: the daemon maps its authenticated subject to this. Bills are
/// asked for by identity (`id_number` for a person, `uscc` for an
/// organisation) and name.
#[derive(Clone, PartialEq, Eq)]
pub struct Payer {
    /// The account the payment belongs to (a person's, or an
    /// organisation's when an agent acts for it).
    pub account_id: String,
    /// The account acting (the person themselves, or the organisation's
    /// agent 经办人).
    pub actor_id: String,
    /// A person's resident ID number.
    pub id_number: Option<String>,
    /// An organisation's unified social credit code.
    pub uscc: Option<String>,
    /// The real name (a person's, or the organisation's registered name).
    pub name: String,
}

impl fmt::Debug for Payer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Payer")
            .field("account_id", &self.account_id)
            .field("actor_id", &self.actor_id)
            .field("identity", &"**")
            .finish()
    }
}

impl Payer {
    /// The subject the departments know, or [`PaymentError::IdentityRequired`].
    pub fn subject(&self) -> Result<SubjectRef, PaymentError> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(PaymentError::IdentityRequired);
        }
        let subject = match (&self.uscc, &self.id_number) {
            (Some(uscc), _) if !uscc.is_empty() => SubjectRef::organisation(uscc, name),
            (_, Some(id)) if !id.is_empty() => SubjectRef::person(id, name),
            _ => return Err(PaymentError::IdentityRequired),
        };
        subject
            .validate()
            .map_err(|_| PaymentError::IdentityRequired)?;
        Ok(subject)
    }

    /// Whether the payer is an organisation.
    pub fn is_organisation(&self) -> bool {
        self.uscc.as_deref().is_some_and(|u| !u.is_empty())
    }

    /// The identifier as a receipt prints it: the first four and last four
    /// characters.
    pub fn masked_identity(&self) -> String {
        let id = if self.is_organisation() {
            self.uscc.as_deref()
        } else {
            self.id_number.as_deref()
        };
        mask_middle(id.unwrap_or(""), 4, 4)
    }
}

/// Keeps `head` leading and `tail` trailing characters, stars between.
pub(crate) fn mask_middle(text: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < head || i >= chars.len() - tail {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

/// An operator acting on payments (refunds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    /// The operator's account id (recorded in the audit trail).
    pub id: String,
}

/// Where a payment stands. `created → paying → paid → settled`, or
/// `failed`, `expired`, `refunding → refunded` (docs/PAYMENTS.md has the
/// diagram).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// Recorded; the provider's order is not made yet.
    Created,
    /// The provider has the order; waiting for the person to pay.
    Paying,
    /// The provider confirmed the payment; the department is not told yet.
    Paid,
    /// The department recorded the payment (销账); a receipt exists.
    Settled,
    /// The order was refused, cancelled or closed unpaid.
    Failed,
    /// Nobody paid within the order's lifetime.
    Expired,
    /// Money is being returned.
    Refunding,
    /// Money was returned.
    Refunded,
}

impl PaymentStatus {
    /// Every status.
    pub const ALL: [PaymentStatus; 8] = [
        PaymentStatus::Created,
        PaymentStatus::Paying,
        PaymentStatus::Paid,
        PaymentStatus::Settled,
        PaymentStatus::Failed,
        PaymentStatus::Expired,
        PaymentStatus::Refunding,
        PaymentStatus::Refunded,
    ];

    /// The stored token.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Created => "created",
            PaymentStatus::Paying => "paying",
            PaymentStatus::Paid => "paid",
            PaymentStatus::Settled => "settled",
            PaymentStatus::Failed => "failed",
            PaymentStatus::Expired => "expired",
            PaymentStatus::Refunding => "refunding",
            PaymentStatus::Refunded => "refunded",
        }
    }

    /// Parses a stored token.
    pub fn parse(text: &str) -> Option<PaymentStatus> {
        PaymentStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether a payment in this status holds its bill (the database's
    /// partial unique index lists the same four).
    pub fn holds_bill(self) -> bool {
        matches!(
            self,
            PaymentStatus::Created
                | PaymentStatus::Paying
                | PaymentStatus::Paid
                | PaymentStatus::Settled
        )
    }

    /// Whether nothing more will happen to it by itself.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            PaymentStatus::Settled
                | PaymentStatus::Failed
                | PaymentStatus::Expired
                | PaymentStatus::Refunded
        )
    }
}

impl fmt::Display for PaymentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What to pay: a bill (by the `id` of [`BillView`]) or a top-up (by the
/// `id` of [`TopUpView`] and an amount).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum PaymentTarget {
    /// A bill.
    Bill {
        /// [`BillView::id`].
        bill_id: String,
        /// The customer number the bills were asked for with, when the
        /// person typed one (paying a parent's electricity).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        customer_number: Option<String>,
    },
    /// A top-up of an account (燃气, 粤通卡).
    TopUp {
        /// [`TopUpView::id`]: which account to top up.
        account: String,
        /// The chosen amount in fen.
        amount_fen: i64,
        /// The customer number the offers were asked for with, if typed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        customer_number: Option<String>,
    },
}

impl PaymentTarget {
    /// A bill of the person's own accounts.
    pub fn bill(bill_id: &str) -> PaymentTarget {
        PaymentTarget::Bill {
            bill_id: bill_id.to_owned(),
            customer_number: None,
        }
    }

    /// A top-up of the person's own account.
    pub fn top_up(account: &str, amount_fen: i64) -> PaymentTarget {
        PaymentTarget::TopUp {
            account: account.to_owned(),
            amount_fen,
            customer_number: None,
        }
    }
}

/// Which bills to ask for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BillQuery {
    /// One catalogue item (e.g. `shjf-dfjf-440100`); all payable items when
    /// `None`.
    pub item_id: Option<String>,
    /// A customer number or plate the person typed (needs `item_id`).
    pub customer_number: Option<String>,
}

/// A bill's state as the person sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BillState {
    /// 待缴费.
    Unpaid,
    /// A payment of this account is in progress (支付中).
    Paying,
    /// 已缴费 (the department says so, or this platform paid it).
    Paid,
    /// Past its due date: no longer payable online (已逾期).
    Expired,
}

/// A bill, with the platform's view of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillView {
    /// The id to pay it by (opaque: the item and the department's bill id).
    pub id: String,
    /// The catalogue item it belongs to.
    pub item_id: String,
    /// The bill kind code (`electricity`, `traffic_fine` …).
    pub kind: String,
    /// What it is for (电费).
    pub title: String,
    /// Who is paid (收款单位).
    pub payee: String,
    /// The customer number or plate, masked.
    pub account: String,
    /// Amount due in fen.
    pub amount_fen: i64,
    /// Last day to pay.
    pub due: Date,
    /// Billing period, if any.
    pub period: Option<String>,
    /// One line for the person (from the department).
    pub description: String,
    /// Unpaid, paying, paid or expired.
    pub status: BillState,
    /// The live or successful payment of this account for it, if any.
    pub payment_id: Option<String>,
}

/// A top-up offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopUpView {
    /// The id to top up by ([`PaymentTarget::TopUp::account`]).
    pub id: String,
    /// The catalogue item.
    pub item_id: String,
    /// The kind code (`gas`, `etc`).
    pub kind: String,
    /// What it is for (燃气充值).
    pub title: String,
    /// Who is paid.
    pub payee: String,
    /// The account or card, masked.
    pub account: String,
    /// Smallest amount in fen.
    pub min_fen: i64,
    /// Largest amount in fen (never above the platform's limit).
    pub max_fen: i64,
    /// Amounts are multiples of this.
    pub step_fen: i64,
    /// One line for the person.
    pub description: String,
}

/// A person's bills and top-up offers over the items asked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillsView {
    /// Bills, unpaid first, then by due date.
    pub bills: Vec<BillView>,
    /// Top-up offers.
    pub top_ups: Vec<TopUpView>,
    /// Items whose department could not answer now (the page says "暂时无法
    /// 查询" for them rather than "no bills").
    pub unavailable: Vec<String>,
}

/// A payment as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    /// The payment id (also the provider's `out_trade_no` and the
    /// department's `payment_id`).
    pub id: String,
    /// Where it stands.
    pub status: PaymentStatus,
    /// `bill` or `top_up`.
    pub target_type: String,
    /// The bill's or top-up's id as listed ([`BillView::id`], [`TopUpView::id`]).
    pub target_id: String,
    /// The catalogue item.
    pub item_id: String,
    /// The item's title (电费缴费).
    pub item_title: String,
    /// The bill kind code.
    pub kind: String,
    /// What is paid (电费).
    pub title: String,
    /// Who is paid.
    pub payee: String,
    /// The customer number or plate, masked.
    pub account: String,
    /// Billing period, if any.
    pub period: Option<String>,
    /// Amount in fen.
    pub amount_fen: i64,
    /// Where to send the person to pay (while `paying`).
    pub pay_url: Option<String>,
    /// The provider (`dev`, `wechat` …).
    pub provider: String,
    /// Why it failed, expired or was refunded (a code), if it did.
    pub failure: Option<String>,
    /// When it was made.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When the order lapses unpaid.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// When the provider confirmed it.
    #[serde(with = "time::serde::rfc3339::option")]
    pub paid_at: Option<OffsetDateTime>,
    /// When the department recorded it.
    #[serde(with = "time::serde::rfc3339::option")]
    pub settled_at: Option<OffsetDateTime>,
    /// When the money was returned.
    #[serde(with = "time::serde::rfc3339::option")]
    pub refunded_at: Option<OffsetDateTime>,
    /// The receipt's number (票据号), once settled.
    pub receipt_number: Option<String>,
    /// The wallet entry holding the receipt, once the daemon put it there.
    pub wallet_entry_id: Option<String>,
}

/// What [`crate::Payments::create`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    /// The payment.
    pub payment: Payment,
    /// `true` when the idempotency key had been used for this payment
    /// before (nothing new was made).
    pub replayed: bool,
}

/// An electronic receipt (电子票据): the facts the wallet certificate
/// carries. Issued once per settled payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// 票据号: the department's receipt number.
    pub number: String,
    /// The payment.
    pub payment_id: String,
    /// The account it belongs to.
    pub account_id: String,
    /// 缴款人: the payer's name.
    pub payer_name: String,
    /// The payer's identifier, masked (first four, last four).
    pub payer_id_masked: String,
    /// 收款单位.
    pub payee: String,
    /// The catalogue item (事项).
    pub item_id: String,
    /// The item's title (电费缴费).
    pub item_title: String,
    /// What was paid (电费).
    pub title: String,
    /// The bill kind code.
    pub kind: String,
    /// The customer number or plate, masked.
    pub account: String,
    /// Billing period, if any.
    pub period: Option<String>,
    /// Amount in fen.
    pub amount_fen: i64,
    /// When the provider confirmed the payment.
    #[serde(with = "time::serde::rfc3339")]
    pub paid_at: OffsetDateTime,
    /// When the department recorded it.
    #[serde(with = "time::serde::rfc3339")]
    pub settled_at: OffsetDateTime,
    /// The department's settlement id.
    pub settlement_id: String,
    /// The payment provider.
    pub provider: String,
    /// The provider's order id (交易单号).
    pub provider_order_id: String,
    /// When the platform issued the receipt.
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
    /// The wallet entry, once the daemon put it there.
    #[serde(default)]
    pub wallet_entry_id: Option<String>,
    /// When a refund voided it.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub voided_at: Option<OffsetDateTime>,
}

/// One recorded change of a payment's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    /// 1 for the creation, then one more per change.
    pub version: i64,
    /// The status before (`None` for the creation).
    pub from: Option<PaymentStatus>,
    /// The status after.
    pub to: PaymentStatus,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Why: `create`, `order_created`, `notification`, `query`,
    /// `settlement`, `settle_refused:<code>`, `close`, `operator_refund` …
    pub cause: String,
    /// Who: `payer:<account>`, `provider`, `recovery`, `operator:<id>`,
    /// `system`.
    pub actor: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip() {
        for s in PaymentStatus::ALL {
            assert_eq!(PaymentStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(PaymentStatus::parse("x"), None);
    }

    #[test]
    fn payer_debug_hides_identity() {
        let payer = Payer {
            account_id: "a".into(),
            actor_id: "a".into(),
            id_number: Some("44010419880520123X".into()),
            uscc: None,
            name: "陈嘉明".into(),
        };
        let text = format!("{payer:?}");
        assert!(!text.contains("4401041988"));
        assert!(!text.contains("陈嘉明"));
        assert_eq!(payer.masked_identity(), "4401**********123X");
        assert!(payer.subject().is_ok());
        let nobody = Payer {
            id_number: None,
            ..payer
        };
        assert_eq!(
            nobody.subject().map_err(|e| e.code()),
            Err("identity_required")
        );
    }

    #[test]
    fn target_json_shapes() {
        let t: PaymentTarget =
            serde_json::from_str(r#"{"top_up":{"account":"x","amount_fen":100}}"#)
                .unwrap_or(PaymentTarget::bill(""));
        assert_eq!(t, PaymentTarget::top_up("x", 100));
        // Fractional fen never parse.
        assert!(
            serde_json::from_str::<PaymentTarget>(r#"{"top_up":{"account":"x","amount_fen":1.5}}"#)
                .is_err()
        );
    }
}
