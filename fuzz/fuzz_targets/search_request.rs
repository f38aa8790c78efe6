//! Every combination of request fields — pages, sizes, filters, positions,
//! regions — gets an answer or a clear `InvalidRequest`, never a panic or
//! another error.
#![no_main]

mod common;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use yuesou_core::{Error, Filters, LocationInput, SearchRequest};

#[derive(Debug, Arbitrary)]
struct Input {
    query: String,
    page: usize,
    size: usize,
    explain: bool,
    correct: bool,
    category: Option<String>,
    theme: Option<String>,
    region: Option<String>,
    service_type: Option<String>,
    online: Option<bool>,
    position: Option<(f64, f64)>,
    city: Option<String>,
}

fuzz_target!(|input: Input| {
    let location = match (input.position, input.city) {
        (Some((lat, lng)), _) => Some(LocationInput::Position { lat, lng }),
        (None, Some(city)) => Some(LocationInput::Region(city)),
        (None, None) => None,
    };
    let request = SearchRequest {
        query: input.query,
        filters: Filters {
            category: input.category,
            theme: input.theme,
            region: input.region,
            service_type: input.service_type,
            online: input.online,
            ..Filters::default()
        },
        page: input.page,
        size: input.size,
        explain: input.explain,
        correct: input.correct,
        location,
        collapse: input.explain != input.correct,
    };
    match common::engine().search(&request) {
        Ok(r) => assert!(r.hits.len() <= request.size),
        Err(Error::InvalidRequest(_)) => {}
        Err(other) => panic!("unexpected error {other}"),
    }
});
