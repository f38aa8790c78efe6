//! Configuration of the HTTP gateway: one pooled client, and per
//! department its base URL, signing key, timeouts, limits and breaker.
//! Deserialises from TOML or JSON; unknown keys are errors (typos fail at
//! start-up, not at the first call).
//!
//! ```toml
//! [client]
//! connect_timeout_ms = 2000
//! extra_root_certificates = ["/etc/yuesou/gd-exchange-ca.pem"]
//!
//! [departments.gat]
//! names = ["广东省公安厅", "省公安厅交通管理局"]
//! base_url = "https://exchange.gd.example/gat/"
//! key_id = "yuesou-2026-01"
//! algorithm = "ed25519"
//! signing_key_file = "/etc/yuesou/keys/gat.seed"
//! timeout_ms = 3000
//! max_concurrency = 16
//! [departments.gat.breaker]
//! consecutive_failures = 5
//! cooldown_ms = 30000
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use serde::Deserialize;
use zeroize::Zeroizing;

/// A secret string: redacted in `Debug`, wiped from memory when dropped.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps a secret.
    pub fn new(text: &str) -> Secret {
        Secret(Zeroizing::new(text.to_owned()))
    }

    /// The secret text.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(**)")
    }
}

/// The whole HTTP gateway's configuration.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatewayConfig {
    /// The shared client.
    #[serde(default)]
    pub client: ClientConfig,
    /// Departments by code (the code is what metrics and logs show).
    #[serde(default)]
    pub departments: BTreeMap<String, DepartmentConfig>,
}

/// The one pooled HTTP client.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientConfig {
    /// TCP + TLS connect timeout (default 2000 ms).
    #[serde(default = "defaults::connect_timeout_ms")]
    pub connect_timeout_ms: u64,
    /// Idle pooled connections close after this (default 90 s).
    #[serde(default = "defaults::pool_idle_timeout_ms")]
    pub pool_idle_timeout_ms: u64,
    /// PEM files of CA certificates to trust besides the system's (e.g. the
    /// provincial exchange's private CA).
    #[serde(default)]
    pub extra_root_certificates: Vec<PathBuf>,
    /// Trust only `extra_root_certificates`, not the system's roots.
    #[serde(default)]
    pub only_extra_roots: bool,
    /// An HTTP(S) proxy for all departments; none by default (proxy
    /// environment variables are ignored).
    #[serde(default)]
    pub proxy: Option<String>,
    /// `User-Agent` (default `yuesou-gateway/<version>`).
    #[serde(default)]
    pub user_agent: Option<String>,
}

impl Default for ClientConfig {
    fn default() -> ClientConfig {
        ClientConfig {
            connect_timeout_ms: defaults::connect_timeout_ms(),
            pool_idle_timeout_ms: defaults::pool_idle_timeout_ms(),
            extra_root_certificates: Vec::new(),
            only_extra_roots: false,
            proxy: None,
            user_agent: None,
        }
    }
}

/// A signature algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Algorithm {
    /// Ed25519 (the department holds the public key only). Recommended.
    #[serde(rename = "ed25519")]
    Ed25519,
    /// HMAC-SHA-256 with a shared secret.
    #[serde(rename = "hmac-sha256")]
    HmacSha256,
}

/// One department.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepartmentConfig {
    /// Department names that route here (as the catalogue's items name
    /// their department), besides the code.
    #[serde(default)]
    pub names: Vec<String>,
    /// Base URL; the endpoints are relative to it (`v1/records/query`).
    /// `https` unless the host is loopback or `allow_http` is set.
    pub base_url: String,
    /// Key id sent in `X-Yuesou-Key-Id`.
    pub key_id: String,
    /// Signature algorithm of the key.
    pub algorithm: Algorithm,
    /// The key, base64 (Ed25519: the 32-byte seed; HMAC: ≥ 32 bytes).
    #[serde(default)]
    pub signing_key: Option<Secret>,
    /// A file holding the base64 key (instead of `signing_key`).
    #[serde(default)]
    pub signing_key_file: Option<PathBuf>,
    /// Time for one attempt, connect to last byte (default 5000 ms).
    #[serde(default = "defaults::timeout_ms")]
    pub timeout_ms: u64,
    /// Attempts in flight at once (default 16).
    #[serde(default = "defaults::max_concurrency")]
    pub max_concurrency: u32,
    /// How long a call waits for a free slot before `Busy` (default 250 ms).
    #[serde(default = "defaults::queue_timeout_ms")]
    pub queue_timeout_ms: u64,
    /// Retries after a transient failure (default 2; 0 turns them off).
    #[serde(default = "defaults::retries")]
    pub retries: u32,
    /// First backoff (default 100 ms), doubled per retry, with jitter.
    #[serde(default = "defaults::backoff_base_ms")]
    pub backoff_base_ms: u64,
    /// Longest backoff (default 2000 ms); a longer `Retry-After` ends the retries.
    #[serde(default = "defaults::backoff_max_ms")]
    pub backoff_max_ms: u64,
    /// Largest response body read (default 2 MiB).
    #[serde(default = "defaults::max_response_bytes")]
    pub max_response_bytes: usize,
    /// Allow plain `http` to a non-loopback host (never in production).
    #[serde(default)]
    pub allow_http: bool,
    /// The circuit breaker.
    #[serde(default)]
    pub breaker: BreakerConfig,
}

/// When a department's breaker opens and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BreakerConfig {
    /// Opens after this many failures in a row (default 5).
    #[serde(default = "defaults::consecutive_failures")]
    pub consecutive_failures: u32,
    /// Or when, over the last `window` attempts (default 20) …
    #[serde(default = "defaults::window")]
    pub window: u32,
    /// … at least `min_calls` (default 10) were made and …
    #[serde(default = "defaults::min_calls")]
    pub min_calls: u32,
    /// … this share failed (default 0.5).
    #[serde(default = "defaults::failure_ratio")]
    pub failure_ratio: f64,
    /// Open for this long, then one probe (default 30 s).
    #[serde(default = "defaults::cooldown_ms")]
    pub cooldown_ms: u64,
}

impl Default for BreakerConfig {
    fn default() -> BreakerConfig {
        BreakerConfig {
            consecutive_failures: defaults::consecutive_failures(),
            window: defaults::window(),
            min_calls: defaults::min_calls(),
            failure_ratio: defaults::failure_ratio(),
            cooldown_ms: defaults::cooldown_ms(),
        }
    }
}

impl DepartmentConfig {
    /// A department with default limits and an inline key (tests, tools).
    pub fn new(
        base_url: &str,
        key_id: &str,
        algorithm: Algorithm,
        signing_key: &str,
    ) -> DepartmentConfig {
        DepartmentConfig {
            names: Vec::new(),
            base_url: base_url.to_owned(),
            key_id: key_id.to_owned(),
            algorithm,
            signing_key: Some(Secret::new(signing_key)),
            signing_key_file: None,
            timeout_ms: defaults::timeout_ms(),
            max_concurrency: defaults::max_concurrency(),
            queue_timeout_ms: defaults::queue_timeout_ms(),
            retries: defaults::retries(),
            backoff_base_ms: defaults::backoff_base_ms(),
            backoff_max_ms: defaults::backoff_max_ms(),
            max_response_bytes: defaults::max_response_bytes(),
            allow_http: false,
            breaker: BreakerConfig::default(),
        }
    }
}

/// The configuration is unusable.
#[derive(Debug, thiserror::Error)]
#[error("gateway configuration: {0}")]
pub struct ConfigError(pub String);

mod defaults {
    pub(super) fn connect_timeout_ms() -> u64 {
        2000
    }
    pub(super) fn pool_idle_timeout_ms() -> u64 {
        90_000
    }
    pub(super) fn timeout_ms() -> u64 {
        5000
    }
    pub(super) fn max_concurrency() -> u32 {
        16
    }
    pub(super) fn queue_timeout_ms() -> u64 {
        250
    }
    pub(super) fn retries() -> u32 {
        2
    }
    pub(super) fn backoff_base_ms() -> u64 {
        100
    }
    pub(super) fn backoff_max_ms() -> u64 {
        2000
    }
    pub(super) fn max_response_bytes() -> usize {
        2 * 1024 * 1024
    }
    pub(super) fn consecutive_failures() -> u32 {
        5
    }
    pub(super) fn window() -> u32 {
        20
    }
    pub(super) fn min_calls() -> u32 {
        10
    }
    pub(super) fn failure_ratio() -> f64 {
        0.5
    }
    pub(super) fn cooldown_ms() -> u64 {
        30_000
    }
}
