//! Normalised text of a catalogue item, kept in memory for ranking (coverage,
//! exact-title matches, highlighting) and for building the index.

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
        let mut meta = vec![
            item.theme.clone(),
            item.category.clone(),
            item.department.clone(),
        ];
        meta.extend(gazetteer.region_terms(&item.region_code));
        ItemText {
            title: normalizer.normalize(&item.title),
            aliases: join(&item.aliases),
            keywords: join(&item.keywords),
            meta: join(&meta),
            body: normalizer.normalize(&item.description),
            group: 0,
        }
    }
}
