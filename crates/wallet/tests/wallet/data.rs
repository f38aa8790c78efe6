//! Integrity of the licence types and demo licence data, and the licence
//! helpers (masking, validity).

use crate::common;

use std::collections::{HashMap, HashSet};

use common::{CHEN, ORG, issuer, licence, root, types};
use time::macros::date;
use yuesou_wallet::{
    DevIssuer, Issuer, LicenceKind, LicenceStatus, LicenceTypes, STANDARD_FIELDS, WalletError, mask,
};

fn jsonl(path: &str) -> Vec<serde_json::Value> {
    std::fs::read_to_string(root().join(path))
        .expect("readable")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("valid JSON line"))
        .collect()
}

#[test]
fn required_licence_types_are_present_with_their_kind() {
    let types = types();
    let want = [
        ("居民身份电子凭证", LicenceKind::Card),
        ("社会保障卡", LicenceKind::Card),
        ("护照", LicenceKind::Card),
        ("驾驶证", LicenceKind::Card),
        ("行驶证", LicenceKind::Card),
        ("往来港澳通行证", LicenceKind::Card),
        ("往来台湾通行证", LicenceKind::Card),
        ("残疾人证", LicenceKind::Card),
        ("居住证", LicenceKind::Card),
        ("户籍证明", LicenceKind::Certificate),
        ("无犯罪记录证明", LicenceKind::Certificate),
        ("出生医学证明", LicenceKind::Certificate),
        ("婚姻登记证明", LicenceKind::Certificate),
        ("参保证明", LicenceKind::Certificate),
        ("完税证明", LicenceKind::Certificate),
        ("不动产权证明", LicenceKind::Certificate),
        ("营业执照", LicenceKind::Organisation),
    ];
    let by_name: HashMap<&str, LicenceKind> =
        types.iter().map(|t| (t.name.as_str(), t.kind)).collect();
    for (name, kind) in want {
        assert_eq!(by_name.get(name), Some(&kind), "{name}");
    }
    assert!(types.len() >= want.len());
    let dl = types.require("driving_licence").expect("driving licence");
    assert_eq!(dl.name, "驾驶证");
    assert_eq!(dl.validity.expiring_within_days, Some(90));
    assert!(
        dl.field("vehicle_class")
            .is_some_and(|f| f.label == "准驾车型")
    );
    assert!(matches!(
        types.require("no_such_type"),
        Err(WalletError::UnknownType(_))
    ));
}

#[test]
fn every_related_and_renewal_service_exists_in_the_catalogue() {
    let catalogue: HashMap<String, String> = jsonl("data/catalogue.jsonl")
        .into_iter()
        .map(|v| {
            (
                v["id"].as_str().expect("id").to_owned(),
                v["title"].as_str().expect("title").to_owned(),
            )
        })
        .collect();
    let types = types();
    for t in types.iter() {
        assert!(
            !t.related_services.is_empty(),
            "{} has related services",
            t.code
        );
        for id in t.related_services.iter().chain(t.renewal_service.iter()) {
            assert!(
                catalogue.contains_key(id),
                "{}: {id} not in catalogue",
                t.code
            );
        }
    }
    let dl = types.require("driving_licence").expect("type");
    let titles: Vec<&str> = dl
        .related_services
        .iter()
        .map(|id| catalogue[id].as_str())
        .collect();
    assert!(titles.contains(&"驾驶证期满换证"), "{titles:?}");
    assert!(titles.contains(&"交通违法查询"), "{titles:?}");
    let ssc = types.require("social_security_card").expect("type");
    assert!(
        ssc.related_services
            .iter()
            .any(|id| catalogue[id].contains("参保证明"))
    );
}

#[test]
fn demo_licences_belong_to_demo_identities() {
    let types = types();
    let issuer = issuer(&types);
    let names: HashMap<String, String> = jsonl("data/demo/identities.jsonl")
        .into_iter()
        .map(|v| {
            (
                v["id_number"].as_str().unwrap_or_default().to_owned(),
                v["name"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .chain(jsonl("data/demo/organisations.jsonl").into_iter().map(|v| {
            (
                v["uscc"].as_str().unwrap_or_default().to_owned(),
                v["name"].as_str().unwrap_or_default().to_owned(),
            )
        }))
        .collect();
    let mut total = 0;
    for (holder, name) in &names {
        let held = issuer.licences_for(holder).expect("issuer answers");
        assert!(!held.is_empty(), "{name} holds licences");
        for l in &held {
            assert_eq!(&l.holder_name, name, "{}", l.number);
        }
        total += held.len();
    }
    assert_eq!(total, issuer.len(), "every licence has a demo holder");

    let chen: HashSet<String> = issuer
        .licences_for(CHEN)
        .expect("issuer answers")
        .into_iter()
        .map(|l| l.type_code)
        .collect();
    for code in [
        "driving_licence",
        "social_security_card",
        "resident_id_credential",
        "household_certificate",
        "hk_macao_permit",
    ] {
        assert!(chen.contains(code), "陈嘉明 holds {code}");
    }
    let org = licence(&issuer, ORG, "business_licence");
    assert_eq!(org.holder_name, "广州粤搜示范科技有限公司");
    assert!(
        issuer
            .licences_for("000000000000000000")
            .expect("answers")
            .is_empty()
    );
    assert_eq!(
        issuer
            .licences_for(" 44010419880520123x")
            .expect("answers")
            .len(),
        issuer.licences_for(CHEN).expect("answers").len(),
        "lower-case check character, stray space"
    );
}

#[test]
fn standard_fields_come_from_the_record_and_custom_ones_from_fields() {
    let types = types();
    let issuer = issuer(&types);
    let l = licence(&issuer, CHEN, "driving_licence");
    let ty = types.require("driving_licence").expect("type");
    assert_eq!(l.value("holder").as_deref(), Some(CHEN));
    assert_eq!(l.value("expires_on").as_deref(), Some("2027-01-20"));
    assert_eq!(l.value("vehicle_class").as_deref(), Some("C1"));
    assert_eq!(l.value("nope"), None);
    let full = l.full_fields(ty);
    assert_eq!(
        full.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
        ty.fields
            .iter()
            .map(|f| f.name.as_str())
            .collect::<Vec<_>>()
    );
    assert!(full.iter().all(|f| !f.masked));
    let masked = l.masked_fields(ty);
    let get = |name: &str| masked.iter().find(|f| f.name == name).expect("field");
    assert_eq!(get("holder").value, "4401**********123X");
    assert_eq!(get("holder_name").value, "陈*明");
    assert!(get("holder").masked);
    assert_eq!(get("vehicle_class").value, "C1");
    assert!(!get("vehicle_class").masked);
    assert_eq!(get("holder_name").label, "姓名");
}

#[test]
fn masking_keeps_a_quarter_at_each_end() {
    assert_eq!(mask("44010419880520123X"), "4401**********123X");
    assert_eq!(mask("陈嘉明"), "陈*明");
    assert_eq!(mask("欧阳娜娜"), "欧**娜");
    assert_eq!(mask("李四"), "李*");
    assert_eq!(mask("王"), "*");
    assert_eq!(mask(""), "");
    assert_eq!(mask("13800000001"), "13*******01");
    assert_eq!(mask("广州市越秀区东风中路 1 号").chars().count(), 14);
}

#[test]
fn validity_status_and_renewal_hint() {
    let types = types();
    let issuer = issuer(&types);
    let dl = licence(&issuer, CHEN, "driving_licence");
    let ty = types.require("driving_licence").expect("type");
    // Expires 2027-01-20; the window is 90 days.
    assert_eq!(
        dl.status(date!(2026 - 12 - 01), ty),
        LicenceStatus::Expiring { days_left: 50 }
    );
    assert!(dl.expiring(date!(2026 - 12 - 01), ty));
    assert_eq!(
        dl.status(date!(2026 - 10 - 21), ty),
        LicenceStatus::Valid { days_left: 91 }
    );
    assert!(dl.expiring(date!(2027 - 01 - 20), ty));
    assert_eq!(
        dl.status(date!(2027 - 01 - 21), ty),
        LicenceStatus::Expired { days_ago: 1 }
    );
    assert!(!dl.expiring(date!(2027 - 01 - 21), ty));
    assert!(dl.expired(date!(2027 - 01 - 21)));
    assert_eq!(
        dl.renewal_hint(date!(2026 - 12 - 01), ty),
        Some("xsjs-jzhz-440000")
    );
    assert_eq!(dl.renewal_hint(date!(2026 - 10 - 21), ty), None);
    assert_eq!(
        dl.renewal_hint(date!(2027 - 02 - 01), ty),
        Some("xsjs-jzhz-440000")
    );

    let birth = licence(&issuer, "440106201506060040", "birth_certificate");
    let bty = types.require("birth_certificate").expect("type");
    assert_eq!(
        birth.status(date!(2090 - 01 - 01), bty),
        LicenceStatus::NoExpiry
    );
    assert!(!birth.expired(date!(2090 - 01 - 01)));
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write temp file");
    path
}

#[test]
fn dev_issuer_refuses_inconsistent_licences() {
    let types = types();
    let dir = tempfile::tempdir().expect("tempdir");
    let good = r#"{"number":"X1","type":"driving_licence","holder":"H","holder_name":"某某","authority":"A","issued_on":"2020-01-01","expires_on":"2026-01-01","fields":{"vehicle_class":"C1","first_issued_on":"2010-01-01"}}"#;
    assert_eq!(
        DevIssuer::load(write(&dir, "ok.jsonl", good), &types)
            .expect("good record loads")
            .len(),
        1
    );
    let cases = [
        (
            "missing custom field",
            good.replace(r#""vehicle_class":"C1","#, ""),
        ),
        (
            "unknown type",
            good.replace("driving_licence", "flying_licence"),
        ),
        (
            "extra field",
            good.replace(r#""C1","#, r#""C1","colour":"red","#),
        ),
        (
            "standard name in fields",
            good.replace(r#""C1","#, r#""C1","holder":"x","#),
        ),
        (
            "no expiry",
            good.replace(r#""expires_on":"2026-01-01","#, ""),
        ),
        (
            "expires before issue",
            good.replace("2026-01-01", "2019-01-01"),
        ),
        ("bad date", good.replace("2020-01-01", "2020-13-01")),
        (
            "empty holder",
            good.replace(r#""holder":"H""#, r#""holder":" ""#),
        ),
        ("duplicate number", format!("{good}\n{good}")),
    ];
    for (what, text) in cases {
        let err = DevIssuer::load(write(&dir, "bad.jsonl", &text), &types).expect_err(what);
        assert!(
            matches!(err, WalletError::Data { line: Some(_), .. }),
            "{what}: {err}"
        );
    }
}

#[test]
fn licence_types_file_is_checked() {
    let text =
        std::fs::read_to_string(root().join("data/wallet/licence_types.json")).expect("readable");
    assert!(LicenceTypes::from_json(&text).is_ok());
    let value: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let mutate = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut v = value.clone();
        f(&mut v);
        LicenceTypes::from_json(&v.to_string())
    };
    type Mutation<'a> = (&'a str, &'a dyn Fn(&mut serde_json::Value));
    let cases: [Mutation; 6] = [
        ("duplicate code", &|v| {
            let first = v["types"][0].clone();
            v["types"].as_array_mut().expect("array").push(first);
        }),
        ("reserved field", &|v| {
            v["types"][0]["fields"][0]["name"] = "exp".into()
        }),
        ("non-ASCII code", &|v| {
            v["types"][0]["code"] = "驾驶证".into()
        }),
        ("expires without window", &|v| {
            v["types"][0]["validity"] = serde_json::json!({"expires": true})
        }),
        ("no holder field", &|v| {
            let fields = v["types"][0]["fields"].as_array_mut().expect("array");
            fields.retain(|f| f["name"] != "holder");
        }),
        ("wrong format", &|v| v["format"] = 2.into()),
    ];
    for (what, f) in cases {
        assert!(mutate(f).is_err(), "{what} must be refused");
    }
    // Every type carries the standard fields it needs.
    for t in LicenceTypes::from_json(&text).expect("valid").iter() {
        for name in ["number", "holder", "holder_name", "issued_on"] {
            assert!(t.field(name).is_some(), "{} has {name}", t.code);
        }
        assert_eq!(t.validity.expires, t.field("expires_on").is_some());
        assert!(
            t.fields
                .iter()
                .any(|f| !STANDARD_FIELDS.contains(&f.name.as_str()))
                || t.code == "taiwan_permit"
        );
    }
}
