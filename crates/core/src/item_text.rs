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
    /// Per distinct part: its character signature.
    signatures: Vec<CharSignature>,
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
                parts.signatures.push(CharSignature::of(v));
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

    /// The character signature of the distinct part with this id.
    pub(crate) fn signature(&self, id: u32) -> &CharSignature {
        &self.signatures[id as usize]
    }

    /// The part ids of an item.
    pub(crate) fn of_item(&self, ordinal: usize) -> [u32; 4] {
        self.of_item[ordinal]
    }
}

/// A set of characters in 512 bits (a Bloom filter with one hash): a text
/// can only contain a form whose characters' bits are all in the text's
/// signature, so most substring searches that would fail are skipped
/// after a few word operations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct CharSignature([u64; 8]);

impl CharSignature {
    /// The signature of the characters of `text`.
    pub(crate) fn of(text: &str) -> Self {
        let mut bits = [0u64; 8];
        for ch in text.chars() {
            let bit = (ch as u32).wrapping_mul(0x9E37_79B1) >> 23;
            bits[(bit >> 6) as usize] |= 1 << (bit & 63);
        }
        CharSignature(bits)
    }

    /// Adds the characters of `other` to this signature.
    pub(crate) fn add(&mut self, other: &CharSignature) {
        for (mine, theirs) in self.0.iter_mut().zip(&other.0) {
            *mine |= theirs;
        }
    }

    /// Whether every character of `part`'s signature may be in this one
    /// (false: `part`'s text is certainly not a substring of this text).
    pub(crate) fn may_contain(&self, part: &CharSignature) -> bool {
        self.0
            .iter()
            .zip(&part.0)
            .all(|(mine, theirs)| theirs & !mine == 0)
    }
}

/// The character signatures of the text a group of items shares (see
/// [`ItemText::group`]): title, aliases, keywords, description.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SharedSignatures {
    /// Of the title.
    pub(crate) title: CharSignature,
    /// Of the aliases.
    pub(crate) aliases: CharSignature,
    /// Of the keywords.
    pub(crate) keywords: CharSignature,
    /// Of the description.
    pub(crate) body: CharSignature,
    /// The title's length in characters.
    pub(crate) title_chars: u32,
    /// Of every text of the group's items: the shared text and each
    /// member's meta parts. A form whose characters are not all in it is in
    /// no field of any of the group's items.
    pub(crate) all: CharSignature,
    /// Of every member's meta parts (theme, category, department, region).
    pub(crate) meta: CharSignature,
}

impl SharedSignatures {
    /// Per text group: the signatures of its shared text (`groups` lists the
    /// items of each group), and of all its items' text (`meta` holds their
    /// meta parts).
    pub(crate) fn of_groups(
        texts: &[ItemText],
        groups: &[Vec<u32>],
        meta: &MetaParts,
    ) -> Vec<SharedSignatures> {
        groups
            .iter()
            .map(|members| match members.first() {
                Some(&first) => {
                    let text = &texts[first as usize];
                    let mut signatures = SharedSignatures {
                        title: CharSignature::of(&text.title),
                        aliases: CharSignature::of(&text.aliases),
                        keywords: CharSignature::of(&text.keywords),
                        body: CharSignature::of(&text.body),
                        title_chars: text.title.chars().count() as u32,
                        all: CharSignature::default(),
                        meta: CharSignature::default(),
                    };
                    for &member in members {
                        for part in meta.of_item(member as usize) {
                            signatures.meta.add(meta.signature(part));
                        }
                    }
                    let mut all = signatures.meta;
                    for field in [
                        signatures.title,
                        signatures.aliases,
                        signatures.keywords,
                        signatures.body,
                    ] {
                        all.add(&field);
                    }
                    signatures.all = all;
                    signatures
                }
                None => SharedSignatures::default(),
            })
            .collect()
    }
}
