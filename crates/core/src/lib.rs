//! # yuesou-core — the Yuesou (粤搜) search engine
//!
//! Chinese full-text search over a catalogue of government services (政务服务
//! 事项), built for what people type into one search box on a phone.
//!
//! A query flows one way through small stages, each a module with one job
//! (the numbers are the modules' own):
//!
//! ```text
//! raw query ─► normalize ─► guard ─► locate ─► segment ─► (correct) ─► expand
//!              1 (width,    2 (banned 3 (place  4 (jieba + 5 (pinyin,    6 (thesaurus
//!              case, t→s)   words)    names)    stop words) typos)        synonyms)
//!           ─► retrieve ─► rank ─► group ─► hits
//!              7 (BM25 on  8 (scoring 9 (collapse, 10 (page,
//!              postings)   rules,     categories,  highlights)
//!                          threshold) facets)
//! ```
//!
//! The query is first run as typed; the corrector (stage 5) reads it only
//! when that matches poorly, and its reading runs through stages 6–8 too.
//! [`Engine::search`] (module `search`) sequences the stages, top to bottom;
//! see [`Engine`] for an example.

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
mod explain;
mod facets;
mod filter;
mod forms;
mod frames;
mod gazetteer;
pub mod geo;
mod group;
mod guard;
mod halls;
mod hits;
mod index;
mod item_text;
mod locate;
mod normalize;
mod pinyin;
mod postings;
mod rank;
mod request;
mod resources;
mod retrieve;
mod search;
mod segment;
mod suggest;
pub mod synthetic;
mod text_field;

pub use analyze::{AnalyzedQuery, Concept, MatchKind, QueryAnalyzer};
pub use browse::{CategoryNode, ServiceEntry, ThemeNode};
pub use catalogue::{
    AUDIENCES, Catalogue, LOGIN_LEVELS, NEUTRAL_POPULARITY, SERVICE_TYPES, ServiceItem,
};
pub use correct::{CorrectOptions, Correction, CorrectionKind, Corrector};
pub use dictionaries::{Dictionaries, UserWord, files as dictionary_files};
pub use engine::{BuildProgress, Engine, EngineOptions};
pub use english::EnglishNames;
pub use error::{Error, Result, RowError};
pub use expand::{Thesaurus, ThesaurusMatch};
pub use explain::Explain;
pub use facets::{FacetCount, Facets};
pub use frames::{
    AgeBand, Eligibility, Facet, Frame, FrameLexicon, FrameMatch, MAX_AGE, Matched, Relation,
};
pub use gazetteer::{Division, Gazetteer, Level, PROVINCE_CODE};
pub use guard::BannedWords;
pub use halls::{HallQuery, MAX_HALLS, NearbyHall, ServiceHall, WeeklyHours, load_halls};
pub use index::SCHEMA_VERSION;
pub use item_text::ItemText;
pub use locate::{
    LocationInput, LocationSource, PlaceMention, PlaceRecognizer, RegionFit, ResolvedLocation,
};
pub use normalize::{Normalizer, is_han};
pub use pinyin::{PinyinConverter, char_reading, char_readings, fuzzy_key, fuzzy_spellings};
pub use rank::{MIN_COVERAGE, RELAXED_COVERAGE};
pub use request::{
    Filters, Group, Hit, MAX_PAGE_SIZE, MAX_QUERY_CHARS, MAX_RESULT_WINDOW, SearchRequest,
    SearchResponse, TotalRelation, Variant,
};
pub use resources::Resources;
pub use retrieve::MAX_CANDIDATES;
pub use segment::{QueryWord, Segmenter, is_content};
pub use suggest::{
    MAX_PREFIX_CHARS, MAX_SUGGESTIONS, SuggestEntry, SuggestMatch, Suggester, Suggestion,
    SuggestionKind, fuzzy_form,
};
