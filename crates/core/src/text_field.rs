//! The searchable text fields of the index and their retrieval boosts.
//!
//! A leaf both the index ([`crate::index`], which lays the fields out in
//! its schema) and the in-memory postings ([`crate::postings`], which score
//! them) depend on: the postings never reach into the index module.

/// Searchable text fields and their retrieval boosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextField {
    /// 事项名称.
    Title,
    /// 别名.
    Alias,
    /// 关键词.
    Keyword,
    /// Theme, category, department and region names.
    Meta,
    /// Description.
    Body,
    /// Single Chinese characters of title, aliases and keywords (a fallback
    /// for words the segmenter does not know).
    Chars,
}

impl TextField {
    /// The fields words are looked up in (all but [`TextField::Chars`]).
    pub const WORD_FIELDS: [TextField; 5] = [
        TextField::Title,
        TextField::Alias,
        TextField::Keyword,
        TextField::Meta,
        TextField::Body,
    ];

    /// The fields a service is named by: title, aliases, keywords.
    pub const NAME_FIELDS: [TextField; 3] =
        [TextField::Title, TextField::Alias, TextField::Keyword];

    /// Retrieval boost of the field (title ≫ aliases/keywords ≫ description).
    pub fn boost(self) -> f32 {
        match self {
            TextField::Title => 4.0,
            TextField::Alias => 2.5,
            TextField::Keyword => 2.0,
            TextField::Meta => 1.0,
            TextField::Body => 0.4,
            TextField::Chars => 0.3,
        }
    }
}
