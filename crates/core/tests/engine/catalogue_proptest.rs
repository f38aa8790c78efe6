//! Property tests of catalogue-row parsing (`Catalogue::parse`), the
//! stable-toolchain equivalent of the `catalogue_rows` fuzz target: real
//! rows round-trip through JSON Lines, damaged rows and arbitrary text are
//! refused as `Error::InvalidRows` naming lines that exist, never a panic.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use proptest::prelude::*;
use yuesou_core::{Catalogue, Error, Gazetteer};

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data")
}

static GAZETTEER: LazyLock<Gazetteer> = LazyLock::new(|| {
    Gazetteer::load_with_towns(&data().join("divisions.jsonl"), &data().join("towns.jsonl"))
        .expect("the bundled gazetteer loads")
});

/// The bundled catalogue's rows (every one valid).
static ROWS: LazyLock<Vec<String>> = LazyLock::new(|| {
    std::fs::read_to_string(data().join("catalogue.jsonl"))
        .expect("the bundled catalogue reads")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
});

const SOURCE: &str = "proptest.jsonl";

/// The documented outcomes: a catalogue whose items write back out and
/// parse to themselves, or `InvalidRows` naming existing lines of `SOURCE`.
fn check(text: &str) -> Result<Catalogue, Vec<usize>> {
    match Catalogue::parse(text, Path::new(SOURCE), &GAZETTEER) {
        Ok(catalogue) => {
            let mut rows = String::new();
            for item in catalogue.items() {
                assert_eq!(catalogue.get(&item.id), Some(item), "ids are unique");
                rows.push_str(&serde_json::to_string(item).expect("an item serialises"));
                rows.push('\n');
            }
            let again = Catalogue::parse(&rows, Path::new(SOURCE), &GAZETTEER)
                .expect("a catalogue written back out parses");
            assert_eq!(again.items(), catalogue.items(), "JSON Lines round trip");
            Ok(catalogue)
        }
        Err(Error::InvalidRows(rows)) => {
            let lines = text.lines().count();
            assert!(!rows.is_empty());
            for row in &rows {
                assert!(
                    (1..=lines).contains(&row.line),
                    "line {} of {lines}",
                    row.line
                );
                assert_eq!(row.file, Path::new(SOURCE));
                assert!(!row.reason.is_empty());
            }
            Err(rows.iter().map(|r| r.line).collect())
        }
        Err(other) => panic!("unexpected error kind: {other}"),
    }
}

/// One edit of a row's text, at a character boundary.
#[derive(Debug, Clone)]
enum Edit {
    Delete(usize),
    Insert(usize, char),
    Truncate(usize),
}

fn apply(row: &str, edit: &Edit) -> String {
    let mut chars: Vec<char> = row.chars().collect();
    let at = |i: usize, len: usize| i % (len + 1);
    match *edit {
        Edit::Delete(i) => {
            if !chars.is_empty() {
                let i = at(i, chars.len()).min(chars.len() - 1);
                chars.remove(i);
            }
        }
        Edit::Insert(i, c) => chars.insert(at(i, chars.len()), c),
        Edit::Truncate(i) => chars.truncate(at(i, chars.len())),
    }
    chars.into_iter().collect()
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<usize>().prop_map(Edit::Delete),
        (
            any::<usize>(),
            prop_oneof![Just('"'), Just(','), Just('}'), Just('4'), any::<char>()]
        )
            .prop_map(|(i, c)| Edit::Insert(i, c)),
        any::<usize>().prop_map(Edit::Truncate),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any subset of real rows is a catalogue of exactly those items, in
    /// order, and survives the round trip.
    #[test]
    fn real_rows_parse_and_round_trip(picks in prop::collection::btree_set(0usize..10_000, 1..8)) {
        let mut text = String::new();
        let mut ids = Vec::new();
        for i in &picks {
            let row = &ROWS[i % ROWS.len()];
            let value: serde_json::Value = serde_json::from_str(row).expect("a JSON row");
            let id = value["id"].as_str().expect("an id").to_owned();
            if !ids.contains(&id) {
                ids.push(id);
                text.push_str(row);
                text.push('\n');
            }
        }
        let catalogue = check(&text).expect("real rows are valid");
        let got: Vec<&str> = catalogue.items().iter().map(|i| i.id.as_str()).collect();
        prop_assert_eq!(got, ids.iter().map(String::as_str).collect::<Vec<_>>());
    }

    /// A damaged real row is refused on its own line (the valid row before
    /// it is not blamed), or, when the damage left a valid item, accepted
    /// and round-tripped.
    #[test]
    fn damaged_rows_are_refused_on_their_line(
        pick in 0usize..10_000,
        edits in prop::collection::vec(edit(), 1..4),
    ) {
        let good = &ROWS[pick % ROWS.len()];
        let other = &ROWS[(pick + 1) % ROWS.len()];
        let damaged = edits.iter().fold(good.clone(), |row, e| apply(&row, e));
        // The damaged row from line 2 on (an inserted `\n` splits it).
        let text = format!("{other}\n{damaged}\n");
        if let Err(lines) = check(&text) {
            let last = 1 + damaged.split('\n').count();
            prop_assert!(lines.iter().all(|l| (2..=last).contains(l)), "{:?}", lines);
        }
    }

    /// Arbitrary text: a documented outcome, never a panic.
    #[test]
    fn arbitrary_text_is_a_catalogue_or_invalid_rows(text in "\\PC{0,200}(\n\\PC{0,200}){0,3}") {
        let _ = check(&text);
    }
}

/// A row repeated is refused on its second line.
#[test]
fn a_duplicate_row_is_refused_on_its_second_line() {
    let text = format!("{}\n{}\n", ROWS[0], ROWS[0]);
    assert_eq!(check(&text).err(), Some(vec![2]));
}
