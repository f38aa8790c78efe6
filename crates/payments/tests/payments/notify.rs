//! Notifications: good, duplicate, late, out of order, missing, forged,
//! unsigned, stale, for unknown orders and with wrong amounts.

use std::sync::atomic::Ordering;
use yuesou_gateway::Clock;

use http::HeaderMap;
use yuesou_payments::provider::wire::{NotificationBody, Signer};
use yuesou_payments::{Chaos, Effect, PaymentStatus, PaymentTarget};
use yuesou_store::testing::{TestDb, each_backend};

use crate::support::{World, payer_with_bill};

async fn count(world: &World, sql: &str, id: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .bind(id)
        .fetch_one(world.db.pool())
        .await
        .unwrap_or(-1)
}

/// How many settlements, receipts and transitions a payment has.
async fn records(world: &World, id: &str) -> (i64, i64, i64) {
    (
        count(
            world,
            "SELECT COUNT(*) FROM payment_settlements WHERE payment_id = $1",
            id,
        )
        .await,
        count(
            world,
            "SELECT COUNT(*) FROM payment_receipts WHERE payment_id = $1",
            id,
        )
        .await,
        count(
            world,
            "SELECT COUNT(*) FROM payment_transitions WHERE payment_id = $1",
            id,
        )
        .await,
    )
}

#[tokio::test]
async fn a_paid_notification_settles_and_issues_one_receipt() {
    each_backend(async |t: TestDb| {
        let world = World::new(t.db.clone()).await;
        let (p, bill_id, amount) = payer_with_bill(&world, 0).await;
        let created = world
            .payments
            .create(&p, &PaymentTarget::bill(&bill_id), "k")
            .await;
        let id = created.map(|c| c.payment.id).unwrap_or_default();
        assert!(world.provider.pay(&id).is_ok());
        let outcomes = world.deliver().await;
        assert_eq!(outcomes.len(), 1);
        let outcome = outcomes.into_iter().next().and_then(Result::ok);
        let outcome = outcome.unwrap_or_else(|| panic!("{}: accepted", t.backend));
        assert_eq!((outcome.event, outcome.effect), ("paid", Effect::Applied));
        assert_eq!(outcome.status, PaymentStatus::Settled);
        let payment = world
            .payments
            .get(&p, &id)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(payment.status, PaymentStatus::Settled);
        assert!(payment.pay_url.is_none());
        assert!(payment.receipt_number.is_some());
        assert_eq!(records(&world, &id).await, (1, 1, 4));
        let receipt = world
            .payments
            .receipt(&p, &id)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(receipt.amount_fen, amount);
        assert_eq!(receipt.payer_name, "陈嘉明");
        let number = p.id_number.clone().unwrap_or_default();
        assert_eq!(
            receipt.payer_id_masked,
            format!("4401{}{}", "*".repeat(10), &number[14..])
        );
        assert_eq!(receipt.item_id, "shjf-dfjf-440100");
        assert!(receipt.payee.contains("广州供电局"));
        // The department has it paid now.
        let view = world
            .payments
            .bills(&p, &Default::default())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let bill = view.bills.iter().find(|b| b.id == bill_id);
        assert_eq!(
            bill.map(|b| b.status),
            Some(yuesou_payments::BillState::Paid)
        );
        // Wallet work: issue once.
        let todo = world
            .payments
            .receipts_to_issue(10)
            .await
            .unwrap_or_default();
        assert_eq!(todo.len(), 1);
        assert_eq!(
            world.payments.attach_wallet_entry(&id, "w-1").await.ok(),
            Some(true)
        );
        assert_eq!(
            world.payments.attach_wallet_entry(&id, "w-2").await.ok(),
            Some(false)
        );
        assert!(
            world
                .payments
                .receipts_to_issue(10)
                .await
                .unwrap_or_default()
                .is_empty()
        );
        let payment = world
            .payments
            .get(&p, &id)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(payment.wallet_entry_id.as_deref(), Some("w-1"));
        let stats = world.payments.stats();
        assert_eq!(stats.notifications.get("applied"), Some(&1));
    })
    .await;
}

#[tokio::test]
async fn duplicate_late_and_replayed_notifications_change_nothing() {
    each_backend(async |t: TestDb| {
        let chaos = Chaos {
            duplicate: 1.0,
            ..Chaos::default()
        };
        let world = World::with_chaos(t.db.clone(), chaos).await;
        let (p, bill_id, _) = payer_with_bill(&world, 0).await;
        let id = world
            .payments
            .create(&p, &PaymentTarget::bill(&bill_id), "k")
            .await
            .map(|c| c.payment.id)
            .unwrap_or_default();
        assert!(world.provider.pay(&id).is_ok());
        let sent = world.take_notifications().await;
        assert_eq!(sent.len(), 2, "sent twice");
        let first = world
            .payments
            .on_notification(&sent[0].body, &sent[0].headers)
            .await;
        assert_eq!(first.map(|o| o.effect).ok(), Some(Effect::Applied));
        let second = world
            .payments
            .on_notification(&sent[1].body, &sent[1].headers)
            .await;
        assert_eq!(second.map(|o| o.effect).ok(), Some(Effect::Duplicate));
        // The very same request again (a replay within the window).
        let replay = world
            .payments
            .on_notification(&sent[0].body, &sent[0].headers)
            .await;
        assert_eq!(replay.map(|o| o.effect).ok(), Some(Effect::Duplicate));
        // Much later: the signature's window has passed.
        world.clock.advance(time::Duration::minutes(6));
        let late = world
            .payments
            .on_notification(&sent[0].body, &sent[0].headers)
            .await;
        assert_eq!(late.map_err(|e| e.code()).err(), Some("notification_stale"));
        assert_eq!(records(&world, &id).await, (1, 1, 4), "{}", t.backend);
        assert_eq!(world.gateway.settle_calls.load(Ordering::SeqCst), 1);
        let notifications = count(
            &world,
            "SELECT COUNT(*) FROM payment_notifications WHERE payment_id = $1",
            &id,
        )
        .await;
        assert_eq!(notifications, 1, "one notification id, recorded once");
    })
    .await;
}

#[tokio::test]
async fn out_of_order_notifications_apply_each_once() {
    each_backend(async |t: TestDb| {
        // Every notification is held back until the next one is sent.
        let chaos = Chaos {
            out_of_order: 1.0,
            ..Chaos::default()
        };
        let world = World::with_chaos(t.db.clone(), chaos).await;
        let (p, bill_a, _) = payer_with_bill(&world, 0).await;
        let (q, bill_b, _) = payer_with_bill(&world, 300).await;
        let a = world
            .payments
            .create(&p, &PaymentTarget::bill(&bill_a), "a")
            .await;
        let b = world
            .payments
            .create(&q, &PaymentTarget::bill(&bill_b), "b")
            .await;
        let (a, b) = (
            a.map(|c| c.payment.id).unwrap_or_default(),
            b.map(|c| c.payment.id).unwrap_or_default(),
        );
        assert!(world.provider.pay(&a).is_ok());
        assert!(world.take_notifications().await.is_empty(), "a's is held");
        // The person cancels b: its "closed" goes out first, then a's "paid".
        let order_b = world
            .provider
            .order_of(&b)
            .map(|o| o.order_id)
            .unwrap_or_default();
        assert!(world.provider.cancel(&order_b).is_ok());
        let outcomes = world.deliver().await;
        let got: Vec<_> = outcomes
            .iter()
            .map(|o| o.as_ref().map(|o| (o.payment_id.clone(), o.event)).ok())
            .collect();
        assert_eq!(
            got,
            [Some((b.clone(), "closed")), Some((a.clone(), "paid"))]
        );
        assert_eq!(
            world.payments.get(&p, &a).await.map(|x| x.status).ok(),
            Some(PaymentStatus::Settled)
        );
        assert_eq!(
            world.payments.get(&q, &b).await.map(|x| x.status).ok(),
            Some(PaymentStatus::Failed)
        );
        // A "closed" that arrives after "paid" (out of order) is ignored.
        let order_a = world
            .provider
            .order_of(&a)
            .map(|o| o.order_id)
            .unwrap_or_default();
        let closed = NotificationBody {
            id: "NTF-LATE-CLOSE".into(),
            event: "payment.closed".into(),
            out_trade_no: a.clone(),
            order_id: order_a,
            amount_fen: world
                .payments
                .get(&p, &a)
                .await
                .map(|x| x.amount_fen)
                .unwrap_or_default(),
            at: crate::support::NOW,
            refund_id: None,
            provider_refund_id: None,
        };
        let (headers, body) = world.provider.sign(&closed);
        let ignored = world.payments.on_notification(&body, &headers).await;
        assert_eq!(
            ignored.map(|o| o.effect).ok(),
            Some(Effect::Ignored),
            "{}",
            t.backend
        );
        assert_eq!(
            world.payments.get(&p, &a).await.map(|x| x.status).ok(),
            Some(PaymentStatus::Settled)
        );
        // b's bill is free again: pay it anew.
        let again = world
            .payments
            .create(&q, &PaymentTarget::bill(&bill_b), "b2")
            .await;
        assert!(again.is_ok(), "{again:?}");
    })
    .await;
}

#[tokio::test]
async fn a_missing_notification_is_made_up_by_recovery() {
    each_backend(async |t: TestDb| {
        let chaos = Chaos {
            drop: 1.0,
            ..Chaos::default()
        };
        let world = World::with_chaos(t.db.clone(), chaos).await;
        let (p, bill_id, _) = payer_with_bill(&world, 0).await;
        let id = world
            .payments
            .create(&p, &PaymentTarget::bill(&bill_id), "k")
            .await
            .map(|c| c.payment.id)
            .unwrap_or_default();
        assert!(world.provider.pay(&id).is_ok());
        assert!(world.deliver().await.is_empty(), "never sent");
        // Too early to ask: nothing happens.
        let report = world
            .payments
            .recover(world.clock.now())
            .await
            .unwrap_or_default();
        assert_eq!(report.found_paid, 0);
        world.clock.advance(time::Duration::seconds(61));
        let report = world
            .payments
            .recover(world.clock.now())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((report.found_paid, report.errors), (1, 0), "{}", t.backend);
        assert_eq!(
            world.payments.get(&p, &id).await.map(|x| x.status).ok(),
            Some(PaymentStatus::Settled)
        );
        assert_eq!(records(&world, &id).await, (1, 1, 4));
        let (_, transitions) = world
            .payments
            .audit(&id)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(transitions[2].cause, "query");
        // The person looking at the page (refresh) would have found it too.
        let refreshed = world.payments.refresh(&p, &id).await;
        assert_eq!(
            refreshed.map(|x| x.status).ok(),
            Some(PaymentStatus::Settled)
        );
    })
    .await;
}

#[tokio::test]
async fn refresh_finds_a_payment_before_its_notification() {
    each_backend(async |t: TestDb| {
        let chaos = Chaos {
            delay_ms: (60_000, 60_000),
            ..Chaos::default()
        };
        let world = World::with_chaos(t.db.clone(), chaos).await;
        let (p, bill_id, _) = payer_with_bill(&world, 0).await;
        let id = world
            .payments
            .create(&p, &PaymentTarget::bill(&bill_id), "k")
            .await
            .map(|c| c.payment.id)
            .unwrap_or_default();
        assert!(world.provider.pay(&id).is_ok());
        let refreshed = world.payments.refresh(&p, &id).await;
        assert_eq!(
            refreshed.map(|x| x.status).ok(),
            Some(PaymentStatus::Settled),
            "{}",
            t.backend
        );
    })
    .await;
}

#[tokio::test]
async fn forged_unsigned_and_mismatched_notifications_change_nothing() {
    each_backend(async |t: TestDb| {
        let world = World::new(t.db.clone()).await;
        let (p, bill_id, amount) = payer_with_bill(&world, 0).await;
        let id = world
            .payments
            .create(&p, &PaymentTarget::bill(&bill_id), "k")
            .await
            .map(|c| c.payment.id)
            .unwrap_or_default();
        let order = world
            .provider
            .order_of(&id)
            .map(|o| o.order_id)
            .unwrap_or_default();
        let paid = |amount_fen: i64, out_trade_no: &str, order_id: &str| NotificationBody {
            id: format!("NTF-{amount_fen}-{}", out_trade_no.len()),
            event: "payment.succeeded".into(),
            out_trade_no: out_trade_no.into(),
            order_id: order_id.into(),
            amount_fen,
            at: crate::support::NOW,
            refund_id: None,
            provider_refund_id: None,
        };
        let body = serde_json::to_vec(&paid(amount, &id, &order)).unwrap_or_default();
        // Unsigned.
        let r = world
            .payments
            .on_notification(&body, &HeaderMap::new())
            .await;
        assert_eq!(
            r.map_err(|e| (e.code(), e.http_status())).err(),
            Some(("bad_signature", 401))
        );
        // Signed by another key under the provider's key id.
        let forger = Signer::from_seed(world.provider.key_id(), [9; 32]);
        let headers = forger.sign(
            &body,
            crate::support::NOW.unix_timestamp(),
            "forgedforgedforged",
        );
        let r = world.payments.on_notification(&body, &headers).await;
        assert_eq!(r.map_err(|e| e.code()).err(), Some("bad_signature"));
        // Signed correctly, body changed afterwards.
        let (headers, _) = world.provider.sign(&paid(amount, &id, &order));
        let tampered = serde_json::to_vec(&paid(1, &id, &order)).unwrap_or_default();
        let r = world.payments.on_notification(&tampered, &headers).await;
        assert_eq!(r.map_err(|e| e.code()).err(), Some("bad_signature"));
        // Signed correctly, but for another amount, another order, or an
        // order the platform does not have.
        let (headers, body) = world.provider.sign(&paid(amount + 1, &id, &order));
        let r = world.payments.on_notification(&body, &headers).await;
        assert_eq!(
            r.map_err(|e| (e.code(), e.http_status())).err(),
            Some(("notification_mismatch", 422))
        );
        let (headers, body) = world.provider.sign(&paid(amount, &id, "DEVOTHERORDER"));
        let r = world.payments.on_notification(&body, &headers).await;
        assert_eq!(r.map_err(|e| e.code()).err(), Some("notification_mismatch"));
        let (headers, body) =
            world
                .provider
                .sign(&paid(amount, "PAY-20261015-UNKNOWN00000", &order));
        let r = world.payments.on_notification(&body, &headers).await;
        assert_eq!(
            r.map_err(|e| (e.code(), e.http_status())).err(),
            Some(("unknown_order", 404))
        );
        // Signed, but not a notification (a fractional amount).
        let text =
            String::from_utf8(serde_json::to_vec(&paid(amount, &id, &order)).unwrap_or_default())
                .unwrap_or_default()
                .replace(&format!("\"amount_fen\":{amount}"), "\"amount_fen\":196.95");
        let own = Signer::from_seed("devpay-1", *b"yuesou-dev-provider-seed-0000001");
        let headers = own.sign(
            text.as_bytes(),
            crate::support::NOW.unix_timestamp(),
            "fractionalfractional",
        );
        let r = world
            .payments
            .on_notification(text.as_bytes(), &headers)
            .await;
        assert_eq!(
            r.map_err(|e| e.code()).err(),
            Some("notification_malformed")
        );
        // Nothing moved; nothing was charged twice or settled.
        let payment = world
            .payments
            .get(&p, &id)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(payment.status, PaymentStatus::Paying, "{}", t.backend);
        assert_eq!(records(&world, &id).await, (0, 0, 2));
        assert_eq!(world.gateway.settle_calls.load(Ordering::SeqCst), 0);
        let stats = world.payments.stats();
        assert_eq!(stats.notifications.get("bad_signature"), Some(&3));
        assert_eq!(stats.notifications.get("mismatch"), Some(&2));
        assert_eq!(stats.notifications.get("unknown_order"), Some(&1));
        // The real one still works.
        assert!(world.provider.pay(&id).is_ok());
        let outcomes = world.deliver().await;
        assert_eq!(outcomes.len(), 1);
        assert_eq!(
            world.payments.get(&p, &id).await.map(|x| x.status).ok(),
            Some(PaymentStatus::Settled)
        );
    })
    .await;
}

#[tokio::test]
async fn chaos_with_a_seed_ends_with_every_payment_settled_once() {
    each_backend(async |t: TestDb| {
        let chaos = Chaos {
            delay_ms: (0, 0),
            duplicate: 0.3,
            out_of_order: 0.3,
            drop: 0.2,
            retries: 0,
            seed: 42,
        };
        let world = World::with_chaos(t.db.clone(), chaos).await;
        let mut ids = Vec::new();
        let mut from = 0;
        for i in 0..12 {
            let (p, bill, _) = payer_with_bill(&world, from).await;
            from = p
                .account_id
                .trim_start_matches("acct-")
                .parse::<u32>()
                .unwrap_or(from)
                + 1;
            let created = world
                .payments
                .create(&p, &PaymentTarget::bill(&bill), &format!("k{i}"))
                .await;
            let id = created
                .map(|c| c.payment.id)
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(world.provider.pay(&id).is_ok());
            ids.push(id);
        }
        world.provider.flush();
        for outcome in world.deliver().await {
            assert!(outcome.is_ok(), "{outcome:?}");
        }
        world.clock.advance(time::Duration::seconds(61));
        let report = world
            .payments
            .recover(world.clock.now())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(report.errors, 0);
        for id in &ids {
            assert_eq!(records(&world, id).await, (1, 1, 4), "{} {id}", t.backend);
        }
        assert_eq!(world.gateway.settle_calls.load(Ordering::SeqCst), 12);
        let (sent, dropped, duplicated, held) = world.provider.notification_counts();
        assert!(
            dropped > 0 && duplicated > 0 && held > 0,
            "{sent} {dropped} {duplicated} {held}"
        );
    })
    .await;
}
