//! Opening the engine for a command: the bundled layout (or the operator's
//! catalogue), the index persisted under the data directory, a progress bar
//! while it builds.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use yuesou::server::Config;
use yuesou::{BuildProgress, Engine, EngineOptions, Resources};

/// The engine options of a configuration: the bundled layout under `home`
/// (or the operator's catalogue), the index persisted under `data_dir`.
pub fn engine_options(config: &Config) -> EngineOptions {
    let root = config.home.clone().unwrap_or_else(yuesou::bundled_root);
    let mut resources = Resources::bundled(&root);
    if let Some(catalogue) = &config.catalogue {
        resources = resources.with_catalogue(catalogue);
    }
    EngineOptions::new(resources).with_index_dir(config.data_dir.join("index"))
}

/// Opens the engine over the data under `root` (or `catalogue`), the index
/// under `data_dir`, showing progress on the terminal.
pub fn open_engine(
    root: &Path,
    data_dir: &Path,
    catalogue: Option<PathBuf>,
) -> anyhow::Result<Engine> {
    let mut resources = Resources::bundled(root);
    if let Some(catalogue) = catalogue {
        resources = resources.with_catalogue(catalogue);
    }
    let options = EngineOptions::new(resources).with_index_dir(data_dir.join("index"));
    let bar = ProgressBar::new_spinner();
    bar.enable_steady_tick(Duration::from_millis(120));
    bar.set_message("loading catalogue and dictionaries");
    let engine = Engine::open_with_progress(&options, &mut |p| match p {
        BuildProgress::Loading => {}
        BuildProgress::Indexing { done, total } => {
            if bar.length() != Some(total as u64) {
                bar.set_length(total as u64);
                bar.set_style(
                    ProgressStyle::with_template("indexing {bar:40} {pos}/{len} items ({eta})")
                        .unwrap_or_else(|_| ProgressStyle::default_bar()),
                );
            }
            bar.set_position(done as u64);
        }
        BuildProgress::Reused => bar.set_message("reusing the persisted index"),
        BuildProgress::Done => bar.finish_and_clear(),
    })
    .with_context(|| format!("cannot open the engine (data in {})", root.display()))?;
    bar.finish_and_clear();
    Ok(engine)
}
