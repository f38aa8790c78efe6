//! Any text typed into the search box goes through every stage — normalise,
//! guard, places, segmentation, thesaurus, correction, retrieval, ranking —
//! and through autocomplete without panicking.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use yuesou_core::{CorrectOptions, MAX_QUERY_CHARS, SearchRequest};

fuzz_target!(|text: &str| {
    let engine = common::engine();
    let analyzed = engine.analyzer().analyze(text);
    let _ = engine
        .corrector()
        .correct(&analyzed.normalized, &CorrectOptions::new());
    let _ = engine.suggest(text, 10);
    match engine.search(&SearchRequest::new(text)) {
        Ok(r) => assert!(r.hits.len() <= 10 && r.total >= r.hits.len()),
        Err(e) => assert!(
            text.chars().count() > MAX_QUERY_CHARS,
            "a query of {} characters was refused: {e}",
            text.chars().count()
        ),
    }
});
