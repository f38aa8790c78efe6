//! The persisted index: built on first open, reused while the inputs are
//! unchanged, rebuilt (and the stale snapshot removed) when any input changes.

use std::path::Path;

use yuesou_core::{BuildProgress, Engine, EngineOptions, Resources, SearchRequest};

/// Copies data/ and dictionaries/ into `home`.
fn copy_inputs(home: &Path) {
    let root = crate::support::root();
    for dir in ["data", "dictionaries"] {
        std::fs::create_dir_all(home.join(dir)).unwrap();
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_file() {
                std::fs::copy(entry.path(), home.join(dir).join(entry.file_name())).unwrap();
            }
        }
    }
}

/// Opens the engine and says whether it reused the index.
fn open(home: &Path, index: &Path) -> (Engine, bool) {
    let mut steps = Vec::new();
    let engine = Engine::open_with_progress(
        &EngineOptions::new(Resources::bundled(home)).with_index_dir(index),
        &mut |p| steps.push(p),
    )
    .expect("the copied data loads");
    let reused = engine.reused_index();
    assert_eq!(reused, steps.contains(&BuildProgress::Reused));
    (engine, reused)
}

fn snapshots(index: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(index)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn the_index_is_reused_while_inputs_are_unchanged_and_rebuilt_when_they_change() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let index = dir.path().join("index");
    copy_inputs(&home);

    let (first, reused) = open(&home, &index);
    assert!(!reused, "a fresh data dir builds the index");
    let built = snapshots(&index);
    assert_eq!(built, vec![first.fingerprint().to_string()]);
    drop(first);

    let (second, reused) = open(&home, &index);
    assert!(reused, "unchanged inputs reuse the index");
    assert_eq!(snapshots(&index), built);
    assert!(
        second
            .search(&SearchRequest::new("社保卡补换"))
            .unwrap()
            .total
            > 0
    );
    drop(second);

    // A thesaurus edit changes the fingerprint: rebuilt, old snapshot gone,
    // and the new entry is searchable.
    let thesaurus = home.join("dictionaries/thesaurus.tsv");
    let mut text = std::fs::read_to_string(&thesaurus).unwrap();
    text.push_str("\n粤搜测试词\t社会保障卡补换\n");
    std::fs::write(&thesaurus, text).unwrap();
    let (third, reused) = open(&home, &index);
    assert!(!reused, "a changed input rebuilds the index");
    assert_eq!(snapshots(&index), vec![third.fingerprint().to_string()]);
    assert_ne!(snapshots(&index), built);
    let r = third.search(&SearchRequest::new("粤搜测试词")).unwrap();
    assert!(
        r.hits
            .first()
            .is_some_and(|h| h.title.contains("社会保障卡补换")),
        "{:?}",
        r.hits.first()
    );
}
