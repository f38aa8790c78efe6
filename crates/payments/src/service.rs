//! What a person does: list bills, pay one (create), look at payments.
//!
//! A bill's id as listed is `{item_id}:{department's bill id}` (opaque to
//! the person): the item names the department to ask again when paying,
//! so creating a payment re-reads the bill from the department with the
//! payer's own identity — another person's bill is simply not found.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use sha2::{Digest, Sha256};
use sqlx::Any;
use tokio::task::JoinSet;
use yuesou_gateway::clock::CHINA;
use yuesou_gateway::{BillStatus, Bills, BillsRequest, GatewayError, SubjectRef};

use crate::ids::{is_idempotency_key, payment_id};
use crate::items::PayableItem;
use crate::model::{
    BillQuery, BillState, BillView, BillsView, Created, Payer, Payment, PaymentStatus,
    PaymentTarget, TopUpView, Transition,
};
use crate::money::check_amount;
use crate::provider::{OrderRequest, ProviderError};
use crate::store::{self, Change, Row, ms};
use crate::{PaymentError, Payments, Result};

/// A bill or top-up, re-read from the department, ready to pay.
struct Resolved {
    item: PayableItem,
    target_type: &'static str,
    target_id: String,
    kind: String,
    title: String,
    payee: String,
    account: String,
    period: Option<String>,
    amount_fen: i64,
}

/// The payments an account holds bills with: department bill id →
/// (status, payment id).
type Holdings = HashMap<String, (PaymentStatus, String)>;

impl Payments {
    /// The payer's bills and top-up offers: one item's
    /// (`query.item_id`), or every payable item's for the payer's kind
    /// (person or organisation). Departments that cannot answer now are
    /// listed in [`BillsView::unavailable`]; departments not connected are
    /// left out.
    pub async fn bills(&self, payer: &Payer, query: &BillQuery) -> Result<BillsView> {
        let subject = payer.subject()?;
        let items: Vec<PayableItem> = match &query.item_id {
            Some(id) => vec![self.item_for(payer, id).ok_or(PaymentError::BillNotFound)?],
            None => {
                if query.customer_number.is_some() {
                    // A typed customer number belongs to one item.
                    return Err(PaymentError::BillNotFound);
                }
                self.inner
                    .items
                    .iter()
                    .filter(|i| usable_by(i, payer))
                    .cloned()
                    .collect()
            }
        };
        let answers = self
            .ask_departments(&items, &subject, query.customer_number.as_deref())
            .await;
        let holdings = self.holdings(&payer.account_id).await?;
        let today = self.now().to_offset(CHINA).date();
        let mut view = BillsView::default();
        // The same bill can come from several items of one kind (a
        // department answering for several cities): keep it once, under
        // the item it fits best.
        let mut bills: BTreeMap<(String, String), (u8, BillView)> = BTreeMap::new();
        let mut top_ups: BTreeMap<(String, String), (u8, TopUpView)> = BTreeMap::new();
        for (item, answer) in items.iter().zip(answers) {
            let answer = match answer {
                Ok(answer) => answer,
                Err(GatewayError::NotConnected { .. }) => continue,
                Err(e) => {
                    tracing::info!(item = %item.id, code = e.code(), "bills: department did not answer");
                    view.unavailable.push(item.id.clone());
                    continue;
                }
            };
            for bill in answer.bills {
                if !item.kinds.contains(&bill.kind) {
                    continue;
                }
                let fit = item.fit(&bill.payee);
                let key = (bill.kind.clone(), bill.bill_id.clone());
                if bills.get(&key).is_some_and(|(f, _)| *f >= fit) {
                    continue;
                }
                let held = holdings.get(&bill.bill_id);
                let status = match (bill.status, held) {
                    (BillStatus::Paid, _) => BillState::Paid,
                    (_, Some((PaymentStatus::Paid | PaymentStatus::Settled, _))) => BillState::Paid,
                    (_, Some((PaymentStatus::Created | PaymentStatus::Paying, _))) => {
                        BillState::Paying
                    }
                    _ if bill.due < today => BillState::Expired,
                    _ => BillState::Unpaid,
                };
                let view = BillView {
                    id: format!("{}:{}", item.id, bill.bill_id),
                    item_id: item.id.clone(),
                    kind: bill.kind,
                    title: bill.title,
                    payee: bill.payee,
                    account: bill.account,
                    amount_fen: bill.amount_fen,
                    due: bill.due,
                    period: bill.period,
                    description: bill.description,
                    status,
                    payment_id: held.map(|(_, id)| id.clone()),
                };
                bills.insert(key, (fit, view));
            }
            for offer in answer.top_ups {
                if !item.kinds.contains(&offer.kind) {
                    continue;
                }
                let fit = item.fit(&offer.payee);
                let key = (offer.kind.clone(), offer.top_up_id.clone());
                if top_ups.get(&key).is_some_and(|(f, _)| *f >= fit) {
                    continue;
                }
                let max_fen = offer.max_fen.min(self.inner.settings.max_amount_fen);
                top_ups.insert(
                    key,
                    (
                        fit,
                        TopUpView {
                            id: format!("{}:{}", item.id, offer.top_up_id),
                            item_id: item.id.clone(),
                            kind: offer.kind,
                            title: offer.title,
                            payee: offer.payee,
                            account: offer.account,
                            min_fen: offer.min_fen,
                            max_fen: max_fen - max_fen % offer.step_fen.max(1),
                            step_fen: offer.step_fen,
                            description: offer.description,
                        },
                    ),
                );
            }
        }
        view.bills = bills.into_values().map(|(_, b)| b).collect();
        let rank = |s: BillState| match s {
            BillState::Unpaid => 0,
            BillState::Paying => 1,
            BillState::Expired => 2,
            BillState::Paid => 3,
        };
        view.bills
            .sort_by(|a, b| (rank(a.status), a.due, &a.id).cmp(&(rank(b.status), b.due, &b.id)));
        view.top_ups = top_ups.into_values().map(|(_, t)| t).collect();
        Ok(view)
    }

    /// Pays a bill or tops up an account: makes the payment and the
    /// provider's order, and returns it with its `pay_url`. The same
    /// `idempotency_key` of the account returns the same payment
    /// ([`Created::replayed`]), finishing the order if the first attempt
    /// could not make it; used for another target it is
    /// [`PaymentError::IdempotencyKeyReused`]. A bill with a live payment is
    /// [`PaymentError::PaymentInProgress`].
    pub async fn create(
        &self,
        payer: &Payer,
        target: &PaymentTarget,
        idempotency_key: &str,
    ) -> Result<Created> {
        let result = self.create_inner(payer, target, idempotency_key).await;
        if let Err(e) = &result {
            self.inner.metrics.error(e.code());
        }
        result
    }

    async fn create_inner(
        &self,
        payer: &Payer,
        target: &PaymentTarget,
        key: &str,
    ) -> Result<Created> {
        if !is_idempotency_key(key) {
            return Err(PaymentError::InvalidIdempotencyKey);
        }
        let digest = digest(target);
        if let Some(existing) = store::by_key(&self.inner.db, &payer.account_id, key).await? {
            return self.replay(existing, &digest).await;
        }
        if let PaymentTarget::TopUp { amount_fen, .. } = target {
            check_amount(*amount_fen, self.inner.settings.max_amount_fen)?;
        }
        let subject = payer.subject()?;
        let resolved = self.resolve(payer, &subject, target).await?;
        let now = self.now();
        let expires = now
            + time::Duration::try_from(self.inner.settings.order_lifetime)
                .unwrap_or(time::Duration::minutes(15));
        let row = Row {
            id: payment_id(now),
            account_id: payer.account_id.clone(),
            actor_id: payer.actor_id.clone(),
            idempotency_key: key.to_owned(),
            request_digest: digest.clone(),
            target_type: resolved.target_type.to_owned(),
            item_id: resolved.item.id.clone(),
            department: resolved.item.department.clone(),
            target_id: resolved.target_id,
            kind: resolved.kind,
            title: resolved.title,
            item_title: resolved.item.title.clone(),
            payee: resolved.payee,
            account_masked: resolved.account,
            period: resolved.period,
            payer_name: payer.name.trim().to_owned(),
            payer_id_masked: payer.masked_identity(),
            amount_fen: resolved.amount_fen,
            status: PaymentStatus::Created.as_str().to_owned(),
            version: 1,
            provider: self.inner.provider.name().to_owned(),
            provider_order_id: None,
            pay_url: None,
            failure: None,
            created_at: ms(now),
            updated_at: ms(now),
            expires_at: ms(expires),
            paid_at: None,
            settled_at: None,
            refunded_at: None,
            attempts: 0,
            next_attempt_at: ms(now),
        };
        let actor = format!("payer:{}", payer.actor_id);
        match store::insert(&self.inner.db, &row, &actor).await {
            Ok(()) => {}
            Err(yuesou_store::StoreError::Duplicate(_)) => {
                return self.lost_race(payer, &row, key, &digest).await;
            }
            Err(e) => return Err(e.into()),
        }
        self.inner.metrics.created();
        self.inner.metrics.transition(PaymentStatus::Created);
        let row = self.ensure_order(row).await?;
        Ok(Created {
            payment: self.view(&row).await?,
            replayed: false,
        })
    }

    /// The insert was refused by a unique index: the same key from another
    /// request at the same moment, or the bill held by another payment.
    async fn lost_race(
        &self,
        payer: &Payer,
        row: &Row,
        key: &str,
        digest: &str,
    ) -> Result<Created> {
        if let Some(existing) = store::by_key(&self.inner.db, &payer.account_id, key).await? {
            return self.replay(existing, digest).await;
        }
        if row.target_type == "bill"
            && let Some(holder) =
                store::holding(&self.inner.db, &row.department, &row.target_id).await?
        {
            let own = (holder.account_id == payer.account_id).then(|| holder.id.clone());
            return Err(match holder.status()? {
                PaymentStatus::Paid | PaymentStatus::Settled => {
                    PaymentError::BillPaid { payment_id: own }
                }
                _ => PaymentError::PaymentInProgress { payment_id: own },
            });
        }
        // The holder finished (failed or expired) between the two reads.
        Err(PaymentError::PaymentInProgress { payment_id: None })
    }

    /// The payment of a key used before.
    async fn replay(&self, existing: Row, digest: &str) -> Result<Created> {
        if existing.request_digest != digest {
            return Err(PaymentError::IdempotencyKeyReused {
                payment_id: existing.id,
            });
        }
        self.inner.metrics.replayed();
        let row = self.ensure_order(existing).await?;
        Ok(Created {
            payment: self.view(&row).await?,
            replayed: true,
        })
    }

    /// Makes the provider's order of a `created` payment (idempotent at
    /// the provider by payment id) and moves it to `paying`.
    async fn ensure_order(&self, row: Row) -> Result<Row> {
        if row.status()? != PaymentStatus::Created {
            return Ok(row);
        }
        let description = match &row.period {
            Some(period) => format!("{} {period}", row.title),
            None => row.title.clone(),
        };
        let request = OrderRequest {
            out_trade_no: row.id.clone(),
            amount_fen: row.amount_fen,
            description,
            payee: row.payee.clone(),
            notify_url: self.inner.settings.callback_url.clone(),
            return_url: self.inner.settings.return_url(&row.id),
            expires_at: store::instant(row.expires_at),
        };
        let now = ms(self.now());
        match self.inner.provider.create_order(&request).await {
            Ok(order) => {
                let change = Change::new(PaymentStatus::Paying, "order_created", "provider")
                    .text("provider_order_id", Some(order.order_id))
                    .text("pay_url", Some(order.pay_url));
                if store::transition(
                    &self.inner.db,
                    &row.id,
                    &[PaymentStatus::Created],
                    &change,
                    now,
                )
                .await?
                .is_some()
                {
                    self.inner.metrics.transition(PaymentStatus::Paying);
                }
            }
            Err(e) if e.is_transient() => {
                tracing::warn!(payment = %row.id, code = e.code(), "provider could not make the order");
                return Err(PaymentError::ProviderUnavailable);
            }
            Err(e) => {
                let code = e.code().to_owned();
                let change = Change::new(
                    PaymentStatus::Failed,
                    &format!("provider_refused:{code}"),
                    "provider",
                )
                .text("failure", Some(format!("provider_refused:{code}")));
                if store::transition(
                    &self.inner.db,
                    &row.id,
                    &[PaymentStatus::Created],
                    &change,
                    now,
                )
                .await?
                .is_some()
                {
                    self.inner.metrics.transition(PaymentStatus::Failed);
                }
                tracing::warn!(payment = %row.id, code = %code, "provider refused the order");
                return Err(match e {
                    ProviderError::Refused { code } => PaymentError::ProviderRefused { code },
                    other => PaymentError::from(other),
                });
            }
        }
        store::get(&self.inner.db, &row.id)
            .await?
            .ok_or(PaymentError::PaymentNotFound)
    }

    /// One of the payer's payments.
    pub async fn get(&self, payer: &Payer, id: &str) -> Result<Payment> {
        let row = self.owned(payer, id).await?;
        self.view(&row).await
    }

    /// The payer's payments, newest first (at most 200).
    pub async fn list(&self, payer: &Payer) -> Result<Vec<Payment>> {
        let rows = store::list(&self.inner.db, &payer.account_id, 200).await?;
        let receipts: HashMap<String, (String, Option<String>)> =
            sqlx::query_as::<Any, (String, String, Option<String>)>(
                "SELECT payment_id, number, wallet_entry_id FROM payment_receipts WHERE account_id = $1",
            )
            .bind(&payer.account_id)
            .fetch_all(self.inner.db.pool())
            .await?
            .into_iter()
            .map(|(id, number, entry)| (id, (number, entry)))
            .collect();
        rows.iter()
            .map(|row| {
                let (number, entry) = receipts
                    .get(&row.id)
                    .cloned()
                    .map_or((None, None), |(n, e)| (Some(n), e));
                row.view(number, entry)
            })
            .collect()
    }

    /// One of the payer's payments, brought up to date first: a `paying`
    /// one is asked of the provider, a `paid` one settled, a `created` one
    /// gets its provider order. The daemon's
    /// `GET /api/v1/me/payments/{id}` calls this while the page waits.
    pub async fn refresh(&self, payer: &Payer, id: &str) -> Result<Payment> {
        let row = self.owned(payer, id).await?;
        let now = self.now();
        match row.status()? {
            // Within recovery's backoff, so a page polling every second
            // asks the provider at 1 s, 2 s, 4 s … intervals.
            PaymentStatus::Paying if row.next_attempt_at <= ms(now) => {
                self.check_order(&row, now).await?;
            }
            PaymentStatus::Paid => {
                self.settle_one(&row.id).await?;
            }
            // The provider could not make the order at creation: make it
            // now (another device of the person may be asking).
            PaymentStatus::Created => {
                self.ensure_order(row).await?;
            }
            _ => {}
        }
        self.get(payer, id).await
    }

    /// A payment and its transitions, for operators (any account).
    pub async fn audit(&self, id: &str) -> Result<(Payment, Vec<Transition>)> {
        let row = store::get(&self.inner.db, id)
            .await?
            .ok_or(PaymentError::PaymentNotFound)?;
        let transitions = store::transitions(&self.inner.db, id).await?;
        Ok((self.view(&row).await?, transitions))
    }

    /// Counts of payments by status (gauges for the metrics endpoint).
    pub async fn status_counts(&self) -> Result<BTreeMap<String, i64>> {
        let rows = sqlx::query_as::<Any, (String, i64)>(
            "SELECT status, COUNT(*) FROM payments GROUP BY status",
        )
        .fetch_all(self.inner.db.pool())
        .await?;
        Ok(rows.into_iter().collect())
    }

    pub(crate) async fn owned(&self, payer: &Payer, id: &str) -> Result<Row> {
        match store::get(&self.inner.db, id).await? {
            Some(row) if row.account_id == payer.account_id => Ok(row),
            _ => Err(PaymentError::PaymentNotFound),
        }
    }

    pub(crate) async fn view(&self, row: &Row) -> Result<Payment> {
        let (number, entry) = store::receipt_ref(&self.inner.db, &row.id)
            .await?
            .map_or((None, None), |(n, e)| (Some(n), e));
        row.view(number, entry)
    }

    fn item_for(&self, payer: &Payer, item_id: &str) -> Option<PayableItem> {
        self.inner
            .items
            .get(item_id)
            .filter(|i| usable_by(i, payer))
            .cloned()
    }

    /// Asks each item's department for the subject's bills, at once.
    async fn ask_departments(
        &self,
        items: &[PayableItem],
        subject: &SubjectRef,
        account: Option<&str>,
    ) -> Vec<std::result::Result<Bills, GatewayError>> {
        let mut set = JoinSet::new();
        for (i, item) in items.iter().enumerate() {
            let gateway = Arc::clone(&self.inner.gateway);
            let request = BillsRequest {
                department: item.department.clone(),
                subject: subject.clone(),
                kinds: item.kinds.clone(),
                account: account.map(str::to_owned),
            };
            set.spawn(async move { (i, gateway.bills(&request).await) });
        }
        let mut answers: Vec<Option<std::result::Result<Bills, GatewayError>>> =
            (0..items.len()).map(|_| None).collect();
        while let Some(joined) = set.join_next().await {
            if let Ok((i, answer)) = joined
                && let Some(slot) = answers.get_mut(i)
            {
                *slot = Some(answer);
            }
        }
        answers
            .into_iter()
            .map(|a| a.unwrap_or_else(|| Err(GatewayError::Internal("bills task failed".into()))))
            .collect()
    }

    /// The account's payments that hold a bill (or are being refunded).
    async fn holdings(&self, account_id: &str) -> Result<Holdings> {
        let rows = sqlx::query_as::<Any, (String, String, String)>(
            "SELECT target_id, status, id FROM payments WHERE account_id = $1 \
             AND target_type = 'bill' AND status IN ('created', 'paying', 'paid', 'settled')",
        )
        .bind(account_id)
        .fetch_all(self.inner.db.pool())
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(target, status, id)| {
                PaymentStatus::parse(&status).map(|s| (target, (s, id)))
            })
            .collect())
    }

    /// Re-reads the target from its department with the payer's identity
    /// and checks it can be paid now.
    async fn resolve(
        &self,
        payer: &Payer,
        subject: &SubjectRef,
        target: &PaymentTarget,
    ) -> Result<Resolved> {
        let (listed, customer, is_bill) = match target {
            PaymentTarget::Bill {
                bill_id,
                customer_number,
            } => (bill_id, customer_number, true),
            PaymentTarget::TopUp {
                account,
                customer_number,
                ..
            } => (account, customer_number, false),
        };
        let not_found = || {
            if is_bill {
                PaymentError::BillNotFound
            } else {
                PaymentError::TopUpNotFound
            }
        };
        let (item_id, dept_id) = listed.split_once(':').ok_or_else(not_found)?;
        let item = self.item_for(payer, item_id).ok_or_else(not_found)?;
        let request = BillsRequest {
            department: item.department.clone(),
            subject: subject.clone(),
            kinds: item.kinds.clone(),
            account: customer.clone(),
        };
        let answer = match self.inner.gateway.bills(&request).await {
            Ok(answer) => answer,
            Err(GatewayError::NotFound { .. }) => return Err(not_found()),
            Err(GatewayError::BadRequest(_)) => return Err(not_found()),
            Err(e) => return Err(e.into()),
        };
        let max = self.inner.settings.max_amount_fen;
        match target {
            PaymentTarget::Bill { .. } => {
                let bill = answer
                    .bills
                    .into_iter()
                    .find(|b| b.bill_id == dept_id && item.kinds.contains(&b.kind))
                    .ok_or_else(not_found)?;
                if bill.status == BillStatus::Paid {
                    let own = self.holdings(&payer.account_id).await?;
                    return Err(PaymentError::BillPaid {
                        payment_id: own.get(dept_id).map(|(_, id)| id.clone()),
                    });
                }
                let today = self.now().to_offset(CHINA).date();
                if bill.due < today {
                    return Err(PaymentError::BillExpired { due: bill.due });
                }
                check_amount(bill.amount_fen, max)?;
                Ok(Resolved {
                    item,
                    target_type: "bill",
                    target_id: bill.bill_id,
                    kind: bill.kind,
                    title: bill.title,
                    payee: bill.payee,
                    account: bill.account,
                    period: bill.period,
                    amount_fen: bill.amount_fen,
                })
            }
            PaymentTarget::TopUp { amount_fen, .. } => {
                let offer = answer
                    .top_ups
                    .into_iter()
                    .find(|t| t.top_up_id == dept_id && item.kinds.contains(&t.kind))
                    .ok_or_else(not_found)?;
                let amount = check_amount(*amount_fen, max)?;
                let step = offer.step_fen.max(1);
                if amount < offer.min_fen || amount > offer.max_fen || amount % step != 0 {
                    return Err(PaymentError::AmountOutOfRange {
                        min_fen: offer.min_fen,
                        max_fen: offer.max_fen.min(max),
                        step_fen: step,
                    });
                }
                Ok(Resolved {
                    item,
                    target_type: "top_up",
                    target_id: offer.top_up_id,
                    kind: offer.kind,
                    title: offer.title,
                    payee: offer.payee,
                    account: offer.account,
                    period: None,
                    amount_fen: amount,
                })
            }
        }
    }
}

fn usable_by(item: &PayableItem, payer: &Payer) -> bool {
    if payer.is_organisation() {
        item.for_organisations
    } else {
        item.for_persons
    }
}

/// What makes two requests "the same" for an idempotency key.
fn digest(target: &PaymentTarget) -> String {
    let text = match target {
        PaymentTarget::Bill {
            bill_id,
            customer_number,
        } => format!(
            "bill\n{bill_id}\n{}",
            customer_number.as_deref().unwrap_or("")
        ),
        PaymentTarget::TopUp {
            account,
            amount_fen,
            customer_number,
        } => format!(
            "top_up\n{account}\n{amount_fen}\n{}",
            customer_number.as_deref().unwrap_or("")
        ),
    };
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
