//! The score factors of a hit (`explain`): every factor of the ranking
//! formula, filled in by the rank stage ([`crate::rank`]) for each candidate
//! and returned with a hit when the request asks for it.

use serde::Serialize;

use crate::analyze::MatchKind;
use crate::locate::RegionFit;

/// The score factors of a hit (`explain`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Explain {
    /// Raw BM25 of the retrieval query.
    pub bm25: f32,
    /// BM25 relative to the best candidate (0–1).
    pub bm25_normalized: f32,
    /// Share of the query's weight found in the item, weighted by field
    /// (title 1.0, aliases 0.95, keywords 0.9, theme/department/region 0.7,
    /// description 0.35).
    pub coverage: f32,
    /// Share of the query's weight found in the title or an alias.
    pub title_coverage: f32,
    /// Share of the title's characters the query accounts for.
    pub focus: f32,
    /// The query equals the title or an alias.
    pub exact_title: bool,
    /// Text relevance combining the above.
    pub relevance: f32,
    /// How the query matched (exact words or thesaurus synonyms).
    pub match_kind: MatchKind,
    /// Weight of the match kind.
    pub match_kind_weight: f32,
    /// The item's popularity prior (0–100).
    pub popularity: f32,
    /// Multiplier from popularity.
    pub popularity_factor: f32,
    /// How the item's region fits the searcher's location (absent when no
    /// location is known).
    pub region_fit: Option<RegionFit>,
    /// Multiplier from the region fit.
    pub region_factor: f32,
    /// A place named in the query also appears in the item's title, aliases
    /// or keywords (a small bonus).
    pub place_in_text: bool,
    /// Multiplier for a look-up service (查询) when the query names a
    /// service in English without asking for a look-up (1 otherwise).
    #[serde(skip_serializing_if = "is_one")]
    pub intent_factor: f32,
    /// Final score = relevance × match kind × popularity × region (× intent).
    pub score: f32,
    /// The concepts of the query the item matched.
    pub matched: Vec<String>,
    /// The facets of the item's eligibility (适用对象) the query's frame
    /// matched (`mover=parent`, `age=85-85`, `relation=spouse`,
    /// `points=12`); each adds to the relevance (see docs/RANKING.md).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub frame: Vec<String>,
}

/// Whether a factor is exactly neutral (left out of the JSON).
fn is_one(x: &f32) -> bool {
    *x == 1.0
}
