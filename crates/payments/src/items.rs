//! The catalogue items (事项) one can pay for online, and the bill kinds
//! each asks its department for.
//!
//! The daemon knows the catalogue; this crate knows which bill kinds a
//! 缴费 family pays (`data/bill_families.json` of this crate,
//! `{"format": 1, "families": {family: [kind, …]}}`). [`PayableItems::build`]
//! joins the two: every item whose family is listed becomes a
//! [`PayableItem`].
//!
//! ```
//! use yuesou_payments::{BillFamilies, ItemInfo, PayableItems};
//! let families = BillFamilies::bundled();
//! let items = PayableItems::build(
//!     [ItemInfo {
//!         id: "shjf-dfjf-440100".into(),
//!         title: "电费缴费".into(),
//!         department: "广州供电局".into(),
//!         region_name: Some("广州市".into()),
//!         audience: vec!["自然人".into()],
//!     }],
//!     &families,
//! );
//! assert_eq!(items.get("shjf-dfjf-440100").map(|i| i.kinds.clone()), Some(vec!["electricity".to_string()]));
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

/// The bundled family table.
const BUNDLED: &str = include_str!("../data/bill_families.json");

/// A file of the family table could not be read or is wrong.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {reason}")]
pub struct FamiliesError {
    /// The file.
    pub file: String,
    /// What is wrong.
    pub reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FamiliesFile {
    format: u32,
    #[allow(dead_code)]
    #[serde(default)]
    note: String,
    families: BTreeMap<String, Vec<String>>,
}

/// Which bill kinds each 缴费 family pays.
#[derive(Debug, Clone, Default)]
pub struct BillFamilies {
    families: BTreeMap<String, Vec<String>>,
}

impl BillFamilies {
    /// The table bundled with the crate.
    pub fn bundled() -> BillFamilies {
        // The bundled file is checked by this crate's tests.
        BillFamilies::parse("bill_families.json", BUNDLED).unwrap_or_default()
    }

    /// Loads a table from a file.
    pub fn load(path: &Path) -> Result<BillFamilies, FamiliesError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| FamiliesError {
            file: file.clone(),
            reason: format!("cannot read: {e}"),
        })?;
        BillFamilies::parse(&file, &text)
    }

    /// Parses a table: format 1, families of lower-case parts, kinds
    /// `^[a-z][a-z0-9_]{1,39}$`, at least one per family.
    pub fn parse(file: &str, text: &str) -> Result<BillFamilies, FamiliesError> {
        let fail = |reason: String| FamiliesError {
            file: file.to_owned(),
            reason,
        };
        let parsed: FamiliesFile = serde_json::from_str(text).map_err(|e| fail(e.to_string()))?;
        if parsed.format != 1 {
            return Err(fail("format is not 1".into()));
        }
        for (family, kinds) in &parsed.families {
            let family_ok = family.contains('-')
                && family
                    .bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-');
            if !family_ok {
                return Err(fail(format!("{family:?} is not a family")));
            }
            let kind_ok = |k: &String| {
                (2..=40).contains(&k.len())
                    && k.as_bytes()[0].is_ascii_lowercase()
                    && k.bytes()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
            };
            if kinds.is_empty() || !kinds.iter().all(kind_ok) {
                return Err(fail(format!("family {family}: kinds must be codes")));
            }
        }
        Ok(BillFamilies {
            families: parsed.families,
        })
    }

    /// The kinds of a family, if it is payable.
    pub fn kinds(&self, family: &str) -> Option<&[String]> {
        self.families.get(family).map(Vec::as_slice)
    }
}

/// What the daemon knows of a catalogue item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemInfo {
    /// The item id (`shjf-dfjf-440100`).
    pub id: String,
    /// Its title (电费缴费).
    pub title: String,
    /// Its department, as the gateway's configuration names it.
    pub department: String,
    /// Its region's name (广州市), to attribute a department's bill to the
    /// right city's item.
    pub region_name: Option<String>,
    /// `自然人`, `法人` (who may use it).
    pub audience: Vec<String>,
}

/// A catalogue item one can pay online.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayableItem {
    /// The item id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its department.
    pub department: String,
    /// Its region's name, if known.
    pub region_name: Option<String>,
    /// The bill kinds it asks the department for.
    pub kinds: Vec<String>,
    /// Whether persons may use it.
    pub for_persons: bool,
    /// Whether organisations may use it.
    pub for_organisations: bool,
}

impl PayableItem {
    /// How well a bill's payee fits this item: the department's name in
    /// the payee, then the region's short name in it.
    pub(crate) fn fit(&self, payee: &str) -> u8 {
        let mut score = 0;
        if payee == self.department {
            score += 4;
        } else if payee.contains(&self.department) || self.department.contains(payee) {
            score += 2;
        }
        if let Some(region) = &self.region_name {
            let short = region.trim_end_matches('市').trim_end_matches('省');
            if !short.is_empty() && payee.contains(short) {
                score += 1;
            }
        }
        score
    }
}

/// The payable items, by id.
#[derive(Debug, Clone, Default)]
pub struct PayableItems {
    items: BTreeMap<String, PayableItem>,
}

impl PayableItems {
    /// The payable items among `items`: those whose family the table lists.
    pub fn build(items: impl IntoIterator<Item = ItemInfo>, families: &BillFamilies) -> Self {
        let mut out = BTreeMap::new();
        for info in items {
            let Some((family, _region)) = info.id.rsplit_once('-') else {
                continue;
            };
            let Some(kinds) = families.kinds(family) else {
                continue;
            };
            let for_persons =
                info.audience.is_empty() || info.audience.iter().any(|a| a == "自然人");
            let for_organisations = info.audience.iter().any(|a| a == "法人");
            out.insert(
                info.id.clone(),
                PayableItem {
                    id: info.id,
                    title: info.title,
                    department: info.department,
                    region_name: info.region_name,
                    kinds: kinds.to_vec(),
                    for_persons,
                    for_organisations,
                },
            );
        }
        PayableItems { items: out }
    }

    /// Items given directly.
    pub fn from_items(items: impl IntoIterator<Item = PayableItem>) -> Self {
        PayableItems {
            items: items.into_iter().map(|i| (i.id.clone(), i)).collect(),
        }
    }

    /// An item by id.
    pub fn get(&self, id: &str) -> Option<&PayableItem> {
        self.items.get(id)
    }

    /// All items, by id.
    pub fn iter(&self) -> impl Iterator<Item = &PayableItem> {
        self.items.values()
    }

    /// How many.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_table_parses() {
        let result = BillFamilies::parse("bundled", BUNDLED);
        assert!(result.is_ok(), "{:?}", result.err());
        let families = BillFamilies::bundled();
        assert_eq!(
            families.kinds("shjf-dfjf"),
            Some(&["electricity".to_string()][..])
        );
        assert!(families.kinds("shjf-dxjf").is_none());
    }

    #[test]
    fn bad_tables_are_refused() {
        for bad in [
            r#"{"format": 2, "families": {}}"#,
            r#"{"format": 1, "families": {"X": ["a_b"]}}"#,
            r#"{"format": 1, "families": {"a-b": []}}"#,
            r#"{"format": 1, "families": {"a-b": ["Bad"]}}"#,
            r#"{"format": 1, "families": {}, "extra": 1}"#,
        ] {
            assert!(BillFamilies::parse("t", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn payees_fit_their_city() {
        let item = |id: &str, dept: &str, region: &str| PayableItem {
            id: id.into(),
            title: "水费缴费".into(),
            department: dept.into(),
            region_name: Some(region.into()),
            kinds: vec!["water".into()],
            for_persons: true,
            for_organisations: true,
        };
        let gz = item("shjf-sfjf-440100", "广州市自来水有限公司", "广州市");
        let sz = item("shjf-sfjf-440300", "深圳市水务（集团）有限公司", "深圳市");
        assert!(gz.fit("广州市自来水有限公司") > sz.fit("广州市自来水有限公司"));
        assert!(sz.fit("深圳市自来水有限公司") > gz.fit("深圳市自来水有限公司"));
    }
}
