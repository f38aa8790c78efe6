//! Location-aware search: place names in the query, the phone's position, an
//! explicit city; region-fit ranking; nearest service halls; the category
//! tree per region.

use crate::support::{engine, root, titles};
use yuesou_core::geo::{distance_m, wgs84_to_gcj02};
use yuesou_core::{
    HallQuery, LocationSource, RegionFit, SearchRequest, SearchResponse, ServiceHall,
};

fn search_with(request: SearchRequest) -> SearchResponse {
    engine()
        .search(&request.explain(true))
        .unwrap_or_else(|e| panic!("search failed: {e}"))
}

/// The first hit whose title contains `fragment` (the intended service) must
/// rank in the top 3 and be the variant of `region`.
fn first_variant(r: &SearchResponse, fragment: &str) -> Option<(usize, String)> {
    r.hits
        .iter()
        .take(3)
        .position(|h| h.title.contains(fragment))
        .map(|i| (i, r.hits[i].region_code.clone()))
}

#[test]
fn the_location_query_set_ranks_the_local_variant_first() {
    let text = std::fs::read_to_string(root().join("tests/location_queries.tsv"))
        .expect("tests/location_queries.tsv");
    let (mut n, mut ok) = (0, 0);
    let mut failures = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let fields: Vec<&str> = line.split('\t').collect();
        let [query, position, city, fragment, region] = fields[..] else {
            panic!("bad line {line:?}");
        };
        let mut request = SearchRequest::new(query);
        if let Some((lat, lng)) = position.split_once(',') {
            let lat: f64 = lat.trim().parse().expect("latitude");
            let lng: f64 = lng.trim().parse().expect("longitude");
            request = request.at_position(lat, lng);
        }
        if !city.is_empty() {
            request = request.in_region(city);
        }
        let r = search_with(request);
        n += 1;
        match first_variant(&r, fragment) {
            Some((_, got)) if got == region => ok += 1,
            other => failures.push(format!(
                "{query:?} pos={position:?} city={city:?} → {:?} (wanted {fragment} in {region}, got {other:?}; location {:?})",
                titles(&r.hits, 3),
                r.location.as_ref().map(|l| (&l.name, l.source)),
            )),
        }
    }
    println!(
        "location queries: {ok}/{n} put the local variant of the intended service in the top 3"
    );
    assert!(
        failures.is_empty(),
        "{} of {n} missed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn a_place_in_the_query_becomes_the_location() {
    let r = search_with(SearchRequest::new("江门公积金贷款"));
    let location = r.location.as_ref().expect("a location");
    assert_eq!(location.source, LocationSource::Query);
    assert_eq!(location.code, "440700");
    assert_eq!(location.mentions, vec!["江门"]);
    assert_eq!(r.hits[0].region_code, "440700", "{:?}", titles(&r.hits, 3));
    assert!(r.hits[0].title.contains("公积金"));
    // The place left the text query: no concept is the city.
    assert!(r.query.concepts.iter().all(|c| c.text != "江门"));
    let explain = r.hits[0].explain.as_ref().unwrap();
    assert_eq!(explain.region_fit, Some(RegionFit::City));
}

#[test]
fn a_district_resolves_to_its_city_for_city_run_services() {
    for query in ["天河社保卡补换", "天河区 公积金提取", "宝安区居住证"] {
        let r = search_with(SearchRequest::new(query));
        let location = r.location.as_ref().expect("a location");
        assert_eq!(location.source, LocationSource::Query);
        let city = if query.contains("宝安") {
            "440300"
        } else {
            "440100"
        };
        assert_eq!(location.city_code.as_deref(), Some(city), "{query}");
        assert_eq!(
            r.hits[0].region_code,
            city,
            "{query}: {:?}",
            titles(&r.hits, 3)
        );
    }
}

#[test]
fn a_phone_position_picks_the_local_variant() {
    // 福田, 深圳 (WGS-84 as a phone reports it).
    let r = search_with(SearchRequest::new("社保卡补换").at_position(22.5410, 114.0550));
    let location = r.location.as_ref().expect("a location");
    assert_eq!(location.source, LocationSource::Position);
    assert_eq!(location.city_code.as_deref(), Some("440300"));
    assert!(location.distance_m.is_some());
    assert_eq!(r.hits[0].region_code, "440300", "{:?}", titles(&r.hits, 3));
    assert!(r.hits[0].title.contains("社会保障卡补换"));
    // Other cities' variants ride along with the hit …
    assert!(r.hits[0].variants.iter().any(|v| v.region_code == "440100"));
    // … and, uncollapsed, are demoted, not hidden.
    let r = search_with(
        SearchRequest::new("社保卡补换")
            .at_position(22.5410, 114.0550)
            .collapse(false),
    );
    assert_eq!(r.hits[0].region_code, "440300", "{:?}", titles(&r.hits, 3));
    assert!(
        r.hits
            .iter()
            .any(|h| h.region_code != "440300" && h.region_code != "440000")
    );
    let other = r
        .hits
        .iter()
        .find(|h| h.region_code != "440300" && h.region_code != "440000")
        .and_then(|h| h.explain.as_ref())
        .expect("another city's variant");
    assert_eq!(other.region_fit, Some(RegionFit::OtherCity));
    assert!(other.region_factor < 1.0);
}

#[test]
fn the_query_place_wins_over_the_position() {
    // Standing in Guangzhou, asking about Huizhou's residence permit.
    let r = search_with(SearchRequest::new("惠州居住证").at_position(23.1291, 113.2644));
    let location = r.location.as_ref().expect("a location");
    assert_eq!(location.source, LocationSource::Query);
    assert_eq!(location.code, "441300");
    assert_eq!(r.hits[0].region_code, "441300", "{:?}", titles(&r.hits, 3));
    assert!(r.hits[0].title.contains("居住证"));
}

#[test]
fn an_explicit_city_is_a_location_too() {
    let r = search_with(SearchRequest::new("公积金提取").in_region("佛山"));
    let location = r.location.as_ref().expect("a location");
    assert_eq!(location.source, LocationSource::Explicit);
    assert_eq!(location.code, "440600");
    assert_eq!(r.hits[0].region_code, "440600");
    // A city naming no place: no hits, and a message saying so.
    let r = engine()
        .search(&SearchRequest::new("公积金提取").in_region("火星"))
        .expect("an answer");
    assert_eq!(r.total, 0);
    let message = r.message_text.expect("a message");
    assert_eq!(message.id(), "search-unknown-region");
    assert!(message.to_string().contains("火星"), "{message}");
}

#[test]
fn a_position_outside_guangdong_falls_back_to_province_wide_ranking() {
    for (lat, lng, place) in [
        (39.9042, 116.4074, "Beijing"),
        (22.2793, 114.1628, "Hong Kong"),
        (28.2282, 112.9388, "Changsha"),
    ] {
        let r = search_with(SearchRequest::new("社保").at_position(lat, lng));
        let location = r.location.as_ref().expect("a location");
        assert!(location.outside, "{place}: {location:?}");
        assert_eq!(location.code, "440000");
        assert!(location.city_code.is_none());
        // No city is favoured: every city variant fits equally.
        for hit in &r.hits {
            let fit = hit.explain.as_ref().unwrap().region_fit;
            let expected = if hit.region_code == "440000" {
                RegionFit::Province
            } else {
                RegionFit::AnyCity
            };
            assert_eq!(fit, Some(expected), "{place}: {}", hit.title);
        }
    }
    // A province-wide service outranks the same-relevance city variants.
    let r = search_with(SearchRequest::new("社会保险缴费标准查询").at_position(39.9, 116.4));
    assert_eq!(r.hits[0].region_code, "440000", "{:?}", titles(&r.hits, 3));
}

#[test]
fn bad_positions_are_clear_errors() {
    for (lat, lng) in [(91.0, 113.0), (23.0, 181.0), (f64::NAN, 113.0)] {
        let err = engine()
            .search(&SearchRequest::new("社保").at_position(lat, lng))
            .unwrap_err();
        assert!(
            matches!(err, yuesou_core::Error::InvalidRequest(_)),
            "{err}"
        );
    }
}

#[test]
fn reverse_lookup_finds_the_district_of_a_position() {
    let e = engine();
    for (lat, lng, district) in [
        (23.1247, 113.3612, "440106"), // 天河
        (22.5333, 113.9305, "440305"), // 南山
        (23.0215, 113.1214, "440604"), // 禅城
        (21.1950, 110.3990, "440803"), // 霞山
        (22.8170, 113.6710, "441900"), // 虎门, 东莞 (no district level)
        (23.6618, 116.6225, "445102"), // 湘桥
    ] {
        let located = e.locate_position(lat, lng).unwrap();
        let found = located
            .district_code
            .as_deref()
            .or(located.city_code.as_deref());
        assert_eq!(found, Some(district), "{lat},{lng} → {}", located.name);
        assert!(!located.outside);
    }
}

fn hall<'a>(id: &str, halls: &'a [ServiceHall]) -> &'a ServiceHall {
    halls.iter().find(|h| h.id == id).expect("hall exists")
}

#[test]
fn nearest_halls_are_sorted_by_true_distance() {
    let e = engine();
    let (lat, lng) = (23.1247, 113.3612); // 天河, WGS-84
    let near = e.nearest_halls(&HallQuery::new(lat, lng)).unwrap();
    assert_eq!(near.len(), 10);
    assert!(near.windows(2).all(|w| w[0].distance_m <= w[1].distance_m));
    // Distances are measured from the GCJ-02 position to the hall.
    let (glat, glng) = wgs84_to_gcj02(lat, lng);
    for n in &near {
        let h = hall(&n.hall.id, e.halls());
        assert!((distance_m(glat, glng, h.lat, h.lng) - n.distance_m).abs() < 1.0);
    }
    // Nothing closer was left out.
    let brute = e
        .halls()
        .iter()
        .map(|h| distance_m(glat, glng, h.lat, h.lng))
        .fold(f64::MAX, f64::min);
    assert!((brute - near[0].distance_m).abs() < 1.0);
    assert_eq!(near[0].hall.region_code.get(..4), Some("4401"));
}

#[test]
fn nearest_halls_for_an_item_only_list_halls_that_handle_it() {
    let e = engine();
    // Shenzhen's housing-fund item, asked for from Guangzhou: only
    // Shenzhen's halls handle it, so they come back, nearest first.
    let item = e
        .catalogue()
        .items()
        .iter()
        .find(|i| i.region_code == "440300" && i.theme == "公积金")
        .expect("a Shenzhen housing-fund item");
    let near = e
        .nearest_halls(&HallQuery::new(23.1291, 113.2644).handling(&item.id))
        .unwrap();
    assert!(!near.is_empty());
    for n in &near {
        assert!(n.hall.themes.contains(&item.theme), "{}", n.hall.name);
        let city = e
            .gazetteer()
            .city_of(&n.hall.region_code)
            .map(|c| c.code.clone());
        assert_eq!(city.as_deref(), Some("440300"), "{}", n.hall.name);
    }
    assert!(near.windows(2).all(|w| w[0].distance_m <= w[1].distance_m));
    assert!(matches!(
        e.nearest_halls(&HallQuery::new(23.1, 113.2).handling("no-such-item")),
        Err(yuesou_core::Error::UnknownItem(_))
    ));
    assert!(
        e.nearest_halls(&HallQuery {
            size: 0,
            ..HallQuery::new(23.1, 113.2)
        })
        .is_err()
    );
    assert!(e.nearest_halls(&HallQuery::new(123.1, 113.2)).is_err());
}

#[test]
fn the_category_tree_lists_each_service_once_in_the_right_variant() {
    let e = engine();
    let all = e.categories(None).unwrap();
    let themes: usize = all.iter().map(|c| c.themes.len()).sum();
    assert_eq!(themes, 27);
    let titles_in = |tree: &[yuesou_core::CategoryNode]| -> Vec<(String, String)> {
        tree.iter()
            .flat_map(|c| c.themes.iter().flat_map(|t| t.services.iter()))
            .map(|s| (s.title.clone(), s.region_code.clone()))
            .collect()
    };
    let listed = titles_in(&all);
    let mut unique = listed.iter().map(|(t, _)| t.clone()).collect::<Vec<_>>();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), listed.len(), "each service once");
    // For a Shenzhen user, city-run services are Shenzhen's variants and no
    // other city's variant appears.
    let shenzhen = titles_in(&e.categories(Some("深圳")).unwrap());
    assert!(shenzhen.iter().all(|(_, r)| r == "440300" || r == "440000"));
    assert!(
        shenzhen
            .iter()
            .any(|(t, r)| t.contains("公积金") && r == "440300")
    );
    assert!(shenzhen.len() <= listed.len());
    assert!(e.categories(Some("火星")).is_err());
}

#[test]
fn towns_name_their_city_and_shared_names_follow_the_city_named_with_them() {
    let r = search_with(SearchRequest::new("虎门 公积金提取"));
    let location = r.location.as_ref().expect("a location");
    assert_eq!(location.city_code.as_deref(), Some("441900"));
    assert!(location.name.contains("虎门"), "{}", location.name);
    assert_eq!(r.hits[0].region_code, "441900", "{:?}", titles(&r.hits, 3));
    // 南头 is a street of 深圳南山 and a town of 中山: with 中山 named, it is
    // 中山's; alone, the first (深圳's) is taken.
    let r = search_with(SearchRequest::new("中山南头居住证"));
    let location = r.location.as_ref().expect("a location");
    assert_eq!(
        location.city_code.as_deref(),
        Some("442000"),
        "{}",
        location.name
    );
    assert!(location.name.contains("南头"), "{}", location.name);
    assert_eq!(r.hits[0].region_code, "442000", "{:?}", titles(&r.hits, 3));
}
