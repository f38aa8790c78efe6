//! # yuesou-core — the Yuesou (粤搜) search engine
//!
//! Chinese full-text search over a catalogue of government services (政务服务
//! 事项), built for what people type into one search box on a phone.
//!
//! A query flows one way through small stages, each a module with one job:
//!
//! ```text
//! raw query ─► normalize ─► guard ─► segment ─► expand ─► retrieve ─► rank ─► group
//!              (width,      (banned  (jieba +   (thesaurus (tantivy   (coverage, (categories,
//!              case, t→s)   words)   stop words) synonyms)  BM25)      popularity) facets)
//! ```
//!
//! [`Engine`] ties the stages together; see its documentation for an example.

#![warn(missing_docs)]

mod analyze;
mod browse;
mod catalogue;
mod collapse;
mod correct;
mod dictionaries;
mod engine;
mod english;
mod error;
mod expand;
mod facets;
mod gazetteer;
pub mod geo;
mod guard;
mod halls;
mod index;
mod item_text;
mod locate;
mod normalize;
mod pinyin;
mod rank;
mod resources;
mod search;
mod segment;
mod suggest;
pub mod synthetic;

pub use analyze::{AnalyzedQuery, Concept, MatchKind, QueryAnalyzer};
pub use browse::{CategoryNode, ServiceEntry, ThemeNode};
pub use catalogue::{
    AUDIENCES, Catalogue, LOGIN_LEVELS, NEUTRAL_POPULARITY, SERVICE_TYPES, ServiceItem,
};
pub use correct::{Correction, CorrectionKind, Corrector};
pub use dictionaries::{Dictionaries, UserWord, files as dictionary_files};
pub use engine::{BuildProgress, Engine, EngineOptions};
pub use english::EnglishNames;
pub use error::{Error, Result, RowError};
pub use expand::{Thesaurus, ThesaurusMatch};
pub use facets::{FacetCount, Facets};
pub use gazetteer::{Division, Gazetteer, Level, PROVINCE_CODE};
pub use guard::BannedWords;
pub use halls::{HallQuery, MAX_HALLS, NearbyHall, ServiceHall, load_halls};
pub use index::SCHEMA_VERSION;
pub use item_text::ItemText;
pub use locate::{
    LocationInput, LocationSource, PlaceMention, PlaceRecognizer, RegionFit, ResolvedLocation,
};
pub use normalize::{Normalizer, is_han};
pub use pinyin::{PinyinConverter, char_reading, char_readings, fuzzy_key, fuzzy_spellings};
pub use resources::Resources;
pub use search::{
    Explain, Filters, Group, Hit, MAX_CANDIDATES, MAX_PAGE_SIZE, MAX_QUERY_CHARS,
    MAX_RESULT_WINDOW, MIN_COVERAGE, RELAXED_COVERAGE, SearchRequest, SearchResponse,
    TotalRelation, Variant,
};
pub use segment::{QueryWord, Segmenter, is_content};
pub use suggest::{
    MAX_PREFIX_CHARS, MAX_SUGGESTIONS, SuggestEntry, SuggestMatch, Suggester, Suggestion,
    SuggestionKind, fuzzy_form,
};
