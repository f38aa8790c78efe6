//! The engine on real data: the 2,262 items of the provincial portal
//! (../shared/data/gov_items/guangdong_items.csv, read at test time and
//! never copied into the repository) are converted to our JSON Lines format,
//! indexed into a persisted index (built, then reused), and searched by
//! their real names, a homophone typo, the initials of their names and the
//! portal's colloquial `keywords` column. (The same import through the
//! binary, `yuesou index build --catalogue`, is the facade's
//! `tests/daemon/cli_index.rs`.)

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use yuesou_core::{Engine, EngineOptions, Resources, SearchRequest};

#[derive(Serialize)]
struct Row {
    id: String,
    title: String,
    aliases: Vec<String>,
    keywords: Vec<String>,
    department: String,
    category: String,
    theme: String,
    region_code: String,
    audience: Vec<String>,
    description: String,
}

/// Converts the portal CSV into catalogue rows.
fn convert(csv_path: &Path) -> Vec<Row> {
    let mut reader = csv::Reader::from_path(csv_path).expect("readable CSV");
    let mut rows = Vec::new();
    for record in reader.deserialize::<BTreeMap<String, String>>() {
        let r = record.expect("valid CSV row");
        let field = |name: &str| {
            r.get(name)
                .map(|v| v.trim().to_string())
                .unwrap_or_default()
        };
        let split = |text: String| -> Vec<String> {
            text.split([',', '，', '、', '|', ';', '；', ' '])
                .map(str::trim)
                .filter(|k| !k.is_empty() && *k != "无")
                .map(str::to_string)
                .collect()
        };
        let mut aliases = Vec::new();
        for alias in [field("catalog_name"), field("sub_task_name")] {
            if !alias.is_empty() && alias != field("item_name") && !aliases.contains(&alias) {
                aliases.push(alias);
            }
        }
        let mut audience = Vec::new();
        for who in split(field("service_object")) {
            let kind = if who == "自然人" {
                "自然人"
            } else {
                "法人"
            };
            if !audience.iter().any(|a| a == kind) {
                audience.push(kind.to_string());
            }
        }
        rows.push(Row {
            id: field("task_code"),
            title: field("item_name"),
            aliases,
            keywords: split(field("keywords")),
            department: field("department"),
            category: field("task_type"),
            theme: split(field("theme_category"))
                .into_iter()
                .next()
                .unwrap_or_default(),
            region_code: field("area_code"),
            audience,
            description: field("accept_standard").chars().take(300).collect(),
        });
    }
    rows
}

/// Opens the engine over the bundled data with `catalogue` instead of the
/// bundled one, its index persisted in `index_dir`.
fn open(catalogue: &Path, index_dir: &Path) -> Engine {
    let resources = Resources::bundled(&crate::support::root()).with_catalogue(catalogue);
    Engine::open(&EngineOptions::new(resources).with_index_dir(index_dir))
        .expect("the converted catalogue loads")
}

#[test]
fn real_portal_items_are_indexed_and_found_by_name_and_keyword() {
    let Some(csv_path) = crate::support::shared_data("gov_items/guangdong_items.csv") else {
        return;
    };
    let rows = convert(&csv_path);
    assert_eq!(rows.len(), 2262);
    let dir = tempfile::tempdir().unwrap();
    let catalogue = dir.path().join("portal.jsonl");
    let jsonl: Vec<String> = rows
        .iter()
        .map(|r| serde_json::to_string(r).unwrap())
        .collect();
    std::fs::write(&catalogue, jsonl.join("\n")).unwrap();
    let index_dir = dir.path().join("state/index");

    // The index is built and persisted, then reused.
    let built = open(&catalogue, &index_dir);
    assert!(!built.reused_index());
    assert_eq!(built.catalogue().len(), 2262);
    drop(built);
    let engine = open(&catalogue, &index_dir);
    assert!(engine.reused_index());
    assert_eq!(engine.catalogue().len(), 2262);
    let r = engine
        .search(&SearchRequest::new("律师执业证书注销"))
        .unwrap();
    assert!(
        r.hits
            .first()
            .is_some_and(|h| h.title.contains("律师执业证书注销")),
        "{:?}",
        crate::support::titles(&r.hits, 3)
    );

    // Every 10th item by its real name: the item (or an identically named
    // one) comes first.
    let sample: Vec<&Row> = rows.iter().step_by(10).collect();
    let mut by_name_first = 0;
    let mut misses = Vec::new();
    for row in &sample {
        let r = engine.search(&SearchRequest::new(&row.title)).unwrap();
        if r.hits.first().is_some_and(|h| h.title == row.title) {
            by_name_first += 1;
        } else {
            misses.push(row.title.clone());
        }
    }
    let rate = by_name_first as f32 / sample.len() as f32;
    println!(
        "real names: {by_name_first}/{} first ({:.1}%)",
        sample.len(),
        rate * 100.0
    );
    assert!(rate >= 0.97, "too many misses: {misses:?}");

    // A homophone typo whose pieces are real words of this catalogue
    // (等级, grade, for 登记): the 婚姻登记 services come first.
    let r = engine.search(&SearchRequest::new("婚姻等级")).unwrap();
    let top: Vec<(&str, &str)> = r
        .hits
        .iter()
        .take(3)
        .map(|h| (h.title.as_str(), h.theme.as_str()))
        .collect();
    assert!(
        top.len() == 3 && top.iter().all(|(_, theme)| *theme == "婚姻登记"),
        "婚姻等级 → {top:?}"
    );
    assert_eq!(
        r.correction.as_ref().map(|c| c.corrected.as_str()),
        Some("婚姻登记")
    );

    // Initials of the first words of a service's name, as people type
    // them (居住证办理 → jzzbl), also spell the start of longer words and
    // names: the service is among the first 10 hits.
    let segmenter = engine.analyzer().segmenter();
    let normalizer = engine.analyzer().normalizer();
    let mut initials_hits = 0;
    let mut initials_total = 0;
    let mut initials_misses = Vec::new();
    for row in &sample {
        let title = normalizer.normalize(&row.title);
        let words: Vec<String> = segmenter
            .query_words(&title)
            .into_iter()
            .filter(|w| !w.stop && w.text.chars().all(yuesou_core::is_han))
            .take(2)
            .map(|w| w.text)
            .collect();
        let phrase = words.concat();
        if words.len() < 2 || phrase.chars().count() < 4 {
            continue;
        }
        let initials = engine.pinyin().initials(&phrase);
        initials_total += 1;
        let r = engine.search(&SearchRequest::new(&initials)).unwrap();
        if r.hits.iter().any(|h| h.title == row.title) {
            initials_hits += 1;
        } else {
            initials_misses.push(format!("{initials} ({phrase}) → {}", row.title));
        }
    }
    let rate = initials_hits as f32 / initials_total as f32;
    println!(
        "initials of the first two words: {initials_hits}/{initials_total} in top 10 ({:.1}%)",
        rate * 100.0
    );
    println!("initials misses: {initials_misses:?}");
    assert!(rate >= 0.85, "initials misses: {initials_misses:?}");

    // Every colloquial keyword: the item is among the first 10 hits.
    let mut keyword_hits = 0;
    let mut keyword_total = 0;
    let mut keyword_misses = Vec::new();
    for row in rows.iter().filter(|r| !r.keywords.is_empty()) {
        for keyword in &row.keywords {
            keyword_total += 1;
            let r = engine
                .search(&SearchRequest::new(keyword).page(1, 10))
                .unwrap();
            if r.hits.iter().any(|h| h.id == row.id) {
                keyword_hits += 1;
            } else if keyword_misses.len() < 20 {
                keyword_misses.push(format!("{keyword} → {}", row.title));
            }
        }
    }
    let rate = keyword_hits as f32 / keyword_total as f32;
    println!(
        "keywords: {keyword_hits}/{keyword_total} in top 10 ({:.1}%)",
        rate * 100.0
    );
    assert!(rate >= 0.8, "keyword misses: {keyword_misses:?}");
}
