//! The web app is served by the daemon itself: `/` is the HTML shell with
//! the security headers, every embedded asset answers with its content type
//! and an ETag (revalidating to 304), unknown app paths fall back to the
//! shell for the client router, and the API's unknown paths still answer
//! problem+json 404. (The browser tests in `web-tests/` drive the app.)

use reqwest::StatusCode;
use yuesou::server::{AppState, CONTENT_SECURITY_POLICY, Config, web_asset_paths};

/// A server with no engine: the app does not need one.
async fn start() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(yuesou::server::serve(
        listener,
        AppState::empty(&Config::default()),
        std::future::pending(),
    ));
    format!("http://{addr}")
}

fn header(r: &reqwest::Response, name: &str) -> String {
    r.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

fn assert_security_headers(r: &reqwest::Response, what: &str) {
    let csp = header(r, "content-security-policy");
    assert_eq!(csp, CONTENT_SECURITY_POLICY, "{what}");
    for part in [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ] {
        assert!(csp.contains(part), "{what}: {part}");
    }
    assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"));
    assert_eq!(header(r, "x-content-type-options"), "nosniff", "{what}");
    assert_eq!(header(r, "referrer-policy"), "no-referrer", "{what}");
    assert_eq!(header(r, "x-frame-options"), "DENY", "{what}");
}

#[tokio::test]
async fn the_root_is_the_app_shell_with_security_headers() {
    let base = start().await;
    let r = reqwest::get(format!("{base}/")).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(header(&r, "content-type"), "text/html; charset=utf-8");
    assert_eq!(header(&r, "cache-control"), "no-cache");
    assert_security_headers(&r, "/");
    let etag = header(&r, "etag");
    assert!(etag.starts_with('"') && etag.len() > 2, "{etag}");
    let body = r.text().await.unwrap();
    assert!(body.starts_with("<!doctype html>"));
    assert!(body.contains(r#"<html lang="zh-CN">"#));
    assert!(body.contains(r#"<script type="module" src="/assets/app.js"></script>"#));
    // Nothing from another origin.
    assert!(!body.contains("http://") && !body.contains("https://"));

    // Revalidation: the same ETag answers 304 without a body.
    let r = reqwest::Client::new()
        .get(format!("{base}/"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header(&r, "etag"), etag);
    assert!(r.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn every_asset_answers_with_its_content_type() {
    let base = start().await;
    let mut seen = 0;
    for path in web_asset_paths().filter(|p| *p != "index.html") {
        let r = reqwest::get(format!("{base}/assets/{path}")).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let want = match path.rsplit('.').next() {
            Some("js") => "text/javascript; charset=utf-8",
            Some("css") => "text/css; charset=utf-8",
            Some("svg") => "image/svg+xml",
            Some("json") => "application/json",
            other => panic!("{path}: unexpected extension {other:?}"),
        };
        assert_eq!(header(&r, "content-type"), want, "{path}");
        assert_security_headers(&r, path);
        assert!(!header(&r, "etag").is_empty(), "{path}");
        let body = r.text().await.unwrap();
        assert!(!body.is_empty(), "{path}");
        if path.ends_with(".js") {
            // Modules import only from this origin, by relative path.
            for line in body.lines().filter(|l| l.starts_with("import ")) {
                assert!(
                    line.contains("from './") || line.contains("from '../"),
                    "{path}: {line}"
                );
            }
        }
        seen += 1;
    }
    assert!(seen >= 10, "{seen} assets");
    // A missing asset is a 404 problem, never the HTML shell.
    let r = reqwest::get(format!("{base}/assets/nope.js"))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(header(&r, "content-type"), "application/problem+json");
    // HEAD works like GET.
    let r = reqwest::Client::new()
        .head(format!("{base}/assets/app.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(header(&r, "content-type"), "text/css; charset=utf-8");
}

#[tokio::test]
async fn app_paths_fall_back_to_the_shell_and_api_paths_stay_problems() {
    let base = start().await;
    for path in [
        "/search?q=gjj",
        "/items/gjj-ydzy-440100",
        "/me",
        "/me/applications",
        "/wallet/abc",
        "/me/applications/app_1",
        "/verify",
        "/no/such/page",
    ] {
        let r = reqwest::get(format!("{base}{path}")).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert_eq!(
            header(&r, "content-type"),
            "text/html; charset=utf-8",
            "{path}"
        );
        assert_security_headers(&r, path);
        assert!(r.text().await.unwrap().contains("/assets/app.js"), "{path}");
    }
    for path in [
        "/api",
        "/api/v1",
        "/api/v1/nope",
        "/api/v2/search",
        "/api/v1/items",
        "/openapi.json",
        "/favicon.ico",
    ] {
        let r = reqwest::get(format!("{base}{path}")).await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(
            header(&r, "content-type"),
            "application/problem+json",
            "{path}"
        );
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(
            body["type"], "https://yuesou.dev/problems/no-such-endpoint",
            "{path}"
        );
    }
    // Other methods on app paths are not the app.
    let r = reqwest::Client::new()
        .post(format!("{base}/search"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = reqwest::Client::new()
        .post(format!("{base}/"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(header(&r, "content-type"), "application/problem+json");
}

#[tokio::test]
async fn the_app_is_not_in_the_openapi_document() {
    let doc = yuesou::server::openapi_document();
    for path in doc.paths.paths.keys() {
        assert!(
            path.starts_with("/api/")
                || ["/healthz", "/readyz", "/metrics"].contains(&path.as_str()),
            "{path}"
        );
    }
}

fn han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// The ids of `data/messages/<lang>/web.ftl`.
fn web_ids(lang: &str) -> std::collections::BTreeSet<String> {
    let path = yuesou::bundled_root().join(format!("data/messages/{lang}/web.ftl"));
    std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once(" = ").map(|(id, _)| id.trim().to_owned()))
        .filter(|id| !id.starts_with('#') && !id.is_empty())
        .collect()
}

/// Issue 23: every text of the app goes through `t(id)`: no module has a
/// Chinese literal in its code (comments aside) but the language names in
/// their own script (i18n.js) and the city table's fallback names
/// (place.js); every `t('…')` id the modules name is in web.ftl, in each
/// language.
#[test]
fn every_app_text_is_a_message_in_three_languages() {
    let web = yuesou::bundled_root().join("crates/server/web");
    let zh = web_ids("zh-CN");
    assert!(zh.len() > 200, "{}", zh.len());
    for lang in ["zh-HK", "en"] {
        assert_eq!(web_ids(lang), zh, "{lang}/web.ftl has other ids than zh-CN");
    }
    let mut named = 0;
    for path in web_asset_paths().filter(|p| p.ends_with(".js")) {
        let code = std::fs::read_to_string(web.join(path)).unwrap();
        for (n, line) in code.lines().enumerate() {
            let trimmed = line.trim_start();
            if trimmed.starts_with("//") || trimmed.starts_with('*') || trimmed.starts_with("/*") {
                continue;
            }
            let code_part = line.split(" // ").next().unwrap_or(line);
            let allowed = (path == "i18n.js" && code_part.contains("['zh-"))
                || (path == "place.js" && code_part.trim_start().starts_with("['44"));
            assert!(
                allowed || !code_part.chars().any(han),
                "{path}:{}: Chinese outside t(): {line}",
                n + 1
            );
            for piece in code_part.split("t('").skip(1) {
                let id = piece.split('\'').next().unwrap_or("");
                if id.starts_with("web-") && !id.ends_with('-') {
                    assert!(zh.contains(id), "{path}:{}: {id} is not in web.ftl", n + 1);
                    named += 1;
                }
            }
        }
    }
    assert!(named > 200, "{named} ids named");
}
