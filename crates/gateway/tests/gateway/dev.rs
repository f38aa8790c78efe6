//! The development gateway over the project's real data: every
//! certificate family for three persons (and organisations where the item
//! serves 法人), bills, settlement, knobs and revocations.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use serde::Deserialize;
use time::Duration;
use time::macros::{date, datetime};
use yuesou_gateway::hints::Gen;
use yuesou_gateway::{
    BillStatus, BillsRequest, CertificateRequest, Certificates, DepartmentGateway, DevKnobs,
    GatewayError, RecordKinds, ServiceRef, SettleRequest, SettleTarget, SubjectRef,
};

#[derive(Deserialize)]
struct LicenceTypes {
    types: Vec<LicenceType>,
}

#[derive(Deserialize)]
struct LicenceType {
    code: String,
    kind: String,
    fields: Vec<Field>,
    validity: Validity,
}

#[derive(Deserialize)]
struct Field {
    name: String,
}

#[derive(Deserialize)]
struct Validity {
    expires: bool,
}

fn licence_types() -> BTreeMap<String, LicenceType> {
    let text = std::fs::read_to_string(data_dir().join("wallet/licence_types.json"))
        .unwrap_or_else(|e| panic!("licence_types.json: {e}"));
    let parsed: LicenceTypes =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("licence_types.json: {e}"));
    parsed
        .types
        .into_iter()
        .map(|t| (t.code.clone(), t))
        .collect()
}

const STANDARD_FIELDS: [&str; 7] = [
    "number",
    "holder",
    "holder_name",
    "authority",
    "issued_on",
    "expires_on",
    "purpose",
];

#[test]
fn the_real_files_load() {
    let data = data_dir();
    let kinds = RecordKinds::load(&data.join("records/kinds.json"));
    let Ok(kinds) = kinds else {
        panic!("{kinds:?}")
    };
    assert_eq!(kinds.len(), 55);
    let certificates = Certificates::load(&data.join("records/certificates.json"));
    let Ok(certificates) = certificates else {
        panic!("{certificates:?}")
    };
    assert_eq!(certificates.len(), 11);
    let gw = gateway();
    let services = services(&gw);
    assert_eq!(services.len(), 187, "every 查询 family is mapped");
    let catalogue = catalogue();
    for (family, kind) in services.iter() {
        assert!(gw.kinds().get(kind).is_some(), "{family} → {kind}");
        assert!(
            catalogue
                .get(family)
                .is_some_and(|items| items.iter().any(|i| i.service_type == "查询")),
            "{family} is a 查询 family of the catalogue"
        );
    }
    for (family, _) in certificates.iter() {
        assert!(
            catalogue
                .get(family.as_str())
                .is_some_and(|items| items.iter().any(|i| i.service_type == "证明")),
            "{family} is a 证明 family"
        );
    }
}

fn certificate_request(
    item: &common::Item,
    subject: SubjectRef,
    purpose: Option<&str>,
    id: &str,
) -> CertificateRequest {
    CertificateRequest {
        department: item.department.clone(),
        family: item.family().to_owned(),
        service: Some(item.service()),
        subject,
        purpose: purpose.map(str::to_owned),
        request_id: id.into(),
    }
}

#[tokio::test]
async fn every_certificate_family_returns_every_fact() {
    let gw = gateway();
    let other = gateway();
    let catalogue = catalogue();
    let types = licence_types();
    let mut issued = 0;
    for (family, def) in gw.certificates().iter() {
        let items = &catalogue[family.as_str()];
        let item = items
            .iter()
            .find(|i| i.region_code == "440100")
            .unwrap_or(&items[0]);
        // The licence type takes exactly these facts.
        let Some(licence) = types.get(&def.licence_type) else {
            panic!("{family}: no licence type {}", def.licence_type)
        };
        assert_eq!(licence.kind, "certificate", "{family}");
        assert_eq!(
            licence.validity.expires,
            def.valid_days.is_some(),
            "{family}: expiry"
        );
        let fields: BTreeSet<&str> = licence.fields.iter().map(|f| f.name.as_str()).collect();
        let facts: BTreeSet<&str> = def.facts.iter().map(String::as_str).collect();
        assert!(
            facts.is_subset(&fields),
            "{family}: facts {facts:?} ⊆ fields {fields:?}"
        );
        for field in fields.iter().filter(|f| !STANDARD_FIELDS.contains(f)) {
            assert!(facts.contains(field), "{family}: nobody supplies {field}");
        }
        assert_eq!(
            fields.contains("purpose"),
            def.purpose_required,
            "{family}: purpose"
        );

        let mut subjects: Vec<SubjectRef> = PERSONS.iter().map(|p| person(*p)).collect();
        if items.iter().any(|i| i.audience.iter().any(|a| a == "法人")) {
            subjects.extend(ORGANISATIONS.iter().map(|o| organisation(*o)));
        }
        let purpose = def.purposes.first().map(String::as_str);
        let mut answers = BTreeSet::new();
        for (n, subject) in subjects.iter().enumerate() {
            let id = format!("cert-{family}-{n}");
            let req = certificate_request(item, subject.clone(), purpose, &id);
            let facts_of = gw.certificate(&req).await;
            let Ok(got) = facts_of else {
                panic!("{family}: {facts_of:?}")
            };
            let label = format!("{family} #{n}");
            assert!(
                !got.number.is_empty() && !got.number.contains('{'),
                "{label}: {}",
                got.number
            );
            assert_eq!(got.issued_on, TODAY);
            assert_eq!(
                got.valid_until,
                def.valid_days.map(|d| TODAY + Duration::days(i64::from(d))),
                "{label}: expires_on = issued_on + valid_days"
            );
            let want: BTreeSet<&str> = facts.iter().copied().filter(|f| *f != "number").collect();
            assert_eq!(
                got.fields
                    .keys()
                    .map(String::as_str)
                    .collect::<BTreeSet<_>>(),
                want,
                "{label}"
            );
            for (name, value) in &got.fields {
                let text = value
                    .as_str()
                    .unwrap_or_else(|| panic!("{label}: {name} = {value} is not text"));
                assert!(
                    !text.is_empty() && !text.contains('{'),
                    "{label}: {name} = {text}"
                );
                match def.dev.get(name).map(|h| &h.generator) {
                    Some(Gen::Money { .. }) => {
                        let (yuan, fen) = text.split_once('.').unwrap_or(("", ""));
                        assert!(
                            !yuan.is_empty()
                                && yuan.bytes().all(|c| c.is_ascii_digit())
                                && fen.len() == 2,
                            "{label}: {name} = {text} is yuan with two decimals"
                        );
                    }
                    Some(Gen::Period { .. }) => {
                        assert!(text.contains(" 至 "), "{label}: {name} = {text}")
                    }
                    Some(Gen::Date { .. }) => assert!(
                        text.len() == 10 || text.len() == 7,
                        "{label}: {name} = {text}"
                    ),
                    _ => {}
                }
            }
            // Idempotent by request id; a new id is a new certificate of the same facts.
            assert_eq!(
                gw.certificate(&req).await.as_ref().ok(),
                Some(&got),
                "{label}: again"
            );
            assert_eq!(
                other.certificate(&req).await.as_ref().ok(),
                Some(&got),
                "{label}: elsewhere"
            );
            let next = gw
                .certificate(&certificate_request(
                    item,
                    subject.clone(),
                    purpose,
                    &format!("{id}-b"),
                ))
                .await;
            let Ok(next) = next else { panic!("{next:?}") };
            assert_ne!(
                next.number, got.number,
                "{label}: a new request id, a new number"
            );
            assert_eq!(next.fields, got.fields, "{label}: the same facts");
            answers.insert(serde_json::to_string(&got.fields).unwrap_or_default());
            issued += 1;
        }
        let open_ended = def.dev.iter().any(|(name, hint)| {
            name != "number"
                && matches!(
                    hint.generator,
                    Gen::Text { .. } | Gen::Money { .. } | Gen::Number { .. } | Gen::Date { .. }
                )
        });
        if open_ended {
            assert!(
                answers.len() > 1,
                "{family}: different subjects, different facts"
            );
        }

        // Purposes are enforced.
        let subject = person(PERSONS[0]);
        let refused =
            |purpose: Option<&str>| certificate_request(item, subject.clone(), purpose, "cert-x");
        if def.purpose_required {
            for bad in [None, Some("旅游")] {
                let e = gw.certificate(&refused(bad)).await.err();
                assert_eq!(
                    e.map(|e| e.code()),
                    Some("bad_request"),
                    "{family}: purpose {bad:?}"
                );
            }
            for p in &def.purposes {
                assert!(
                    gw.certificate(&refused(Some(p))).await.is_ok(),
                    "{family}: {p}"
                );
            }
        } else {
            let e = gw.certificate(&refused(Some("就业"))).await.err();
            assert_eq!(
                e.map(|e| e.code()),
                Some("bad_request"),
                "{family} takes no purpose"
            );
        }
    }
    assert_eq!(
        issued,
        3 * 11 + 3 * 2,
        "three persons per family, organisations for two"
    );
}

#[tokio::test]
async fn certificate_requests_are_checked() {
    let gw = gateway();
    let catalogue = catalogue();
    let item = &catalogue["hz-hjzm"][0];
    let ok = certificate_request(item, person(PERSONS[0]), None, "cert-1");
    assert!(gw.certificate(&ok).await.is_ok());
    let cases = [
        CertificateRequest {
            family: "no-such".into(),
            service: None,
            ..ok.clone()
        },
        CertificateRequest {
            subject: SubjectRef::None,
            ..ok.clone()
        },
        CertificateRequest {
            request_id: "a b".into(),
            ..ok.clone()
        },
        CertificateRequest {
            service: Some(ServiceRef::new(
                "gafw-wfzm-440100",
                "440100",
                "无犯罪记录证明开具",
                "公安服务",
            )),
            ..ok.clone()
        },
    ];
    let codes: Vec<_> = codes_of(&gw, &cases).await;
    assert_eq!(
        codes,
        ["not_found", "bad_request", "bad_request", "bad_request"]
    );
}

async fn codes_of(
    gw: &yuesou_gateway::DevGateway,
    cases: &[CertificateRequest],
) -> Vec<&'static str> {
    let mut out = Vec::new();
    for case in cases {
        out.push(gw.certificate(case).await.err().map_or("ok", |e| e.code()));
    }
    out
}

fn bills_request(department: &str, subject: SubjectRef, kinds: &[&str]) -> BillsRequest {
    BillsRequest {
        department: department.into(),
        subject,
        kinds: kinds.iter().map(|k| k.to_string()).collect(),
        account: None,
    }
}

#[tokio::test]
async fn bills_are_deterministic_and_plausible() {
    let gw = gateway();
    let chen = person(PERSONS[0]);
    let power = gw
        .bills(&bills_request("广东电网有限责任公司", chen.clone(), &[]))
        .await;
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
        gw.bills(&bills_request("广东电网有限责任公司", chen.clone(), &[]))
            .await
            .ok(),
        Some(power.clone())
    );

    let tax = gw
        .bills(&bills_request(
            "国家税务总局广州市税务局",
            chen.clone(),
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

    // 车船税 and fines follow the vehicles kind's plates.
    for (owner, _) in vehicle_owners(&gw) {
        let plates = gw.vehicles(&owner);
        let taxes = gw
            .bills(&bills_request("税务局", owner.clone(), &["vehicle_tax"]))
            .await;
        let Ok(taxes) = taxes else {
            panic!("{taxes:?}")
        };
        assert_eq!(taxes.bills.len(), plates.len(), "one 车船税 per vehicle");
        for (bill, plate) in taxes.bills.iter().zip(&plates) {
            assert!(
                bill.description.starts_with(plate.as_str()),
                "{} / {plate}",
                bill.description
            );
        }
    }

    let gas = gw
        .bills(&bills_request("广州燃气集团", chen.clone(), &["gas"]))
        .await;
    let Ok(gas) = gas else { panic!("{gas:?}") };
    assert!(gas.bills.is_empty());
    assert_eq!(gas.top_ups.len(), 1);
    assert_eq!(gas.top_ups[0].step_fen, 100);

    let nothing = gw
        .bills(&bills_request("某个没有账单的部门", chen.clone(), &[]))
        .await;
    assert_eq!(
        nothing.map(|b| b.bills.len() + b.top_ups.len()).ok(),
        Some(0)
    );
    let unknown = gw.bills(&bills_request("x", chen, &["no_such_bill"])).await;
    assert!(matches!(unknown, Err(GatewayError::NotFound { .. })));
}

#[tokio::test]
async fn settle_is_idempotent_and_checks_the_amount() {
    let gw = gateway();
    let mut found = None;
    for n in 0..50 {
        let subject = nth_person(n);
        let bills = gw.bills(&bills_request("广东电网", subject, &[])).await;
        let Ok(bills) = bills else {
            panic!("{bills:?}")
        };
        let unpaid = bills
            .bills
            .iter()
            .find(|b| b.status == BillStatus::Unpaid)
            .cloned();
        let paid = bills
            .bills
            .iter()
            .find(|b| b.status == BillStatus::Paid)
            .cloned();
        if let (Some(u), Some(p)) = (unpaid, paid) {
            found = Some((n, u, p));
            break;
        }
    }
    let Some((n, unpaid, paid)) = found else {
        panic!("nobody has an unpaid and a paid electricity bill")
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
        .bills(&bills_request("广东电网", nth_person(n), &[]))
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
        .bills(&bills_request("燃气公司", nth_person(n), &[]))
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
async fn knobs_and_revocations() {
    let gw = gateway();
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
    let mut req = request(
        "social_insurance_contributions",
        None,
        person(PERSONS[0]),
        &BTreeMap::new(),
        1,
        10,
    );
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
