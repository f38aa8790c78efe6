//! The wallet over HTTP, on SQLite and PostgreSQL: the demo person's
//! licences, present with chosen fields, verify (and every refusal), the
//! full view behind a face check, isolation, deletion and revocation.

use crate::centre_support;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use centre_support::{
    ALICE, BOB, CentreDaemon, OPERATOR, assert_problem, call, each_backend, login,
};
use reqwest::Method;
use serde_json::{Value, json};

async fn verify(
    d: &CentreDaemon,
    token: &str,
    require: &[&str],
) -> (u16, Value, reqwest::header::HeaderMap) {
    call(
        Method::POST,
        d.url("/api/v1/wallet/verify"),
        None,
        Some(json!({"token": token, "require": require})),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn present_verify_and_every_refusal() {
    each_backend(async |d: CentreDaemon| {
        let b = d.backend;
        let alice = login(&d, ALICE).await;
        let t = Some(alice.as_str());
        let wallet = call(Method::GET, d.url("/api/v1/me/wallet"), t, None)
            .await
            .1;
        let items = wallet["items"].as_array().unwrap();
        assert!(items.len() >= 3, "{b}: {wallet}");
        let licence = items
            .iter()
            .find(|i| i["type"] == "driving_licence")
            .expect("a 驾驶证");
        let id = licence["id"].as_str().unwrap().to_string();
        // Masked in the list: sensitive fields and the number.
        let fields = licence["fields"].as_array().unwrap();
        assert!(fields.iter().any(|f| f["masked"] == true), "{licence}");
        assert!(licence["number"].as_str().unwrap().contains('*'));
        assert!(!licence["related_services"].as_array().unwrap().is_empty());

        // Present two fields that are not sensitive (sensitive ones need
        // L3); the verifier learns exactly those.
        let plain: Vec<String> = fields
            .iter()
            .filter(|f| f["sensitive"] == false)
            .map(|f| f["name"].as_str().unwrap().to_string())
            .collect();
        let chosen: Vec<String> = plain[..2].to_vec();
        let other = plain[2].clone();
        let (status, p, _) = call(
            Method::POST,
            d.url(&format!("/api/v1/me/wallet/{id}/present")),
            t,
            Some(json!({"disclose": chosen})),
        )
        .await;
        assert_eq!(status, 200, "{b}: {p}");
        assert!(p["qr_svg"].as_str().unwrap().contains("<svg"));
        assert!(p["expires_at"].as_str().is_some());
        let token = p["token"].as_str().unwrap().to_string();
        // Refusals that do not use the presentation up, each with its own
        // problem type.
        assert_problem(
            "undisclosed field",
            &verify(&d, &token, &[other.as_str()]).await,
            422,
            "field-not-disclosed",
        );
        let (status, v, _) = verify(&d, &token, &[]).await;
        assert_eq!(status, 200, "{v}");
        assert_eq!(v["type"], "driving_licence");
        let got: Vec<&String> = v["fields"].as_object().unwrap().keys().collect();
        assert_eq!(got.len(), 2, "{v}");
        for name in &chosen {
            assert!(v["fields"].get(name).is_some(), "{name} disclosed");
        }
        assert!(v["fields"].get(&other).is_none());
        // Shown in the licence type's order, with labels.
        let shown: Vec<&str> = v["shown"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap())
            .collect();
        let order: Vec<&str> = fields.iter().map(|f| f["name"].as_str().unwrap()).collect();
        assert!(
            shown
                .windows(2)
                .all(|w| order.iter().position(|n| *n == w[0])
                    < order.iter().position(|n| *n == w[1])),
            "{v}"
        );
        assert_eq!(v["issuer_name"], "广东省电子证照平台（粤搜）");
        // Once only.
        assert_problem(
            "second use",
            &verify(&d, &token, &[]).await,
            422,
            "presentation-replayed",
        );
        let mut forged = token.clone();
        // A character of the issuer's signature (just before the first `~`).
        let dot = forged.find('~').unwrap() - 5;
        let c = if &forged[dot..dot + 1] == "A" {
            "B"
        } else {
            "A"
        };
        forged.replace_range(dot..dot + 1, c);
        assert_problem(
            "forged signature",
            &verify(&d, &forged, &[]).await,
            422,
            "presentation-invalid",
        );
        assert_problem(
            "not a token",
            &verify(&d, "hello", &[]).await,
            400,
            "presentation-malformed",
        );
        let huge = "a~".repeat(5000);
        let answer = verify(&d, &huge, &[]).await;
        assert!(matches!(answer.0, 400 | 413), "{}", answer.1);
        let unknown = call(
            Method::POST,
            d.url(&format!("/api/v1/me/wallet/{id}/present")),
            t,
            Some(json!({"disclose": ["no_such_field"]})),
        )
        .await;
        assert_problem("unknown field", &unknown, 400, "invalid-request");

        // The full view needs a face check.
        let full = call(
            Method::GET,
            d.url(&format!("/api/v1/me/wallet/{id}?full=true")),
            t,
            None,
        )
        .await;
        assert_problem("full view at L2", &full, 403, "step-up-required");
        call(
            Method::POST,
            d.url("/api/v1/me/verification/face"),
            t,
            Some(json!({"sample": "live"})),
        )
        .await;
        let full = call(
            Method::GET,
            d.url(&format!("/api/v1/me/wallet/{id}?full=true")),
            t,
            None,
        )
        .await
        .1;
        assert!(!full["number"].as_str().unwrap().contains('*'), "{full}");

        // Bob can neither see nor present nor delete Alice's licence, nor add
        // licences before real-name verification.
        let bob = login(&d, BOB).await;
        for (method, path, body) in [
            (Method::GET, format!("/api/v1/me/wallet/{id}"), None),
            (
                Method::POST,
                format!("/api/v1/me/wallet/{id}/present"),
                Some(json!({"disclose": []})),
            ),
            (Method::DELETE, format!("/api/v1/me/wallet/{id}"), None),
        ] {
            let answer = call(method.clone(), d.url(&path), Some(&bob), body).await;
            assert_problem(&format!("bob {method} {path}"), &answer, 404, "not-found");
        }
        assert!(
            call(Method::GET, d.url("/api/v1/me/wallet"), Some(&bob), None)
                .await
                .1["items"]
                .as_array()
                .unwrap()
                .is_empty()
        );
        let add = call(
            Method::POST,
            d.url("/api/v1/me/wallet"),
            Some(&bob),
            Some(json!({})),
        )
        .await;
        assert_problem("bob adds at L1", &add, 403, "step-up-required");

        // Deleting the licence voids its presentations; adding it back gives
        // a new entry.
        let present_plain = async |id: &str| {
            call(
                Method::POST,
                d.url(&format!("/api/v1/me/wallet/{id}/present")),
                t,
                Some(json!({"disclose": []})),
            )
            .await
            .1["token"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let token = present_plain(&id).await;
        let unused = present_plain(&id).await;
        assert_eq!(
            call(
                Method::DELETE,
                d.url(&format!("/api/v1/me/wallet/{id}")),
                t,
                None
            )
            .await
            .0,
            204
        );
        assert_problem(
            "deleted licence",
            &verify(&d, &token, &[]).await,
            422,
            "presentation-revoked",
        );
        let again = call(
            Method::POST,
            d.url("/api/v1/me/wallet"),
            t,
            Some(json!({"types": ["driving_licence"]})),
        )
        .await
        .1;
        let back = again["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["type"] == "driving_licence")
            .unwrap();
        assert_ne!(back["id"], id.as_str());
        assert_problem(
            "still void",
            &verify(&d, &unused, &[]).await,
            422,
            "presentation-revoked",
        );

        // The issuer revokes another licence.
        let social = items
            .iter()
            .find(|i| i["type"] != "driving_licence")
            .unwrap();
        let sid = social["id"].as_str().unwrap();
        let checked = present_plain(sid).await;
        assert_eq!(verify(&d, &checked, &[]).await.0, 200);
        let full = call(
            Method::GET,
            d.url(&format!("/api/v1/me/wallet/{sid}?full=true")),
            t,
            None,
        )
        .await
        .1;
        let stoken = present_plain(sid).await;
        let revoke = call(
            Method::POST,
            d.url("/api/v1/operator/licences/revoke"),
            Some(OPERATOR),
            Some(json!({"type": full["type"], "number": full["number"], "reason": "发证机关注销"})),
        )
        .await;
        assert_eq!(revoke.1["revoked"], 1, "{}", revoke.1);
        // Both live presentations (the one checked, the one not) are voided.
        assert_eq!(revoke.1["presentations"], 2, "{}", revoke.1);
        assert_problem(
            "revoked licence",
            &verify(&d, &stoken, &[]).await,
            422,
            "presentation-revoked",
        );
        let again = call(
            Method::POST,
            d.url(&format!("/api/v1/me/wallet/{sid}/present")),
            t,
            Some(json!({"disclose": []})),
        )
        .await;
        assert_problem("present revoked", &again, 409, "licence-revoked");

        // The published keys.
        let jwks = call(Method::GET, d.url("/api/v1/wallet/jwks.json"), None, None)
            .await
            .1;
        assert_eq!(jwks["keys"][0]["kty"], "OKP");
        assert_eq!(jwks["keys"][0]["crv"], "Ed25519");
        assert!(jwks["keys"][0].get("d").is_none(), "no private key");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn related_services_and_key_rotation() {
    each_backend(async |d: CentreDaemon| {
        let b = d.backend;
        let alice = login(&d, ALICE).await;
        let t = Some(alice.as_str());
        let wallet = call(Method::GET, d.url("/api/v1/me/wallet"), t, None)
            .await
            .1;
        let licence = wallet["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["type"] == "driving_licence")
            .expect("a 驾驶证")
            .clone();

        // Each service the licence is for lists the licence among those it
        // accepts — the two directions agree.
        let related = licence["related_services"].as_array().unwrap();
        assert!(!related.is_empty());
        for item in related {
            let item = item.as_str().unwrap();
            let (status, body, _) = call(
                Method::GET,
                d.url(&format!("/api/v1/items/{item}/licences")),
                None,
                None,
            )
            .await;
            assert_eq!(status, 200, "{b}: {item}: {body}");
            assert_eq!(body["item"], item);
            assert!(
                body["licences"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|l| l["type"] == "driving_licence" && l["name"] == "驾驶证"),
                "{b}: {item}: {body}"
            );
        }
        // The renewal item is marked as such; an unknown item is a 404.
        if let Some(renewal) = licence["renewal_service"].as_str() {
            let body = call(
                Method::GET,
                d.url(&format!("/api/v1/items/{renewal}/licences")),
                None,
                None,
            )
            .await
            .1;
            assert!(
                body["licences"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|l| l["type"] == "driving_licence" && l["renewal"] == true),
                "{b}: {body}"
            );
        }
        assert_problem(
            "unknown item",
            &call(
                Method::GET,
                d.url("/api/v1/items/no-such-item/licences"),
                None,
                None,
            )
            .await,
            404,
            "not-found",
        );

        // Rotation: only the operator; tokens signed before it still verify,
        // new ones carry the new key id, and both keys are published.
        let id = licence["id"].as_str().unwrap();
        let present = async || {
            call(
                Method::POST,
                d.url(&format!("/api/v1/me/wallet/{id}/present")),
                t,
                Some(json!({"disclose": ["vehicle_class"]})),
            )
            .await
            .1["token"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let before = present().await;
        for token in [None, Some(alice.as_str())] {
            assert_problem(
                "rotation without the operator token",
                &call(
                    Method::POST,
                    d.url("/api/v1/operator/wallet/keys/rotate"),
                    token,
                    None,
                )
                .await,
                401,
                "unauthenticated",
            );
        }
        let (status, rotated, _) = call(
            Method::POST,
            d.url("/api/v1/operator/wallet/keys/rotate"),
            Some(OPERATOR),
            None,
        )
        .await;
        assert_eq!(status, 200, "{b}: {rotated}");
        let kid = rotated["kid"].as_str().unwrap().to_string();
        assert!(
            rotated["published"].as_array().unwrap().len() >= 2,
            "{rotated}"
        );
        let jwks = call(Method::GET, d.url("/api/v1/wallet/jwks.json"), None, None)
            .await
            .1;
        let kids: Vec<&str> = jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|k| k["kid"].as_str())
            .collect();
        assert!(kids.contains(&kid.as_str()) && kids.len() >= 2, "{jwks}");
        assert_eq!(
            verify(&d, &before, &["vehicle_class"]).await.0,
            200,
            "{b}: old key"
        );
        let after = present().await;
        let header = after.split('.').next().unwrap();
        let header: Value = serde_json::from_slice(
            &URL_SAFE_NO_PAD
                .decode(header)
                .expect("a base64url JOSE header"),
        )
        .unwrap();
        assert_eq!(header["kid"], kid.as_str(), "{header}");
        assert_eq!(
            verify(&d, &after, &["vehicle_class"]).await.0,
            200,
            "{b}: new key"
        );
    })
    .await;
}
