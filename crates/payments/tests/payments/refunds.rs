//! Refunds (by operators, and by the platform when the department refuses)
//! and daily reconciliation.

use yuesou_gateway::clock::CHINA;
use yuesou_payments::provider::{LineKind, StatementLine};
use yuesou_payments::{MismatchKind, Operator, PaymentStatus, PaymentTarget, Provider};
use yuesou_store::testing::{TestDb, each_backend};

use crate::support::{DOWN, NORMAL, World, payer_with_bill};

/// A settled payment: the payer, the payment id, the listed bill id.
async fn settled(world: &World, from: u32, key: &str) -> (yuesou_payments::Payer, String, String) {
    let (p, bill, _) = payer_with_bill(world, from).await;
    let id = world
        .payments
        .create(&p, &PaymentTarget::bill(&bill), key)
        .await
        .map(|c| c.payment.id)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(world.provider.pay(&id).is_ok());
    world.deliver().await;
    assert_eq!(
        world.payments.get(&p, &id).await.map(|x| x.status).ok(),
        Some(PaymentStatus::Settled)
    );
    (p, id, bill)
}

#[tokio::test]
async fn operators_refund_settled_payments_with_a_reason() {
    each_backend(async |t: TestDb| {
        let world = World::new(t.db.clone()).await;
        let (p, id, _) = settled(&world, 0, "k").await;
        assert!(
            world
                .payments
                .attach_wallet_entry(&id, "w-1")
                .await
                .unwrap_or(false)
        );
        let operator = Operator { id: "op-7".into() };
        let refused = world.payments.refund(&operator, &id, "  ").await;
        assert_eq!(
            refused.map_err(|e| e.code()).err(),
            Some("refund_reason_required")
        );
        let refused = world
            .payments
            .refund(&operator, &id, &"长".repeat(501))
            .await;
        assert_eq!(
            refused.map_err(|e| e.code()).err(),
            Some("refund_reason_required")
        );
        let unknown = world
            .payments
            .refund(&operator, "PAY-NOPE", "重复缴费")
            .await;
        assert_eq!(
            unknown.map_err(|e| e.code()).err(),
            Some("payment_not_found")
        );
        let refunded = world
            .payments
            .refund(&operator, &id, "用户重复缴费，核实后退款")
            .await;
        let refunded = refunded.unwrap_or_else(|e| panic!("{}: {e}", t.backend));
        assert_eq!(refunded.status, PaymentStatus::Refunded);
        assert!(refunded.refunded_at.is_some());
        // The provider's refund notification arrives: a duplicate.
        let outcomes = world.deliver().await;
        assert_eq!(outcomes.len(), 1);
        assert_eq!(
            outcomes[0].as_ref().map(|o| o.effect).ok(),
            Some(yuesou_payments::Effect::Duplicate)
        );
        // Once only.
        let again = world.payments.refund(&operator, &id, "再退一次").await;
        assert_eq!(again.map_err(|e| e.code()).err(), Some("already_refunded"));
        // The audit trail names the operator; the reason is kept.
        let (_, transitions) = world
            .payments
            .audit(&id)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let refunding = transitions
            .iter()
            .find(|t| t.to == PaymentStatus::Refunding);
        assert_eq!(refunding.map(|t| t.actor.as_str()), Some("operator:op-7"));
        let (reason, operator_id): (String, String) =
            sqlx::query_as("SELECT reason, operator_id FROM payment_refunds WHERE payment_id = $1")
                .bind(&id)
                .fetch_one(world.db.pool())
                .await
                .unwrap_or_default();
        assert_eq!(
            (reason.as_str(), operator_id.as_str()),
            ("用户重复缴费，核实后退款", "op-7")
        );
        // The receipt is voided; the daemon withdraws its wallet entry once.
        let receipt = world
            .payments
            .receipt(&p, &id)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(receipt.voided_at.is_some());
        let todo = world
            .payments
            .receipts_to_withdraw(10)
            .await
            .unwrap_or_default();
        assert_eq!(
            todo.iter()
                .map(|r| r.payment_id.as_str())
                .collect::<Vec<_>>(),
            [id.as_str()]
        );
        assert_eq!(world.payments.mark_withdrawn(&id).await.ok(), Some(true));
        assert!(
            world
                .payments
                .receipts_to_withdraw(10)
                .await
                .unwrap_or_default()
                .is_empty()
        );
        // Payments that are not settled are not refundable.
        let (q, bill, _) = payer_with_bill(&world, 300).await;
        let paying = world
            .payments
            .create(&q, &PaymentTarget::bill(&bill), "q")
            .await
            .map(|c| c.payment.id)
            .unwrap_or_default();
        let refused = world.payments.refund(&operator, &paying, "x").await;
        assert_eq!(refused.map_err(|e| e.code()).err(), Some("not_refundable"));
    })
    .await;
}

#[tokio::test]
async fn a_settlement_the_department_refuses_is_refunded() {
    each_backend(async |t: TestDb| {
        let world = World::new(t.db.clone()).await;
        let (p, _first, bill) = settled(&world, 0, "first").await;
        // The department has the bill paid: paying it again is refused …
        let refused = world
            .payments
            .create(&p, &PaymentTarget::bill(&bill), "second")
            .await;
        assert_eq!(refused.map_err(|e| e.code()).err(), Some("bill_paid"));
        // … but a payment already under way when that happened is refunded
        // at settlement.
        let (q, bill_q, _) = payer_with_bill(&world, 300).await;
        let a = world
            .payments
            .create(&q, &PaymentTarget::bill(&bill_q), "a")
            .await
            .map(|c| c.payment.id)
            .unwrap_or_default();
        // Settle the bill with another payment id at the department first.
        let dept_bill = bill_q
            .split_once(':')
            .map(|(_, b)| b.to_owned())
            .unwrap_or_default();
        let amount = world
            .payments
            .get(&q, &a)
            .await
            .map(|x| x.amount_fen)
            .unwrap_or_default();
        let other = yuesou_gateway::SettleRequest {
            department: "广州供电局".into(),
            target: yuesou_gateway::SettleTarget::Bill(dept_bill),
            payment_id: "PAY-ELSEWHERE".into(),
            amount_fen: amount,
            paid_at: crate::support::NOW,
        };
        use yuesou_gateway::DepartmentGateway;
        assert!(world.gateway.inner.settle(&other).await.is_ok());
        assert!(world.provider.pay(&a).is_ok());
        let outcome = world.deliver().await.pop().and_then(Result::ok);
        assert_eq!(
            outcome.map(|o| o.status),
            Some(PaymentStatus::Refunded),
            "{}",
            t.backend
        );
        let (payment, transitions) = world
            .payments
            .audit(&a)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            payment.failure.as_deref(),
            Some("settle_refused:already_paid")
        );
        assert!(
            transitions
                .iter()
                .any(|t| t.cause == "settle_refused:already_paid" && t.actor == "system")
        );
        assert!(payment.receipt_number.is_none());
    })
    .await;
}

#[tokio::test]
async fn reconciliation_finds_seeded_mismatches() {
    each_backend(async |t: TestDb| {
        let world = World::new(t.db.clone()).await;
        let day = crate::support::NOW.to_offset(CHINA).date();
        let (_, good, _) = settled(&world, 0, "good").await;
        let (_, altered, _) = settled(&world, 300, "altered").await;
        // Paid, but the department never answers: settlement missing.
        world.gateway.set(DOWN);
        let (p, bill, _) = payer_with_bill(&world, 600).await;
        let unsettled = world
            .payments
            .create(&p, &PaymentTarget::bill(&bill), "u")
            .await
            .map(|c| c.payment.id)
            .unwrap_or_default();
        assert!(world.provider.pay(&unsettled).is_ok());
        world.deliver().await;
        world.gateway.set(NORMAL);
        // A payment the provider has and the platform never made.
        world.provider.add_statement_line(StatementLine {
            out_trade_no: "PAY-20261015-FOREIGN00000".into(),
            order_id: "DEVFOREIGN".into(),
            kind: LineKind::Payment,
            amount_fen: 5000,
            at: crate::support::NOW,
        });
        // A refund completed that day.
        let (_, refunded, _) = settled(&world, 900, "refunded").await;
        let operator = Operator { id: "op-1".into() };
        assert!(
            world
                .payments
                .refund(&operator, &refunded, "测试退款")
                .await
                .is_ok()
        );
        world.deliver().await;

        world.clock.advance(time::Duration::hours(2));
        let mut statement = world.provider.statement(day).await.unwrap_or_default();
        // The provider's statement has another amount for one payment.
        for line in &mut statement.lines {
            if line.out_trade_no == altered && line.kind == LineKind::Payment {
                line.amount_fen += 1;
            }
        }
        let report = world.payments.reconcile_with(day, &statement).await;
        let report = report.unwrap_or_else(|e| panic!("{}: {e}", t.backend));
        let kinds: Vec<(MismatchKind, &str)> = report
            .mismatches
            .iter()
            .map(|m| (m.kind, m.payment_id.as_str()))
            .collect();
        assert!(
            kinds.contains(&(MismatchKind::ProviderOnly, "PAY-20261015-FOREIGN00000")),
            "{kinds:?}"
        );
        assert!(
            kinds.contains(&(MismatchKind::AmountMismatch, altered.as_str())),
            "{kinds:?}"
        );
        assert!(
            kinds.contains(&(MismatchKind::SettlementMissing, unsettled.as_str())),
            "{kinds:?}"
        );
        assert_eq!(report.total_mismatches(), 3, "{kinds:?}");
        assert!(!kinds.iter().any(|(_, id)| *id == good));
        assert_eq!(report.department_follow_up, std::slice::from_ref(&refunded));
        assert_eq!(report.platform_payments, 4);
        assert_eq!(report.matched, 2);
        // Stored, and in the metrics.
        let stored = world
            .payments
            .reconciliation_report(day)
            .await
            .ok()
            .flatten();
        assert_eq!(stored.map(|r| r.total_mismatches()), Some(3));
        let stats = world.payments.stats();
        assert_eq!(
            stats.last_reconciliation.map(|(d, k)| (d, k.len())),
            Some(("2026-10-15".into(), 3))
        );
        // A payment the platform has and the provider does not.
        statement.lines.retain(|l| l.out_trade_no != good);
        let report = world
            .payments
            .reconcile_with(day, &statement)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(report.counts.get("platform_only"), Some(&1));
        // The unmodified statement from the provider: only what is really
        // wrong (the missing settlement and the foreign payment).
        let report = world
            .payments
            .reconcile(day)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(report.total_mismatches(), 2, "{:?}", report.mismatches);
    })
    .await;
}

#[tokio::test]
async fn generated_days_reconcile_with_their_seeded_mismatches() {
    each_backend(async |t: TestDb| {
        let world = World::new(t.db.clone()).await;
        let day = time::macros::date!(2026 - 10 - 01);
        let generated =
            yuesou_payments::testdata::generate_day(&world.db, day, 2000, 7, "dev").await;
        let generated = generated.unwrap_or_else(|e| panic!("{}: {e}", t.backend));
        world.clock.advance(time::Duration::days(30));
        let report = world
            .payments
            .reconcile_with(day, &generated.statement)
            .await;
        let report = report.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(report.platform_payments, 2000);
        let expected: std::collections::BTreeMap<String, u64> = generated
            .seeded
            .iter()
            .map(|(k, n)| (k.as_str().to_owned(), *n))
            .collect();
        assert_eq!(report.counts, expected);
        assert_eq!(report.matched, 2000 - 3);
    })
    .await;
}
