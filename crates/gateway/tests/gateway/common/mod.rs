//! Shared by the tests over the project's real data: the development
//! gateway on `data/`, the catalogue's items, test subjects and a page
//! walker.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;
use time::Date;
use time::macros::date;
use yuesou_gateway::{
    DepartmentGateway, DevGateway, GatewayError, ManualClock, RecordsPage, RecordsRequest,
    ServiceRef, Services, SubjectRef,
};

/// The day every test runs on.
pub const TODAY: Date = date!(2026 - 10 - 15);

/// Three persons of three cities (广州, 深圳, 揭阳).
pub const PERSONS: [(&str, &str); 3] = [
    ("44010419880520123X", "陈嘉明"),
    ("440305199208083329", "林晓彤"),
    ("445202197511302216", "黄志强"),
];

/// Three organisations.
pub const ORGANISATIONS: [(&str, &str); 3] = [
    ("91440101MA5CXXXX1L", "广州恒通物流有限公司"),
    ("91440300MA5F8K2Q7T", "深圳粤华科技有限公司"),
    ("52440100MJL123456Y", "广州市青年志愿者协会"),
];

/// The repository's data/.
pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data")
}

/// The development gateway over data/, on [`TODAY`].
pub fn gateway() -> DevGateway {
    let dev = DevGateway::from_data_dir(&data_dir());
    let Ok(dev) = dev else {
        panic!("data/ does not load: {dev:?}")
    };
    dev.with_clock(Arc::new(ManualClock::at_date(TODAY)))
}

/// The 查询 families and their kinds.
pub fn services(gw: &DevGateway) -> Services {
    let services = Services::load(&data_dir().join("records/services.json"), gw.kinds());
    let Ok(services) = services else {
        panic!("services.json does not load: {services:?}")
    };
    services
}

/// One catalogue item (the members the tests use).
#[derive(Debug, Clone, Deserialize)]
pub struct Item {
    pub id: String,
    pub title: String,
    pub theme: String,
    pub department: String,
    pub region_code: String,
    pub audience: Vec<String>,
    pub service_type: String,
}

impl Item {
    pub fn family(&self) -> &str {
        self.id.rsplit_once('-').map_or(&self.id, |(f, _)| f)
    }

    pub fn service(&self) -> ServiceRef {
        ServiceRef::new(&self.id, &self.region_code, &self.title, &self.theme)
    }
}

/// The catalogue's items by family.
pub fn catalogue() -> BTreeMap<String, Vec<Item>> {
    let text = std::fs::read_to_string(data_dir().join("catalogue.jsonl"))
        .unwrap_or_else(|e| panic!("catalogue: {e}"));
    let mut out: BTreeMap<String, Vec<Item>> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let item: Item = serde_json::from_str(line).unwrap_or_else(|e| panic!("catalogue: {e}"));
        out.entry(item.family().to_owned()).or_default().push(item);
    }
    out
}

pub fn person(p: (&str, &str)) -> SubjectRef {
    SubjectRef::person(p.0, p.1)
}

pub fn organisation(o: (&str, &str)) -> SubjectRef {
    SubjectRef::organisation(o.0, o.1)
}

/// A valid identity number (check digit included) for a numbered test person.
pub fn nth_person(n: u32) -> SubjectRef {
    let body = format!(
        "4401061990{:02}{:02}{:03}",
        1 + n % 12,
        1 + n % 28,
        n % 1000
    );
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .bytes()
        .zip(weights)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    SubjectRef::person(&format!("{body}{check}"), "测试")
}

/// Three persons who own a vehicle, with one of their plates.
pub fn vehicle_owners(gw: &DevGateway) -> Vec<(SubjectRef, String)> {
    let mut owners = Vec::new();
    let candidates = PERSONS
        .iter()
        .map(|p| person(*p))
        .chain((0..200).map(nth_person));
    for subject in candidates {
        if let Some(plate) = gw.vehicles(&subject).into_iter().next() {
            owners.push((subject, plate));
        }
        if owners.len() == 3 {
            break;
        }
    }
    assert_eq!(
        owners.len(),
        3,
        "three vehicle owners among the test persons"
    );
    owners
}

pub fn request(
    kind: &str,
    service: Option<ServiceRef>,
    subject: SubjectRef,
    filters: &BTreeMap<String, String>,
    page: u32,
    size: u32,
) -> RecordsRequest {
    RecordsRequest {
        department: service
            .as_ref()
            .map_or("广东省政务服务数据管理局".to_owned(), |s| {
                format!("{}的部门", s.item)
            }),
        kind: kind.into(),
        service,
        subject,
        filters: filters.clone(),
        page,
        size,
    }
}

pub async fn page(gw: &DevGateway, req: &RecordsRequest) -> RecordsPage {
    match gw.records(req).await {
        Ok(page) => page,
        Err(e) => panic!(
            "{} {:?} {:?}: {e}",
            req.kind,
            req.service.as_ref().map(|s| &s.item),
            req.filters
        ),
    }
}

pub async fn error(gw: &DevGateway, req: &RecordsRequest) -> GatewayError {
    match gw.records(req).await {
        Ok(page) => panic!(
            "{} {:?} accepted: {} rows",
            req.kind, req.filters, page.total
        ),
        Err(e) => e,
    }
}

/// All matching rows by walking pages of `size`, checking that `total`
/// and `summary` are the same on every page and a page past the end is
/// empty. Returns the rows, the total and the summary.
pub async fn walk(
    gw: &DevGateway,
    base: &RecordsRequest,
    size: u32,
) -> (Vec<BTreeMap<String, Value>>, u64, BTreeMap<String, Value>) {
    let mut rows = Vec::new();
    let mut first: Option<RecordsPage> = None;
    for n in 1.. {
        let p = page(
            gw,
            &RecordsRequest {
                page: n,
                size,
                ..base.clone()
            },
        )
        .await;
        if let Some(f) = &first {
            assert_eq!(p.total, f.total, "{}: total on page {n}", base.kind);
            assert_eq!(p.summary, f.summary, "{}: summary on page {n}", base.kind);
            assert_eq!(p.columns, f.columns, "{}: columns on page {n}", base.kind);
        }
        assert!(p.rows.len() <= size as usize);
        let done = p.rows.is_empty();
        rows.extend(p.rows.clone());
        first.get_or_insert(p);
        if done {
            break;
        }
    }
    let first = first.unwrap_or_else(|| panic!("no page"));
    (rows, first.total, first.summary)
}
