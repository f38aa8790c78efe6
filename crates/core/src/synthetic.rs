//! Synthetic catalogues for scale tests and benchmarks.
//!
//! [`generate`] grows a real catalogue to any size by recombining its
//! services with every region of the gazetteer (province, cities, districts,
//! towns) and with the sub-cases real catalogues list separately (个人 /
//! 单位, 变更, 注销 …). Titles, aliases and keywords therefore stay the words
//! people type, and the vocabulary stays realistic: what grows is the number
//! of near-duplicate items, which is what makes a large catalogue hard.
//!
//! ```
//! use yuesou_core::{ServiceItem, synthetic};
//! # let gazetteer = yuesou_core::Gazetteer::parse(
//! #   concat!(
//! #     r#"{"code":"440000","name":"广东省","short_name":"广东","level":"province","lat":23.1,"lng":113.2}"#, "\n",
//! #     r#"{"code":"440100","name":"广州市","short_name":"广州","level":"city","parent_code":"440000","lat":23.1,"lng":113.2}"#),
//! #   "g.jsonl".as_ref()).unwrap();
//! let base: Vec<ServiceItem> = vec![serde_json::from_str(
//!     r#"{"id":"gjj-tq-440100","title":"住房公积金提取","region_code":"440100","popularity":80}"#,
//! ).unwrap()];
//! let items = synthetic::generate(&base, &gazetteer, 20, 7);
//! assert_eq!(items.len(), 20);
//! assert!(items.iter().all(|i| i.title.starts_with("住房公积金提取")));
//! ```

use crate::catalogue::ServiceItem;
use crate::gazetteer::Gazetteer;

/// Sub-cases a service is often split into in real catalogues.
const VARIANTS: [&str; 12] = [
    "",
    "（个人）",
    "（单位）",
    "（变更）",
    "（注销）",
    "（补办）",
    "（延续）",
    "（首次）",
    "（网上办理）",
    "（窗口办理）",
    "（港澳台居民）",
    "（外籍人员）",
];

/// `count` items recombined from `base` (one template per distinct title),
/// deterministic for a given `seed`. Every id is unique; every region code
/// is a division of `gazetteer`.
pub fn generate(
    base: &[ServiceItem],
    gazetteer: &Gazetteer,
    count: usize,
    seed: u64,
) -> Vec<ServiceItem> {
    let mut templates: Vec<&ServiceItem> = Vec::new();
    for item in base {
        if !templates.iter().any(|t| t.title == item.title) {
            templates.push(item);
        }
    }
    let regions: Vec<&str> = gazetteer
        .divisions()
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    if templates.is_empty() || regions.is_empty() {
        return Vec::new();
    }
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut out = Vec::with_capacity(count);
    for n in 0..count {
        let template = templates[n % templates.len()];
        let round = n / templates.len();
        let region = regions[round % regions.len()];
        let variant = VARIANTS[(round / regions.len()) % VARIANTS.len()];
        let mut item = template.clone();
        item.id = format!("syn{n}-{}", template.id);
        item.title = format!("{}{variant}", template.title);
        item.department = department_for(template, region, gazetteer);
        item.region_code = region.to_string();
        item.popularity = Some((template.popularity() * (0.5 + 0.5 * rng.f32())).clamp(0.0, 100.0));
        out.push(item);
    }
    out
}

/// The template's department moved to `region`'s city (广州住房公积金管理中心
/// → 深圳住房公积金管理中心), or to the province (广东省…) for a
/// province-wide variant, when it names the template's city.
fn department_for(template: &ServiceItem, region: &str, gazetteer: &Gazetteer) -> String {
    let Some(from) = gazetteer.city_of(&template.region_code) else {
        return template.department.clone();
    };
    let to = gazetteer
        .city_of(region)
        .or_else(|| gazetteer.division(crate::gazetteer::PROVINCE_CODE));
    match to {
        Some(to) => template
            .department
            .replace(&from.name, &to.name)
            .replace(&from.short_name, &to.short_name),
        None => template.department.clone(),
    }
}
