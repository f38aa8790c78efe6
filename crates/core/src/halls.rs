//! Service halls (办事大厅 / 政务服务中心): where people go in person.

use std::collections::BTreeMap;
use std::path::Path;
use yuesou_messages::Text;

use serde::{Deserialize, Serialize};

use crate::catalogue::ServiceItem;
use crate::error::{Error, Result, RowError, read_to_string};
use crate::gazetteer::{Gazetteer, Level, PROVINCE_CODE};
use crate::geo::{distance_m, validate_position, wgs84_to_gcj02};

/// 办事大厅 — a service hall with its address, hours and the themes it handles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ServiceHall {
    /// Stable identifier.
    pub id: String,
    /// Name (广州市天河区政务服务中心).
    pub name: String,
    /// Division code of the hall's region.
    pub region_code: String,
    /// Street address.
    pub address: String,
    /// Latitude (GCJ-02).
    pub lat: f64,
    /// Longitude (GCJ-02).
    pub lng: f64,
    /// Opening hours as shown to citizens.
    #[serde(default)]
    pub opening_hours: String,
    /// Telephone.
    #[serde(default)]
    pub phone: String,
    /// Themes (主题) whose services the hall handles.
    #[serde(default)]
    pub themes: Vec<String>,
    /// Opening hours, machine-readable (parsed once from `opening_hours` by
    /// `scripts/author_hall_calendars.py`, kept in the data).
    #[serde(default)]
    pub hours: WeeklyHours,
    /// 预约 — the services booked here (item family → places per slot).
    #[serde(default)]
    pub bookings: BTreeMap<String, u32>,
}

/// Open intervals per weekday: each `["HH:MM", "HH:MM"]`, sorted, not
/// overlapping. A day without intervals is closed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WeeklyHours {
    /// Monday.
    #[serde(default)]
    pub mon: Vec<[String; 2]>,
    /// Tuesday.
    #[serde(default)]
    pub tue: Vec<[String; 2]>,
    /// Wednesday.
    #[serde(default)]
    pub wed: Vec<[String; 2]>,
    /// Thursday.
    #[serde(default)]
    pub thu: Vec<[String; 2]>,
    /// Friday.
    #[serde(default)]
    pub fri: Vec<[String; 2]>,
    /// Saturday.
    #[serde(default)]
    pub sat: Vec<[String; 2]>,
    /// Sunday.
    #[serde(default)]
    pub sun: Vec<[String; 2]>,
}

impl WeeklyHours {
    /// The intervals of a weekday, Monday = 0 … Sunday = 6.
    pub fn day(&self, weekday: usize) -> &[[String; 2]] {
        match weekday {
            0 => &self.mon,
            1 => &self.tue,
            2 => &self.wed,
            3 => &self.thu,
            4 => &self.fri,
            5 => &self.sat,
            _ => &self.sun,
        }
    }

    /// Why the hours are not well-formed, if they are not: a time that is
    /// not `HH:MM`, an interval that ends before it starts, overlapping or
    /// unsorted intervals.
    fn problem(&self) -> Option<String> {
        let minutes = |t: &str| -> Option<u32> {
            let (h, m) = t.split_once(':')?;
            let (h, m) = (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?);
            (t.len() == 5 && h < 24 && m < 60).then_some(h * 60 + m)
        };
        for weekday in 0..7 {
            let mut last_end = 0;
            for [start, end] in self.day(weekday) {
                let (Some(a), Some(b)) = (minutes(start), minutes(end)) else {
                    return Some(format!("hours: {start:?}–{end:?} are not HH:MM"));
                };
                if a >= b || a < last_end {
                    return Some(format!("hours: {start}–{end} overlaps or is out of order"));
                }
                last_end = b;
            }
        }
        None
    }
}

/// Loads and validates a JSON Lines file of halls.
pub fn load_halls(path: &Path, gazetteer: &Gazetteer) -> Result<Vec<ServiceHall>> {
    let text = read_to_string(path)?;
    let mut errors = Vec::new();
    let mut halls: Vec<ServiceHall> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let reason = match serde_json::from_str::<ServiceHall>(line) {
            Err(e) => Some(format!("invalid hall: {e}")),
            Ok(h) if gazetteer.division(&h.region_code).is_none() => {
                Some(format!("unknown `region_code` {:?}", h.region_code))
            }
            Ok(h) if !(-90.0..=90.0).contains(&h.lat) || !(-180.0..=180.0).contains(&h.lng) => {
                Some(format!("coordinate {},{} out of range", h.lat, h.lng))
            }
            Ok(h) if halls.iter().any(|o| o.id == h.id) => Some(format!("duplicate id {:?}", h.id)),
            Ok(h) if h.hours.problem().is_some() => h.hours.problem(),
            Ok(h) if h.bookings.values().any(|&n| n == 0 || n > 1000) => {
                Some("bookings: a capacity must be 1–1000 places per slot".into())
            }
            Ok(h) => {
                halls.push(h);
                None
            }
        };
        if let Some(reason) = reason {
            errors.push(RowError {
                file: path.to_path_buf(),
                line: index + 1,
                reason,
            });
        }
    }
    if errors.is_empty() {
        Ok(halls)
    } else {
        Err(Error::InvalidRows(errors))
    }
}

/// Largest number of halls one request may list.
pub const MAX_HALLS: usize = 50;

/// A request for the service halls nearest to a position.
#[derive(Debug, Clone, PartialEq)]
pub struct HallQuery {
    /// Latitude of the person (WGS-84, as phones report it).
    pub lat: f64,
    /// Longitude (WGS-84).
    pub lng: f64,
    /// Only halls that handle this item (its id).
    pub item: Option<String>,
    /// How many halls (1–[`MAX_HALLS`]).
    pub size: usize,
}

impl HallQuery {
    /// The 10 nearest halls of any kind.
    pub fn new(lat: f64, lng: f64) -> Self {
        HallQuery {
            lat,
            lng,
            item: None,
            size: 10,
        }
    }

    /// Only halls handling this item.
    pub fn handling(mut self, item: impl Into<String>) -> Self {
        self.item = Some(item.into());
        self
    }
}

/// A hall and how far it is: the hall's fields, `distance_m` and
/// `region_name` in one object.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NearbyHall {
    /// The hall.
    #[serde(flatten)]
    pub hall: ServiceHall,
    /// Great-circle distance from the person, in metres.
    pub distance_m: f64,
    /// The hall's region's display name (广州市天河区).
    pub region_name: String,
}

/// The OpenAPI schema of [`NearbyHall`]: one object with the hall's fields
/// and its own. A derived schema would be `allOf` the hall's schema, which
/// forbids other fields (the hall file rejects unknown fields), and its own.
#[cfg(feature = "openapi")]
mod nearby_schema {
    use std::borrow::Cow;

    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::Schema;

    /// A service hall (办事大厅) and how far it is.
    #[derive(utoipa::ToSchema)]
    #[allow(dead_code)]
    pub(super) struct NearbyHall {
        /// Stable identifier.
        id: String,
        /// Name (广州市天河区政务服务中心).
        name: String,
        /// Division code of the hall's region.
        region_code: String,
        /// Street address.
        address: String,
        /// Latitude (GCJ-02).
        lat: f64,
        /// Longitude (GCJ-02).
        lng: f64,
        /// Opening hours as shown to citizens.
        opening_hours: String,
        /// Telephone.
        phone: String,
        /// Themes (主题) whose services the hall handles.
        themes: Vec<String>,
        /// Opening hours per weekday (`mon` … `sun`): open intervals, each
        /// `["HH:MM", "HH:MM"]`.
        #[schema(inline)]
        hours: super::WeeklyHours,
        /// 预约 — the services booked here (item family → places per slot).
        bookings: std::collections::BTreeMap<String, u32>,
        /// Great-circle distance from the person, in metres.
        distance_m: f64,
        /// The hall's region's display name (广州市天河区).
        region_name: String,
    }

    impl utoipa::PartialSchema for super::NearbyHall {
        fn schema() -> RefOr<Schema> {
            <NearbyHall as utoipa::PartialSchema>::schema()
        }
    }

    impl utoipa::ToSchema for super::NearbyHall {
        fn name() -> Cow<'static, str> {
            Cow::Borrowed("NearbyHall")
        }
    }
}

impl ServiceHall {
    /// Whether the hall handles an item: it covers the item's theme, and the
    /// item is offered where the hall is (a city's item at that city's halls,
    /// a district's at its district and city halls, a province-wide item at
    /// any hall).
    pub fn handles(&self, item: &ServiceItem, gazetteer: &Gazetteer) -> bool {
        if !self.themes.contains(&item.theme) {
            return false;
        }
        if item.region_code == PROVINCE_CODE || item.region_code == self.region_code {
            return true;
        }
        match gazetteer.division(&item.region_code) {
            // A city's item: any hall in the city.
            Some(d) if d.level == Level::City => gazetteer.is_within(&self.region_code, &d.code),
            // A district's or town's item: halls there, or above it in its
            // city.
            Some(d) => {
                gazetteer.is_within(&d.code, &self.region_code)
                    && gazetteer
                        .division(&self.region_code)
                        .is_some_and(|h| h.level != Level::Province)
            }
            None => false,
        }
    }
}

/// The service halls nearest to a position, nearest first, with their
/// distance — only those that handle `item` when it is given.
pub(crate) fn nearest_halls(
    halls: &[ServiceHall],
    gazetteer: &Gazetteer,
    query: &HallQuery,
    item: Option<&ServiceItem>,
) -> Result<Vec<NearbyHall>> {
    validate_position(query.lat, query.lng)?;
    if query.size == 0 || query.size > MAX_HALLS {
        return Err(Error::InvalidRequest(
            Text::new("err-size").arg("max", MAX_HALLS),
        ));
    }
    let (lat, lng) = wgs84_to_gcj02(query.lat, query.lng);
    let mut found: Vec<(f64, &ServiceHall)> = halls
        .iter()
        .filter(|h| item.is_none_or(|i| h.handles(i, gazetteer)))
        .map(|h| (distance_m(lat, lng, h.lat, h.lng), h))
        .collect();
    found.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.id.cmp(&b.1.id)));
    Ok(found
        .into_iter()
        .take(query.size)
        .map(|(d, h)| NearbyHall {
            hall: h.clone(),
            distance_m: d.round(),
            region_name: gazetteer.display_name(&h.region_code),
        })
        .collect())
}

#[cfg(all(test, feature = "openapi"))]
mod schema_tests {
    use super::*;

    #[test]
    fn the_nearby_hall_schema_lists_exactly_the_serialised_fields() {
        let hall = NearbyHall {
            hall: ServiceHall {
                id: "h".into(),
                name: "n".into(),
                region_code: "440100".into(),
                address: "a".into(),
                lat: 23.0,
                lng: 113.0,
                opening_hours: String::new(),
                phone: String::new(),
                themes: vec!["社保".into()],
                hours: WeeklyHours::default(),
                bookings: BTreeMap::new(),
            },
            distance_m: 1.0,
            region_name: "广州市".into(),
        };
        let json = serde_json::to_value(&hall).expect("serialises");
        let mut keys: Vec<String> = json
            .as_object()
            .expect("an object")
            .keys()
            .cloned()
            .collect();
        keys.sort();
        let schema = serde_json::to_value(<NearbyHall as utoipa::PartialSchema>::schema())
            .expect("serialises");
        let mut properties: Vec<String> = schema["properties"]
            .as_object()
            .expect("one object schema, not allOf")
            .keys()
            .cloned()
            .collect();
        properties.sort();
        assert_eq!(keys, properties);
        assert!(schema.get("additionalProperties").is_none());
    }
}
