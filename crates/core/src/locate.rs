//! Stage 3 of the query pipeline: place names in the query (地名识别), and
//! the location a search ranks for.
//!
//! Most services are run by a city, so where the person is decides which
//! variant of 公积金提取 is theirs. A location comes from one of three
//! sources, the first that applies:
//!
//! 1. **query** — a city, district or county named in the query (广州, 广州市,
//!    天河, 宝安区, 羊城; pinyin such as `foshan` once the corrector has read
//!    it). The place words leave the text query and become the location.
//! 2. **explicit** — a `city` (or the `region` filter) the app sends.
//! 3. **position** — the phone's WGS-84 latitude/longitude, converted to
//!    GCJ-02 and reverse-looked-up to its district.
//!
//! ```
//! use yuesou_core::{Gazetteer, Normalizer, PlaceRecognizer};
//! # let gazetteer = yuesou_core::Gazetteer::parse(
//! #   concat!(
//! #     r#"{"code":"440000","name":"广东省","short_name":"广东","level":"province","lat":23.1,"lng":113.2}"#, "\n",
//! #     r#"{"code":"440100","name":"广州市","short_name":"广州","level":"city","parent_code":"440000","lat":23.1,"lng":113.2}"#, "\n",
//! #     r#"{"code":"440106","name":"天河区","short_name":"天河","level":"county","parent_code":"440100","lat":23.1,"lng":113.3}"#),
//! #   "g.jsonl".as_ref()).unwrap();
//! let places = PlaceRecognizer::new(&gazetteer, &Normalizer::new());
//! let found = places.find("天河社保卡补换");
//! assert_eq!(found[0].code, "440106");
//! assert_eq!(found[0].text, "天河");
//! ```

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, MatchKind};
use serde::Serialize;

use crate::gazetteer::{Division, Gazetteer, PROVINCE_CODE};
use crate::normalize::Normalizer;

/// A place name found in a query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlaceMention {
    /// The words as they appear in the normalised query (天河, 广州市, 羊城).
    pub text: String,
    /// The division's code.
    pub code: String,
    /// Every division with this name, county-level before towns (the chosen
    /// one is `code`).
    #[serde(skip)]
    pub candidates: Vec<String>,
    /// Byte offset of the mention in the normalised query.
    #[serde(skip)]
    pub start: usize,
    /// Byte offset of its end.
    #[serde(skip)]
    pub end: usize,
}

/// Finds division names (full, short and aliases of two characters or more)
/// in normalised queries, longest first.
#[derive(Debug, Clone)]
pub struct PlaceRecognizer {
    matcher: Option<AhoCorasick>,
    /// Per pattern: the codes of every division with that name.
    codes: Vec<Vec<String>>,
    /// Division code → parent code, to tell which of several same-named
    /// places lies inside another place the query names.
    parents: HashMap<String, String>,
}

/// Short names too generic to mean a place on their own (汕尾's 城区 is
/// still found by its alias 汕尾城区 or with its city).
fn too_generic(name: &str) -> bool {
    let chars: Vec<char> = name.chars().collect();
    chars.len() < 2
        || (chars.len() == 2
            && matches!(chars[1], '区')
            && matches!(chars[0], '城' | '市' | '郊' | '东' | '西' | '南' | '北'))
}

impl PlaceRecognizer {
    /// Builds the recogniser over every division's names.
    pub fn new(gazetteer: &Gazetteer, normalizer: &Normalizer) -> Self {
        let mut patterns: Vec<String> = Vec::new();
        let mut codes: Vec<Vec<String>> = Vec::new();
        for d in gazetteer.divisions() {
            let names = [d.name.as_str(), d.short_name.as_str()]
                .into_iter()
                .chain(d.aliases.iter().map(String::as_str));
            for name in names {
                let name = normalizer.normalize(name);
                if too_generic(&name) {
                    continue;
                }
                match patterns.iter().position(|p| *p == name) {
                    Some(i) if !codes[i].contains(&d.code) => codes[i].push(d.code.clone()),
                    Some(_) => {}
                    None => {
                        patterns.push(name);
                        codes.push(vec![d.code.clone()]);
                    }
                }
            }
        }
        let matcher = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .ok()
            .filter(|_| !patterns.is_empty());
        let parents = gazetteer
            .divisions()
            .iter()
            .map(|d| (d.code.clone(), d.parent_code.clone()))
            .collect();
        PlaceRecognizer {
            matcher,
            codes,
            parents,
        }
    }

    /// Every place name in a normalised query, left to right, without
    /// overlaps, preferring longer names. `aligned(start, end)` says whether
    /// a byte span falls on word boundaries; names inside a longer word
    /// (高要 in 提高要求, 深圳 in 深圳通 when that is a word) are skipped.
    pub fn find_aligned(
        &self,
        query: &str,
        aligned: impl Fn(usize, usize) -> bool,
    ) -> Vec<PlaceMention> {
        let Some(matcher) = &self.matcher else {
            return Vec::new();
        };
        let mut candidates: Vec<PlaceMention> = matcher
            .find_overlapping_iter(query)
            .filter(|m| aligned(m.start(), m.end()))
            .map(|m| {
                let candidates = self.codes[m.pattern().as_usize()].clone();
                PlaceMention {
                    text: query[m.start()..m.end()].to_string(),
                    code: candidates[0].clone(),
                    candidates,
                    start: m.start(),
                    end: m.end(),
                }
            })
            .collect();
        candidates.sort_by(|a, b| {
            (b.end - b.start)
                .cmp(&(a.end - a.start))
                .then(a.start.cmp(&b.start))
        });
        let mut chosen: Vec<PlaceMention> = Vec::new();
        for c in candidates {
            if chosen.iter().all(|o| c.end <= o.start || c.start >= o.end) {
                chosen.push(c);
            }
        }
        chosen.sort_by_key(|m| m.start);
        // A name shared by several places (南头 in 深圳 and 中山) means the
        // one inside another place the query names.
        let named: Vec<String> = chosen.iter().map(|m| m.code.clone()).collect();
        for mention in &mut chosen {
            if let Some(inside) = mention.candidates.iter().find(|c| {
                named
                    .iter()
                    .any(|other| *other != mention.code && self.is_within(c, other))
            }) {
                mention.code = inside.clone();
            }
        }
        chosen
    }

    fn is_within(&self, code: &str, ancestor: &str) -> bool {
        let mut current = Some(code);
        while let Some(c) = current {
            if c == ancestor {
                return true;
            }
            current = self
                .parents
                .get(c)
                .map(String::as_str)
                .filter(|p| !p.is_empty());
        }
        false
    }

    /// [`find_aligned`](Self::find_aligned) without a word-boundary check.
    pub fn find(&self, query: &str) -> Vec<PlaceMention> {
        self.find_aligned(query, |_, _| true)
    }
}

/// Where the person searching is, as the caller gives it.
#[derive(Debug, Clone, PartialEq)]
pub enum LocationInput {
    /// A WGS-84 position from the phone (degrees).
    Position {
        /// Latitude.
        lat: f64,
        /// Longitude.
        lng: f64,
    },
    /// A division the app names: code (440106) or name (天河, 广州市).
    Region(String),
}

/// Where the location a search used came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum LocationSource {
    /// A place named in the query.
    Query,
    /// The phone's position.
    Position,
    /// A city or region the caller gave explicitly (`city`, or the `region`
    /// filter).
    Explicit,
}

/// The location a search ranked for.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResolvedLocation {
    /// Where it came from.
    pub source: LocationSource,
    /// The most specific division: a district or county, a city, or the
    /// province (440000) when the position is outside Guangdong or the query
    /// names only the province.
    pub code: String,
    /// Its display name (广州市天河区).
    pub name: String,
    /// The county-level division (district, county, county-level city),
    /// when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub district_code: Option<String>,
    /// The prefecture-level city, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city_code: Option<String>,
    /// The city's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city_name: Option<String>,
    /// The place words taken out of the query (source `query`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<String>,
    /// The position was outside Guangdong: ranking is province-wide.
    pub outside: bool,
    /// For a position: metres to the representative point of the district it
    /// was matched to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<f64>,
}

/// Regions by name (广州市, 广州, 羊城: full name, short name or alias),
/// indexed once so a request resolves a region name in one lookup.
#[derive(Debug, Clone, Default)]
pub(crate) struct RegionNames {
    /// Name → index of the first division (in gazetteer order) with it.
    by_name: HashMap<String, usize>,
}

impl RegionNames {
    /// Indexes every division's names.
    pub(crate) fn new(gazetteer: &Gazetteer) -> Self {
        let mut by_name = HashMap::new();
        for (i, d) in gazetteer.divisions().iter().enumerate() {
            for name in [&d.name, &d.short_name].into_iter().chain(&d.aliases) {
                by_name.entry(name.clone()).or_insert(i);
            }
        }
        RegionNames { by_name }
    }

    /// Resolves a region given as a code or a name (广州, 广州市, 天河区,
    /// 羊城), names compared after normalisation.
    pub(crate) fn resolve<'g>(
        &self,
        gazetteer: &'g Gazetteer,
        normalizer: &Normalizer,
        value: &str,
    ) -> Option<&'g Division> {
        let value = value.trim();
        if let Some(d) = gazetteer.division(value) {
            return Some(d);
        }
        let normalized = normalizer.normalize(value);
        self.by_name
            .get(&normalized)
            .and_then(|&i| gazetteer.divisions().get(i))
    }
}

/// The location named in a query: the most specific place mentioned (a
/// district within a named city wins over the city; the first place wins
/// when they disagree).
pub(crate) fn query_location(
    gazetteer: &Gazetteer,
    places: &[PlaceMention],
) -> Option<ResolvedLocation> {
    let first = places.first()?;
    let mut chosen = gazetteer.division(&first.code)?;
    for place in &places[1..] {
        // A place inside the chosen one is more specific.
        if gazetteer.is_within(&place.code, &chosen.code)
            && let Some(d) = gazetteer.division(&place.code)
        {
            chosen = d;
        }
    }
    let mut location = ResolvedLocation::at(gazetteer, chosen, LocationSource::Query);
    location.mentions = places.iter().map(|p| p.text.clone()).collect();
    Some(location)
}

impl ResolvedLocation {
    /// A location at a division.
    pub(crate) fn at(gazetteer: &Gazetteer, division: &Division, source: LocationSource) -> Self {
        let city = gazetteer.city_of(&division.code);
        ResolvedLocation {
            source,
            code: division.code.clone(),
            name: gazetteer.display_name(&division.code),
            district_code: gazetteer.county_of(&division.code).map(|c| c.code.clone()),
            city_code: city.map(|c| c.code.clone()),
            city_name: city.map(|c| c.name.clone()),
            mentions: Vec::new(),
            outside: false,
            distance_m: None,
        }
    }

    /// The province-wide location of a position outside Guangdong.
    pub(crate) fn outside(gazetteer: &Gazetteer) -> Self {
        ResolvedLocation {
            source: LocationSource::Position,
            code: PROVINCE_CODE.to_string(),
            name: gazetteer.display_name(PROVINCE_CODE),
            district_code: None,
            city_code: None,
            city_name: None,
            mentions: Vec::new(),
            outside: true,
            distance_m: None,
        }
    }

    /// How well an item offered in `region_code` fits this location.
    pub fn fit(&self, gazetteer: &Gazetteer, region_code: &str) -> RegionFit {
        if region_code == PROVINCE_CODE {
            return RegionFit::Province;
        }
        let Some(city) = &self.city_code else {
            // Only the province is known: every city's variant is equally
            // (un)suited.
            return RegionFit::AnyCity;
        };
        if region_code == city {
            return RegionFit::City;
        }
        // The searcher's own district (or town), or a place inside it.
        let own = self.district_code.as_deref().unwrap_or(&self.code);
        if region_code == self.code || (own != city && gazetteer.is_within(region_code, own)) {
            return RegionFit::District;
        }
        if gazetteer.is_within(region_code, city) {
            RegionFit::SameCity
        } else {
            RegionFit::OtherCity
        }
    }
}

/// How an item's region fits the searcher's location (explained per hit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RegionFit {
    /// Offered by the searcher's own district or county.
    District,
    /// Offered by the searcher's city (city-run services).
    City,
    /// Offered by another district of the searcher's city.
    SameCity,
    /// Offered province-wide.
    Province,
    /// A city's variant, and the searcher's city is unknown (position
    /// outside Guangdong, or only the province named).
    AnyCity,
    /// Another city's variant: demoted, not hidden.
    OtherCity,
}

impl RegionFit {
    /// The ranking multiplier of the fit.
    pub fn factor(self) -> f32 {
        match self {
            RegionFit::District | RegionFit::City => 1.0,
            RegionFit::SameCity => 0.93,
            RegionFit::Province => 0.9,
            RegionFit::AnyCity => 0.85,
            RegionFit::OtherCity => 0.7,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_full_short_and_alias_names_longest_first() {
        let g = Gazetteer::minimal_for_tests();
        let r = PlaceRecognizer::new(&g, &Normalizer::new());
        let found = r.find("广州市天河区公积金");
        let texts: Vec<&str> = found.iter().map(|m| m.text.as_str()).collect();
        assert_eq!(texts, vec!["广州市", "天河区"]);
        assert_eq!(r.find("羊城社保")[0].code, "440100");
        assert!(r.find("社保卡补换").is_empty());
    }

    #[test]
    fn generic_district_names_are_not_places_alone() {
        assert!(too_generic("城区"));
        assert!(too_generic("穗"));
        assert!(!too_generic("天河"));
    }

    #[test]
    fn region_fit_prefers_own_city_then_province() {
        let g = Gazetteer::minimal_for_tests();
        let tianhe = g.division("440106").unwrap();
        let here = ResolvedLocation::at(&g, tianhe, LocationSource::Position);
        assert_eq!(here.city_code.as_deref(), Some("440100"));
        assert_eq!(here.fit(&g, "440106"), RegionFit::District);
        assert_eq!(here.fit(&g, "440100"), RegionFit::City);
        assert_eq!(here.fit(&g, "440000"), RegionFit::Province);
        assert_eq!(here.fit(&g, "440300"), RegionFit::OtherCity);
        let city = ResolvedLocation::at(&g, g.division("440100").unwrap(), LocationSource::Query);
        assert_eq!(city.fit(&g, "440100"), RegionFit::City);
        assert_eq!(city.fit(&g, "440106"), RegionFit::SameCity);
        let away = ResolvedLocation::outside(&g);
        assert_eq!(away.fit(&g, "440000"), RegionFit::Province);
        assert_eq!(away.fit(&g, "440100"), RegionFit::AnyCity);
        assert!(RegionFit::City.factor() > RegionFit::Province.factor());
        assert!(RegionFit::Province.factor() > RegionFit::OtherCity.factor());
    }
}
