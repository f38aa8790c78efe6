//! The HTTP gateway: the signed JSON-over-HTTPS contract of
//! docs/INTEGRATION.md, one pooled client for all departments, and per
//! department a timeout per attempt, retries with exponential backoff and
//! jitter, a circuit breaker, a concurrency limit with a short queue, a
//! response size cap and strict parsing.
//!
//! Every operation may be retried: records, bills and revocations are
//! reads; a certificate is idempotent by `request_id`; a settlement by
//! `payment_id` (the department must return the first settlement for a
//! repeated payment id), so a timed-out settle is retried with the same id
//! and never pays twice. Retries happen only on transient failures
//! (connection errors, timeouts, 408, 429, 500, 502, 503, 504), never on
//! refusals, bad requests or contract violations.

mod breaker;
pub mod config;
mod quiet;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use reqwest::header::{ACCEPT, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Method, Url};
use serde::de::DeserializeOwned;
use time::OffsetDateTime;
use tokio::sync::Semaphore;
use tokio::time::Instant;

use crate::clock::{Clock, SystemClock};
use crate::model::{
    Bills, BillsRequest, CertificateFacts, CertificateRequest, RecordsPage, RecordsRequest,
    Revocations, SettleRequest, SettleTarget, Settlement, is_token,
};
use crate::signing::{SigningKey, new_nonce, sign_request};
use crate::stats::{Metrics, Operation};
use crate::wire::{self, BillsQuery, CertificateIssue, RecordsQuery, RevokedPage, SettleBody};
use crate::{DepartmentGateway, GatewayError, GatewayStats};
use breaker::{Admission, Breaker};
pub use config::{
    Algorithm, BreakerConfig, ClientConfig, ConfigError, DepartmentConfig, GatewayConfig, Secret,
};
use quiet::WarnGate;

/// Most pages of revocations followed in one call.
const MAX_REVOKED_PAGES: usize = 20;

/// One configured department.
#[derive(Debug)]
struct Department {
    code: String,
    base: Url,
    key_id: String,
    key: SigningKey,
    timeout: Duration,
    queue_timeout: Duration,
    retries: u32,
    backoff_base: Duration,
    backoff_max: Duration,
    max_response_bytes: usize,
    breaker: Mutex<Breaker>,
    slots: Semaphore,
    metrics: Metrics,
    /// Failure warnings about this department, at most one a second.
    warnings: WarnGate,
}

/// Why one attempt failed, and what to do about it.
#[derive(Debug)]
struct AttemptError {
    error: GatewayError,
    retryable: bool,
    /// Feeds the breaker as a failure.
    unwell: bool,
    retry_after: Option<Duration>,
}

impl AttemptError {
    fn unavailable(department: &str, retryable: bool) -> AttemptError {
        AttemptError {
            error: GatewayError::Unavailable {
                department: department.to_owned(),
                retry_after_secs: None,
            },
            retryable,
            unwell: true,
            retry_after: None,
        }
    }

    fn contract(department: &str, reason: String) -> AttemptError {
        AttemptError {
            error: GatewayError::Contract {
                department: department.to_owned(),
                reason,
            },
            retryable: false,
            unwell: true,
            retry_after: None,
        }
    }

    fn local(error: GatewayError) -> AttemptError {
        AttemptError {
            error,
            retryable: false,
            unwell: false,
            retry_after: None,
        }
    }
}

/// The gateway to departments over HTTPS.
#[derive(Debug)]
pub struct HttpGateway {
    client: reqwest::Client,
    departments: BTreeMap<String, Arc<Department>>,
    names: HashMap<String, String>,
    clock: Arc<dyn Clock>,
}

impl HttpGateway {
    /// Builds the client and the departments. Fails on a bad URL, key,
    /// certificate file or limit, naming the department.
    pub fn new(config: &GatewayConfig) -> Result<HttpGateway, ConfigError> {
        let client = build_client(&config.client)?;
        let mut departments = BTreeMap::new();
        let mut names = HashMap::new();
        for (code, dept) in &config.departments {
            let fail = |reason: String| ConfigError(format!("department {code}: {reason}"));
            if code.trim().is_empty() || code.len() > 64 {
                return Err(fail("the code must be 1–64 bytes".into()));
            }
            let department = Department::new(code, dept).map_err(fail)?;
            for name in &dept.names {
                let name = name.trim().to_owned();
                if name.is_empty() {
                    continue;
                }
                if let Some(other) = names.insert(name.clone(), code.clone())
                    && &other != code
                {
                    return Err(ConfigError(format!(
                        "the name {name} belongs to {other} and {code}"
                    )));
                }
            }
            departments.insert(code.clone(), Arc::new(department));
        }
        Ok(HttpGateway {
            client,
            departments,
            names,
            clock: Arc::new(SystemClock),
        })
    }

    /// Uses this clock for request timestamps (tests of the replay window).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> HttpGateway {
        self.clock = clock;
        self
    }

    /// Whether a department (by code or name) is configured.
    pub fn is_connected(&self, department: &str) -> bool {
        self.department(department).is_ok()
    }

    /// The configured department codes.
    pub fn departments(&self) -> impl Iterator<Item = &str> {
        self.departments.keys().map(String::as_str)
    }

    fn department(&self, name: &str) -> Result<&Arc<Department>, GatewayError> {
        let name = name.trim();
        self.departments
            .get(name)
            .or_else(|| {
                self.names
                    .get(name)
                    .and_then(|code| self.departments.get(code))
            })
            .ok_or_else(|| GatewayError::NotConnected {
                department: name.to_owned(),
            })
    }

    /// One interface call: attempts, retries, metrics, a log line on
    /// failure. `check` is the answer's contract check beyond its JSON shape;
    /// a failed check is a contract violation of that attempt.
    async fn call<T, C>(
        &self,
        dept: &Department,
        op: Operation,
        method: Method,
        url: Url,
        body: Option<Vec<u8>>,
        check: C,
    ) -> Result<T, GatewayError>
    where
        T: DeserializeOwned,
        C: Fn(&T) -> Result<(), String> + Sync,
    {
        dept.metrics.call(op);
        let mut attempt = 0u32;
        loop {
            match self
                .attempt(dept, &method, &url, body.as_deref(), attempt > 0, &check)
                .await
            {
                Ok(value) => return Ok(value),
                Err(failure) => {
                    let mut delay = backoff(attempt, dept.backoff_base, dept.backoff_max);
                    if let Some(after) = failure.retry_after {
                        delay = delay.max(after);
                    }
                    let retry =
                        failure.retryable && attempt < dept.retries && delay <= dept.backoff_max;
                    if failure.unwell || matches!(failure.error, GatewayError::Busy { .. }) {
                        if let Some(held_back) = dept.warnings.pass() {
                            tracing::warn!(
                                department = %dept.code,
                                operation = op.as_str(),
                                code = failure.error.code(),
                                attempt,
                                retry,
                                held_back,
                                "department call failed (held_back: like failures of the \
                                 last second not logged; the metrics count them all)"
                            );
                        }
                    } else {
                        tracing::debug!(
                            department = %dept.code,
                            operation = op.as_str(),
                            code = failure.error.code(),
                            "department said no"
                        );
                    }
                    if !retry {
                        dept.metrics.error(&failure.error);
                        return Err(failure.error);
                    }
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
            }
        }
    }

    /// One attempt: a slot, the breaker's consent, the exchange under the timeout.
    async fn attempt<T, C>(
        &self,
        dept: &Department,
        method: &Method,
        url: &Url,
        body: Option<&[u8]>,
        retry: bool,
        check: &C,
    ) -> Result<T, AttemptError>
    where
        T: DeserializeOwned,
        C: Fn(&T) -> Result<(), String> + Sync,
    {
        let busy = || {
            AttemptError::local(GatewayError::Busy {
                department: dept.code.clone(),
            })
        };
        let _slot = match tokio::time::timeout(dept.queue_timeout, dept.slots.acquire()).await {
            Ok(Ok(permit)) => permit,
            _ => return Err(busy()),
        };
        let admission = lock(&dept.breaker).admit(Instant::now());
        if let Admission::Rejected(wait) = admission {
            return Err(AttemptError::local(GatewayError::Unavailable {
                department: dept.code.clone(),
                retry_after_secs: Some(wait.as_secs_f64().ceil() as u64),
            }));
        }
        // A probe dropped before its outcome (the caller gave up) must not
        // leave the breaker waiting for it forever.
        let mut probe = ProbeGuard {
            breaker: &dept.breaker,
            armed: admission == Admission::Probe,
        };
        dept.metrics.attempt(retry);
        let _in_flight = dept.metrics.enter();
        let started = Instant::now();
        let result =
            match tokio::time::timeout(dept.timeout, self.exchange(dept, method, url, body, check))
                .await
            {
                Ok(result) => result,
                Err(_) => Err(AttemptError::unavailable(&dept.code, true)),
            };
        dept.metrics.latency(started.elapsed().as_millis() as u64);
        let unwell = result.as_ref().err().is_some_and(|e| e.unwell);
        probe.armed = false;
        lock(&dept.breaker).record(admission, unwell, Instant::now());
        result
    }

    /// Signs, sends, reads at most the cap, and parses.
    async fn exchange<T, C>(
        &self,
        dept: &Department,
        method: &Method,
        url: &Url,
        body: Option<&[u8]>,
        check: &C,
    ) -> Result<T, AttemptError>
    where
        T: DeserializeOwned,
        C: Fn(&T) -> Result<(), String> + Sync,
    {
        let path_and_query = match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        };
        let timestamp = self.clock.now().unix_timestamp();
        let signed = sign_request(
            &dept.key_id,
            &dept.key,
            method.as_str(),
            &path_and_query,
            body.unwrap_or_default(),
            timestamp,
            &new_nonce(),
        );
        let mut request = self
            .client
            .request(method.clone(), url.clone())
            .header(ACCEPT, "application/json");
        for (name, value) in signed.pairs() {
            request = request.header(name, value);
        }
        if let Some(body) = body {
            request = request
                .header(CONTENT_TYPE, "application/json")
                .body(body.to_vec());
        }
        let mut response = request.send().await.map_err(|e| {
            tracing::debug!(department = %dept.code, connect = e.is_connect(), timeout = e.is_timeout(), "transport error");
            AttemptError::unavailable(&dept.code, true)
        })?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            })
            .unwrap_or_default();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let cap = dept.max_response_bytes;
        if response.content_length().is_some_and(|n| n > cap as u64) {
            return Err(AttemptError::contract(
                &dept.code,
                format!("response larger than {cap} bytes"),
            ));
        }
        let mut bytes = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if bytes.len() + chunk.len() > cap {
                        return Err(AttemptError::contract(
                            &dept.code,
                            format!("response larger than {cap} bytes"),
                        ));
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(_) => return Err(AttemptError::unavailable(&dept.code, true)),
            }
        }
        if !(200..300).contains(&status) {
            let outcome = wire::classify_status(&dept.code, status, retry_after, &bytes);
            return Err(AttemptError {
                error: outcome.error,
                retryable: outcome.retryable,
                unwell: outcome.unwell,
                retry_after: retry_after.map(Duration::from_secs),
            });
        }
        if content_type != "application/json" {
            return Err(AttemptError::contract(
                &dept.code,
                "content type is not application/json".into(),
            ));
        }
        let value: T = serde_json::from_slice(&bytes)
            .map_err(|e| AttemptError::contract(&dept.code, wire::describe_json_error(&e)))?;
        check(&value).map_err(|reason| AttemptError::contract(&dept.code, reason))?;
        Ok(value)
    }

    fn endpoint(dept: &Department, segments: &[&str]) -> Result<Url, GatewayError> {
        let mut url = dept.base.clone();
        url.path_segments_mut()
            .map_err(|_| {
                GatewayError::Internal(format!(
                    "department {}: base URL cannot take a path",
                    dept.code
                ))
            })?
            .pop_if_empty()
            .extend(segments);
        Ok(url)
    }
}

/// Gives a half-open breaker's probe back if the attempt is dropped.
struct ProbeGuard<'a> {
    breaker: &'a Mutex<Breaker>,
    armed: bool,
}

impl Drop for ProbeGuard<'_> {
    fn drop(&mut self) {
        if self.armed {
            lock(self.breaker).cancel_probe();
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// Exponential backoff with "equal jitter": half the step fixed, half random.
fn backoff(attempt: u32, base: Duration, max: Duration) -> Duration {
    let step = base
        .saturating_mul(1u32.checked_shl(attempt.min(16)).unwrap_or(u32::MAX))
        .min(max);
    let half = step / 2;
    let jitter_ms = half.as_millis() as u64;
    let random = getrandom::u64().unwrap_or(0);
    half + Duration::from_millis(if jitter_ms == 0 {
        0
    } else {
        random % (jitter_ms + 1)
    })
}

fn build_client(config: &ClientConfig) -> Result<reqwest::Client, ConfigError> {
    let agent = config
        .user_agent
        .clone()
        .unwrap_or_else(|| format!("yuesou-gateway/{}", env!("CARGO_PKG_VERSION")));
    let mut builder = reqwest::Client::builder()
        .user_agent(agent)
        .connect_timeout(Duration::from_millis(config.connect_timeout_ms.max(1)))
        .pool_idle_timeout(Duration::from_millis(config.pool_idle_timeout_ms))
        .redirect(reqwest::redirect::Policy::none())
        .tls_built_in_root_certs(!config.only_extra_roots);
    builder = match &config.proxy {
        Some(proxy) => builder.proxy(
            reqwest::Proxy::all(proxy)
                .map_err(|_| ConfigError("client.proxy is not a proxy URL".into()))?,
        ),
        None => builder.no_proxy(),
    };
    if config.only_extra_roots && config.extra_root_certificates.is_empty() {
        return Err(ConfigError(
            "client.only_extra_roots needs extra_root_certificates".into(),
        ));
    }
    for path in &config.extra_root_certificates {
        let pem = std::fs::read(path)
            .map_err(|e| ConfigError(format!("cannot read {}: {e}", path.display())))?;
        let certificates = reqwest::Certificate::from_pem_bundle(&pem).map_err(|_| {
            ConfigError(format!(
                "{} is not a PEM certificate bundle",
                path.display()
            ))
        })?;
        if certificates.is_empty() {
            return Err(ConfigError(format!(
                "{} holds no certificate",
                path.display()
            )));
        }
        for certificate in certificates {
            builder = builder.add_root_certificate(certificate);
        }
    }
    builder
        .build()
        .map_err(|e| ConfigError(format!("cannot build the HTTP client: {e}")))
}

impl Department {
    fn new(code: &str, config: &DepartmentConfig) -> Result<Department, String> {
        let mut base =
            Url::parse(config.base_url.trim()).map_err(|_| "base_url is not a URL".to_owned())?;
        let loopback = match base.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(name)) => name == "localhost",
            None => false,
        };
        match base.scheme() {
            "https" => {}
            "http" if loopback || config.allow_http => {}
            _ => {
                return Err(
                    "base_url must be https (http only for loopback or with allow_http)".into(),
                );
            }
        }
        if base.query().is_some()
            || base.fragment().is_some()
            || !base.username().is_empty()
            || base.password().is_some()
        {
            return Err("base_url must not carry a query, fragment or credentials".into());
        }
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        if config.key_id.is_empty()
            || config.key_id.len() > 64
            || !config.key_id.bytes().all(|c| c.is_ascii_graphic())
        {
            return Err("key_id must be 1–64 visible ASCII characters".into());
        }
        let text = match (&config.signing_key, &config.signing_key_file) {
            (Some(secret), None) => zeroize::Zeroizing::new(secret.expose().to_owned()),
            (None, Some(path)) => zeroize::Zeroizing::new(
                std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?,
            ),
            _ => return Err("give exactly one of signing_key and signing_key_file".into()),
        };
        let key = match config.algorithm {
            Algorithm::Ed25519 => SigningKey::ed25519_from_base64(text.trim()),
            Algorithm::HmacSha256 => SigningKey::hmac_sha256_from_base64(text.trim()),
        }
        .map_err(|e| e.0.to_owned())?;
        let ok = config.timeout_ms >= 1
            && config.timeout_ms <= 120_000
            && (1..=1024).contains(&config.max_concurrency)
            && config.retries <= 10
            && config.backoff_base_ms <= config.backoff_max_ms
            && (1024..=64 * 1024 * 1024).contains(&config.max_response_bytes)
            && config.breaker.consecutive_failures >= 1
            && (0.0..=1.0).contains(&config.breaker.failure_ratio);
        if !ok {
            return Err("a limit is out of range (timeout 1 ms–120 s, concurrency 1–1024, retries ≤ 10, backoff base ≤ max, response 1 KiB–64 MiB, breaker failures ≥ 1, ratio 0–1)".into());
        }
        Ok(Department {
            code: code.to_owned(),
            base,
            key_id: config.key_id.clone(),
            key,
            timeout: Duration::from_millis(config.timeout_ms),
            queue_timeout: Duration::from_millis(config.queue_timeout_ms),
            retries: config.retries,
            backoff_base: Duration::from_millis(config.backoff_base_ms),
            backoff_max: Duration::from_millis(config.backoff_max_ms),
            max_response_bytes: config.max_response_bytes,
            breaker: Mutex::new(Breaker::new(config.breaker)),
            slots: Semaphore::new(config.max_concurrency as usize),
            metrics: Metrics::default(),
            warnings: WarnGate::new(),
        })
    }
}

fn json<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, GatewayError> {
    serde_json::to_vec(value)
        .map_err(|_| GatewayError::Internal("cannot encode the request".into()))
}

#[async_trait]
impl DepartmentGateway for HttpGateway {
    async fn records(&self, req: &RecordsRequest) -> Result<RecordsPage, GatewayError> {
        let dept = self.department(&req.department)?;
        req.validate().map_err(GatewayError::BadRequest)?;
        let body = json(&RecordsQuery {
            kind: req.kind.clone(),
            service: req.service.clone(),
            subject: req.subject.clone(),
            filters: req.filters.clone(),
            page: req.page,
            size: req.size,
        })?;
        let url = Self::endpoint(dept, &["v1", "records", "query"])?;
        let size = req.size;
        self.call(
            dept,
            Operation::Records,
            Method::POST,
            url,
            Some(body),
            |page| wire::check_records(page, size),
        )
        .await
    }

    async fn certificate(
        &self,
        req: &CertificateRequest,
    ) -> Result<CertificateFacts, GatewayError> {
        let dept = self.department(&req.department)?;
        req.validate().map_err(GatewayError::BadRequest)?;
        let body = json(&CertificateIssue {
            kind: req.family.clone(),
            service: req.service.clone(),
            subject: req.subject.clone(),
            purpose: req.purpose.clone(),
            request_id: req.request_id.clone(),
        })?;
        let url = Self::endpoint(dept, &["v1", "certificates", "issue"])?;
        self.call(
            dept,
            Operation::Certificate,
            Method::POST,
            url,
            Some(body),
            wire::check_certificate,
        )
        .await
    }

    async fn bills(&self, req: &BillsRequest) -> Result<Bills, GatewayError> {
        let dept = self.department(&req.department)?;
        req.subject
            .validate()
            .map_err(|e| GatewayError::BadRequest(e.to_owned()))?;
        if req.kinds.len() > 20
            || req
                .account
                .as_deref()
                .is_some_and(|a| a.chars().count() > 32)
        {
            return Err(GatewayError::BadRequest(
                "at most 20 kinds; account ≤ 32 characters".into(),
            ));
        }
        let body = json(&BillsQuery {
            subject: req.subject.clone(),
            kinds: req.kinds.clone(),
            account: req.account.clone(),
        })?;
        let url = Self::endpoint(dept, &["v1", "bills", "query"])?;
        self.call(
            dept,
            Operation::Bills,
            Method::POST,
            url,
            Some(body),
            wire::check_bills,
        )
        .await
    }

    async fn settle(&self, req: &SettleRequest) -> Result<Settlement, GatewayError> {
        let dept = self.department(&req.department)?;
        if !is_token(&req.payment_id) || !is_token(req.target.id()) {
            return Err(GatewayError::BadRequest(
                "payment_id and the bill id must be 1–128 of [A-Za-z0-9._:-]".into(),
            ));
        }
        if req.amount_fen <= 0 {
            return Err(GatewayError::BadRequest(
                "amount_fen must be positive".into(),
            ));
        }
        let body = json(&SettleBody {
            payment_id: req.payment_id.clone(),
            amount_fen: req.amount_fen,
            paid_at: req.paid_at,
        })?;
        let url = match &req.target {
            SettleTarget::Bill(id) => Self::endpoint(dept, &["v1", "bills", id, "settle"])?,
            SettleTarget::TopUp(id) => Self::endpoint(dept, &["v1", "topups", id, "settle"])?,
        };
        self.call(
            dept,
            Operation::Settle,
            Method::POST,
            url,
            Some(body),
            wire::check_settlement,
        )
        .await
    }

    async fn revoked_certificates(
        &self,
        department: &str,
        since: OffsetDateTime,
    ) -> Result<Revocations, GatewayError> {
        let dept = self.department(department)?;
        let since = since
            .format(&time::format_description::well_known::Rfc3339)
            .map_err(|_| {
                GatewayError::BadRequest("since is not representable in RFC 3339".into())
            })?;
        let mut revoked = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_REVOKED_PAGES {
            let mut url = Self::endpoint(dept, &["v1", "certificates", "revoked"])?;
            url.query_pairs_mut().append_pair("since", &since);
            if let Some(c) = &cursor {
                url.query_pairs_mut().append_pair("cursor", c);
            }
            let page: RevokedPage = self
                .call(
                    dept,
                    Operation::Revoked,
                    Method::GET,
                    url,
                    None,
                    wire::check_revoked,
                )
                .await?;
            revoked.extend(page.revoked);
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => {
                    return Ok(Revocations {
                        revoked,
                        as_of: page.as_of,
                    });
                }
            }
        }
        let error = GatewayError::Contract {
            department: dept.code.clone(),
            reason: format!("more than {MAX_REVOKED_PAGES} pages of revocations"),
        };
        dept.metrics.error(&error);
        Err(error)
    }

    fn stats(&self) -> GatewayStats {
        let now = Instant::now();
        GatewayStats {
            departments: self
                .departments
                .values()
                .map(|d| d.metrics.snapshot(&d.code, lock(&d.breaker).state(now)))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_with_jitter_inside_bounds() {
        let base = Duration::from_millis(100);
        let max = Duration::from_millis(1000);
        for attempt in 0..8 {
            let step = (base * 2u32.pow(attempt)).min(max);
            for _ in 0..20 {
                let d = backoff(attempt, base, max);
                assert!(d >= step / 2 && d <= step, "attempt {attempt}: {d:?}");
            }
        }
    }

    fn dept(base_url: &str) -> DepartmentConfig {
        DepartmentConfig::new(
            base_url,
            "k1",
            Algorithm::Ed25519,
            "BQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQU=",
        )
    }

    #[test]
    fn configuration_is_checked() {
        let make = |d: DepartmentConfig| {
            let mut c = GatewayConfig::default();
            c.departments.insert("gat".into(), d);
            HttpGateway::new(&c)
        };
        assert!(make(dept("https://exchange.example/gat")).is_ok());
        assert!(make(dept("http://127.0.0.1:9/")).is_ok());
        assert!(
            make(dept("http://exchange.example/")).is_err(),
            "plain http to a remote host"
        );
        assert!(make(dept("https://exchange.example/?a=b")).is_err());
        let mut bad_key = dept("https://exchange.example/");
        bad_key.signing_key = Some(Secret::new("AAAA"));
        assert!(make(bad_key).is_err());
        let mut both = dept("https://exchange.example/");
        both.signing_key_file = Some("/nonexistent".into());
        assert!(make(both).is_err());
        let mut zero = dept("https://exchange.example/");
        zero.max_concurrency = 0;
        assert!(make(zero).is_err());
    }

    #[test]
    fn endpoints_keep_the_base_path_and_encode_ids() {
        let mut c = GatewayConfig::default();
        let mut d = dept("https://exchange.example/gw/gat");
        d.names = vec!["广东省公安厅".into()];
        c.departments.insert("gat".into(), d);
        let gw = HttpGateway::new(&c);
        let Ok(gw) = gw else { panic!("config refused") };
        let Ok(dept) = gw.department("广东省公安厅") else {
            panic!("name not routed")
        };
        let url =
            HttpGateway::endpoint(dept, &["v1", "bills", "a b/c", "settle"]).map(|u| u.to_string());
        assert_eq!(
            url.as_deref(),
            Ok("https://exchange.example/gw/gat/v1/bills/a%20b%2Fc/settle")
        );
        assert!(matches!(
            gw.department("其他部门"),
            Err(GatewayError::NotConnected { .. })
        ));
        assert!(gw.is_connected("gat"));
    }
}
