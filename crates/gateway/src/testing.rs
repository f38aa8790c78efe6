//! A reference department (feature `test-server`): an HTTP/1.1 server on
//! loopback that speaks the contract of docs/INTEGRATION.md, verifies every
//! request's signature with [`Verifier`], answers from any
//! [`DepartmentGateway`] (typically a [`crate::DevGateway`]), and has fault
//! knobs: slow answers, bursts of error statuses, malformed JSON, huge
//! bodies, a wrong content type. The crate's tests run the real
//! [`crate::HttpGateway`] against it over TCP; the daemon's end-to-end
//! tests can too.
//!
//! ```no_run
//! # async fn demo(dev: std::sync::Arc<yuesou_gateway::DevGateway>) -> std::io::Result<()> {
//! use std::sync::Arc;
//! use yuesou_gateway::signing::{SigningKey, Verifier};
//! use yuesou_gateway::testing::ReferenceServer;
//! let key = SigningKey::ed25519_from_seed(&[7; 32]);
//! let verifier = Verifier::new();
//! verifier.add_key("platform-1", key.verifying_key());
//! let server = ReferenceServer::start(dev, Arc::new(verifier), "广东省公安厅", "/gat/").await?;
//! println!("base_url = {}", server.base_url());
//! # Ok(()) }
//! ```

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU16, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body::Frame;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde::Serialize;
use time::OffsetDateTime;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use crate::DepartmentGateway;
use crate::model::{BillsRequest, CertificateRequest, RecordsRequest, SettleRequest, SettleTarget};
use crate::signing::Verifier;
use crate::wire::{
    BillsQuery, CertificateIssue, Problem, RecordsQuery, RevokedPage, SettleBody, problem_for,
};

/// Largest request body the reference server reads.
const MAX_REQUEST_BYTES: usize = 64 * 1024;

/// Fault knobs; change them at any time.
#[derive(Debug)]
pub struct ServerKnobs {
    /// Delay before answering, in ms.
    pub delay_ms: AtomicU64,
    /// The next this-many requests get `fail_status` (after verification).
    pub fail_next: AtomicU32,
    /// Status of those failures (default 503).
    pub fail_status: AtomicU16,
    /// `Retry-After` seconds sent with failures (0: none).
    pub retry_after_secs: AtomicU64,
    /// Answer 200 with broken JSON (that quotes an ID number).
    pub malformed_json: AtomicBool,
    /// Answer 200 with a chunked body of this many bytes (0: off).
    pub huge_body_bytes: AtomicUsize,
    /// Answer 200 with valid JSON labelled `text/html`.
    pub wrong_content_type: AtomicBool,
}

impl Default for ServerKnobs {
    fn default() -> ServerKnobs {
        ServerKnobs {
            delay_ms: AtomicU64::new(0),
            fail_next: AtomicU32::new(0),
            fail_status: AtomicU16::new(503),
            retry_after_secs: AtomicU64::new(0),
            malformed_json: AtomicBool::new(false),
            huge_body_bytes: AtomicUsize::new(0),
            wrong_content_type: AtomicBool::new(false),
        }
    }
}

impl ServerKnobs {
    /// Sets the delay.
    pub fn set_delay(&self, delay: Duration) {
        self.delay_ms
            .store(delay.as_millis() as u64, Ordering::SeqCst);
    }

    /// The next `n` requests fail with `status`.
    pub fn fail_next(&self, n: u32, status: u16) {
        self.fail_status.store(status, Ordering::SeqCst);
        self.fail_next.store(n, Ordering::SeqCst);
    }

    /// Back to healthy answers.
    pub fn reset(&self) {
        self.delay_ms.store(0, Ordering::SeqCst);
        self.fail_next.store(0, Ordering::SeqCst);
        self.retry_after_secs.store(0, Ordering::SeqCst);
        self.malformed_json.store(false, Ordering::SeqCst);
        self.huge_body_bytes.store(0, Ordering::SeqCst);
        self.wrong_content_type.store(false, Ordering::SeqCst);
    }
}

/// One request as the server saw it (no bodies, no personal data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    /// Method.
    pub method: String,
    /// Path and query as received.
    pub path: String,
    /// Status answered.
    pub status: u16,
    /// When it arrived.
    pub at: Instant,
    /// The signature check's code when it failed.
    pub refused: Option<&'static str>,
}

struct State {
    backend: Arc<dyn DepartmentGateway>,
    verifier: Arc<Verifier>,
    department: String,
    prefix: String,
    knobs: Arc<ServerKnobs>,
    log: Arc<Mutex<Vec<RequestRecord>>>,
}

/// A certificate chain and its key, PEM, for a TLS reference server.
#[derive(Clone)]
pub struct TlsIdentity {
    /// The server certificate first, then intermediates.
    pub cert_chain_pem: String,
    /// The private key (PKCS#8, PKCS#1 or SEC1).
    pub key_pem: String,
}

impl std::fmt::Debug for TlsIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TlsIdentity(**)")
    }
}

// ring's provider is what the platform's client (reqwest with ring) uses
// too; rustls 0.23.48 deprecates it only for lacking post-quantum key
// exchange, which a loopback test server does not need.
#[allow(deprecated)]
fn tls_acceptor(identity: &TlsIdentity) -> std::io::Result<tokio_rustls::TlsAcceptor> {
    use tokio_rustls::rustls;
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let invalid =
        |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidInput, what.to_owned());
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_slice_iter(identity.cert_chain_pem.as_bytes())
            .collect::<Result<_, _>>()
            .map_err(|_| invalid("cert_chain_pem is not PEM certificates"))?;
    let key = PrivateKeyDer::from_pem_slice(identity.key_pem.as_bytes())
        .map_err(|_| invalid("key_pem is not a PEM key"))?;
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|_| invalid("no TLS versions"))?
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .map_err(|_| invalid("the certificate and key do not fit"))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

/// A running reference department. Stops when dropped.
pub struct ReferenceServer {
    addr: SocketAddr,
    tls: bool,
    prefix: String,
    knobs: Arc<ServerKnobs>,
    log: Arc<Mutex<Vec<RequestRecord>>>,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for ReferenceServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReferenceServer")
            .field("addr", &self.addr)
            .finish()
    }
}

type Body = BoxBody<Bytes, Infallible>;

impl ReferenceServer {
    /// Listens on 127.0.0.1 (a free port) under the path `prefix` (e.g.
    /// `/gat/`; `/` for none) and answers as `department` from `backend`.
    pub async fn start(
        backend: Arc<dyn DepartmentGateway>,
        verifier: Arc<Verifier>,
        department: &str,
        prefix: &str,
    ) -> std::io::Result<ReferenceServer> {
        ReferenceServer::start_with(backend, verifier, department, prefix, None).await
    }

    /// Like [`ReferenceServer::start`], over TLS with this identity; the base
    /// URL is then `https://127.0.0.1:PORT/prefix/` (give the certificate
    /// that IP address as a subject alternative name).
    pub async fn start_tls(
        backend: Arc<dyn DepartmentGateway>,
        verifier: Arc<Verifier>,
        department: &str,
        prefix: &str,
        identity: &TlsIdentity,
    ) -> std::io::Result<ReferenceServer> {
        let acceptor = tls_acceptor(identity)?;
        ReferenceServer::start_with(backend, verifier, department, prefix, Some(acceptor)).await
    }

    async fn start_with(
        backend: Arc<dyn DepartmentGateway>,
        verifier: Arc<Verifier>,
        department: &str,
        prefix: &str,
        tls: Option<tokio_rustls::TlsAcceptor>,
    ) -> std::io::Result<ReferenceServer> {
        let is_tls = tls.is_some();
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let prefix = format!("/{}/", prefix.trim_matches('/')).replace("//", "/");
        let knobs = Arc::new(ServerKnobs::default());
        let log = Arc::new(Mutex::new(Vec::new()));
        let state = Arc::new(State {
            backend,
            verifier,
            department: department.to_owned(),
            prefix: prefix.clone(),
            knobs: knobs.clone(),
            log: log.clone(),
        });
        let task = tokio::spawn(async move {
            // Dropping the set (when the task is aborted) ends every connection.
            let mut connections = JoinSet::new();
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let state = state.clone();
                let tls = tls.clone();
                connections.spawn(async move {
                    let service = hyper::service::service_fn(move |req| {
                        let state = state.clone();
                        async move { Ok::<_, Infallible>(handle(&state, req).await) }
                    });
                    let builder = hyper::server::conn::http1::Builder::new();
                    match tls {
                        Some(acceptor) => {
                            if let Ok(stream) = acceptor.accept(stream).await {
                                let _ = builder
                                    .serve_connection(TokioIo::new(stream), service)
                                    .await;
                            }
                        }
                        None => {
                            let _ = builder
                                .serve_connection(TokioIo::new(stream), service)
                                .await;
                        }
                    }
                });
                while connections.try_join_next().is_some() {}
            }
        });
        Ok(ReferenceServer {
            addr,
            tls: is_tls,
            prefix,
            knobs,
            log,
            task,
        })
    }

    /// The base URL to configure: `http://127.0.0.1:PORT/prefix/`
    /// (`https` when started with TLS).
    pub fn base_url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}{}", self.addr, self.prefix)
    }

    /// The socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The fault knobs.
    pub fn knobs(&self) -> &ServerKnobs {
        &self.knobs
    }

    /// Requests received so far.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// How many requests arrived.
    pub fn request_count(&self) -> usize {
        self.log.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

impl Drop for ReferenceServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into()).boxed()
}

fn answer(status: u16, content_type: &str, body: Body) -> Response<Body> {
    let mut response = Response::new(body);
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Ok(value) = hyper::header::HeaderValue::from_str(content_type) {
        response
            .headers_mut()
            .insert(hyper::header::CONTENT_TYPE, value);
    }
    response
}

fn problem(status: u16, code: &str, title: &str) -> Response<Body> {
    problem_response(status, &Problem::new(status, code, title))
}

fn problem_response(status: u16, problem: &Problem) -> Response<Body> {
    let body = serde_json::to_vec(problem).unwrap_or_default();
    answer(status, "application/problem+json", full(body))
}

fn ok_json<T: Serialize>(value: &T) -> Response<Body> {
    match serde_json::to_vec(value) {
        Ok(body) => answer(200, "application/json", full(body)),
        Err(_) => problem(500, "internal", "cannot encode"),
    }
}

/// A body of `remaining` spaces sent in 64 KiB chunks with no length.
struct Filler {
    remaining: usize,
}

impl http_body::Body for Filler {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if self.remaining == 0 {
            return Poll::Ready(None);
        }
        let n = self.remaining.min(64 * 1024);
        self.remaining -= n;
        Poll::Ready(Some(Ok(Frame::data(Bytes::from(vec![b' '; n])))))
    }
}

async fn handle(state: &State, req: Request<Incoming>) -> Response<Body> {
    let at = Instant::now();
    let method = req.method().as_str().to_owned();
    let path = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.uri().path().to_owned(), |pq| pq.as_str().to_owned());
    let headers = req.headers().clone();
    let body = match Limited::new(req.into_body(), MAX_REQUEST_BYTES)
        .collect()
        .await
    {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return problem(413, "body_too_large", "request body too large"),
    };
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let (response, refused) = match state.verifier.verify(&method, &path, &headers, &body, now) {
        Err(e) => (problem(401, e.code(), "signature refused"), Some(e.code())),
        Ok(_) => (respond(state, &method, &path, &body).await, None),
    };
    state
        .log
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(RequestRecord {
            method,
            path,
            status: response.status().as_u16(),
            at,
            refused,
        });
    response
}

async fn respond(state: &State, method: &str, path: &str, body: &[u8]) -> Response<Body> {
    let knobs = &state.knobs;
    let delay = knobs.delay_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    let failing = knobs
        .fail_next
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if failing {
        let status = knobs.fail_status.load(Ordering::SeqCst);
        let mut response = problem(status, "injected_failure", "injected failure");
        let after = knobs.retry_after_secs.load(Ordering::SeqCst);
        if after > 0
            && let Ok(value) = hyper::header::HeaderValue::from_str(&after.to_string())
        {
            response
                .headers_mut()
                .insert(hyper::header::RETRY_AFTER, value);
        }
        return response;
    }
    if knobs.malformed_json.load(Ordering::SeqCst) {
        return answer(
            200,
            "application/json",
            full(&br#"{"rows": [{"id_number": "44010419880520123X"}"#[..]),
        );
    }
    let huge = knobs.huge_body_bytes.load(Ordering::SeqCst);
    if huge > 0 {
        return answer(200, "application/json", Filler { remaining: huge }.boxed());
    }
    let response = route(state, method, path, body).await;
    if knobs.wrong_content_type.load(Ordering::SeqCst) && response.status() == StatusCode::OK {
        let (mut parts, body) = response.into_parts();
        parts.headers.insert(
            hyper::header::CONTENT_TYPE,
            hyper::header::HeaderValue::from_static("text/html; charset=utf-8"),
        );
        return Response::from_parts(parts, body);
    }
    response
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Box<Response<Body>>> {
    serde_json::from_slice(body).map_err(|_| {
        Box::new(problem(
            400,
            "bad_request",
            "the body does not match the contract",
        ))
    })
}

async fn route(state: &State, method: &str, path_and_query: &str, body: &[u8]) -> Response<Body> {
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let Some(rest) = path.strip_prefix(state.prefix.as_str()) else {
        return problem(404, "route_not_found", "no such endpoint");
    };
    let segments: Vec<&str> = rest.split('/').collect();
    let department = state.department.clone();
    let backend = &state.backend;
    let result = match (method, segments.as_slice()) {
        ("POST", ["v1", "records", "query"]) => {
            let q: RecordsQuery = match parse(body) {
                Ok(q) => q,
                Err(r) => return *r,
            };
            let req = RecordsRequest {
                department,
                kind: q.kind,
                service: q.service,
                subject: q.subject,
                filters: q.filters,
                page: q.page,
                size: q.size,
            };
            backend.records(&req).await.map(|v| ok_json(&v))
        }
        ("POST", ["v1", "certificates", "issue"]) => {
            let q: CertificateIssue = match parse(body) {
                Ok(q) => q,
                Err(r) => return *r,
            };
            let req = CertificateRequest {
                department,
                family: q.kind,
                service: q.service,
                subject: q.subject,
                purpose: q.purpose,
                request_id: q.request_id,
            };
            backend.certificate(&req).await.map(|v| ok_json(&v))
        }
        ("POST", ["v1", "bills", "query"]) => {
            let q: BillsQuery = match parse(body) {
                Ok(q) => q,
                Err(r) => return *r,
            };
            let req = BillsRequest {
                department,
                subject: q.subject,
                kinds: q.kinds,
                account: q.account,
            };
            backend.bills(&req).await.map(|v| ok_json(&v))
        }
        ("POST", ["v1", collection @ ("bills" | "topups"), id, "settle"]) => {
            let q: SettleBody = match parse(body) {
                Ok(q) => q,
                Err(r) => return *r,
            };
            let target = if *collection == "bills" {
                SettleTarget::Bill((*id).to_owned())
            } else {
                SettleTarget::TopUp((*id).to_owned())
            };
            let req = SettleRequest {
                department,
                target,
                payment_id: q.payment_id,
                amount_fen: q.amount_fen,
                paid_at: q.paid_at,
            };
            backend.settle(&req).await.map(|v| ok_json(&v))
        }
        ("GET", ["v1", "certificates", "revoked"]) => {
            let params: BTreeMap<String, String> = url::form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect();
            let Some(since) = params.get("since").and_then(|s| {
                OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
            }) else {
                return problem(400, "bad_request", "since must be RFC 3339");
            };
            backend
                .revoked_certificates(&department, since)
                .await
                .map(|r| {
                    ok_json(&RevokedPage {
                        revoked: r.revoked,
                        as_of: r.as_of,
                        next_cursor: None,
                    })
                })
        }
        _ => return problem(404, "route_not_found", "no such endpoint"),
    };
    result.unwrap_or_else(|error| {
        let (status, problem) = problem_for(&error);
        problem_response(status, &problem)
    })
}
