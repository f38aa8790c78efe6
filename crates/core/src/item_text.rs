//! Normalised text of a catalogue item, kept in memory for ranking (coverage,
//! exact-title matches, highlighting) and for building the index.

use std::collections::HashMap;

use crate::catalogue::ServiceItem;
use crate::gazetteer::Gazetteer;
use crate::normalize::Normalizer;

/// Separator between the values of a multi-valued field. It is not content,
/// so no query word can match across two values.
pub const SEPARATOR: &str = " | ";

/// Normalised searchable text of one item.
#[derive(Debug, Clone, Default)]
pub struct ItemText {
    /// 事项名称.
    pub title: String,
    /// 别名, joined by [`SEPARATOR`].
    pub aliases: String,
    /// 关键词, joined by [`SEPARATOR`].
    pub keywords: String,
    /// Theme, category, department and the names of the item's region.
    pub meta: String,
    /// Description.
    pub body: String,
    /// Items with the same title, aliases, keywords and description (the
    /// city variants of a service) share a group: matches in that text are
    /// computed once per group.
    pub group: u32,
}

impl ItemText {
    /// Normalises an item's text.
    pub fn new(item: &ServiceItem, gazetteer: &Gazetteer, normalizer: &Normalizer) -> Self {
        let join = |values: &[String]| {
            values
                .iter()
                .map(|v| normalizer.normalize(v))
                .collect::<Vec<_>>()
                .join(SEPARATOR)
        };
        ItemText {
            title: normalizer.normalize(&item.title),
            aliases: join(&item.aliases),
            keywords: join(&item.keywords),
            meta: join(&meta_values(item, gazetteer)),
            body: normalizer.normalize(&item.description),
            group: 0,
        }
    }
}

/// The values of an item's `meta` text, in order: theme, category,
/// department, then the names of its region and the regions above it (below
/// the province).
fn meta_values(item: &ServiceItem, gazetteer: &Gazetteer) -> Vec<String> {
    let mut meta = vec![
        item.theme.clone(),
        item.category.clone(),
        item.department.clone(),
    ];
    meta.extend(gazetteer.region_terms(&item.region_code));
    meta
}

/// Every item's `meta` text split into four parts — theme, category,
/// department, region names — each interned: thousands of items share a
/// few hundred distinct parts, so a query's forms are matched once per
/// distinct part instead of once per item. No form matches across two parts
/// (they are separated by [`SEPARATOR`] in `meta`, which is no content), so
/// a form is found in an item's `meta` exactly when it is found in one of
/// its parts.
#[derive(Debug, Clone, Default)]
pub(crate) struct MetaParts {
    /// Distinct normalised parts.
    values: Vec<String>,
    /// Per item: the ids of its four parts.
    of_item: Vec<[u32; 4]>,
}

impl MetaParts {
    /// Interns the meta parts of every item.
    pub(crate) fn new(
        items: &[ServiceItem],
        gazetteer: &Gazetteer,
        normalizer: &Normalizer,
    ) -> Self {
        let mut ids: HashMap<String, u32> = HashMap::new();
        let mut parts = MetaParts::default();
        let mut intern = |parts: &mut MetaParts, value: String| -> u32 {
            *ids.entry(value).or_insert_with_key(|v| {
                parts.values.push(v.clone());
                parts.values.len() as u32 - 1
            })
        };
        let mut regions: HashMap<&str, u32> = HashMap::new();
        for item in items {
            let theme = intern(&mut parts, normalizer.normalize(&item.theme));
            let category = intern(&mut parts, normalizer.normalize(&item.category));
            let department = intern(&mut parts, normalizer.normalize(&item.department));
            let region = match regions.get(item.region_code.as_str()) {
                Some(&id) => id,
                None => {
                    let names: Vec<String> = gazetteer
                        .region_terms(&item.region_code)
                        .iter()
                        .map(|t| normalizer.normalize(t))
                        .collect();
                    let id = intern(&mut parts, names.join(SEPARATOR));
                    regions.insert(&item.region_code, id);
                    id
                }
            };
            parts.of_item.push([theme, category, department, region]);
        }
        parts
    }

    /// Number of distinct parts.
    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }

    /// The distinct part with this id.
    pub(crate) fn value(&self, id: u32) -> &str {
        &self.values[id as usize]
    }

    /// The part ids of an item.
    pub(crate) fn of_item(&self, ordinal: usize) -> [u32; 4] {
        self.of_item[ordinal]
    }
}
