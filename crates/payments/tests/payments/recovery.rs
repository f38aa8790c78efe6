//! Crashes and recovery: between paid and settled, with a lost answer from
//! the department, two instances racing, orders that lapse.

use std::sync::atomic::Ordering;
use yuesou_gateway::Clock;

use yuesou_payments::{PaymentStatus, PaymentTarget};
use yuesou_store::testing::{TestDb, each_backend, postgres_schema};

use crate::support::{DOWN, LOSE_ANSWER, NORMAL, World, payer_with_bill};

async fn settlements(world: &World, id: &str) -> (i64, i64) {
    let n = |sql: &'static str| {
        let db = world.db.clone();
        let id = id.to_owned();
        async move {
            sqlx::query_scalar::<_, i64>(sql)
                .bind(id)
                .fetch_one(db.pool())
                .await
                .unwrap_or(-1)
        }
    };
    (
        n("SELECT COUNT(*) FROM payment_settlements WHERE payment_id = $1").await,
        n("SELECT COUNT(*) FROM payment_receipts WHERE payment_id = $1").await,
    )
}

#[tokio::test]
async fn a_crash_between_paid_and_settled_ends_in_one_settlement() {
    each_backend(async |t: TestDb| {
        let world = World::new(t.db.clone()).await;
        let (p, bill_id, _) = payer_with_bill(&world, 0).await;
        let id = world
            .payments
            .create(&p, &PaymentTarget::bill(&bill_id), "k")
            .await
            .map(|c| c.payment.id)
            .unwrap_or_default();
        // The department is down when the notification comes: the payment
        // stops at `paid` (as if the daemon had died right after).
        world.gateway.set(DOWN);
        assert!(world.provider.pay(&id).is_ok());
        let outcome = world.deliver().await.pop().and_then(Result::ok);
        assert_eq!(
            outcome.map(|o| o.status),
            Some(PaymentStatus::Paid),
            "{}",
            t.backend
        );
        assert_eq!(settlements(&world, &id).await, (0, 0));
        drop(world.payments.clone());
        // A new daemon on the same database, the department back.
        world.gateway.set(NORMAL);
        let restarted = world.another_instance();
        world.clock.advance(time::Duration::seconds(5));
        let report = restarted
            .recover(world.clock.now())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(report.settled, 1);
        assert_eq!(settlements(&world, &id).await, (1, 1));
        assert_eq!(
            restarted.get(&p, &id).await.map(|x| x.status).ok(),
            Some(PaymentStatus::Settled)
        );
        // Running it again does nothing more.
        let report = restarted
            .recover(world.clock.now())
            .await
            .unwrap_or_default();
        assert_eq!(report.settled, 0);
        assert_eq!(settlements(&world, &id).await, (1, 1));
    })
    .await;
}

#[tokio::test]
async fn a_lost_answer_from_the_department_settles_once() {
    each_backend(async |t: TestDb| {
        let world = World::new(t.db.clone()).await;
        let (p, bill_id, amount) = payer_with_bill(&world, 0).await;
        let id = world
            .payments
            .create(&p, &PaymentTarget::bill(&bill_id), "k")
            .await
            .map(|c| c.payment.id)
            .unwrap_or_default();
        // The department records the payment, but its answer is lost.
        world.gateway.set(LOSE_ANSWER);
        assert!(world.provider.pay(&id).is_ok());
        world.deliver().await;
        assert_eq!(settlements(&world, &id).await, (0, 0));
        world.gateway.set(NORMAL);
        // Backoff: not yet.
        let report = world
            .payments
            .recover(world.clock.now())
            .await
            .unwrap_or_default();
        assert_eq!(report.settled, 0);
        world.clock.advance(time::Duration::seconds(2));
        let report = world
            .payments
            .recover(world.clock.now())
            .await
            .unwrap_or_default();
        assert_eq!(report.settled, 1, "{}", t.backend);
        assert_eq!(settlements(&world, &id).await, (1, 1));
        // The department has the bill settled, by this payment.
        assert_eq!(world.settled_by(&bill_id).await, Some(id.clone()));
        let payment = world
            .payments
            .get(&p, &id)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(payment.amount_fen, amount);
        assert_eq!(world.gateway.settle_calls.load(Ordering::SeqCst), 2);
    })
    .await;
}

#[tokio::test]
async fn two_instances_racing_recovery_on_one_postgres() {
    let Some(url) = postgres_schema().await else {
        return;
    };
    let db = yuesou_store::Db::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let world = World::new(db.clone()).await;
    // Another pool on the same schema: a second daemon.
    let db2 = yuesou_store::Db::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let other = yuesou_payments::Payments::new(
        db2,
        world.gateway.clone(),
        world.provider.clone(),
        crate::support::items(),
        crate::support::settings(),
        world.clock.clone(),
    );
    let mut ids = Vec::new();
    let mut bills = Vec::new();
    let mut from = 0;
    world.gateway.set(DOWN);
    for i in 0..10 {
        let (p, bill, _) = payer_with_bill(&world, from).await;
        from = p
            .account_id
            .trim_start_matches("acct-")
            .parse::<u32>()
            .unwrap_or(from)
            + 1;
        let id = world
            .payments
            .create(&p, &PaymentTarget::bill(&bill), &format!("k{i}"))
            .await
            .map(|c| c.payment.id)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(world.provider.pay(&id).is_ok());
        ids.push(id);
        bills.push(bill);
    }
    // Half are paid (notifications delivered while the department is
    // down), half are still paying (their notifications lost).
    let sent = world.take_notifications().await;
    for n in sent.iter().step_by(2) {
        assert!(
            world
                .payments
                .on_notification(&n.body, &n.headers)
                .await
                .is_ok()
        );
    }
    world.gateway.set(NORMAL);
    world.clock.advance(time::Duration::seconds(120));
    let now = world.clock.now();
    let (a, b) = tokio::join!(world.payments.recover(now), other.recover(now));
    let (a, b) = (
        a.unwrap_or_else(|e| panic!("{e}")),
        b.unwrap_or_else(|e| panic!("{e}")),
    );
    assert_eq!(a.errors + b.errors, 0);
    for id in &ids {
        assert_eq!(settlements(&world, id).await, (1, 1), "{id}");
        let (payment, transitions) = world
            .payments
            .audit(id)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(payment.status, PaymentStatus::Settled);
        let settled = transitions
            .iter()
            .filter(|t| t.to == PaymentStatus::Settled)
            .count();
        let paid = transitions
            .iter()
            .filter(|t| t.to == PaymentStatus::Paid)
            .count();
        assert_eq!((paid, settled), (1, 1), "{id}");
    }
    // The department settled each bill once, by its payment.
    for (id, bill) in ids.iter().zip(&bills) {
        assert_eq!(world.settled_by(bill).await.as_ref(), Some(id));
    }
}

#[tokio::test]
async fn unpaid_orders_expire_and_free_the_bill() {
    each_backend(async |t: TestDb| {
        let world = World::new(t.db.clone()).await;
        let (p, bill_id, _) = payer_with_bill(&world, 0).await;
        let id = world
            .payments
            .create(&p, &PaymentTarget::bill(&bill_id), "k")
            .await
            .map(|c| c.payment.id)
            .unwrap_or_default();
        world.clock.advance(time::Duration::minutes(5));
        let report = world
            .payments
            .recover(world.clock.now())
            .await
            .unwrap_or_default();
        assert_eq!(
            (report.closed, report.waiting),
            (0, 1),
            "asked, still pending"
        );
        world.clock.advance(time::Duration::minutes(11));
        let report = world
            .payments
            .recover(world.clock.now())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(report.closed, 1, "{}", t.backend);
        let payment = world
            .payments
            .get(&p, &id)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(payment.status, PaymentStatus::Expired);
        assert_eq!(payment.failure.as_deref(), Some("expired"));
        // The order is closed at the provider: it can no longer be paid.
        let order = world
            .provider
            .order_of(&id)
            .map(|o| o.order_id)
            .unwrap_or_default();
        assert_eq!(
            world
                .provider
                .confirm(&order)
                .map_err(|e| e.code().to_owned())
                .err()
                .as_deref(),
            Some("order_closed")
        );
        // The bill can be paid again, with a new key; the old key still
        // names the expired payment.
        let again = world
            .payments
            .create(&p, &PaymentTarget::bill(&bill_id), "k")
            .await;
        assert_eq!(
            again.map(|c| (c.replayed, c.payment.status)).ok(),
            Some((true, PaymentStatus::Expired))
        );
        let fresh = world
            .payments
            .create(&p, &PaymentTarget::bill(&bill_id), "k2")
            .await;
        assert_eq!(
            fresh.map(|c| c.payment.status).ok(),
            Some(PaymentStatus::Paying)
        );
    })
    .await;
}

#[tokio::test]
async fn money_arriving_after_expiry_is_kept_or_refunded() {
    each_backend(async |t: TestDb| {
        let world = World::new(t.db.clone()).await;
        let (p, bill_id, _) = payer_with_bill(&world, 0).await;
        let first = world
            .payments
            .create(&p, &PaymentTarget::bill(&bill_id), "k1")
            .await
            .map(|c| c.payment.id)
            .unwrap_or_default();
        let order = world
            .provider
            .order_of(&first)
            .map(|o| o.order_id)
            .unwrap_or_default();
        // The person pays at the last second; the notification is slow and
        // the platform expires the payment meanwhile (a provider that let
        // it through). Simulate: expire on our side only.
        assert!(world.provider.confirm(&order).is_ok());
        let pending = world.take_notifications().await;
        sqlx::query("UPDATE payments SET status = 'expired' WHERE id = $1")
            .bind(&first)
            .execute(world.db.pool())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        // The bill is free: the money is kept and the bill settled.
        let n = &pending[0];
        let outcome = world.payments.on_notification(&n.body, &n.headers).await;
        assert_eq!(
            outcome.map(|o| o.status).ok(),
            Some(PaymentStatus::Settled),
            "{}",
            t.backend
        );

        // Again, but another payment took the bill meanwhile: refunded.
        let (q, bill_q, _) = payer_with_bill(&world, 300).await;
        let a = world
            .payments
            .create(&q, &PaymentTarget::bill(&bill_q), "a")
            .await
            .map(|c| c.payment.id)
            .unwrap_or_default();
        let order_a = world
            .provider
            .order_of(&a)
            .map(|o| o.order_id)
            .unwrap_or_default();
        assert!(world.provider.confirm(&order_a).is_ok());
        let late = world.take_notifications().await;
        sqlx::query("UPDATE payments SET status = 'expired' WHERE id = $1")
            .bind(&a)
            .execute(world.db.pool())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let b = world
            .payments
            .create(&q, &PaymentTarget::bill(&bill_q), "b")
            .await
            .map(|c| c.payment.id)
            .unwrap_or_default();
        let outcome = world
            .payments
            .on_notification(&late[0].body, &late[0].headers)
            .await;
        assert_eq!(
            outcome.map(|o| o.status).ok(),
            Some(PaymentStatus::Refunded)
        );
        let (_, transitions) = world
            .payments
            .audit(&a)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(transitions.iter().any(|t| t.cause == "paid_after_close"));
        assert_eq!(
            world.payments.get(&q, &b).await.map(|x| x.status).ok(),
            Some(PaymentStatus::Paying)
        );
    })
    .await;
}

#[tokio::test]
async fn a_provider_outage_at_creation_is_finished_by_a_retry_or_expires() {
    each_backend(async |t: TestDb| {
        let world = World::new(t.db.clone()).await;
        let (p, bill_id, _) = payer_with_bill(&world, 0).await;
        let target = PaymentTarget::bill(&bill_id);
        world.provider.set_unavailable(true);
        let down = world.payments.create(&p, &target, "k").await;
        assert_eq!(down.map_err(|e| (e.code(), e.http_status())).err(), Some(("provider_unavailable", 503)));
        // The payment is recorded and holds the bill; another device learns which.
        let list = world.payments.list(&p).await.unwrap_or_default();
        assert_eq!(list.iter().map(|x| x.status).collect::<Vec<_>>(), [PaymentStatus::Created], "{}", t.backend);
        let id = list[0].id.clone();
        let other = world.payments.create(&p, &target, "tablet").await;
        assert!(matches!(other, Err(yuesou_payments::PaymentError::PaymentInProgress { payment_id: Some(ref x) }) if *x == id));
        // The provider is back: the page's refresh (or the same key) finishes it.
        world.provider.set_unavailable(false);
        let refreshed = world.payments.refresh(&p, &id).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(refreshed.status, PaymentStatus::Paying);
        assert!(refreshed.pay_url.is_some());
        let again = world.payments.create(&p, &target, "k").await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((again.replayed, again.payment.id.as_str()), (true, id.as_str()));

        // Down again for another bill, and nobody retries: it expires.
        let (q, bill_q, _) = payer_with_bill(&world, 300).await;
        world.provider.set_unavailable(true);
        assert!(world.payments.create(&q, &PaymentTarget::bill(&bill_q), "q").await.is_err());
        world.provider.set_unavailable(false);
        world.clock.advance(time::Duration::minutes(16));
        let report = world.payments.recover(world.clock.now()).await.unwrap_or_else(|e| panic!("{e}"));
        assert!(report.closed >= 1);
        let list = world.payments.list(&q).await.unwrap_or_default();
        assert_eq!(list.iter().map(|x| x.status).collect::<Vec<_>>(), [PaymentStatus::Expired]);
        assert!(world.payments.create(&q, &PaymentTarget::bill(&bill_q), "q2").await.is_ok());
    })
    .await;
}
