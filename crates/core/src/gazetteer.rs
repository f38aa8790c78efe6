//! The Guangdong division gazetteer (行政区划): province, 21 prefecture-level
//! cities, their county-level units and (optionally) the towns and streets
//! people name, with official codes, names, short names, aliases, pinyin and
//! a representative coordinate (GCJ-02).

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, RowError, read_to_string};

/// Division code of Guangdong province (广东省), the region of province-wide
/// services.
pub const PROVINCE_CODE: &str = "440000";

/// Level of a division.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// 省 — the province.
    Province,
    /// 地级市 — a prefecture-level city.
    City,
    /// 县级 — a district, county or county-level city.
    County,
    /// 乡级 — a town or sub-district street (镇, 街道), under a county or,
    /// where a city has no counties (东莞, 中山), under the city.
    Town,
}

/// 行政区划 — one administrative division.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Division {
    /// Official code (统计用区划代码): 6 digits, 9 for a town.
    pub code: String,
    /// Full official name (天河区).
    pub name: String,
    /// The name people use without suffix (天河).
    pub short_name: String,
    /// Province, city or county.
    pub level: Level,
    /// Code of the parent division ("" for the province).
    #[serde(default)]
    pub parent_code: String,
    /// Other names people type (羊城, 鹏城 …).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Pinyin of the short name, space-separated syllables.
    #[serde(default)]
    pub pinyin: String,
    /// Latitude of the representative point (GCJ-02).
    pub lat: f64,
    /// Longitude of the representative point (GCJ-02).
    pub lng: f64,
}

/// All divisions, addressable by code.
#[derive(Debug, Clone, Default)]
pub struct Gazetteer {
    divisions: Vec<Division>,
    /// Every search looks region codes up here (fit, display names of
    /// variants): a fast hasher, seeded per process.
    by_code: HashMap<String, usize, foldhash::fast::RandomState>,
    /// Per division: its [`display_name`](Self::display_name), computed
    /// once when loaded (every hit and variant shows one).
    display_names: Vec<String>,
}

impl Gazetteer {
    /// Loads and validates a JSON Lines gazetteer file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = read_to_string(path)?;
        Self::parse(&text, path)
    }

    /// Loads the divisions file and, when it exists, a towns file (towns
    /// refer to divisions of the first file).
    pub fn load_with_towns(divisions: &Path, towns: &Path) -> Result<Self> {
        let text = read_to_string(divisions)?;
        if !towns.exists() {
            return Self::parse(&text, divisions);
        }
        let towns_text = read_to_string(towns)?;
        Self::parse_files(&[(&text, divisions), (&towns_text, towns)])
    }

    /// Parses JSON Lines text; `path` names the source in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self> {
        Self::parse_files(&[(text, path)])
    }

    /// Parses several JSON Lines texts into one gazetteer, reporting every
    /// bad row with its file and line.
    pub fn parse_files(files: &[(&str, &Path)]) -> Result<Self> {
        let mut errors = Vec::new();
        let mut g = Gazetteer::default();
        let mut origin: Vec<(&Path, usize)> = Vec::new();
        for (text, path) in files {
            for (index, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                let mut fail = |reason: String| {
                    errors.push(RowError {
                        file: path.to_path_buf(),
                        line: index + 1,
                        reason,
                    })
                };
                let d: Division = match serde_json::from_str(line) {
                    Ok(d) => d,
                    Err(e) => {
                        fail(format!("invalid division: {e}"));
                        continue;
                    }
                };
                let digits = if d.level == Level::Town { 9 } else { 6 };
                if d.code.len() != digits || !d.code.bytes().all(|b| b.is_ascii_digit()) {
                    fail(format!("`code` {:?} is not {digits} digits", d.code));
                } else if d.name.is_empty() || d.short_name.is_empty() {
                    fail("`name` and `short_name` must not be empty".into());
                } else if !(-90.0..=90.0).contains(&d.lat) || !(-180.0..=180.0).contains(&d.lng) {
                    fail(format!("coordinate {},{} out of range", d.lat, d.lng));
                } else if g.by_code.contains_key(&d.code) {
                    fail(format!("duplicate code {}", d.code));
                } else {
                    g.by_code.insert(d.code.clone(), g.divisions.len());
                    g.divisions.push(d);
                    origin.push((path, index + 1));
                }
            }
        }
        for (d, (path, line)) in g.divisions.iter().zip(&origin) {
            let parent = g.division(&d.parent_code).map(|p| p.level);
            let parent_ok = match d.level {
                Level::Province => d.parent_code.is_empty(),
                Level::City => parent == Some(Level::Province),
                Level::County => parent == Some(Level::City),
                Level::Town => matches!(parent, Some(Level::County | Level::City)),
            };
            if !parent_ok {
                errors.push(RowError {
                    file: path.to_path_buf(),
                    line: *line,
                    reason: format!(
                        "`parent_code` {:?} is not a division one level up",
                        d.parent_code
                    ),
                });
            }
        }
        if g.division(PROVINCE_CODE).is_none() && errors.is_empty() {
            errors.push(RowError {
                file: files
                    .first()
                    .map(|(_, p)| p.to_path_buf())
                    .unwrap_or_default(),
                line: 1,
                reason: format!("the province ({PROVINCE_CODE}) is missing"),
            });
        }
        if errors.is_empty() {
            g.display_names = g
                .divisions
                .iter()
                .map(|d| g.compose_display_name(&d.code))
                .collect();
            Ok(g)
        } else {
            Err(Error::InvalidRows(errors))
        }
    }

    /// The division with this code.
    pub fn division(&self, code: &str) -> Option<&Division> {
        self.by_code.get(code).map(|&i| &self.divisions[i])
    }

    /// All divisions in file order.
    pub fn divisions(&self) -> &[Division] {
        &self.divisions
    }

    /// The prefecture-level city a division belongs to (itself for a city,
    /// `None` for the province).
    pub fn city_of(&self, code: &str) -> Option<&Division> {
        let mut d = self.division(code)?;
        loop {
            match d.level {
                Level::Province => return None,
                Level::City => return Some(d),
                Level::County | Level::Town => d = self.division(&d.parent_code)?,
            }
        }
    }

    /// The county-level division a division belongs to (itself for a
    /// county; `None` for a city, the province, or a town directly under a
    /// city).
    pub fn county_of(&self, code: &str) -> Option<&Division> {
        let d = self.division(code)?;
        match d.level {
            Level::County => Some(d),
            Level::Town => self
                .division(&d.parent_code)
                .filter(|p| p.level == Level::County),
            Level::Province | Level::City => None,
        }
    }

    /// Whether `code` is `ancestor` or lies inside it.
    pub fn is_within(&self, code: &str, ancestor: &str) -> bool {
        let mut current = self.division(code);
        while let Some(d) = current {
            if d.code == ancestor {
                return true;
            }
            current = self.division(&d.parent_code);
        }
        false
    }

    /// The display name of a region: 广东省, 深圳市, 广州市天河区,
    /// 东莞市虎门镇, 佛山市顺德区容桂街道.
    pub fn display_name(&self, code: &str) -> String {
        match self
            .by_code
            .get(code)
            .and_then(|&i| self.display_names.get(i))
        {
            Some(name) => name.clone(),
            None => self.compose_display_name(code),
        }
    }

    /// [`display_name`](Self::display_name), composed from the divisions.
    fn compose_display_name(&self, code: &str) -> String {
        let mut parts = Vec::new();
        let mut current = self.division(code);
        while let Some(d) = current {
            if d.level == Level::Province && !parts.is_empty() {
                break;
            }
            parts.push(d.name.as_str());
            current = self.division(&d.parent_code);
        }
        if parts.is_empty() {
            return code.to_string();
        }
        parts.reverse();
        parts.concat()
    }

    /// The names a region is known by (full, short, aliases; for a county also
    /// its city's names), used to index an item's region.
    pub fn region_terms(&self, code: &str) -> Vec<String> {
        let mut terms = Vec::new();
        let mut current = self.division(code);
        while let Some(d) = current {
            terms.push(d.name.clone());
            terms.push(d.short_name.clone());
            terms.extend(d.aliases.iter().cloned());
            current = self
                .division(&d.parent_code)
                .filter(|p| p.level != Level::Province);
        }
        terms.dedup();
        terms
    }

    /// A three-division gazetteer for unit tests.
    #[cfg(test)]
    pub(crate) fn minimal_for_tests() -> Self {
        let text = [
            r#"{"code":"440000","name":"广东省","short_name":"广东","level":"province","parent_code":"","aliases":["粤"],"pinyin":"guang dong","lat":23.13,"lng":113.27}"#,
            r#"{"code":"440100","name":"广州市","short_name":"广州","level":"city","parent_code":"440000","aliases":["羊城"],"pinyin":"guang zhou","lat":23.13,"lng":113.26}"#,
            r#"{"code":"440106","name":"天河区","short_name":"天河","level":"county","parent_code":"440100","aliases":[],"pinyin":"tian he","lat":23.12,"lng":113.36}"#,
        ]
        .join("\n");
        Self::parse(&text, Path::new("test")).expect("valid test gazetteer")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_cities_and_names() {
        let g = Gazetteer::minimal_for_tests();
        assert_eq!(g.city_of("440106").unwrap().code, "440100");
        assert_eq!(g.city_of("440100").unwrap().code, "440100");
        assert!(g.city_of("440000").is_none());
        assert_eq!(g.display_name("440106"), "广州市天河区");
        assert_eq!(
            g.region_terms("440106"),
            vec!["天河区", "天河", "广州市", "广州", "羊城"]
        );
    }

    #[test]
    fn rejects_orphans_and_bad_codes() {
        let text = [
            r#"{"code":"440000","name":"广东省","short_name":"广东","level":"province","lat":23.1,"lng":113.2}"#,
            r#"{"code":"440106","name":"天河区","short_name":"天河","level":"county","parent_code":"440100","lat":23.1,"lng":113.3}"#,
            r#"{"code":"44A","name":"x","short_name":"x","level":"city","parent_code":"440000","lat":23.1,"lng":113.3}"#,
        ]
        .join("\n");
        let Err(Error::InvalidRows(rows)) = Gazetteer::parse(&text, Path::new("g.jsonl")) else {
            panic!("expected errors");
        };
        let mut lines: Vec<usize> = rows.iter().map(|r| r.line).collect();
        lines.sort();
        assert_eq!(lines, vec![2, 3]);
    }
}
