//! The bundled data covers what ../shared/CATALOGUE.md asks for: every theme of
//! the platform spec, 21 city variants of city-run services, the whole
//! gazetteer with coordinates, and a service hall for every city and
//! county-level unit.

use std::collections::{BTreeMap, BTreeSet};

use crate::support::engine;
use yuesou_core::Level;

/// Table 1 of the platform spec: category → themes.
const THEMES: [(&str, &[&str]); 6] = [
    (
        "常用服务",
        &[
            "公积金",
            "社保",
            "护照通行证",
            "行驶驾驶",
            "税务",
            "户政（治安）",
            "生活缴费",
            "交通出行",
        ],
    ),
    (
        "专项服务",
        &[
            "不动产登记",
            "公共服务",
            "人才与就业",
            "法律服务",
            "调解仲裁",
            "社会救助",
            "信用信息",
        ],
    ),
    ("人生事", &["婚姻", "新生儿"]),
    ("营商服务", &["中介超市", "企业开办"]),
    ("群体服务", &["助残", "境外人士"]),
    (
        "专区",
        &[
            "少数民族旅游服务",
            "智慧出行服务",
            "公安服务",
            "人社服务",
            "流动人口",
            "粤港澳大湾区服务",
        ],
    ),
];

/// Themes whose services each city runs (one variant per city).
const CITY_RUN: [&str; 6] = [
    "公积金",
    "社保",
    "不动产登记",
    "户政（治安）",
    "流动人口",
    "生活缴费",
];

#[test]
fn every_theme_of_the_spec_is_present_under_its_category() {
    let items = engine().catalogue().items();
    assert!(items.len() >= 3000, "only {} items", items.len());
    for (category, themes) in THEMES {
        for theme in themes {
            let n = items
                .iter()
                .filter(|i| i.category == category && i.theme == *theme)
                .count();
            assert!(n > 0, "no items for {category} / {theme}");
        }
    }
    let known: BTreeSet<&str> = THEMES.iter().flat_map(|(_, t)| t.iter().copied()).collect();
    for item in items {
        assert!(
            known.contains(item.theme.as_str()),
            "{} has unknown theme {}",
            item.id,
            item.theme
        );
    }
}

#[test]
fn city_run_services_have_one_variant_per_city_with_its_own_department() {
    let engine = engine();
    let cities: BTreeSet<String> = engine
        .gazetteer()
        .divisions()
        .iter()
        .filter(|d| d.level == Level::City)
        .map(|d| d.code.clone())
        .collect();
    assert_eq!(cities.len(), 21);
    for theme in CITY_RUN {
        // Variants share a title; group city-level items by title.
        let mut by_title: BTreeMap<&str, Vec<&yuesou_core::ServiceItem>> = BTreeMap::new();
        for item in engine
            .catalogue()
            .items()
            .iter()
            .filter(|i| i.theme == theme)
        {
            if cities.contains(&item.region_code) {
                by_title.entry(item.title.as_str()).or_default().push(item);
            }
        }
        let complete: Vec<&&str> = by_title
            .iter()
            .filter(|(_, variants)| {
                let regions: BTreeSet<&str> =
                    variants.iter().map(|i| i.region_code.as_str()).collect();
                let departments: BTreeSet<&str> =
                    variants.iter().map(|i| i.department.as_str()).collect();
                regions.len() == 21 && departments.len() == 21
            })
            .map(|(title, _)| title)
            .collect();
        assert!(
            complete.len() >= 3,
            "{theme}: only {complete:?} have 21 city variants"
        );
        // Any other city-level service of the theme is a deliberate one-city
        // service (积分制入户广州), never a partial set.
        for (title, variants) in &by_title {
            assert!(
                variants.len() == 21 || variants.len() == 1,
                "{theme}/{title}: {} variants",
                variants.len()
            );
        }
    }
}

#[test]
fn the_gazetteer_has_every_city_and_county_with_coordinates() {
    let g = engine().gazetteer();
    let count = |level| g.divisions().iter().filter(|d| d.level == level).count();
    assert_eq!(count(Level::Province), 1);
    assert_eq!(count(Level::City), 21);
    assert_eq!(count(Level::County), 122);
    for d in g.divisions() {
        assert!(
            (20.0..=26.0).contains(&d.lat) && (109.0..=118.0).contains(&d.lng),
            "{} off the map",
            d.name
        );
        assert!(!d.pinyin.is_empty(), "{} lacks pinyin", d.name);
    }
    assert_eq!(
        g.city_of("440106").map(|c| c.short_name.as_str()),
        Some("广州")
    );
    assert_eq!(g.display_name("440309"), "深圳市龙华区");
}

#[test]
fn every_city_and_county_has_a_service_hall() {
    let engine = engine();
    let with_hall: BTreeSet<&str> = engine
        .halls()
        .iter()
        .map(|h| h.region_code.as_str())
        .collect();
    for d in engine.gazetteer().divisions() {
        if d.level == Level::Town {
            continue;
        }
        assert!(
            with_hall.contains(d.code.as_str()),
            "no hall for {}",
            d.name
        );
    }
    for hall in engine.halls() {
        assert!(
            !hall.address.is_empty() && !hall.themes.is_empty(),
            "{} incomplete",
            hall.id
        );
    }
}

/// Our gazetteer agrees with the official 2023 codes and names, and our
/// coordinates lie within 15 km of an independent source.
#[test]
fn the_gazetteer_matches_the_reference_divisions() {
    let Some(path) = crate::support::shared_data("divisions/guangdong_divisions.csv") else {
        return;
    };
    let mut reader = csv::Reader::from_path(path).unwrap();
    let g = engine().gazetteer();
    let mut checked = 0;
    for record in reader.deserialize::<BTreeMap<String, String>>() {
        let r = record.unwrap();
        let level = r["level"].as_str();
        if level == "town" || r["code"] == r["parent_code"] {
            continue; // towns and the pseudo-county rows of 东莞/中山
        }
        let ours = g
            .division(&r["code"])
            .unwrap_or_else(|| panic!("missing {} {}", r["code"], r["name"]));
        assert_eq!(ours.name, r["name"]);
        if let (Ok(lat), Ok(lng)) = (r["lat_gcj02"].parse::<f64>(), r["lng_gcj02"].parse::<f64>()) {
            let km = distance_km(ours.lat, ours.lng, lat, lng);
            assert!(km < 15.0, "{} is {km:.1} km from the reference", ours.name);
        }
        checked += 1;
    }
    assert_eq!(checked, 144);
}

/// The towns people name carry their official 2023 code and name, lie under
/// the right county, and sit within 3 km of the reference centre where the
/// reference has one; every town and street of 东莞 and 中山 (no county
/// level) is there (development zones are left out).
#[test]
fn the_towns_match_the_reference_divisions() {
    let g = engine().gazetteer();
    let towns: Vec<_> = g
        .divisions()
        .iter()
        .filter(|d| d.level == Level::Town)
        .collect();
    assert!(towns.len() >= 300, "{} towns", towns.len());
    let Some(path) = crate::support::shared_data("divisions/guangdong_divisions.csv") else {
        return;
    };
    let mut reader = csv::Reader::from_path(path).unwrap();
    let mut reference: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for record in reader.deserialize::<BTreeMap<String, String>>() {
        let r = record.unwrap();
        if r["level"] == "town" {
            reference.insert(r["code"].clone(), r);
        }
    }
    let mut with_point = 0;
    for t in &towns {
        let r = reference
            .get(&t.code)
            .unwrap_or_else(|| panic!("{} {} is not a 2023 town code", t.code, t.name));
        assert_eq!(t.name, r["name"], "{}", t.code);
        let parent = &r["parent_code"];
        assert!(
            *parent == t.parent_code || parent.get(..4) == t.parent_code.get(..4),
            "{} is under {} in the reference",
            t.name,
            parent
        );
        if let (Ok(lat), Ok(lng)) = (r["lat_gcj02"].parse::<f64>(), r["lng_gcj02"].parse::<f64>()) {
            let km = distance_km(t.lat, t.lng, lat, lng);
            assert!(km < 3.0, "{} is {km:.1} km from the reference", t.name);
            with_point += 1;
        }
    }
    assert!(
        with_point >= 200,
        "{with_point} towns checked against a point"
    );
    for city in ["441900", "442000"] {
        for (code, r) in &reference {
            let is_town = r["name"].ends_with('镇') || r["name"].ends_with("街道");
            if code.starts_with(&city[..4]) && is_town {
                assert!(g.division(code).is_some(), "{} {} missing", code, r["name"]);
            }
        }
    }
}

fn distance_km(lat1: f64, lng1: f64, lat2: f64, lng2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lng2 - lng1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    6371.0 * 2.0 * a.sqrt().asin()
}

#[test]
fn the_thesaurus_and_dictionaries_are_substantial() {
    let d = engine().dictionaries();
    let mappings: usize = d.thesaurus.values().map(Vec::len).sum();
    assert!(mappings >= 400, "{mappings} thesaurus mappings");
    assert!(d.user_words.len() >= 1000);
    for filler in ["我想", "怎么", "如何", "请问", "一下", "帮我"] {
        assert!(
            d.stopwords.iter().any(|s| s == filler),
            "{filler} is not a stop word"
        );
    }
    // Stop words never swallow service vocabulary.
    for content in ["查询", "办理", "预约", "证明", "进度"] {
        assert!(
            !d.stopwords.iter().any(|s| s == content),
            "{content} is a stop word"
        );
    }
}

/// Every official term of the thesaurus is wording the catalogue uses (in a
/// title, alias or keyword): a mapping to words no service carries would
/// send people nowhere.
#[test]
fn every_official_thesaurus_term_names_something_in_the_catalogue() {
    let e = engine();
    let normalizer = e.analyzer().normalizer();
    let names: Vec<String> = e
        .catalogue()
        .items()
        .iter()
        .map(|item| {
            let mut text = item.title.clone();
            for extra in item.aliases.iter().chain(&item.keywords) {
                text.push('|');
                text.push_str(extra);
            }
            normalizer.normalize(&text)
        })
        .collect();
    let mut missing = Vec::new();
    for (colloquial, officials) in &e.dictionaries().thesaurus {
        for official in officials {
            if !names.iter().any(|n| n.contains(official.as_str())) {
                missing.push(format!("{colloquial} → {official}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "official terms no item carries: {missing:?}"
    );
}
