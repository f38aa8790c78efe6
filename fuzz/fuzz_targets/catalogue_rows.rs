//! Any catalogue text (JSON Lines) is either a catalogue or
//! `Error::InvalidRows` naming lines that exist, never a panic; a catalogue
//! written back out as JSON Lines parses to the same items.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use yuesou_core::{Catalogue, Error, Gazetteer};

fn gazetteer() -> &'static Gazetteer {
    static GAZETTEER: OnceLock<Gazetteer> = OnceLock::new();
    GAZETTEER.get_or_init(|| {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data");
        Gazetteer::load_with_towns(&data.join("divisions.jsonl"), &data.join("towns.jsonl"))
            .expect("the bundled gazetteer loads")
    })
}

fuzz_target!(|text: &str| {
    let source = Path::new("fuzz.jsonl");
    match Catalogue::parse(text, source, gazetteer()) {
        Ok(catalogue) => {
            let mut rows = String::new();
            for item in catalogue.items() {
                assert_eq!(catalogue.get(&item.id), Some(item), "ids are unique");
                rows.push_str(&serde_json::to_string(item).expect("an item serialises"));
                rows.push('\n');
            }
            let again = Catalogue::parse(&rows, source, gazetteer())
                .expect("a catalogue written back out parses");
            assert_eq!(again.items(), catalogue.items(), "JSON Lines round trip");
        }
        Err(Error::InvalidRows(rows)) => {
            let lines = text.lines().count();
            assert!(!rows.is_empty(), "a refusal names at least one row");
            for row in &rows {
                assert!(
                    row.line >= 1 && row.line <= lines,
                    "row {} of {lines}",
                    row.line
                );
                assert_eq!(row.file, source);
            }
        }
        Err(other) => panic!("unexpected error {other}"),
    }
});
