//! The development provider: behaves like the real ones so the platform's
//! exactly-once machinery is exercised on one machine.
//!
//! - Orders live in memory, by the platform's `out_trade_no` (idempotent
//!   creation) and by the provider's order id.
//! - The person confirms or cancels on a page the daemon mounts
//!   ([`super::page::router`], feature `dev-provider`): `pay_url` is
//!   `{pay_base_url}/dev-pay/{order_id}`.
//! - Each paid, closed or refunded order sends a notification signed with
//!   the provider's Ed25519 key ([`super::wire`]) to the order's
//!   `notify_url` — over HTTP ([`Delivery::Http`], re-sent after a failure
//!   like the real ones) or into a channel for tests ([`Delivery::Sink`]).
//! - [`Chaos`] knobs make notifications late (a delay range), doubled,
//!   out of order (held back until the next one is sent) or lost; the
//!   decisions come from a seeded generator, so a test replays.
//! - Statements list the day's payments and refunds.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use http::HeaderMap;
use time::{Date, OffsetDateTime};
use tokio::sync::mpsc::UnboundedSender;
use yuesou_gateway::Clock;
use yuesou_gateway::clock::CHINA;

use super::rng::Rng;
use super::wire::{NotificationBody, Signer, Verifier};
use super::{
    Ack, LineKind, Notification, Order, OrderRequest, OrderState, OrderStatus, Provider,
    ProviderError, RefundRequest, RefundState, Statement, StatementLine,
};
use crate::ids::random_code;

/// How notifications misbehave. All probabilities are 0–1; the default
/// is a well-behaved provider.
#[derive(Debug, Clone, PartialEq)]
pub struct Chaos {
    /// Each delivery waits a delay drawn from this range (milliseconds).
    pub delay_ms: (u64, u64),
    /// Probability that a notification is delivered twice.
    pub duplicate: f64,
    /// Probability that a notification is held back and delivered after
    /// the next one (or at [`DevProvider::flush`]).
    pub out_of_order: f64,
    /// Probability that a notification is never delivered (the platform's
    /// query must settle the payment).
    pub drop: f64,
    /// Re-deliveries after a failed HTTP POST (non-2xx or no answer), with
    /// doubling pauses from 500 ms.
    pub retries: u32,
    /// The generator's seed.
    pub seed: u64,
}

impl Default for Chaos {
    fn default() -> Chaos {
        Chaos {
            delay_ms: (0, 0),
            duplicate: 0.0,
            out_of_order: 0.0,
            drop: 0.0,
            retries: 3,
            seed: 0,
        }
    }
}

impl Chaos {
    /// What real providers do on a bad day: 0.05–2 s late, 10 % twice,
    /// 10 % out of order, 2 % never.
    pub fn realistic(seed: u64) -> Chaos {
        Chaos {
            delay_ms: (50, 2000),
            duplicate: 0.1,
            out_of_order: 0.1,
            drop: 0.02,
            retries: 3,
            seed,
        }
    }
}

/// Where notifications go.
#[derive(Debug, Clone)]
pub enum Delivery {
    /// `POST` to each order's `notify_url` (reqwest).
    Http,
    /// Into a channel (tests and benchmarks): the receiver hands each to
    /// `Payments::on_notification`.
    Sink(UnboundedSender<Outgoing>),
}

/// A notification as sent: where, the signed headers, the body.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// The order's `notify_url`.
    pub url: String,
    /// The signature headers and `Content-Type`.
    pub headers: HeaderMap,
    /// The JSON body.
    pub body: Vec<u8>,
}

/// The development provider's settings.
#[derive(Debug, Clone)]
pub struct DevProviderConfig {
    /// The signing key's id.
    pub key_id: String,
    /// The Ed25519 seed (32 bytes). Development only: the default is a
    /// fixed, public seed.
    pub seed: [u8; 32],
    /// Where the daemon mounts the page: `pay_url` is
    /// `{pay_base_url}/dev-pay/{order_id}`.
    pub pay_base_url: String,
    /// Public keys the verifying side trusts, `(key id, base64)`; empty:
    /// this provider's own key.
    pub trusted_keys: Vec<(String, String)>,
    /// Notifications signed further than this from now are refused
    /// (seconds).
    pub window_secs: i64,
    /// How notifications misbehave.
    pub chaos: Chaos,
}

impl DevProviderConfig {
    /// Defaults for a daemon at `pay_base_url` (its public base URL).
    pub fn new(pay_base_url: &str) -> DevProviderConfig {
        DevProviderConfig {
            key_id: "devpay-1".into(),
            seed: *b"yuesou-dev-provider-seed-0000001",
            pay_base_url: pay_base_url.trim_end_matches('/').to_owned(),
            trusted_keys: Vec::new(),
            window_secs: 300,
            chaos: Chaos::default(),
        }
    }
}

/// An order as the confirmation page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevOrderView {
    /// The provider's order id.
    pub order_id: String,
    /// The platform's payment id.
    pub out_trade_no: String,
    /// Amount in fen.
    pub amount_fen: i64,
    /// What is paid.
    pub description: String,
    /// Who is paid.
    pub payee: String,
    /// Where to send the person back.
    pub return_url: String,
    /// When it lapses.
    pub expires_at: OffsetDateTime,
    /// Where it stands.
    pub status: OrderStatus,
}

#[derive(Debug, Clone)]
struct DevOrder {
    view: DevOrderView,
    notify_url: String,
    refund: Option<(String, String, OffsetDateTime, String)>,
}

#[derive(Debug)]
struct State {
    orders: HashMap<String, DevOrder>,
    by_trade: HashMap<String, String>,
    rng: Rng,
    held: Option<Outgoing>,
    extra_lines: Vec<StatementLine>,
}

/// Counts of what the provider did with notifications.
#[derive(Debug, Default)]
struct Counters {
    sent: AtomicU64,
    dropped: AtomicU64,
    duplicated: AtomicU64,
    held: AtomicU64,
}

/// The development provider (see the module docs).
#[derive(Debug)]
pub struct DevProvider {
    config: DevProviderConfig,
    signer: Signer,
    verifier: Verifier,
    clock: Arc<dyn Clock>,
    delivery: Delivery,
    client: reqwest::Client,
    state: Mutex<State>,
    counters: Counters,
    down: std::sync::atomic::AtomicBool,
}

impl DevProvider {
    /// A provider with these settings, clock and delivery.
    pub fn new(
        config: DevProviderConfig,
        clock: Arc<dyn Clock>,
        delivery: Delivery,
    ) -> Result<DevProvider, ProviderError> {
        let signer = Signer::from_seed(&config.key_id, config.seed);
        let mut verifier = Verifier::new(config.window_secs);
        if config.trusted_keys.is_empty() {
            verifier.add_key(signer.key_id(), &signer.public_key_base64())?;
        }
        for (id, key) in &config.trusted_keys {
            verifier.add_key(id, key)?;
        }
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ProviderError::Internal(format!("http client: {e}")))?;
        Ok(DevProvider {
            state: Mutex::new(State {
                orders: HashMap::new(),
                by_trade: HashMap::new(),
                rng: Rng::new(config.chaos.seed),
                held: None,
                extra_lines: Vec::new(),
            }),
            config,
            signer,
            verifier,
            clock,
            delivery,
            client,
            counters: Counters::default(),
            down: std::sync::atomic::AtomicBool::new(false),
        })
    }

    /// The signing key's id.
    pub fn key_id(&self) -> &str {
        self.signer.key_id()
    }

    /// The public key to configure on the verifying side (base64).
    pub fn public_key_base64(&self) -> String {
        self.signer.public_key_base64()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// An order by the provider's id (the page).
    pub fn order(&self, order_id: &str) -> Option<DevOrderView> {
        let now = self.clock.now();
        let mut state = self.lock();
        let order = state.orders.get_mut(order_id)?;
        lapse(order, now);
        Some(order.view.clone())
    }

    /// The order of a payment id.
    pub fn order_of(&self, out_trade_no: &str) -> Option<DevOrderView> {
        let id = self.lock().by_trade.get(out_trade_no).cloned()?;
        self.order(&id)
    }

    /// The person confirms the payment (确认支付): a pending order becomes
    /// paid and its notification is sent. Confirming a paid order again
    /// changes nothing; a closed or lapsed one is refused (`order_closed`).
    pub fn confirm(&self, order_id: &str) -> Result<DevOrderView, ProviderError> {
        let now = self.clock.now();
        let (view, outgoing) = {
            let mut state = self.lock();
            let order = state
                .orders
                .get_mut(order_id)
                .ok_or(ProviderError::NotFound)?;
            lapse(order, now);
            match order.view.status {
                OrderStatus::Pending => {
                    order.view.status = OrderStatus::Paid { paid_at: now };
                    let body = self.body(order, "payment.succeeded", now, None);
                    (order.view.clone(), Some(body))
                }
                OrderStatus::Paid { .. } | OrderStatus::Refunded { .. } => {
                    (order.view.clone(), None)
                }
                OrderStatus::Closed => {
                    return Err(ProviderError::Refused {
                        code: "order_closed".into(),
                    });
                }
            }
        };
        if let Some(outgoing) = outgoing {
            self.dispatch(outgoing);
        }
        Ok(view)
    }

    /// Confirms the order of a payment id (tests and benchmarks).
    pub fn pay(&self, out_trade_no: &str) -> Result<DevOrderView, ProviderError> {
        let id = self
            .lock()
            .by_trade
            .get(out_trade_no)
            .cloned()
            .ok_or(ProviderError::NotFound)?;
        self.confirm(&id)
    }

    /// The person cancels (取消): a pending order closes and a
    /// `payment.closed` notification is sent. Anything else is unchanged.
    pub fn cancel(&self, order_id: &str) -> Result<DevOrderView, ProviderError> {
        let now = self.clock.now();
        let (view, outgoing) = {
            let mut state = self.lock();
            let order = state
                .orders
                .get_mut(order_id)
                .ok_or(ProviderError::NotFound)?;
            lapse(order, now);
            if order.view.status == OrderStatus::Pending {
                order.view.status = OrderStatus::Closed;
                let body = self.body(order, "payment.closed", now, None);
                (order.view.clone(), Some(body))
            } else {
                (order.view.clone(), None)
            }
        };
        if let Some(outgoing) = outgoing {
            self.dispatch(outgoing);
        }
        Ok(view)
    }

    /// Makes the provider's API unreachable (`true`) or reachable again:
    /// orders, queries, closes, refunds and statements fail with
    /// `Unavailable` meanwhile (outage demos and tests). The page and
    /// notifications are not affected.
    pub fn set_unavailable(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    fn check_up(&self) -> Result<(), ProviderError> {
        if self.down.load(Ordering::SeqCst) {
            Err(ProviderError::Unavailable(
                "development provider set unavailable".into(),
            ))
        } else {
            Ok(())
        }
    }

    /// Sends a notification held back for being out of order now.
    pub fn flush(&self) {
        let held = self.lock().held.take();
        if let Some(outgoing) = held {
            self.send(outgoing, 0);
        }
    }

    /// Adds a line to the statement of its day, as if the provider had a
    /// payment the platform never made (reconciliation demos and tests).
    pub fn add_statement_line(&self, line: StatementLine) {
        self.lock().extra_lines.push(line);
    }

    /// Signs a notification body with the provider's key, as it would be
    /// sent now (tests: replays, wrong amounts).
    pub fn sign(&self, body: &NotificationBody) -> (HeaderMap, Vec<u8>) {
        let bytes = serde_json::to_vec(body).unwrap_or_default();
        let headers = self
            .signer
            .sign(&bytes, self.clock.now().unix_timestamp(), &random_code(22));
        (headers, bytes)
    }

    /// Notifications sent, dropped, doubled and held back so far.
    pub fn notification_counts(&self) -> (u64, u64, u64, u64) {
        let c = &self.counters;
        (
            c.sent.load(Ordering::Relaxed),
            c.dropped.load(Ordering::Relaxed),
            c.duplicated.load(Ordering::Relaxed),
            c.held.load(Ordering::Relaxed),
        )
    }

    fn body(
        &self,
        order: &DevOrder,
        event: &str,
        at: OffsetDateTime,
        refund: Option<(&str, &str)>,
    ) -> Outgoing {
        let body = NotificationBody {
            id: format!("NTF-{}", random_code(20)),
            event: event.to_owned(),
            out_trade_no: order.view.out_trade_no.clone(),
            order_id: order.view.order_id.clone(),
            amount_fen: order.view.amount_fen,
            at: at.to_offset(CHINA),
            refund_id: refund.map(|(r, _)| r.to_owned()),
            provider_refund_id: refund.map(|(_, p)| p.to_owned()),
        };
        Outgoing {
            url: order.notify_url.clone(),
            headers: HeaderMap::new(),
            body: serde_json::to_vec(&body).unwrap_or_default(),
        }
    }

    /// Applies the chaos knobs to one notification.
    fn dispatch(&self, outgoing: Outgoing) {
        let chaos = &self.config.chaos;
        let (batch, dropped) = {
            let mut state = self.lock();
            let drop = state.rng.chance(chaos.drop);
            let duplicate = state.rng.chance(chaos.duplicate);
            let hold = state.rng.chance(chaos.out_of_order);
            let first = state.rng.between(chaos.delay_ms.0, chaos.delay_ms.1);
            let second = state.rng.between(chaos.delay_ms.0, chaos.delay_ms.1);
            if drop {
                (Vec::new(), true)
            } else if hold && state.held.is_none() {
                self.counters.held.fetch_add(1, Ordering::Relaxed);
                let mut batch = Vec::new();
                if duplicate {
                    // The copy goes now, the original after the next one.
                    self.counters.duplicated.fetch_add(1, Ordering::Relaxed);
                    batch.push((outgoing.clone(), first));
                }
                state.held = Some(outgoing);
                (batch, false)
            } else {
                let mut batch = vec![(outgoing.clone(), first)];
                if duplicate {
                    self.counters.duplicated.fetch_add(1, Ordering::Relaxed);
                    batch.push((outgoing, first + second));
                }
                if let Some(held) = state.held.take() {
                    // After the one just sent (at once when there are no delays).
                    let after = first + second + u64::from(chaos.delay_ms.1 > 0);
                    batch.push((held, after));
                }
                (batch, false)
            }
        };
        if dropped {
            self.counters.dropped.fetch_add(1, Ordering::Relaxed);
        }
        for (outgoing, delay) in batch {
            self.send(outgoing, delay);
        }
    }

    /// Signs (at sending time, like a real provider's every re-delivery)
    /// and delivers after `delay_ms`.
    fn send(&self, outgoing: Outgoing, delay_ms: u64) {
        self.counters.sent.fetch_add(1, Ordering::Relaxed);
        match &self.delivery {
            Delivery::Sink(tx) if delay_ms == 0 => {
                let signed = self.signed(outgoing);
                let _ = tx.send(signed);
            }
            Delivery::Sink(tx) => {
                let tx = tx.clone();
                let signer = self.signer.clone();
                let clock = self.clock.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(delay_ms)).await;
                    let _ = tx.send(sign_with(&signer, &*clock, outgoing));
                });
            }
            Delivery::Http => {
                let signer = self.signer.clone();
                let clock = self.clock.clone();
                let client = self.client.clone();
                let retries = self.config.chaos.retries;
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(delay_ms)).await;
                    let mut pause = Duration::from_millis(500);
                    for attempt in 0..=retries {
                        let signed = sign_with(&signer, &*clock, outgoing.clone());
                        let sent = client
                            .post(&signed.url)
                            .headers(signed.headers)
                            .body(signed.body)
                            .send()
                            .await;
                        match sent {
                            Ok(answer) if answer.status().is_success() => return,
                            Ok(answer) => tracing::info!(
                                status = answer.status().as_u16(),
                                attempt,
                                "dev provider: notification not accepted"
                            ),
                            Err(e) => tracing::info!(
                                error = %e.without_url(),
                                attempt,
                                "dev provider: notification not delivered"
                            ),
                        }
                        tokio::time::sleep(pause).await;
                        pause *= 2;
                    }
                });
            }
        }
    }

    fn signed(&self, outgoing: Outgoing) -> Outgoing {
        sign_with(&self.signer, &*self.clock, outgoing)
    }
}

fn sign_with(signer: &Signer, clock: &dyn Clock, mut outgoing: Outgoing) -> Outgoing {
    outgoing.headers = signer.sign(
        &outgoing.body,
        clock.now().unix_timestamp(),
        &random_code(22),
    );
    outgoing
}

/// A pending order past its expiry is closed.
fn lapse(order: &mut DevOrder, now: OffsetDateTime) {
    if order.view.status == OrderStatus::Pending && now >= order.view.expires_at {
        order.view.status = OrderStatus::Closed;
    }
}

fn state_of(order: &DevOrder) -> OrderState {
    OrderState {
        out_trade_no: order.view.out_trade_no.clone(),
        order_id: order.view.order_id.clone(),
        amount_fen: order.view.amount_fen,
        status: order.view.status,
    }
}

fn china_day(at: OffsetDateTime) -> Date {
    at.to_offset(CHINA).date()
}

#[async_trait]
impl Provider for DevProvider {
    fn name(&self) -> &str {
        "dev"
    }

    async fn create_order(&self, req: &OrderRequest) -> Result<Order, ProviderError> {
        self.check_up()?;
        if req.amount_fen <= 0 {
            return Err(ProviderError::Refused {
                code: "amount_invalid".into(),
            });
        }
        let now = self.clock.now();
        let mut state = self.lock();
        if let Some(id) = state.by_trade.get(&req.out_trade_no).cloned()
            && let Some(order) = state.orders.get_mut(&id)
        {
            lapse(order, now);
            if order.view.amount_fen != req.amount_fen {
                return Err(ProviderError::Refused {
                    code: "out_trade_no_reused".into(),
                });
            }
            if order.view.status == OrderStatus::Closed {
                return Err(ProviderError::Refused {
                    code: "order_closed".into(),
                });
            }
            return Ok(Order {
                order_id: id.clone(),
                pay_url: format!("{}/dev-pay/{id}", self.config.pay_base_url),
            });
        }
        let order_id = format!("DEV{}", random_code(18));
        let order = DevOrder {
            view: DevOrderView {
                order_id: order_id.clone(),
                out_trade_no: req.out_trade_no.clone(),
                amount_fen: req.amount_fen,
                description: req.description.clone(),
                payee: req.payee.clone(),
                return_url: req.return_url.clone(),
                expires_at: req.expires_at,
                status: OrderStatus::Pending,
            },
            notify_url: req.notify_url.clone(),
            refund: None,
        };
        state.orders.insert(order_id.clone(), order);
        state
            .by_trade
            .insert(req.out_trade_no.clone(), order_id.clone());
        Ok(Order {
            pay_url: format!("{}/dev-pay/{order_id}", self.config.pay_base_url),
            order_id,
        })
    }

    async fn query_order(&self, out_trade_no: &str) -> Result<OrderState, ProviderError> {
        self.check_up()?;
        let now = self.clock.now();
        let mut state = self.lock();
        let id = state
            .by_trade
            .get(out_trade_no)
            .cloned()
            .ok_or(ProviderError::NotFound)?;
        let order = state.orders.get_mut(&id).ok_or(ProviderError::NotFound)?;
        lapse(order, now);
        Ok(state_of(order))
    }

    async fn close_order(&self, out_trade_no: &str) -> Result<OrderState, ProviderError> {
        self.check_up()?;
        let mut state = self.lock();
        let id = state
            .by_trade
            .get(out_trade_no)
            .cloned()
            .ok_or(ProviderError::NotFound)?;
        let order = state.orders.get_mut(&id).ok_or(ProviderError::NotFound)?;
        if order.view.status == OrderStatus::Pending {
            order.view.status = OrderStatus::Closed;
        }
        Ok(state_of(order))
    }

    async fn refund(&self, req: &RefundRequest) -> Result<RefundState, ProviderError> {
        self.check_up()?;
        let now = self.clock.now();
        let outgoing = {
            let mut state = self.lock();
            let id = state
                .by_trade
                .get(&req.out_trade_no)
                .cloned()
                .ok_or(ProviderError::NotFound)?;
            let order = state.orders.get_mut(&id).ok_or(ProviderError::NotFound)?;
            if let Some((refund_id, provider_refund_id, at, _)) = &order.refund {
                if *refund_id != req.refund_id {
                    return Err(ProviderError::Refused {
                        code: "refund_exceeds".into(),
                    });
                }
                return Ok(RefundState::Succeeded {
                    provider_refund_id: provider_refund_id.clone(),
                    at: *at,
                });
            }
            let OrderStatus::Paid { paid_at } = order.view.status else {
                return Err(ProviderError::Refused {
                    code: "order_not_paid".into(),
                });
            };
            if req.amount_fen != order.view.amount_fen {
                return Err(ProviderError::Refused {
                    code: "refund_amount_invalid".into(),
                });
            }
            let provider_refund_id = format!("DRF{}", random_code(16));
            order.view.status = OrderStatus::Refunded {
                paid_at,
                refunded_at: now,
            };
            order.refund = Some((
                req.refund_id.clone(),
                provider_refund_id.clone(),
                now,
                req.notify_url.clone(),
            ));
            let mut outgoing = self.body(
                order,
                "refund.succeeded",
                now,
                Some((&req.refund_id, &provider_refund_id)),
            );
            outgoing.url = req.notify_url.clone();
            (outgoing, provider_refund_id)
        };
        let (outgoing, provider_refund_id) = outgoing;
        self.dispatch(outgoing);
        Ok(RefundState::Succeeded {
            provider_refund_id,
            at: now,
        })
    }

    fn verify_notification(
        &self,
        body: &[u8],
        headers: &HeaderMap,
        now: OffsetDateTime,
    ) -> Result<Notification, ProviderError> {
        self.verifier.verify(body, headers, now)
    }

    fn acknowledgement(&self, accepted: bool) -> Ack {
        if accepted {
            Ack {
                status: 200,
                content_type: "application/json",
                body: r#"{"code":"SUCCESS"}"#.into(),
            }
        } else {
            Ack {
                status: 500,
                content_type: "application/json",
                body: r#"{"code":"FAIL"}"#.into(),
            }
        }
    }

    async fn statement(&self, day: Date) -> Result<Statement, ProviderError> {
        self.check_up()?;
        let state = self.lock();
        let mut lines = Vec::new();
        for order in state.orders.values() {
            let paid_at = match order.view.status {
                OrderStatus::Paid { paid_at } | OrderStatus::Refunded { paid_at, .. } => paid_at,
                _ => continue,
            };
            if china_day(paid_at) == day {
                lines.push(StatementLine {
                    out_trade_no: order.view.out_trade_no.clone(),
                    order_id: order.view.order_id.clone(),
                    kind: LineKind::Payment,
                    amount_fen: order.view.amount_fen,
                    at: paid_at,
                });
            }
            if let Some((_, _, at, _)) = &order.refund
                && china_day(*at) == day
            {
                lines.push(StatementLine {
                    out_trade_no: order.view.out_trade_no.clone(),
                    order_id: order.view.order_id.clone(),
                    kind: LineKind::Refund,
                    amount_fen: order.view.amount_fen,
                    at: *at,
                });
            }
        }
        lines.extend(
            state
                .extra_lines
                .iter()
                .filter(|l| china_day(l.at) == day)
                .cloned(),
        );
        lines.sort_by(|a, b| (a.at, &a.out_trade_no).cmp(&(b.at, &b.out_trade_no)));
        Ok(Statement { lines })
    }
}
