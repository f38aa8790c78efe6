//! The web app (粤搜 in a browser): a single-page app of plain HTML, CSS
//! and ES modules under `crates/server/web/`, embedded in the binary with
//! `include_bytes!` so the daemon serves it with no build step and no
//! outside resource.
//!
//! | path | answer |
//! | --- | --- |
//! | `GET /` | `index.html` |
//! | `GET /assets/{file}` | an embedded file (`app.js`, `pages/search.js`, `app.css` …) with its content type; an unknown one is a `404` problem |
//! | any other `GET`/`HEAD` path outside `/api` whose last segment has no `.` | `index.html`, so the client router (history API) can draw `/search?q=…`, `/items/{id}`, `/me` … on a reload |
//! | anything else unrouted | the `404 no-such-endpoint` problem, as before |
//!
//! Every app response carries the security headers ([`security_headers`]:
//! a CSP with no inline script or style, `nosniff`, `no-referrer`, frame
//! denial), an `ETag` (FNV-1a of the bytes) and `Cache-Control: no-cache`,
//! so a browser revalidates and gets `304 Not Modified` while nothing
//! changed. These routes are not API routes and stay out of the OpenAPI
//! document.

use std::sync::LazyLock;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::problem::Problem;
use crate::state::AppState;

/// The Content-Security-Policy of every app response: scripts, styles and
/// connections from this origin only, images also as `data:` URLs (QR
/// codes), no framing, no `<base>`, forms only to this origin.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; \
    base-uri 'none'; form-action 'self'";

/// One embedded file.
struct Asset {
    /// Its path under `/assets/` (`index.html` is served at `/`).
    path: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

macro_rules! asset {
    ($path:literal, $type:expr) => {
        Asset {
            path: $path,
            content_type: $type,
            body: include_bytes!(concat!("../../web/", $path)),
        }
    };
}

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const SVG: &str = "image/svg+xml";
const JSON: &str = "application/json";

/// Every file of the app. A new file under `web/` must be listed here (a
/// test fetches each one).
static ASSETS: &[Asset] = &[
    asset!("index.html", HTML),
    asset!("app.css", CSS),
    asset!("icon.svg", SVG),
    asset!("app.js", JS),
    asset!("api.js", JS),
    asset!("dom.js", JS),
    asset!("place.js", JS),
    asset!("history.js", JS),
    asset!("i18n.js", JS),
    asset!("prefs.js", JS),
    asset!("suggest.js", JS),
    asset!("records.js", JS),
    asset!("shortcuts.json", JSON),
    asset!("pages/home.js", JS),
    asset!("pages/search.js", JS),
    asset!("pages/item.js", JS),
    asset!("pages/query.js", JS),
    asset!("pages/certificate.js", JS),
    asset!("pages/application.js", JS),
    asset!("pages/me.js", JS),
    asset!("pages/wallet.js", JS),
    asset!("pages/verify.js", JS),
    asset!("pages/notfound.js", JS),
    asset!("pages/booking.js", JS),
    asset!("pages/appointments.js", JS),
    asset!("pages/bills.js", JS),
    asset!("pages/payment.js", JS),
];

/// The ETag of each asset, in `ASSETS` order.
static ETAGS: LazyLock<Vec<HeaderValue>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|a| {
            HeaderValue::from_str(&format!("\"{:016x}\"", fnv1a(a.body)))
                .unwrap_or(HeaderValue::from_static("\"0\""))
        })
        .collect()
});

/// The paths of the embedded files (under `/assets/`, except `index.html`
/// at `/`), for tests and docs.
pub fn asset_paths() -> impl Iterator<Item = &'static str> {
    ASSETS.iter().map(|a| a.path)
}

/// The app's routes (merged into the API router, outside the OpenAPI
/// document).
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/assets/{*path}", get(asset))
}

async fn index(headers: HeaderMap) -> Response {
    serve(0, &headers)
}

async fn asset(Path(path): Path<String>, headers: HeaderMap) -> Response {
    match ASSETS.iter().position(|a| a.path == path) {
        Some(i) => serve(i, &headers),
        None => Problem::not_found("err-no-such-file").into_response(),
    }
}

/// The router's fallback: `index.html` for paths the client router draws,
/// the `no-such-endpoint` problem for everything else.
pub(crate) async fn fallback(request: Request) -> Response {
    if is_app_path(request.method(), request.uri().path()) {
        serve(0, request.headers())
    } else {
        Problem::no_such_endpoint().into_response()
    }
}

/// Whether a path not routed otherwise belongs to the client router: a
/// `GET` or `HEAD` outside `/api` (and the operations endpoints) whose last
/// segment names no file (has no `.`), so a missing script or
/// `/openapi.json` is a 404 and never HTML.
fn is_app_path(method: &Method, path: &str) -> bool {
    if method != Method::GET && method != Method::HEAD {
        return false;
    }
    let reserved = ["/api", "/assets", "/healthz", "/readyz", "/metrics"];
    if reserved
        .iter()
        .any(|r| path == *r || path.starts_with(&format!("{r}/")))
    {
        return false;
    }
    let last = path.rsplit('/').next().unwrap_or_default();
    !last.contains('.') && !path.contains("//")
}

fn serve(i: usize, request: &HeaderMap) -> Response {
    let Some(asset) = ASSETS.get(i) else {
        return Problem::no_such_endpoint().into_response();
    };
    let etag = ETAGS
        .get(i)
        .cloned()
        .unwrap_or(HeaderValue::from_static("\"0\""));
    let fresh = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',').any(|t| {
                let t = t.trim();
                t == "*" || t.trim_start_matches("W/").as_bytes() == etag.as_bytes()
            })
        });
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = Response::new(Body::from(asset.body));
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(asset.content_type),
        );
        r
    };
    let headers = response.headers_mut();
    headers.insert(header::ETAG, etag);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    security_headers(headers);
    response
}

/// Adds the web app's security headers to `headers`.
pub fn security_headers(headers: &mut HeaderMap) {
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
}

/// 64-bit FNV-1a: a stable fingerprint of an asset for its ETag.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_paths_are_told_from_files_and_the_api() {
        let get = Method::GET;
        for p in [
            "/search",
            "/items/gjj-ydzy-440100",
            "/me/applications",
            "/wallet/x",
            "/x/y/z",
        ] {
            assert!(is_app_path(&get, p), "{p}");
        }
        assert!(is_app_path(&Method::HEAD, "/me"));
        for p in [
            "/api",
            "/api/v1",
            "/api/v2/search",
            "/assets/nope.js",
            "/assets/x",
            "/openapi.json",
            "/favicon.ico",
            "/healthz/x",
            "/a//b",
        ] {
            assert!(!is_app_path(&get, p), "{p}");
        }
        assert!(!is_app_path(&Method::POST, "/search"));
    }

    #[test]
    fn every_asset_is_typed_by_its_extension_and_tagged_distinctly() {
        for a in ASSETS {
            let want = match a.path.rsplit('.').next() {
                Some("html") => HTML,
                Some("js") => JS,
                Some("css") => CSS,
                Some("svg") => SVG,
                Some("json") => JSON,
                other => panic!("unexpected extension {other:?}"),
            };
            assert_eq!(a.content_type, want, "{}", a.path);
            assert!(!a.body.is_empty(), "{}", a.path);
        }
        let tags: std::collections::HashSet<_> = ETAGS.iter().collect();
        assert_eq!(tags.len(), ASSETS.len());
        assert_eq!(ASSETS[0].path, "index.html");
    }

    #[test]
    fn the_app_has_no_inline_script_or_style() {
        for a in ASSETS {
            let text = String::from_utf8_lossy(a.body);
            assert!(!text.contains(" style="), "{}: a style attribute", a.path);
            assert!(
                !text.contains(".style."),
                "{}: an element.style write",
                a.path
            );
            assert!(!text.contains("innerHTML"), "{}: innerHTML", a.path);
            if a.path.ends_with(".html") {
                assert!(!text.contains("<style"), "{}: a <style> element", a.path);
                for (i, _) in text.match_indices("<script") {
                    let tag = &text[i..text[i..].find('>').map_or(text.len(), |e| i + e)];
                    assert!(tag.contains(" src="), "{}: an inline script", a.path);
                }
                let handler = text.match_indices(" on").any(|(i, _)| {
                    let rest = &text[i + 3..];
                    let name = rest.len()
                        - rest
                            .trim_start_matches(|c: char| c.is_ascii_lowercase())
                            .len();
                    name > 0 && rest[name..].starts_with('=')
                });
                assert!(!handler, "{}: an inline event handler", a.path);
            }
        }
    }
}
