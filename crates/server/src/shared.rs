//! What the reload task, the middleware and the handlers share: the engine
//! slot, the metrics, the reload history, and the settings handlers read.

use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use crate::config::{Config, SearchPool};
use crate::generation::EngineSlot;
use crate::metrics::Metrics;
use crate::reload::history::History;

/// What the reload task and the handlers share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub slot: EngineSlot,
    pub metrics: Metrics,
    pub history: Mutex<History>,
    /// Directories being watched (set once the watcher runs).
    pub watching: OnceLock<Vec<String>>,
    /// Set once the personal centre is set up (demo seeded or removed).
    pub centre_ready: std::sync::atomic::AtomicBool,
}

/// Settings the handlers and middleware read.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub admin_token: Option<String>,
    pub search_pool: SearchPool,
    pub request_timeout: Duration,
    pub max_body_bytes: usize,
    pub access_log: bool,
    pub cors_origins: Vec<String>,
    pub reload_settle: Duration,
    pub operator_token: Option<String>,
    pub hot: crate::features::activity::HotSettings,
    pub trust_forwarded_for: bool,
    /// Demo data on: the web app may name the demo accounts (labelled).
    pub demo: bool,
    /// The largest material file (the upload route's body limit, with
    /// the multipart envelope).
    pub material_max_bytes: u64,
}

impl From<&Config> for Settings {
    fn from(c: &Config) -> Self {
        Settings {
            admin_token: c.admin_token.clone(),
            search_pool: c.search_pool,
            request_timeout: c.request_timeout,
            max_body_bytes: c.max_body_bytes,
            access_log: c.access_log,
            cors_origins: c.cors_origins.clone(),
            reload_settle: c.reload_debounce,
            operator_token: c.operator_token.clone(),
            hot: c.hot.clone(),
            trust_forwarded_for: c.trust_forwarded_for,
            demo: c.demo,
            material_max_bytes: c.material_max_bytes,
        }
    }
}
