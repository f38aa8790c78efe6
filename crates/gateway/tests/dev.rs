//! The development gateway: determinism, paging, filters, summaries,
//! bills, settlement and certificates, on this test's own fixture kinds.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde_json::Value;
use time::macros::{date, datetime};
use yuesou_gateway::{
    BillStatus, BillsRequest, CertificateRequest, Certificates, ColumnType, DepartmentGateway,
    DevGateway, DevKnobs, GatewayError, ManualClock, RecordKinds, RecordsPage, RecordsRequest,
    SettleRequest, SettleTarget, SubjectRef,
};

const CHEN: (&str, &str) = ("44010419880520123X", "陈嘉明");
const LIN: (&str, &str) = ("440305199208083329", "林晓彤");

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn dev() -> DevGateway {
    let dev = DevGateway::from_files(&fixture("kinds.json"), Some(&fixture("certificates.json")));
    let Ok(dev) = dev else {
        panic!("fixtures load: {dev:?}")
    };
    dev.with_clock(Arc::new(ManualClock::at_date(date!(2026 - 10 - 15))))
}

fn person(p: (&str, &str)) -> SubjectRef {
    SubjectRef::person(p.0, p.1)
}

fn request(
    kind: &str,
    subject: SubjectRef,
    filters: &[(&str, &str)],
    page: u32,
    size: u32,
) -> RecordsRequest {
    RecordsRequest {
        department: "广东省人力资源和社会保障厅".into(),
        kind: kind.into(),
        subject,
        filters: filters
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        page,
        size,
    }
}

async fn page(gw: &DevGateway, req: &RecordsRequest) -> RecordsPage {
    match gw.records(req).await {
        Ok(page) => page,
        Err(e) => panic!("{} failed: {e}", req.kind),
    }
}

/// All matching rows, by walking the pages.
async fn all_rows(
    gw: &DevGateway,
    kind: &str,
    subject: SubjectRef,
    filters: &[(&str, &str)],
    size: u32,
) -> (Vec<BTreeMap<String, Value>>, u64) {
    let mut rows = Vec::new();
    let mut total = None;
    for n in 1.. {
        let p = page(gw, &request(kind, subject.clone(), filters, n, size)).await;
        assert_eq!(
            *total.get_or_insert(p.total),
            p.total,
            "total is the same on every page"
        );
        if p.rows.is_empty() {
            break;
        }
        assert!(p.rows.len() <= size as usize);
        rows.extend(p.rows);
    }
    (rows, total.unwrap_or(0))
}

#[tokio::test]
async fn same_input_same_output_and_persons_differ() {
    let a = dev();
    let b = dev();
    for kind in [
        "social_insurance_payments",
        "traffic_violations",
        "provident_fund_flows",
    ] {
        let req = request(kind, person(CHEN), &[], 1, 20);
        let first = page(&a, &req).await;
        assert_eq!(first, page(&a, &req).await, "{kind}: same gateway");
        assert_eq!(
            first,
            page(&b, &req).await,
            "{kind}: another gateway instance"
        );
        let other = page(&a, &request(kind, person(LIN), &[], 1, 20)).await;
        assert_ne!(
            first.rows, other.rows,
            "{kind}: two persons get different rows"
        );
    }
    assert_eq!(a.vehicles(&person(CHEN)), b.vehicles(&person(CHEN)));
    let plates = a.vehicles(&person(CHEN));
    assert!((1..=2).contains(&plates.len()));
    assert!(
        plates.iter().all(|p| p.starts_with("粤A")),
        "a Guangzhou ID gets Guangzhou plates: {plates:?}"
    );
}

#[tokio::test]
async fn pages_add_up_to_all_rows() {
    let gw = dev();
    for size in [5, 7, 50] {
        let (rows, total) =
            all_rows(&gw, "social_insurance_payments", person(CHEN), &[], size).await;
        assert_eq!(rows.len() as u64, total);
        assert_eq!(total, 36, "one row per month of the 36-month history");
        let (again, _) = all_rows(&gw, "social_insurance_payments", person(CHEN), &[], 50).await;
        assert_eq!(
            rows, again,
            "size {size}: concatenated pages equal one big page"
        );
    }
    let beyond = page(
        &gw,
        &request("social_insurance_payments", person(CHEN), &[], 99, 10),
    )
    .await;
    assert!(beyond.rows.is_empty());
    assert_eq!(beyond.total, 36);
}

#[tokio::test]
async fn history_sort_and_types_are_respected() {
    let gw = dev();
    let (rows, _) = all_rows(&gw, "social_insurance_payments", person(CHEN), &[], 50).await;
    let months: Vec<&str> = rows.iter().filter_map(|r| r["month"].as_str()).collect();
    assert_eq!(
        months.first().copied(),
        Some("2026-09"),
        "newest first, last complete month"
    );
    assert_eq!(months.last().copied(), Some("2023-10"), "36 months back");
    assert!(months.windows(2).all(|w| w[0] > w[1]), "descending");
    for row in &rows {
        for money in ["base", "personal"] {
            assert!(
                row[money].is_i64(),
                "{money} is integer fen: {}",
                row[money]
            );
        }
        assert_eq!(row["base"].as_i64().map(|b| b % 100), Some(0), "round_fen");
    }
    let (flows, _) = all_rows(&gw, "provident_fund_flows", person(CHEN), &[], 50).await;
    let dates: Vec<&str> = flows.iter().filter_map(|r| r["date"].as_str()).collect();
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "ascending");
    assert!(
        dates
            .iter()
            .all(|d| *d >= "2024-10-15" && *d <= "2026-10-15"),
        "{dates:?}"
    );
    for row in &flows {
        assert_eq!(
            row["year"].as_str(),
            row["date"].as_str().map(|d| &d[..4]),
            "copy into a year column"
        );
        let rate = row["rate"].as_f64().unwrap_or(-1.0);
        assert!((5.0..=12.5).contains(&rate), "{rate}");
    }
    let p = page(
        &gw,
        &request("traffic_violations", person(CHEN), &[], 1, 10),
    )
    .await;
    let kinds: BTreeMap<_, _> = p
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.kind))
        .collect();
    assert_eq!(kinds.get("date"), Some(&ColumnType::Datetime));
    for row in &p.rows {
        let when = row["date"].as_str().unwrap_or("");
        assert!(when.ends_with("+08:00") && when.len() == 25, "{when}");
        assert_eq!(row["fine"], row["fine_copy"]);
    }
}

#[tokio::test]
async fn summaries_are_over_all_matching_rows() {
    let gw = dev();
    let filters = [("month", "2025-01/2025-12")];
    let (rows, total) = all_rows(&gw, "social_insurance_payments", person(CHEN), &filters, 5).await;
    assert_eq!(total, 12);
    let sum: i64 = rows.iter().filter_map(|r| r["personal"].as_i64()).sum();
    let first = page(
        &gw,
        &request("social_insurance_payments", person(CHEN), &filters, 1, 5),
    )
    .await;
    assert_eq!(first.summary["personal_total"], Value::from(sum));
    assert_eq!(first.summary["months"], Value::from(12));
    let latest = rows
        .iter()
        .max_by_key(|r| r["month"].as_str().map(str::to_owned))
        .map(|r| r["base"].clone());
    assert_eq!(Some(first.summary["latest_base"].clone()), latest);
    assert_eq!(first.summary["insurance"], Value::from("职工基本养老保险"));

    let (violations, _) = all_rows(&gw, "traffic_violations", person(CHEN), &[], 10).await;
    let v = page(
        &gw,
        &request("traffic_violations", person(CHEN), &[], 1, 10),
    )
    .await;
    let fines: i64 = violations.iter().filter_map(|r| r["fine"].as_i64()).sum();
    let points: i64 = violations.iter().filter_map(|r| r["points"].as_i64()).sum();
    assert_eq!(v.summary["fines"], Value::from(fines));
    assert_eq!(v.summary["points"], Value::from(points));
    assert_eq!(v.summary["count"], Value::from(violations.len() as u64));
    let balance = page(
        &gw,
        &request("provident_fund_flows", person(CHEN), &[], 1, 10),
    )
    .await
    .summary["balance"]
        .clone();
    assert!(balance.is_i64(), "generated summary money is integer");
}

#[tokio::test]
async fn filters_select_and_refuse() {
    let gw = dev();
    let (rows, _) = all_rows(
        &gw,
        "social_insurance_payments",
        person(CHEN),
        &[("month", "2026-01/2026-06")],
        50,
    )
    .await;
    assert_eq!(rows.len(), 6);
    assert!(rows.iter().all(|r| {
        r["month"]
            .as_str()
            .is_some_and(|m| ("2026-01"..="2026-06").contains(&m))
    }));
    let (open_end, _) = all_rows(
        &gw,
        "social_insurance_payments",
        person(CHEN),
        &[("month", "2026-03/")],
        50,
    )
    .await;
    assert_eq!(open_end.len(), 7, "2026-03 to 2026-09");

    let (all, _) = all_rows(&gw, "social_insurance_payments", person(CHEN), &[], 50).await;
    let (owed, _) = all_rows(
        &gw,
        "social_insurance_payments",
        person(CHEN),
        &[("status", "欠缴")],
        50,
    )
    .await;
    let (everything, _) = all_rows(
        &gw,
        "social_insurance_payments",
        person(CHEN),
        &[("status", "全部")],
        50,
    )
    .await;
    assert!(owed.iter().all(|r| r["status"] == "欠缴"));
    assert_eq!(
        owed.len(),
        all.iter().filter(|r| r["status"] == "欠缴").count()
    );
    assert_eq!(everything.len(), all.len());

    let (year, _) = all_rows(
        &gw,
        "provident_fund_flows",
        person(CHEN),
        &[("year", "2025")],
        50,
    )
    .await;
    assert!(!year.is_empty() && year.iter().all(|r| r["year"] == "2025"));

    let plates = gw.vehicles(&person(CHEN));
    let (one, _) = all_rows(
        &gw,
        "traffic_violations",
        person(CHEN),
        &[("plate", &plates[0])],
        50,
    )
    .await;
    assert!(one.iter().all(|r| r["plate"] == plates[0].as_str()));
    let (ranged, _) = all_rows(
        &gw,
        "traffic_violations",
        person(CHEN),
        &[("date", "2026-06-01/2026-09-30")],
        50,
    )
    .await;
    assert!(ranged.iter().all(|r| {
        r["date"]
            .as_str()
            .is_some_and(|d| ("2026-06-01".."2026-10").contains(&d))
    }));

    let bad = [
        (
            "social_insurance_payments",
            vec![("month", "2024-01/2025-12")],
            "bad_request",
        ),
        (
            "social_insurance_payments",
            vec![("month", "2025-13/")],
            "bad_request",
        ),
        (
            "social_insurance_payments",
            vec![("month", "2025-06/2025-01")],
            "bad_request",
        ),
        (
            "social_insurance_payments",
            vec![("status", "不存在")],
            "bad_request",
        ),
        (
            "social_insurance_payments",
            vec![("nope", "x")],
            "bad_request",
        ),
        ("traffic_violations", vec![("plate", "粤Z99999")], "refused"),
        (
            "traffic_violations",
            vec![("plate", "not a plate")],
            "bad_request",
        ),
        (
            "traffic_violations",
            vec![("date", "2025-01-01/2026-06-01")],
            "bad_request",
        ),
        ("enterprise_penalties", vec![], "bad_request"),
        ("enterprise_penalties", vec![("name", "x")], "bad_request"),
        ("unknown_kind", vec![], "not_found"),
    ];
    for (kind, filters, code) in bad {
        let result = gw
            .records(&request(kind, person(CHEN), &filters, 1, 10))
            .await;
        assert_eq!(
            result.as_ref().err().map(GatewayError::code),
            Some(code),
            "{kind} {filters:?}: {result:?}"
        );
    }
    let bad_page = gw
        .records(&request(
            "social_insurance_payments",
            person(CHEN),
            &[],
            0,
            10,
        ))
        .await;
    assert!(matches!(bad_page, Err(GatewayError::BadRequest(_))));
    let big_page = gw
        .records(&request(
            "social_insurance_payments",
            person(CHEN),
            &[],
            1,
            51,
        ))
        .await;
    assert!(matches!(big_page, Err(GatewayError::BadRequest(_))));
}

#[tokio::test]
async fn public_queries_are_about_what_was_asked() {
    let gw = dev();
    let name = "广州粤海科技有限公司";
    let p = page(
        &gw,
        &request(
            "enterprise_penalties",
            SubjectRef::None,
            &[("name", name)],
            1,
            10,
        ),
    )
    .await;
    assert!(p.rows.iter().all(|r| r["name"] == name));
    assert_eq!(
        p,
        page(
            &gw,
            &request(
                "enterprise_penalties",
                SubjectRef::None,
                &[("name", name)],
                1,
                10
            )
        )
        .await
    );
}

#[tokio::test]
async fn a_kind_without_rows_gives_the_empty_result() {
    let gw = dev();
    let p = page(&gw, &request("no_records_kind", person(CHEN), &[], 1, 10)).await;
    assert!(p.rows.is_empty());
    assert_eq!(p.total, 0);
    assert_eq!(p.summary["total"], Value::from(0));
    assert_eq!(p.summary["last"], Value::Null);
    assert_eq!(p.columns.len(), 2, "columns still describe the table");
}

#[tokio::test]
async fn bills_are_deterministic_and_plausible() {
    let gw = dev();
    let req = |department: &str, kinds: &[&str]| BillsRequest {
        department: department.into(),
        subject: person(CHEN),
        kinds: kinds.iter().map(|k| k.to_string()).collect(),
        account: None,
    };
    let power = gw.bills(&req("广东电网有限责任公司", &[])).await;
    let Ok(power) = power else {
        panic!("{power:?}")
    };
    assert_eq!(power.bills.len(), 3, "last three months of electricity");
    assert!(
        power
            .bills
            .iter()
            .all(|b| b.kind == "electricity" && b.amount_fen > 0 && b.account.contains('*'))
    );
    assert_eq!(power.bills[0].period.as_deref(), Some("2026-09"));
    assert_eq!(power.bills[0].due, date!(2026 - 10 - 25));
    assert_eq!(power.bills[0].payee, "广东电网有限责任公司广州供电局");
    assert_eq!(
        gw.bills(&req("广东电网有限责任公司", &[])).await.ok(),
        Some(power.clone())
    );

    let tax = gw
        .bills(&req(
            "国家税务总局广州市税务局",
            &["medical_insurance", "vehicle_tax"],
        ))
        .await;
    let Ok(tax) = tax else { panic!("{tax:?}") };
    let medical: Vec<_> = tax
        .bills
        .iter()
        .filter(|b| b.kind == "medical_insurance")
        .collect();
    assert_eq!(medical.len(), 1);
    assert_eq!(
        medical[0].period.as_deref(),
        Some("2027年度"),
        "October collects next year's 医保"
    );
    assert_eq!(medical[0].amount_fen, 40000);
    assert_eq!(medical[0].account, "4401**********123X");
    let vehicles = gw.vehicles(&person(CHEN)).len();
    assert_eq!(
        tax.bills.iter().filter(|b| b.kind == "vehicle_tax").count(),
        vehicles,
        "one 车船税 per vehicle"
    );

    let gas = gw.bills(&req("广州燃气集团", &["gas"])).await;
    let Ok(gas) = gas else { panic!("{gas:?}") };
    assert!(gas.bills.is_empty());
    assert_eq!(gas.top_ups.len(), 1);
    assert_eq!(gas.top_ups[0].step_fen, 100);

    let nothing = gw.bills(&req("某个没有账单的部门", &[])).await;
    assert_eq!(
        nothing.map(|b| b.bills.len() + b.top_ups.len()).ok(),
        Some(0)
    );
    let unknown = gw.bills(&req("x", &["no_such_bill"])).await;
    assert!(matches!(unknown, Err(GatewayError::NotFound { .. })));
}

#[tokio::test]
async fn settle_is_idempotent_and_checks_the_amount() {
    let gw = dev();
    let bills = gw
        .bills(&BillsRequest {
            department: "广东电网".into(),
            subject: person(LIN),
            kinds: vec![],
            account: None,
        })
        .await;
    let Ok(bills) = bills else {
        panic!("{bills:?}")
    };
    let unpaid = bills.bills.iter().find(|b| b.status == BillStatus::Unpaid);
    let paid = bills.bills.iter().find(|b| b.status == BillStatus::Paid);
    let (Some(unpaid), Some(paid)) = (unpaid, paid) else {
        panic!("expected an unpaid and a paid bill: {bills:?}")
    };
    let settle = |payment: &str, id: &str, amount: i64| SettleRequest {
        department: "广东电网".into(),
        target: SettleTarget::Bill(id.into()),
        payment_id: payment.into(),
        amount_fen: amount,
        paid_at: datetime!(2026-10-15 10:00 +8),
    };
    let wrong = gw
        .settle(&settle("pay-1", &unpaid.bill_id, unpaid.amount_fen + 1))
        .await;
    assert_eq!(
        wrong.err().map(|e| e.to_string()),
        Some("the department refused (amount_mismatch): 支付金额与账单金额不一致".into())
    );
    let first = gw
        .settle(&settle("pay-1", &unpaid.bill_id, unpaid.amount_fen))
        .await;
    let Ok(first) = first else {
        panic!("{first:?}")
    };
    assert!(
        first.settlement_id.starts_with("STL") && first.receipt_number.starts_with("GD20261015")
    );
    let again = gw
        .settle(&settle("pay-1", &unpaid.bill_id, unpaid.amount_fen))
        .await;
    assert_eq!(
        again.ok(),
        Some(first.clone()),
        "same payment id, same settlement"
    );
    let reused = gw
        .settle(&settle("pay-1", &paid.bill_id, paid.amount_fen))
        .await;
    assert!(
        matches!(reused, Err(GatewayError::Refused { ref code, .. }) if code == "idempotency_conflict"),
        "{reused:?}"
    );
    let twice = gw
        .settle(&settle("pay-2", &unpaid.bill_id, unpaid.amount_fen))
        .await;
    assert!(
        matches!(twice, Err(GatewayError::Refused { ref code, .. }) if code == "already_paid"),
        "{twice:?}"
    );
    let old = gw
        .settle(&settle("pay-3", &paid.bill_id, paid.amount_fen))
        .await;
    assert!(
        matches!(old, Err(GatewayError::Refused { ref code, .. }) if code == "already_paid"),
        "{old:?}"
    );
    let forged = gw
        .settle(&settle(
            "pay-4",
            "electricity.202609.000000000000.0.00000000",
            100,
        ))
        .await;
    assert!(
        matches!(forged, Err(GatewayError::NotFound { .. })),
        "{forged:?}"
    );

    let after = gw
        .bills(&BillsRequest {
            department: "广东电网".into(),
            subject: person(LIN),
            kinds: vec![],
            account: None,
        })
        .await;
    let status = after
        .ok()
        .and_then(|b| b.bills.into_iter().find(|b| b.bill_id == unpaid.bill_id))
        .map(|b| b.status);
    assert_eq!(
        status,
        Some(BillStatus::Paid),
        "a settled bill lists as paid"
    );

    let gas = gw
        .bills(&BillsRequest {
            department: "燃气公司".into(),
            subject: person(LIN),
            kinds: vec![],
            account: None,
        })
        .await;
    let Some(top_up) = gas.ok().and_then(|b| b.top_ups.into_iter().next()) else {
        panic!("no gas top-up")
    };
    let top = |payment: &str, amount: i64| SettleRequest {
        target: SettleTarget::TopUp(top_up.top_up_id.clone()),
        ..settle(payment, "", amount)
    };
    assert!(gw.settle(&top("gas-1", 10_000)).await.is_ok());
    assert!(
        gw.settle(&top("gas-2", 10_000)).await.is_ok(),
        "top-ups can be bought again"
    );
    let odd = gw.settle(&top("gas-3", 10_050)).await;
    assert!(
        matches!(odd, Err(GatewayError::Refused { ref code, .. }) if code == "amount_out_of_range"),
        "{odd:?}"
    );
}

#[tokio::test]
async fn certificates_follow_their_family() {
    let gw = dev();
    let req = |family: &str, purpose: Option<&str>, id: &str| CertificateRequest {
        department: "广东省人力资源和社会保障厅".into(),
        family: family.into(),
        subject: person(CHEN),
        purpose: purpose.map(str::to_owned),
        request_id: id.into(),
    };
    let facts = gw
        .certificate(&req("social_insurance_proof", Some("购房"), "req-1"))
        .await;
    let Ok(facts) = facts else {
        panic!("{facts:?}")
    };
    assert_eq!(facts.issued_on, date!(2026 - 10 - 15));
    assert_eq!(
        facts.valid_until,
        Some(date!(2027 - 01 - 12)),
        "90 days including the day of issue"
    );
    assert_eq!(facts.fields["holder_name"], "陈嘉明");
    assert_eq!(facts.fields["holder"], CHEN.0);
    assert_eq!(facts.fields["purpose"], "购房");
    assert_eq!(facts.fields["status"], "正常参保");
    assert!(
        facts.fields["months_paid"]
            .as_i64()
            .is_some_and(|m| (12..=240).contains(&m))
    );
    let again = gw
        .certificate(&req("social_insurance_proof", Some("购房"), "req-1"))
        .await;
    assert_eq!(
        again.map(|f| f.number).ok(),
        Some(facts.number.clone()),
        "idempotent by request id"
    );
    let other = gw
        .certificate(&req("social_insurance_proof", Some("购房"), "req-2"))
        .await;
    assert_ne!(other.map(|f| f.number).ok(), Some(facts.number));
    let forever = gw.certificate(&req("no_crime_record", None, "req-3")).await;
    assert_eq!(forever.map(|f| f.valid_until).ok(), Some(None));
    for (family, purpose, code) in [
        ("social_insurance_proof", None, "bad_request"),
        ("social_insurance_proof", Some("旅游"), "bad_request"),
        ("no_such_family", None, "not_found"),
    ] {
        let result = gw.certificate(&req(family, purpose, "req-9")).await;
        assert_eq!(
            result.err().map(|e| e.code()),
            Some(code),
            "{family} {purpose:?}"
        );
    }
}

#[tokio::test]
async fn knobs_and_revocations() {
    let gw = dev();
    gw.set_knobs(
        "慢部门",
        DevKnobs {
            latency: std::time::Duration::from_millis(50),
            failure_rate: 0.0,
        },
    );
    gw.set_knobs(
        "坏部门",
        DevKnobs {
            latency: std::time::Duration::ZERO,
            failure_rate: 1.0,
        },
    );
    let mut req = request("social_insurance_payments", person(CHEN), &[], 1, 10);
    req.department = "坏部门".into();
    assert!(matches!(
        gw.records(&req).await,
        Err(GatewayError::Unavailable { .. })
    ));
    req.department = "慢部门".into();
    let started = std::time::Instant::now();
    assert!(gw.records(&req).await.is_ok());
    assert!(started.elapsed() >= std::time::Duration::from_millis(50));
    let stats = gw.stats();
    assert_eq!(
        stats
            .department("坏部门")
            .and_then(|d| d.errors.get("unavailable").copied()),
        Some(1)
    );

    let before = datetime!(2026-10-01 0:00 UTC);
    gw.revoke("广东省公安厅", "ZM202610150000000001", Some("信息有误"));
    let revoked = gw.revoked_certificates("广东省公安厅", before).await;
    assert_eq!(revoked.map(|r| r.revoked.len()).ok(), Some(1));
    let elsewhere = gw.revoked_certificates("其他部门", before).await;
    assert_eq!(elsewhere.map(|r| r.revoked.len()).ok(), Some(0));
}

/// When the project's own data/records/kinds.json exists, every kind loads
/// and answers for a demo person.
#[tokio::test]
async fn the_projects_kinds_file_loads_when_present() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/records");
    let kinds_path = root.join("kinds.json");
    if !kinds_path.exists() {
        return;
    }
    let kinds = RecordKinds::load(&kinds_path);
    let Ok(kinds) = kinds else {
        panic!("{kinds:?}")
    };
    let certificates_path = root.join("certificates.json");
    let certificates = if certificates_path.exists() {
        Certificates::load(&certificates_path).unwrap_or_else(|e| panic!("{e}"))
    } else {
        Certificates::default()
    };
    let codes: Vec<String> = kinds.iter().map(|k| k.code.clone()).collect();
    let gw = DevGateway::new(kinds, certificates)
        .with_clock(Arc::new(ManualClock::at_date(date!(2026 - 10 - 15))));
    for code in codes {
        let result = gw.records(&request(&code, person(CHEN), &[], 1, 10)).await;
        match result {
            Ok(_) | Err(GatewayError::BadRequest(_)) => {}
            Err(e) => panic!("{code}: {e}"),
        }
    }
}
