//! Watches the engine's input files and asks for a reload when one changes.
//!
//! The directories holding the input files are watched non-recursively (the
//! bundled `data/` and `dictionaries/`, and an operator's catalogue directory
//! wherever it is). Events are debounced (editors write a file in several
//! steps) and filtered to the input files' names, so the persisted index,
//! editor swap files and anything else in those directories never trigger a
//! reload. Whether anything really changed is then decided by the reloader,
//! which compares input fingerprints.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_mini::{DebounceEventResult, DebouncedEventKind, Debouncer, new_debouncer};
use yuesou_core::Resources;

use crate::reload::{ReloadTrigger, Reloader};

/// A running watcher; dropping it stops watching.
pub struct FileWatcher {
    _debouncer: Debouncer<RecommendedWatcher>,
    dirs: Vec<PathBuf>,
}

impl std::fmt::Debug for FileWatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileWatcher")
            .field("dirs", &self.dirs)
            .finish()
    }
}

impl FileWatcher {
    /// Watches the directories of `resources`' files, asking `reloader` for a
    /// reload `debounce` after the last change to one of them.
    pub fn start(
        resources: &Resources,
        debounce: Duration,
        reloader: Reloader,
    ) -> Result<FileWatcher, notify::Error> {
        let files = resources.files();
        let names: BTreeSet<OsString> = files
            .iter()
            .filter_map(|f| f.file_name().map(|n| n.to_os_string()))
            .collect();
        let dirs: BTreeSet<PathBuf> = files
            .iter()
            .filter_map(|f| f.parent().map(|p| p.to_path_buf()))
            .map(|p| {
                if p.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    p
                }
            })
            .filter(|p| p.is_dir())
            .collect();
        let mut debouncer =
            new_debouncer(debounce, move |result: DebounceEventResult| match result {
                Ok(events) => {
                    let changed: Vec<&PathBuf> = events
                        .iter()
                        .filter(|e| e.kind == DebouncedEventKind::Any)
                        .map(|e| &e.path)
                        .filter(|p| p.file_name().is_some_and(|n| names.contains(n)))
                        .collect();
                    if !changed.is_empty() {
                        tracing::info!(files = ?changed, "input files changed; reloading");
                        reloader.request(ReloadTrigger::Files, false);
                    }
                }
                Err(e) => tracing::warn!("file watcher error: {e}"),
            })?;
        for dir in &dirs {
            debouncer
                .watcher()
                .watch(dir, RecursiveMode::NonRecursive)?;
        }
        tracing::info!(dirs = ?dirs, "watching input files");
        Ok(FileWatcher {
            _debouncer: debouncer,
            dirs: dirs.into_iter().collect(),
        })
    }

    /// The watched directories.
    pub fn dirs(&self) -> &[PathBuf] {
        &self.dirs
    }
}
