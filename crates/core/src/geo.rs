//! Coordinates: the WGS-84 → GCJ-02 offset, great-circle distances and the
//! reverse lookup of a position to its district.
//!
//! Phones report WGS-84 (GPS). Maps published in mainland China — and the
//! coordinates bundled in `data/` — use GCJ-02, a deliberately offset datum
//! (a few hundred metres in Guangdong). A position is converted to GCJ-02
//! before it is compared with any bundled coordinate.
//!
//! ```
//! use yuesou_core::geo::{distance_m, wgs84_to_gcj02};
//!
//! // Tianhe, Guangzhou: the offset is a few hundred metres.
//! let (lat, lng) = wgs84_to_gcj02(23.1247, 113.3612);
//! let shift = distance_m(23.1247, 113.3612, lat, lng);
//! assert!((200.0..800.0).contains(&shift), "{shift}");
//! ```

use std::path::Path;
use yuesou_messages::Text;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, RowError, read_to_string};
use crate::gazetteer::{Gazetteer, Level};

/// Mean Earth radius in metres (for great-circle distances).
const EARTH_RADIUS_M: f64 = 6_371_008.8;
/// Semi-major axis of the Krasovsky 1940 ellipsoid that GCJ-02 is defined on.
const KRASOVSKY_A: f64 = 6_378_245.0;
/// Its first eccentricity squared.
const KRASOVSKY_EE: f64 = 0.006_693_421_622_965_943;
/// A position farther than this from every representative point is not in
/// Guangdong (open sea, or far inland in another province).
pub const MAX_LOCATE_DISTANCE_M: f64 = 80_000.0;

/// Whether GCJ-02 applies at this WGS-84 position (a coarse box around
/// mainland China; outside it GCJ-02 equals WGS-84).
pub fn in_gcj_area(lat: f64, lng: f64) -> bool {
    (72.004..=137.8347).contains(&lng) && (0.8293..=55.8271).contains(&lat)
}

/// Converts a WGS-84 position to GCJ-02 (the datum of the bundled
/// coordinates). Positions outside China are returned unchanged. The result
/// is accurate to about a metre — far below what a district lookup needs.
pub fn wgs84_to_gcj02(lat: f64, lng: f64) -> (f64, f64) {
    if !in_gcj_area(lat, lng) {
        return (lat, lng);
    }
    let (x, y) = (lng - 105.0, lat - 35.0);
    let d_lat = offset_lat(x, y);
    let d_lng = offset_lng(x, y);
    let rad_lat = lat.to_radians();
    let magic = 1.0 - KRASOVSKY_EE * rad_lat.sin().powi(2);
    let sqrt_magic = magic.sqrt();
    let d_lat = (d_lat * 180.0)
        / ((KRASOVSKY_A * (1.0 - KRASOVSKY_EE)) / (magic * sqrt_magic) * std::f64::consts::PI);
    let d_lng = (d_lng * 180.0) / (KRASOVSKY_A / sqrt_magic * rad_lat.cos() * std::f64::consts::PI);
    (lat + d_lat, lng + d_lng)
}

fn offset_lat(x: f64, y: f64) -> f64 {
    use std::f64::consts::PI;
    -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * x.abs().sqrt()
        + (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0
        + (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0
        + (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0
}

fn offset_lng(x: f64, y: f64) -> f64 {
    use std::f64::consts::PI;
    300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * x.abs().sqrt()
        + (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0
        + (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0
        + (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0
}

/// Great-circle (haversine) distance in metres between two points given in
/// the same datum.
pub fn distance_m(lat1: f64, lng1: f64, lat2: f64, lng2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lng2 - lng1).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// Checks that a latitude/longitude pair is a real position.
pub fn validate_position(lat: f64, lng: f64) -> Result<()> {
    if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
        return Err(Error::InvalidRequest(Text::new("err-latitude")));
    }
    if !lng.is_finite() || !(-180.0..=180.0).contains(&lng) {
        return Err(Error::InvalidRequest(Text::new("err-longitude")));
    }
    Ok(())
}

/// A reference point outside Guangdong (Hong Kong, Macau, neighbouring
/// provinces): a position nearest to one of these is not in Guangdong.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutsidePoint {
    /// Place name, for people reading the file.
    pub name: String,
    /// Latitude (GCJ-02).
    pub lat: f64,
    /// Longitude (GCJ-02).
    pub lng: f64,
}

/// Loads `data/outside.jsonl`; a missing file means no reference points.
pub fn load_outside(path: &Path) -> Result<Vec<OutsidePoint>> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    let text = read_to_string(path)?;
    let mut points = Vec::new();
    let mut errors = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let reason = match serde_json::from_str::<OutsidePoint>(line) {
            Err(e) => format!("invalid point: {e}"),
            Ok(p) => match validate_position(p.lat, p.lng) {
                Ok(()) => {
                    points.push(p);
                    continue;
                }
                Err(e) => e.to_string(),
            },
        };
        errors.push(RowError {
            file: path.to_path_buf(),
            line: index + 1,
            reason,
        });
    }
    if errors.is_empty() {
        Ok(points)
    } else {
        Err(Error::InvalidRows(errors))
    }
}

/// Where a position was found: the district (or a city without districts)
/// whose representative point is nearest.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Located<'a> {
    /// The nearest county, town, or city without subdivisions.
    pub division: &'a crate::gazetteer::Division,
    /// Distance in metres to its representative point.
    pub distance_m: f64,
}

#[derive(Debug, Clone, Copy)]
struct Point {
    lat: f64,
    lng: f64,
    /// Index into the gazetteer's divisions; `None` for an outside point.
    division: Option<usize>,
}

/// Reverse geocoder: nearest representative point (a Voronoi partition of
/// the district centres), with reference points outside Guangdong and a
/// distance cap. Positions are GCJ-02.
///
/// The bundled gazetteer has one point per district, so positions near a
/// district border can land in the neighbour; the city is right far more
/// often than the district.
#[derive(Debug, Clone, Default)]
pub struct Locator {
    points: Vec<Point>,
}

impl Locator {
    /// Builds the locator from the gazetteer's counties, towns and cities
    /// without subdivisions, and the outside reference points.
    pub fn new(gazetteer: &Gazetteer, outside: &[OutsidePoint]) -> Self {
        let divisions = gazetteer.divisions();
        let has_children = |code: &str| divisions.iter().any(|d| d.parent_code == code);
        let mut points: Vec<Point> = divisions
            .iter()
            .enumerate()
            .filter(|(_, d)| {
                matches!(d.level, Level::County | Level::Town)
                    || (d.level == Level::City && !has_children(&d.code))
            })
            .map(|(i, d)| Point {
                lat: d.lat,
                lng: d.lng,
                division: Some(i),
            })
            .collect();
        points.extend(outside.iter().map(|p| Point {
            lat: p.lat,
            lng: p.lng,
            division: None,
        }));
        Locator { points }
    }

    /// The division a GCJ-02 position is in, or `None` when it is outside
    /// Guangdong.
    pub fn locate<'g>(&self, gazetteer: &'g Gazetteer, lat: f64, lng: f64) -> Option<Located<'g>> {
        // Equirectangular distances are exact enough to pick the nearest of
        // points a few tens of kilometres apart.
        let scale = lat.to_radians().cos();
        let mut best: Option<(f64, &Point)> = None;
        for p in &self.points {
            let dx = (p.lng - lng) * scale;
            let dy = p.lat - lat;
            let d2 = dx * dx + dy * dy;
            if best.is_none_or(|(b, _)| d2 < b) {
                best = Some((d2, p));
            }
        }
        let (_, point) = best?;
        let distance = distance_m(lat, lng, point.lat, point.lng);
        if distance > MAX_LOCATE_DISTANCE_M {
            return None;
        }
        let division = gazetteer.divisions().get(point.division?)?;
        Some(Located {
            division,
            distance_m: distance,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_is_zero_outside_china_and_hundreds_of_metres_inside() {
        assert_eq!(wgs84_to_gcj02(48.85, 2.35), (48.85, 2.35));
        // A published reference pair (Beijing): WGS-84 39.90, 116.40 maps to
        // about 39.9014, 116.4062 in GCJ-02.
        let (lat, lng) = wgs84_to_gcj02(39.90, 116.40);
        assert!((lat - 39.9014).abs() < 2e-4, "{lat}");
        assert!((lng - 116.4062).abs() < 2e-4, "{lng}");
    }

    #[test]
    fn distances_are_great_circle_metres() {
        // Guangzhou Tower to Canton Fair complex: about 4.1 km.
        let d = distance_m(23.1066, 113.3245, 23.0968, 113.3616);
        assert!((3_700.0..4_300.0).contains(&d), "{d}");
        assert_eq!(distance_m(23.0, 113.0, 23.0, 113.0), 0.0);
    }

    #[test]
    fn rejects_impossible_positions() {
        assert!(validate_position(91.0, 113.0).is_err());
        assert!(validate_position(23.0, f64::NAN).is_err());
        assert!(validate_position(23.0, 181.0).is_err());
        assert!(validate_position(-33.9, 151.2).is_ok());
    }

    #[test]
    fn locates_the_nearest_district_and_stops_at_the_border() {
        let g = Gazetteer::minimal_for_tests();
        let outside = [OutsidePoint {
            name: "香港".into(),
            lat: 22.28,
            lng: 114.16,
        }];
        let locator = Locator::new(&g, &outside);
        let near_tianhe = locator.locate(&g, 23.13, 113.35).unwrap();
        assert_eq!(near_tianhe.division.code, "440106");
        assert!(locator.locate(&g, 22.29, 114.17).is_none(), "Hong Kong");
        assert!(locator.locate(&g, 39.9, 116.4).is_none(), "Beijing");
    }
}
