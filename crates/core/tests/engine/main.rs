//! The engine's integration tests, on the bundled data (`data/`,
//! `dictionaries/` and the graded query sets `tests/*.tsv` at the
//! repository's root) and, where present, the third-party data beside the
//! repository. One test binary, so tantivy and jieba are linked once, and
//! one engine over the bundled data serves every module ([`support`]).
//!
//! - `search`: end-to-end searches through the Engine API;
//! - `quality`: success@1 and success@3 per input kind on the graded sets;
//! - `location`: place names, positions, region fit, halls, the category
//!   tree;
//! - `data`: the bundled data covers what the platform asks for;
//! - `index_lifecycle`: the persisted index is built, reused and rebuilt;
//! - `real_items`: the real portal items, converted, indexed and searched.

mod support;

mod catalogue_proptest;
mod data;
mod index_lifecycle;
mod location;
mod quality;
mod real_items;
mod search;
