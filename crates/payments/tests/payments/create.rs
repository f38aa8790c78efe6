//! Bills, creating payments, idempotency keys, conflicts and bad input.

use yuesou_payments::{
    BillFamilies, BillQuery, BillState, ItemInfo, PayableItems, PaymentStatus, PaymentTarget,
};
use yuesou_store::testing::{TestDb, each_backend};

use crate::support::{ELECTRICITY_GZ, FINES, GAS_GZ, World, data_dir, payer, payer_with_bill};

#[tokio::test]
async fn bills_list_the_persons_bills_and_top_ups_once() {
    each_backend(async |t: TestDb| {
        let world = World::new(t.db.clone()).await;
        let (p, bill_id, amount) = payer_with_bill(&world, 0).await;
        let view = world.payments.bills(&p, &BillQuery::default()).await;
        let view = view.unwrap_or_else(|e| panic!("{}: {e}", t.backend));
        let bill = view.bills.iter().find(|b| b.id == bill_id);
        let bill = bill.unwrap_or_else(|| panic!("the bill is listed"));
        assert_eq!(bill.status, BillState::Unpaid);
        assert_eq!(bill.amount_fen, amount);
        // The Shenzhen item answers the same development bills; they are
        // listed once, under the Guangzhou item (the payee is 广州's).
        assert!(
            view.bills
                .iter()
                .all(|b| !b.id.starts_with("shjf-dfjf-440300"))
        );
        let ids: std::collections::HashSet<_> = view.bills.iter().map(|b| &b.id).collect();
        assert_eq!(ids.len(), view.bills.len());
        assert!(
            view.top_ups
                .iter()
                .any(|t| t.item_id == GAS_GZ && t.kind == "gas")
        );
        assert!(view.unavailable.is_empty());

        // Paying it shows it as paying, with the payment.
        let created = world
            .payments
            .create(&p, &PaymentTarget::bill(&bill_id), "key-1")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let view = world
            .payments
            .bills(
                &p,
                &BillQuery {
                    item_id: Some(ELECTRICITY_GZ.into()),
                    customer_number: None,
                },
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let bill = view.bills.iter().find(|b| b.id == bill_id);
        assert_eq!(bill.map(|b| b.status), Some(BillState::Paying));
        assert_eq!(
            bill.and_then(|b| b.payment_id.clone()),
            Some(created.payment.id)
        );
    })
    .await;
}

#[tokio::test]
async fn every_payable_catalogue_item_is_asked_once() {
    // The real catalogue: 76 缴费 items, 68 of the families this crate pays.
    let text = std::fs::read_to_string(data_dir().join("catalogue.jsonl"))
        .unwrap_or_else(|e| panic!("catalogue: {e}"));
    let infos: Vec<ItemInfo> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["service_type"] == "缴费")
        .map(|v| ItemInfo {
            id: v["id"].as_str().unwrap_or("").into(),
            title: v["title"].as_str().unwrap_or("").into(),
            department: v["department"].as_str().unwrap_or("").into(),
            region_name: None,
            audience: v["audience"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect();
    assert_eq!(infos.len(), 76);
    let items = PayableItems::build(infos, &BillFamilies::bundled());
    assert_eq!(items.len(), 68);
    each_backend(async |t: TestDb| {
        let world = World::new(t.db.clone()).await;
        let payments = yuesou_payments::Payments::new(
            t.db.clone(),
            world.gateway.clone(),
            world.provider.clone(),
            items.clone(),
            crate::support::settings(),
            world.clock.clone(),
        );
        let view = payments
            .bills(&payer(1), &BillQuery::default())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let ids: std::collections::HashSet<_> = view.bills.iter().map(|b| &b.id).collect();
        assert_eq!(ids.len(), view.bills.len(), "each bill once");
        let electricity = view
            .bills
            .iter()
            .filter(|b| b.kind == "electricity")
            .count();
        assert_eq!(electricity, 3, "three months of one account");
        assert!(view.top_ups.iter().any(|t| t.kind == "gas"));
    })
    .await;
}

#[tokio::test]
async fn the_same_key_is_the_same_payment() {
    each_backend(async |t: TestDb| {
        let world = World::new(t.db.clone()).await;
        let (p, bill_id, amount) = payer_with_bill(&world, 0).await;
        let target = PaymentTarget::bill(&bill_id);
        let first = world.payments.create(&p, &target, "k-1").await;
        let first = first.unwrap_or_else(|e| panic!("{}: {e}", t.backend));
        assert!(!first.replayed);
        assert_eq!(first.payment.status, PaymentStatus::Paying);
        assert_eq!(first.payment.amount_fen, amount);
        let url = first.payment.pay_url.clone().unwrap_or_default();
        assert!(url.starts_with("http://127.0.0.1:1/dev-pay/DEV"), "{url}");
        let again = world.payments.create(&p, &target, "k-1").await;
        let again = again.unwrap_or_else(|e| panic!("{e}"));
        assert!(again.replayed);
        assert_eq!(again.payment, first.payment);
        // The same key for another target is refused, nothing is made.
        let other = PaymentTarget::top_up("shjf-rqjf-440100:x", 1000);
        let reused = world.payments.create(&p, &other, "k-1").await;
        assert_eq!(
            reused.map_err(|e| e.code()).err(),
            Some("idempotency_key_reused")
        );
        assert_eq!(world.payments.list(&p).await.map(|l| l.len()).ok(), Some(1));
        // Another account's same key is its own.
        let q = payer(999);
        let theirs = world.payments.create(&q, &target, "k-1").await;
        assert_eq!(theirs.map_err(|e| e.code()).err(), Some("bill_not_found"));
    })
    .await;
}

#[tokio::test]
async fn two_devices_paying_one_bill_at_the_same_instant() {
    each_backend(async |t: TestDb| {
        let world = World::new(t.db.clone()).await;
        let (p, bill_id, _) = payer_with_bill(&world, 0).await;
        let target = PaymentTarget::bill(&bill_id);
        let second_instance = world.another_instance();
        let (a, b) = tokio::join!(
            world.payments.create(&p, &target, "phone"),
            second_instance.create(&p, &target, "tablet"),
        );
        let (won, lost) = match (a, b) {
            (Ok(won), Err(lost)) | (Err(lost), Ok(won)) => (won, lost),
            other => panic!("{}: exactly one must win: {other:?}", t.backend),
        };
        assert_eq!(lost.code(), "payment_in_progress");
        assert_eq!(lost.http_status(), 409);
        match lost {
            yuesou_payments::PaymentError::PaymentInProgress { payment_id } => {
                assert_eq!(
                    payment_id,
                    Some(won.payment.id.clone()),
                    "the same person may continue it"
                );
            }
            other => panic!("{other:?}"),
        }
        // Many at once: still one.
        let (q, bill_q, _) = payer_with_bill(&world, 300).await;
        let target = PaymentTarget::bill(&bill_q);
        let mut tasks = Vec::new();
        for i in 0..8 {
            let payments = if i % 2 == 0 {
                world.payments.clone()
            } else {
                world.another_instance()
            };
            let (q, target) = (q.clone(), target.clone());
            tasks.push(tokio::spawn(async move {
                payments.create(&q, &target, &format!("dev-{i}")).await
            }));
        }
        let mut ok = 0;
        for task in tasks {
            match task.await {
                Ok(Ok(_)) => ok += 1,
                Ok(Err(e)) => assert_eq!(e.code(), "payment_in_progress"),
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(ok, 1, "{}", t.backend);
    })
    .await;
}

#[tokio::test]
async fn bad_input_is_refused_and_nothing_is_recorded() {
    each_backend(async |t: TestDb| {
        let world = World::new(t.db.clone()).await;
        let (p, bill_id, _) = payer_with_bill(&world, 0).await;
        let pay = |target: PaymentTarget, key: &'static str| {
            let payments = world.payments.clone();
            let p = p.clone();
            async move {
                payments
                    .create(&p, &target, key)
                    .await
                    .map_err(|e| e.code())
                    .err()
            }
        };
        // Idempotency keys.
        assert_eq!(
            pay(PaymentTarget::bill(&bill_id), "").await,
            Some("invalid_idempotency_key")
        );
        assert_eq!(
            pay(PaymentTarget::bill(&bill_id), "有空格 key").await,
            Some("invalid_idempotency_key")
        );
        // Bills that are not this person's, or not bills.
        for id in [
            "nonsense",
            "shjf-dfjf-440100:electricity.202609.000000000000.0.00000000",
            "unknown-item-440100:x",
            &bill_id.replace(ELECTRICITY_GZ, FINES),
        ] {
            assert_eq!(
                pay(PaymentTarget::bill(id), "k").await,
                Some("bill_not_found"),
                "{id}"
            );
        }
        let q = payer(777);
        let theirs = world
            .payments
            .create(&q, &PaymentTarget::bill(&bill_id), "k")
            .await;
        assert_eq!(theirs.map_err(|e| e.code()).err(), Some("bill_not_found"));
        // Top-ups: amounts.
        let offers = world
            .payments
            .bills(
                &p,
                &BillQuery {
                    item_id: Some(GAS_GZ.into()),
                    customer_number: None,
                },
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let gas = offers
            .top_ups
            .first()
            .map(|t| t.id.clone())
            .unwrap_or_default();
        for (amount, code) in [
            (0, "amount_invalid"),
            (-100, "amount_invalid"),
            (i64::MAX, "amount_invalid"),
            (5_000_001, "amount_invalid"),
            (50, "amount_out_of_range"),
            (1050, "amount_out_of_range"),
            (300_000, "amount_out_of_range"),
        ] {
            assert_eq!(
                pay(PaymentTarget::top_up(&gas, amount), "k").await,
                Some(code),
                "{amount}"
            );
        }
        assert_eq!(
            pay(
                PaymentTarget::top_up("shjf-rqjf-440100:gas.topup.x", 1000),
                "k"
            )
            .await,
            Some("top_up_not_found")
        );
        // Nothing was recorded.
        assert_eq!(world.payments.list(&p).await.map(|l| l.len()).ok(), Some(0));
        // A good top-up works.
        let ok = world
            .payments
            .create(&p, &PaymentTarget::top_up(&gas, 10_000), "gas-1")
            .await;
        assert_eq!(ok.map(|c| c.payment.amount_fen).ok(), Some(10_000));
        // A top-up can be bought twice (two keys).
        let ok = world
            .payments
            .create(&p, &PaymentTarget::top_up(&gas, 10_000), "gas-2")
            .await;
        assert!(ok.is_ok());
        // No identity, no bills.
        let mut nobody = p.clone();
        nobody.id_number = None;
        let refused = world.payments.bills(&nobody, &BillQuery::default()).await;
        assert_eq!(
            refused.map_err(|e| e.code()).err(),
            Some("identity_required")
        );
    })
    .await;
}

#[tokio::test]
async fn paid_and_expired_bills_are_refused() {
    each_backend(async |t: TestDb| {
        let world = World::new(t.db.clone()).await;
        // Fines stay unpaid until settled; some are past due.
        let mut expired = None;
        let mut paid = None;
        for n in 0..300 {
            let p = payer(n);
            let Ok(view) = world.payments.bills(&p, &BillQuery::default()).await else {
                continue;
            };
            for bill in view.bills {
                match bill.status {
                    BillState::Expired if expired.is_none() => expired = Some((p.clone(), bill.id)),
                    BillState::Paid if paid.is_none() => paid = Some((p.clone(), bill.id)),
                    _ => {}
                }
            }
            if expired.is_some() && paid.is_some() {
                break;
            }
        }
        let (p, id) = expired.unwrap_or_else(|| panic!("an expired bill"));
        let refused = world
            .payments
            .create(&p, &PaymentTarget::bill(&id), "k")
            .await;
        assert_eq!(refused.map_err(|e| e.code()).err(), Some("bill_expired"));
        let (p, id) = paid.unwrap_or_else(|| panic!("a paid bill"));
        let refused = world
            .payments
            .create(&p, &PaymentTarget::bill(&id), "k")
            .await;
        assert_eq!(refused.map_err(|e| e.code()).err(), Some("bill_paid"));
        assert_eq!(world.payments.list(&p).await.map(|l| l.len()).ok(), Some(0));
    })
    .await;
}

#[tokio::test]
async fn payments_are_private_to_their_account() {
    each_backend(async |t: TestDb| {
        let world = World::new(t.db.clone()).await;
        let (p, bill_id, _) = payer_with_bill(&world, 0).await;
        let created = world
            .payments
            .create(&p, &PaymentTarget::bill(&bill_id), "k")
            .await;
        let id = created.map(|c| c.payment.id).unwrap_or_default();
        assert!(world.payments.get(&p, &id).await.is_ok());
        let other = payer(555);
        let seen = world.payments.get(&other, &id).await;
        assert_eq!(seen.map_err(|e| e.code()).err(), Some("payment_not_found"));
        assert_eq!(
            world.payments.list(&other).await.map(|l| l.len()).ok(),
            Some(0)
        );
        let (view, transitions) = world
            .payments
            .audit(&id)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(view.status, PaymentStatus::Paying);
        let steps: Vec<_> = transitions
            .iter()
            .map(|t| (t.from, t.to, t.cause.as_str()))
            .collect();
        assert_eq!(
            steps,
            [
                (None, PaymentStatus::Created, "create"),
                (
                    Some(PaymentStatus::Created),
                    PaymentStatus::Paying,
                    "order_created"
                ),
            ]
        );
    })
    .await;
}
