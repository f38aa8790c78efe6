//! Data the daemon reads beside the engine (message files, life-stage
//! rules, record kinds …), re-read when its files change.
//!
//! A [`DataFiles`] holds the value built from a set of files (or folders)
//! and at most every [`CHECK_EVERY`] looks at their modification times and
//! lengths; when they changed it builds the value again. A build that fails
//! keeps the last good value and is logged — a broken edit never takes a
//! working daemon down. At start-up the first build's error is returned, so
//! a daemon never starts on broken data.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// How often at most the files are looked at.
pub const CHECK_EVERY: Duration = Duration::from_secs(2);

type Build<T, E> = Box<dyn Fn() -> Result<T, E> + Send + Sync>;

/// A value built from files, rebuilt when they change.
pub struct DataFiles<T, E> {
    what: &'static str,
    paths: Vec<PathBuf>,
    /// None for a fixed value.
    build: Option<Build<T, E>>,
    state: Mutex<State<T>>,
}

struct State<T> {
    checked: Instant,
    fingerprint: Vec<(PathBuf, Option<SystemTime>, u64)>,
    value: Arc<T>,
}

impl<T, E> std::fmt::Debug for DataFiles<T, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataFiles")
            .field("what", &self.what)
            .field("paths", &self.paths)
            .finish()
    }
}

impl<T: Send + Sync, E: std::fmt::Display> DataFiles<T, E> {
    /// Builds the value now (its error when that fails). `paths` are the
    /// files and folders (each folder's files, one level down, count)
    /// whose changes rebuild it; `what` names it in the log.
    pub fn load(
        what: &'static str,
        paths: Vec<PathBuf>,
        build: impl Fn() -> Result<T, E> + Send + Sync + 'static,
    ) -> Result<DataFiles<T, E>, E> {
        let fingerprint = fingerprint(&paths);
        let value = build()?;
        Ok(DataFiles {
            what,
            paths,
            build: Some(Box::new(build)),
            state: Mutex::new(State {
                checked: Instant::now(),
                fingerprint,
                value: Arc::new(value),
            }),
        })
    }

    /// A fixed value, never rebuilt.
    pub fn fixed(what: &'static str, value: T) -> DataFiles<T, E> {
        DataFiles {
            what,
            paths: Vec::new(),
            build: None,
            state: Mutex::new(State {
                checked: Instant::now(),
                fingerprint: Vec::new(),
                value: Arc::new(value),
            }),
        }
    }

    /// The value now (rebuilt first when a file changed).
    pub fn current(&self) -> Arc<T> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let Some(build) = &self.build else {
            return state.value.clone();
        };
        if state.checked.elapsed() >= CHECK_EVERY {
            state.checked = Instant::now();
            let now = fingerprint(&self.paths);
            if now != state.fingerprint {
                state.fingerprint = now;
                match build() {
                    Ok(value) => {
                        tracing::info!(what = self.what, "data files reloaded");
                        state.value = Arc::new(value);
                    }
                    Err(e) => tracing::error!(
                        what = self.what,
                        error = %e,
                        "data files not reloaded; the last good ones stay"
                    ),
                }
            }
        }
        state.value.clone()
    }

    /// Looks at the files at the next [`DataFiles::current`] (for tests).
    #[cfg(test)]
    pub fn check_next(&self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.checked = Instant::now() - CHECK_EVERY;
    }
}

/// Every file with its modification time and length.
fn fingerprint(paths: &[PathBuf]) -> Vec<(PathBuf, Option<SystemTime>, u64)> {
    let mut files = Vec::new();
    let mut add = |path: &Path| {
        let meta = std::fs::metadata(path).ok();
        files.push((
            path.to_path_buf(),
            meta.as_ref().and_then(|m| m.modified().ok()),
            meta.map_or(0, |m| m.len()),
        ));
    };
    for path in paths {
        if path.is_dir() {
            let Ok(entries) = std::fs::read_dir(path) else {
                continue;
            };
            for entry in entries.flatten() {
                add(&entry.path());
            }
        } else {
            add(path);
        }
    }
    files.sort();
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_rebuilds_and_a_broken_file_keeps_the_last_good_value() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("n.txt");
        std::fs::write(&file, "1").unwrap();
        let read = {
            let file = file.clone();
            move || {
                std::fs::read_to_string(&file)
                    .map_err(|e| e.to_string())?
                    .trim()
                    .parse::<u32>()
                    .map_err(|e| e.to_string())
            }
        };
        let data = DataFiles::load("n", vec![dir.path().to_path_buf()], read).unwrap();
        assert_eq!(*data.current(), 1);
        std::fs::write(&file, "22").unwrap();
        assert_eq!(*data.current(), 1, "not looked at before CHECK_EVERY");
        data.check_next();
        assert_eq!(*data.current(), 22);
        std::fs::write(&file, "not a number").unwrap();
        data.check_next();
        assert_eq!(*data.current(), 22, "the last good value stays");
        let broken = DataFiles::load("n", vec![file.clone()], || {
            Err::<u32, _>("broken".to_string())
        });
        assert!(broken.is_err(), "a start on broken data fails");
    }
}
