//! The operator's import path through the binary: `yuesou index build
//! --catalogue FILE` builds and persists the index of an operator's own
//! catalogue, reuses it on the next run, `yuesou search --catalogue FILE
//! --json` answers from it, and an engine opened on the same index
//! directory reuses it too. (The engine on the real portal items is
//! `crates/core/tests/engine/real_items.rs`.)

use std::path::Path;
use std::process::Command;

use yuesou::{Engine, EngineOptions, Resources};

fn yuesou(args: &[&str], data_dir: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_yuesou"))
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--home")
        .arg(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the yuesou binary runs");
    assert!(
        out.status.success(),
        "yuesou {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

#[test]
fn the_cli_builds_reuses_and_searches_an_operators_catalogue() {
    let home = Path::new(env!("CARGO_MANIFEST_DIR"));
    // An operator's catalogue: a copy of the bundled one, outside data/.
    let dir = tempfile::tempdir().unwrap();
    let catalogue = dir.path().join("operator.jsonl");
    std::fs::copy(home.join("data/catalogue.jsonl"), &catalogue).unwrap();
    let items = std::fs::read_to_string(&catalogue)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count();
    let catalogue_arg = catalogue.to_str().unwrap();
    let data_dir = dir.path().join("state");

    // The CLI builds and persists the index, then reuses it.
    let built = yuesou(&["index", "build", "--catalogue", catalogue_arg], &data_dir);
    assert!(
        built.starts_with(&format!("built index for {items} items")),
        "{built}"
    );
    let reused = yuesou(&["index", "build", "--catalogue", catalogue_arg], &data_dir);
    assert!(
        reused.starts_with(&format!("reused index for {items} items")),
        "{reused}"
    );
    let json = yuesou(
        &[
            "search",
            "公积金贷款进度查询",
            "--json",
            "--catalogue",
            catalogue_arg,
        ],
        &data_dir,
    );
    let response: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(
        response["hits"][0]["title"]
            .as_str()
            .unwrap()
            .contains("公积金贷款进度查询"),
        "{json}"
    );

    // An engine opened on the same index directory reuses the CLI's index.
    let resources = Resources::bundled(home).with_catalogue(&catalogue);
    let engine =
        Engine::open(&EngineOptions::new(resources).with_index_dir(data_dir.join("index")))
            .unwrap();
    assert!(engine.reused_index());
}
