//! Daemon configuration: layers of optional settings (flags, environment,
//! a TOML file) merged over defaults into one validated [`Config`].
//!
//! Precedence, highest first: command-line flags > `YUESOU_*` environment
//! variables > the TOML file (`--config` / `YUESOU_CONFIG`) > defaults. The
//! binary turns flags and environment into one [`ConfigLayer`] (clap resolves
//! flag-over-environment), reads the file into another, and calls
//! [`ConfigLayer::over`] then [`Config::resolve`].
//!
//! ```
//! use yuesou_server::{Config, ConfigLayer};
//!
//! let file = ConfigLayer::from_toml("addr = \"0.0.0.0:8700\"\ncache_mb = 16\n").unwrap();
//! let flags = ConfigLayer { cache_mb: Some(0), ..ConfigLayer::default() };
//! let config = Config::resolve(flags.over(file)).unwrap();
//! assert_eq!(config.addr.port(), 8700);
//! assert_eq!(config.cache_mb, 0); // the flag wins
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// Largest response cache, in MiB.
pub const MAX_CACHE_MB: u64 = 4096;

/// Where searches run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SearchPool {
    /// On the async worker threads (no hand-off; best on few cores).
    Inline,
    /// On tokio's blocking pool (`spawn_blocking`).
    Blocking,
}

impl std::str::FromStr for SearchPool {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "inline" => Ok(SearchPool::Inline),
            "blocking" => Ok(SearchPool::Blocking),
            other => Err(format!("expected inline or blocking, got {other:?}")),
        }
    }
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

impl std::str::FromStr for LogFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            other => Err(format!("expected text or json, got {other:?}")),
        }
    }
}

/// One layer of settings; `None` means "not set here". The TOML file is
/// deserialised into this (unknown keys are an error).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigLayer {
    /// Address to listen on.
    pub addr: Option<SocketAddr>,
    /// Directory holding `data/` and `dictionaries/`.
    pub home: Option<PathBuf>,
    /// Where the persisted index lives (`<data_dir>/index`).
    pub data_dir: Option<PathBuf>,
    /// An operator's catalogue instead of the bundled one.
    pub catalogue: Option<PathBuf>,
    /// Watch the data files and reload on change.
    pub watch: Option<bool>,
    /// Quiet time after the last file event before reloading, in ms.
    pub reload_debounce_ms: Option<u64>,
    /// Bearer token of the admin endpoints; unset disables them.
    pub admin_token: Option<String>,
    /// Origins allowed by CORS (`*` for any); empty disables CORS.
    pub cors_origins: Option<Vec<String>>,
    /// Per-request timeout, in ms.
    pub request_timeout_ms: Option<u64>,
    /// How long shutdown waits for requests in flight, in ms.
    pub shutdown_timeout_ms: Option<u64>,
    /// Response cache budget in MiB; 0 disables the cache.
    pub cache_mb: Option<u64>,
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: Option<usize>,
    /// Where searches run.
    pub search_pool: Option<SearchPool>,
    /// Log one line per request.
    pub access_log: Option<bool>,
    /// Log line format.
    pub log_format: Option<LogFormat>,
    /// Log filter (`info`, `yuesou_server=debug,info` …).
    pub log: Option<String>,
    /// Async worker threads (default: one per core).
    pub workers: Option<usize>,
    /// The personal centre's database: `sqlite://…` or `postgres://…`
    /// (default: `centre.db` under the data directory).
    pub database: Option<String>,
    /// Seed the demo accounts (default: on with the bundled catalogue, off
    /// with an operator's own).
    pub demo: Option<bool>,
    /// Bearer token of /api/v1/operator/*; unset disables them.
    pub operator_token: Option<String>,
    /// Distinct people a query needs to become a hot search.
    pub hot_min_people: Option<i64>,
    /// The hot searches' sliding window, in hours.
    pub hot_window_hours: Option<i64>,
    /// How often the hot searches are recomputed, in ms.
    pub hot_refresh_ms: Option<u64>,
    /// How often search history and hot counts are written, in ms.
    pub activity_flush_ms: Option<u64>,
    /// Take the client address from `X-Forwarded-For` (behind a trusted
    /// load balancer only).
    pub trust_forwarded_for: Option<bool>,
    /// Questions and complaints one account may submit per hour.
    pub feedback_per_hour: Option<usize>,
    /// Presentation checks one client address may ask for per minute.
    pub verify_per_minute: Option<usize>,
    /// The public address people and verifiers reach the daemon at
    /// (`https://gd.example`): the wallet's status list and QR links start
    /// with it.
    pub public_url: Option<String>,
    /// The server secret that keys the hashes of SMS and presentation
    /// codes: 64 hexadecimal digits, the same on every replica sharing a
    /// database (default: generated in `<data_dir>/secrets/centre.key`).
    pub centre_secret: Option<String>,
    /// The department gateways' configuration file (TOML, the signed HTTP
    /// contract of docs/INTEGRATION.md). Without one the development
    /// gateway answers when demo data is on; otherwise no department is
    /// connected.
    pub gateway: Option<PathBuf>,
    /// Where uploaded materials are kept: a directory, or `s3://bucket/prefix`
    /// (credentials from the usual `AWS_*` environment) so that replicas
    /// share them (default: `<data_dir>/objects`).
    pub objects: Option<String>,
    /// The largest material file, in bytes (default 10 MB).
    pub material_max_bytes: Option<u64>,
    /// The most bytes of one application's materials (default 50 MB).
    pub material_quota_bytes: Option<u64>,
}

macro_rules! merge_fields {
    ($high:ident, $low:ident; $($field:ident),* $(,)?) => {
        ConfigLayer { $($field: $high.$field.or($low.$field)),* }
    };
}

impl ConfigLayer {
    /// This layer over `lower`: each setting from `self` when set, else from
    /// `lower`.
    pub fn over(self, lower: ConfigLayer) -> ConfigLayer {
        let high = self;
        merge_fields!(high, lower;
            addr, home, data_dir, catalogue, watch, reload_debounce_ms, admin_token,
            cors_origins, request_timeout_ms, shutdown_timeout_ms, cache_mb, max_body_bytes,
            search_pool, access_log, log_format, log, workers, database, demo, operator_token,
            hot_min_people, hot_window_hours, hot_refresh_ms, activity_flush_ms,
            trust_forwarded_for, feedback_per_hour, verify_per_minute, public_url,
            centre_secret, gateway, objects, material_max_bytes, material_quota_bytes,
        )
    }

    /// Parses a TOML document.
    pub fn from_toml(text: &str) -> Result<ConfigLayer, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: PathBuf::from("<string>"),
            message: e.to_string(),
        })
    }

    /// Reads a TOML file.
    ///
    /// A file holding a secret (a token, or a database URL with a password)
    /// must be readable by its owner only (mode 0600 or stricter): anything
    /// else is [`ConfigError::UnsafePermissions`].
    pub fn from_file(path: &Path) -> Result<ConfigLayer, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let layer: ConfigLayer = toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        if layer.holds_secrets() {
            check_private(path)?;
        }
        Ok(layer)
    }

    /// Whether a token or a database password is set in this layer.
    fn holds_secrets(&self) -> bool {
        self.admin_token.is_some()
            || self.operator_token.is_some()
            || self.centre_secret.is_some()
            || self
                .database
                .as_deref()
                .is_some_and(|url| redact_url(url) != url)
    }
}

/// Refuses a file that others than its owner may read or write.
#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), ConfigError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(ConfigError::UnsafePermissions {
            path: path.to_path_buf(),
            mode: mode & 0o777,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> Result<(), ConfigError> {
    Ok(())
}

/// A configuration problem.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The configuration file holds a secret but others may read it.
    #[error(
        "configuration file {path} holds a secret but has mode {mode:o}: make it readable by its owner only (chmod 600)"
    )]
    UnsafePermissions {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The configuration file could not be read.
    #[error("cannot read configuration file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The configuration file is not valid TOML or has unknown keys.
    #[error("invalid configuration file {path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message (with line and column).
        message: String,
    },
    /// A setting is out of range.
    #[error("invalid setting {key}: {message}")]
    Invalid {
        /// The setting's name.
        key: &'static str,
        /// Why.
        message: String,
    },
}

/// The daemon's settings, every default applied.
#[derive(Clone, PartialEq)]
pub struct Config {
    /// Address to listen on (default `127.0.0.1:8700`).
    pub addr: SocketAddr,
    /// Directory holding `data/` and `dictionaries/` (default: decided by the
    /// binary — the bundled data).
    pub home: Option<PathBuf>,
    /// Where the persisted index lives (default `yuesou-data`).
    pub data_dir: PathBuf,
    /// An operator's catalogue (default: the bundled one).
    pub catalogue: Option<PathBuf>,
    /// Watch the data files and reload on change (default true).
    pub watch: bool,
    /// Debounce of file events (default 300 ms).
    pub reload_debounce: Duration,
    /// Admin bearer token (default none: admin endpoints disabled).
    pub admin_token: Option<String>,
    /// CORS allowed origins (default none: no CORS headers).
    pub cors_origins: Vec<String>,
    /// Per-request timeout (default 5 s).
    pub request_timeout: Duration,
    /// Drain deadline at shutdown (default 10 s).
    pub shutdown_timeout: Duration,
    /// Response cache budget in MiB, 0 = off (default 64).
    pub cache_mb: u64,
    /// Largest accepted request body (default 64 KiB).
    pub max_body_bytes: usize,
    /// Where searches run (default inline).
    pub search_pool: SearchPool,
    /// One log line per request (default true).
    pub access_log: bool,
    /// Log format (default text).
    pub log_format: LogFormat,
    /// Log filter (default `info`).
    pub log: String,
    /// Async worker threads (default: one per core).
    pub workers: Option<usize>,
    /// The personal centre's database URL (default: SQLite under the data
    /// directory).
    pub database: Option<String>,
    /// Seed the demo accounts (default: on unless an operator's catalogue
    /// is served).
    pub demo: bool,
    /// Operator bearer token (default none: operator endpoints disabled).
    pub operator_token: Option<String>,
    /// How hot searches are counted (default: 3 people, 24 hours, recomputed
    /// every 10 s, written every 2 s).
    pub hot: crate::features::activity::HotSettings,
    /// Client addresses from `X-Forwarded-For` (default false).
    pub trust_forwarded_for: bool,
    /// Questions and complaints per account per hour (default 20).
    pub feedback_per_hour: usize,
    /// Presentation checks per client address per minute (default 120).
    pub verify_per_minute: usize,
    /// The public address (default `http://<addr>`).
    pub public_url: String,
    /// The centre's server secret, hexadecimal (default: the key file under
    /// the data directory).
    pub centre_secret: Option<String>,
    /// The department gateways' file (default none: the development
    /// gateway with demo data, else none).
    pub gateway: Option<PathBuf>,
    /// Where materials are kept (default `<data_dir>/objects`).
    pub objects: Option<String>,
    /// The largest material file, in bytes (default 10 MB).
    pub material_max_bytes: u64,
    /// The most bytes of one application's materials (default 50 MB).
    pub material_quota_bytes: u64,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("addr", &self.addr)
            .field("home", &self.home)
            .field("data_dir", &self.data_dir)
            .field("catalogue", &self.catalogue)
            .field("watch", &self.watch)
            .field("reload_debounce", &self.reload_debounce)
            // Never print the token itself.
            .field("admin_token", &self.admin_token.as_ref().map(|_| "<set>"))
            .field("cors_origins", &self.cors_origins)
            .field("request_timeout", &self.request_timeout)
            .field("shutdown_timeout", &self.shutdown_timeout)
            .field("cache_mb", &self.cache_mb)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("search_pool", &self.search_pool)
            .field("access_log", &self.access_log)
            .field("log_format", &self.log_format)
            .field("log", &self.log)
            .field("workers", &self.workers)
            // A database URL may carry a password.
            .field("database", &self.database.as_ref().map(|d| redact_url(d)))
            .field("demo", &self.demo)
            .field(
                "operator_token",
                &self.operator_token.as_ref().map(|_| "<set>"),
            )
            .field("hot", &self.hot)
            .field("trust_forwarded_for", &self.trust_forwarded_for)
            .field("feedback_per_hour", &self.feedback_per_hour)
            .field("verify_per_minute", &self.verify_per_minute)
            .field("public_url", &self.public_url)
            .field(
                "centre_secret",
                &self.centre_secret.as_ref().map(|_| "<set>"),
            )
            .field("gateway", &self.gateway)
            .field("objects", &self.objects.as_deref().map(redact_url))
            .field("material_max_bytes", &self.material_max_bytes)
            .field("material_quota_bytes", &self.material_quota_bytes)
            .finish()
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 8700)),
            home: None,
            data_dir: PathBuf::from("yuesou-data"),
            catalogue: None,
            watch: true,
            reload_debounce: Duration::from_millis(300),
            admin_token: None,
            cors_origins: Vec::new(),
            request_timeout: Duration::from_secs(5),
            shutdown_timeout: Duration::from_secs(10),
            cache_mb: 64,
            max_body_bytes: 64 * 1024,
            search_pool: SearchPool::Inline,
            access_log: true,
            log_format: LogFormat::Text,
            log: "info".to_string(),
            workers: None,
            database: None,
            demo: true,
            operator_token: None,
            hot: crate::features::activity::HotSettings::default(),
            trust_forwarded_for: false,
            feedback_per_hour: 20,
            verify_per_minute: 120,
            public_url: "http://127.0.0.1:8700".to_string(),
            centre_secret: None,
            gateway: None,
            objects: None,
            material_max_bytes: 10 * 1024 * 1024,
            material_quota_bytes: 50 * 1024 * 1024,
        }
    }
}

/// A database URL without its password (`postgres://user:***@host/db`).
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

fn invalid(key: &'static str, message: &str) -> ConfigError {
    ConfigError::Invalid {
        key,
        message: message.to_string(),
    }
}

/// A duration in ms that must be at least 1 ms.
fn positive_ms(
    key: &'static str,
    value: Option<u64>,
    default: Duration,
) -> Result<Duration, ConfigError> {
    match value {
        Some(0) => Err(invalid(key, "must be at least 1 ms")),
        Some(ms) => Ok(Duration::from_millis(ms)),
        None => Ok(default),
    }
}

/// A per-period limit from 1 to 1,000,000.
fn limit(name: &'static str, value: Option<usize>, default: usize) -> Result<usize, ConfigError> {
    match value {
        Some(n) if !(1..=1_000_000).contains(&n) => Err(invalid(name, "must be from 1 to 1000000")),
        Some(n) => Ok(n),
        None => Ok(default),
    }
}

/// A bearer token: at least 16 characters when set (empty = unset).
fn token(key: &'static str, value: Option<String>) -> Result<Option<String>, ConfigError> {
    let value = value.filter(|t| !t.is_empty());
    if value.as_ref().is_some_and(|t| t.len() < 16) {
        return Err(invalid(
            key,
            "must be at least 16 characters (use a random string)",
        ));
    }
    Ok(value)
}

/// The admin and operator tokens (they must differ).
fn tokens(layer: &ConfigLayer) -> Result<(Option<String>, Option<String>), ConfigError> {
    let admin = token("admin_token", layer.admin_token.clone())?;
    let operator = token("operator_token", layer.operator_token.clone())?;
    if operator.is_some() && operator == admin {
        return Err(invalid(
            "operator_token",
            "must differ from the admin token",
        ));
    }
    Ok((admin, operator))
}

/// Origins allowed by CORS: `*` or `scheme://host[:port]`.
fn cors_origins(value: Option<Vec<String>>) -> Result<Vec<String>, ConfigError> {
    let origins: Vec<String> = value
        .unwrap_or_default()
        .into_iter()
        .map(|o| o.trim().to_string())
        .filter(|o| !o.is_empty())
        .collect();
    for origin in &origins {
        let valid = origin == "*"
            || ((origin.starts_with("http://") || origin.starts_with("https://"))
                && !origin.ends_with('/')
                && axum::http::HeaderValue::from_str(origin).is_ok());
        if !valid {
            return Err(invalid(
                "cors_origins",
                &format!("{origin:?} is not * or an origin such as https://app.example.org"),
            ));
        }
    }
    Ok(origins)
}

/// The centre's database URL, if set: `sqlite:` or `postgres:`.
fn database(value: Option<String>) -> Result<Option<String>, ConfigError> {
    let database = value.filter(|d| !d.trim().is_empty());
    if let Some(url) = &database
        && !["sqlite:", "postgres:", "postgresql:"]
            .iter()
            .any(|p| url.starts_with(p))
    {
        return Err(invalid(
            "database",
            "must be a sqlite://… or postgres://… URL",
        ));
    }
    Ok(database)
}

/// Hot-search settings over their defaults.
fn hot_settings(
    layer: &ConfigLayer,
    mut hot: crate::features::activity::HotSettings,
) -> Result<crate::features::activity::HotSettings, ConfigError> {
    if let Some(n) = layer.hot_min_people {
        if !(1..=1_000_000).contains(&n) {
            return Err(invalid("hot_min_people", "must be from 1 to 1000000"));
        }
        hot.min_people = n;
    }
    if let Some(h) = layer.hot_window_hours {
        if !(1..=24 * 30).contains(&h) {
            return Err(invalid("hot_window_hours", "must be from 1 to 720"));
        }
        hot.window_hours = h;
    }
    hot.refresh = positive_ms("hot_refresh_ms", layer.hot_refresh_ms, hot.refresh)?;
    hot.flush = positive_ms("activity_flush_ms", layer.activity_flush_ms, hot.flush)?;
    Ok(hot)
}

/// The public address: `http(s)://host[:port]` without a path, default
/// `http://<addr>`.
fn public_url(value: Option<String>, addr: SocketAddr) -> Result<String, ConfigError> {
    let Some(url) = value.filter(|u| !u.trim().is_empty()) else {
        return Ok(format!("http://{addr}"));
    };
    let url = url.trim().trim_end_matches('/').to_string();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && host.bytes().all(|b| b.is_ascii_graphic()) => Ok(url),
        _ => Err(invalid(
            "public_url",
            "must be an address such as https://gd.example (http or https, printable ASCII)",
        )),
    }
}

/// The centre secret: 64 hexadecimal digits when set.
fn centre_secret(value: Option<String>) -> Result<Option<String>, ConfigError> {
    let value = value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty());
    if value
        .as_ref()
        .is_some_and(|v| v.len() != 64 || !v.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return Err(invalid(
            "centre_secret",
            "must be 64 hexadecimal digits (e.g. from `openssl rand -hex 32`)",
        ));
    }
    Ok(value)
}

impl Config {
    /// Applies defaults to a merged layer and validates the result.
    pub fn resolve(layer: ConfigLayer) -> Result<Config, ConfigError> {
        let d = Config::default();
        let cache_mb = layer.cache_mb.unwrap_or(d.cache_mb);
        if cache_mb > MAX_CACHE_MB {
            return Err(invalid(
                "cache_mb",
                &format!("must be at most {MAX_CACHE_MB}"),
            ));
        }
        if layer.workers == Some(0) {
            return Err(invalid("workers", "must be at least 1"));
        }
        let (admin_token, operator_token) = tokens(&layer)?;
        let addr = layer.addr.unwrap_or(d.addr);
        let material_max_bytes = layer.material_max_bytes.unwrap_or(d.material_max_bytes);
        let material_quota_bytes = layer.material_quota_bytes.unwrap_or(d.material_quota_bytes);
        if !(1024..=1024 * 1024 * 1024).contains(&material_max_bytes) {
            return Err(invalid("material_max_bytes", "must be from 1 KiB to 1 GiB"));
        }
        if material_quota_bytes < material_max_bytes {
            return Err(invalid(
                "material_quota_bytes",
                "must be at least material_max_bytes",
            ));
        }
        Ok(Config {
            addr,
            home: layer.home.clone(),
            data_dir: layer.data_dir.clone().unwrap_or(d.data_dir),
            demo: layer.demo.unwrap_or(layer.catalogue.is_none()),
            catalogue: layer.catalogue.clone(),
            watch: layer.watch.unwrap_or(d.watch),
            reload_debounce: positive_ms(
                "reload_debounce_ms",
                layer.reload_debounce_ms,
                d.reload_debounce,
            )?,
            admin_token,
            cors_origins: cors_origins(layer.cors_origins.clone())?,
            request_timeout: positive_ms(
                "request_timeout_ms",
                layer.request_timeout_ms,
                d.request_timeout,
            )?,
            shutdown_timeout: layer
                .shutdown_timeout_ms
                .map(Duration::from_millis)
                .unwrap_or(d.shutdown_timeout),
            cache_mb,
            max_body_bytes: layer.max_body_bytes.unwrap_or(d.max_body_bytes),
            search_pool: layer.search_pool.unwrap_or(d.search_pool),
            access_log: layer.access_log.unwrap_or(d.access_log),
            log_format: layer.log_format.unwrap_or(d.log_format),
            log: layer.log.clone().unwrap_or(d.log),
            workers: layer.workers,
            database: database(layer.database.clone())?,
            operator_token,
            hot: hot_settings(&layer, d.hot)?,
            trust_forwarded_for: layer.trust_forwarded_for.unwrap_or(d.trust_forwarded_for),
            feedback_per_hour: limit(
                "feedback_per_hour",
                layer.feedback_per_hour,
                d.feedback_per_hour,
            )?,
            verify_per_minute: limit(
                "verify_per_minute",
                layer.verify_per_minute,
                d.verify_per_minute,
            )?,
            public_url: public_url(layer.public_url.clone(), addr)?,
            centre_secret: centre_secret(layer.centre_secret)?,
            gateway: layer.gateway,
            objects: layer.objects.filter(|o| !o.is_empty()),
            material_max_bytes,
            material_quota_bytes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_file_holding_a_secret_must_be_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str, mode: u32| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            path
        };
        for secret in [
            "operator_token = \"0123456789abcdef0123\"\n",
            "admin_token = \"0123456789abcdef0123\"\n",
            "database = \"postgres://yuesou:hunter2@db/yuesou\"\n",
        ] {
            let open = write("open.toml", secret, 0o644);
            let error = ConfigLayer::from_file(&open).unwrap_err();
            assert!(
                matches!(error, ConfigError::UnsafePermissions { mode: 0o644, .. }),
                "{error}"
            );
            // The message names the fix, never the secret.
            assert!(error.to_string().contains("chmod 600"));
            assert!(
                !error.to_string().contains("hunter2") && !error.to_string().contains("0123456789")
            );
            let private = write("private.toml", secret, 0o600);
            assert!(ConfigLayer::from_file(&private).is_ok());
        }
        // Without a secret any mode will do.
        let plain = write(
            "plain.toml",
            "cache_mb = 8\ndatabase = \"postgres://yuesou@db/yuesou\"\n",
            0o644,
        );
        assert_eq!(ConfigLayer::from_file(&plain).unwrap().cache_mb, Some(8));
    }

    #[test]
    fn flags_beat_environment_beat_file_beat_defaults() {
        let file = ConfigLayer::from_toml(
            "addr = \"0.0.0.0:9000\"\ncache_mb = 8\nwatch = false\ncors_origins = [\"https://a.example\"]\n",
        )
        .unwrap();
        let flags = ConfigLayer {
            cache_mb: Some(0),
            ..ConfigLayer::default()
        };
        let config = Config::resolve(flags.over(file)).unwrap();
        assert_eq!(config.addr.port(), 9000, "from the file");
        assert_eq!(config.cache_mb, 0, "the flag wins over the file");
        assert!(!config.watch);
        assert_eq!(config.cors_origins, ["https://a.example"]);
        assert_eq!(config.request_timeout, Duration::from_secs(5), "default");
    }

    #[test]
    fn bad_files_and_settings_are_reported() {
        let e = ConfigLayer::from_toml("adr = \"x\"").unwrap_err();
        assert!(e.to_string().contains("adr"), "{e}");
        let e = ConfigLayer::from_toml("cache_mb = \"lots\"").unwrap_err();
        assert!(e.to_string().contains("cache_mb"), "{e}");
        let layer = |l: ConfigLayer| Config::resolve(l).unwrap_err().to_string();
        assert!(
            layer(ConfigLayer {
                admin_token: Some("short".into()),
                ..Default::default()
            })
            .contains("admin_token")
        );
        assert!(
            layer(ConfigLayer {
                cors_origins: Some(vec!["example.org".into()]),
                ..Default::default()
            })
            .contains("cors_origins")
        );
        assert!(
            layer(ConfigLayer {
                request_timeout_ms: Some(0),
                ..Default::default()
            })
            .contains("request_timeout_ms")
        );
    }

    #[test]
    fn database_urls_lose_their_password_in_debug_output() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db.internal:5432/yuesou"),
            "postgres://app:***@db.internal:5432/yuesou"
        );
        assert_eq!(
            redact_url("sqlite:///var/lib/centre.db"),
            "sqlite:///var/lib/centre.db"
        );
        let config = Config::resolve(ConfigLayer {
            database: Some("postgres://app:s3cret@db/yuesou".into()),
            operator_token: Some("operator-token-0123456789".into()),
            ..Default::default()
        })
        .unwrap();
        let shown = format!("{config:?}");
        assert!(
            !shown.contains("s3cret") && !shown.contains("operator-token-0123"),
            "{shown}"
        );
        assert!(config.demo, "demo data is on for the bundled catalogue");
        let own = Config::resolve(ConfigLayer {
            catalogue: Some("mine.jsonl".into()),
            ..Default::default()
        })
        .unwrap();
        assert!(!own.demo, "and off for an operator's own");
        let bad = Config::resolve(ConfigLayer {
            database: Some("mysql://x".into()),
            ..Default::default()
        });
        assert!(bad.unwrap_err().to_string().contains("database"));
    }

    #[test]
    fn debug_output_hides_the_admin_token() {
        let config = Config::resolve(ConfigLayer {
            admin_token: Some("s3cret-s3cret-s3cret".into()),
            ..Default::default()
        })
        .unwrap();
        assert!(!format!("{config:?}").contains("s3cret"));
    }
}
