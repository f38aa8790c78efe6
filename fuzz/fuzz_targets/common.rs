//! The engine over the bundled data, opened once per fuzzing process.

use std::sync::OnceLock;

use yuesou_core::{Engine, EngineOptions, Resources};

pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        Engine::open(&EngineOptions::new(Resources::bundled(&root)))
            .expect("the bundled data loads")
    })
}
