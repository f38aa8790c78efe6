//! Two daemons on one PostgreSQL database and one data directory, as
//! replicas behind a load balancer: a session opened on one works on the
//! other and its revocation holds on both; writes, hot searches, wallet
//! presentations (across a key rotation) and login rate limits are shared.
//! Skipped with a printed reason when PostgreSQL is unreachable (required
//! under `YUESOU_REQUIRE_POSTGRES=1`).

use crate::centre_support;

use centre_support::{ALICE, OPERATOR, PASSWORD, call, copy_home, start_daemon, wait_ready};
use reqwest::Method;
use serde_json::{Value, json};
use yuesou::server::ConfigLayer;

async fn login(base: &str, phone: &str, password: &str) -> (u16, Value) {
    let (status, body, _) = call(
        Method::POST,
        format!("{base}/api/v1/auth/login"),
        None,
        Some(json!({"phone": phone, "password": password})),
    )
    .await;
    (status, body)
}

async fn hot(base: &str) -> Vec<String> {
    let body = call(
        Method::GET,
        format!("{base}/api/v1/hot?limit=50"),
        None,
        None,
    )
    .await
    .1;
    body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["query"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_share_one_database() {
    let Some(url) = yuesou::centre::testing::postgres_schema().await else {
        return;
    };
    let home = copy_home();
    let layer = ConfigLayer {
        watch: Some(false),
        operator_token: Some(OPERATOR.into()),
        database: Some(url),
        cache_mb: Some(0),
        hot_min_people: Some(3),
        hot_refresh_ms: Some(1),
        activity_flush_ms: Some(50),
        trust_forwarded_for: Some(true),
        // Replicas behind one address: presentations made on one are for
        // the audience the other checks.
        public_url: Some("https://gd.example".into()),
        ..ConfigLayer::default()
    };
    // The second starts once the first has built the index it reuses.
    let mut first = start_daemon(home.path(), layer.clone()).await;
    wait_ready(&first.base).await;
    let mut second = start_daemon(home.path(), layer).await;
    wait_ready(&second.base).await;
    let (a, b) = (first.base.clone(), second.base.clone());

    // A session from one replica works on the other.
    let (status, session) = login(&a, ALICE, PASSWORD).await;
    assert_eq!(status, 200, "{session}");
    let token = session["token"].as_str().unwrap().to_string();
    let t = Some(token.as_str());
    let profile = call(Method::GET, format!("{b}/api/v1/me/profile"), t, None).await;
    assert_eq!(profile.0, 200, "{}", profile.1);

    // A write on one is read on the other.
    let (status, app, _) = call(
        Method::POST,
        format!("{a}/api/v1/me/applications"),
        t,
        Some(json!({"item_id": "hy-jhyy-440100"})),
    )
    .await;
    assert_eq!(status, 201, "{app}");
    let mine = call(
        Method::GET,
        format!("{b}/api/v1/me/applications?size=50"),
        t,
        None,
    )
    .await
    .1;
    assert!(
        mine["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == app["id"]),
        "{mine}"
    );

    // A presentation made on one verifies on the other — also after the
    // signing key was rotated on the first.
    let wallet = call(Method::GET, format!("{a}/api/v1/me/wallet"), t, None)
        .await
        .1;
    let id = wallet["items"][0]["id"].as_str().unwrap().to_string();
    // A field that is not sensitive (sensitive ones need a face check).
    let field = wallet["items"][0]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["sensitive"] == false)
        .and_then(|f| f["name"].as_str())
        .unwrap()
        .to_string();
    let present = async || {
        call(
            Method::POST,
            format!("{a}/api/v1/me/wallet/{id}/present"),
            t,
            Some(json!({"disclose": [field.clone()]})),
        )
        .await
        .1["token"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let verify = async |token: String| {
        call(
            Method::POST,
            format!("{b}/api/v1/wallet/verify"),
            None,
            Some(json!({"token": token})),
        )
        .await
    };
    let before = verify(present().await).await;
    assert_eq!(before.0, 200, "{}", before.1);
    let rotated = call(
        Method::POST,
        format!("{a}/api/v1/operator/wallet/keys/rotate"),
        Some(OPERATOR),
        None,
    )
    .await;
    assert_eq!(rotated.0, 200, "{}", rotated.1);
    let after = verify(present().await).await;
    assert_eq!(
        after.0, 200,
        "a rotation on one replica verifies on the other: {}",
        after.1
    );
    assert_eq!(after.1["kid"], rotated.1["kid"], "{}", after.1);

    // Hot searches count people across replicas.
    for (base, address) in [(&a, "10.9.0.1"), (&b, "10.9.0.2"), (&a, "10.9.0.3")] {
        let r = reqwest::Client::new()
            .get(format!("{base}/api/v1/search"))
            .query(&[("q", "社保卡补换")])
            .header("x-forwarded-for", address)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    for base in [&a, &b] {
        let list = hot(base).await;
        assert!(list.contains(&"社保卡补换".to_string()), "{base}: {list:?}");
    }

    // Revoking the session on one ends it on both.
    let sessions = call(Method::GET, format!("{b}/api/v1/me/sessions"), t, None)
        .await
        .1;
    let current = sessions
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == true)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let revoked = call(
        Method::DELETE,
        format!("{b}/api/v1/me/sessions/{current}"),
        t,
        None,
    )
    .await;
    assert_eq!(revoked.0, 204, "{}", revoked.1);
    for base in [&a, &b] {
        let answer = call(Method::GET, format!("{base}/api/v1/me/profile"), t, None).await;
        assert_eq!(answer.0, 401, "{base}: {}", answer.1);
    }

    // Login failures count on both: five spread over the two replicas,
    // and the right password is refused on either until the window ends.
    for n in 0..5 {
        let base = if n % 2 == 0 { &a } else { &b };
        let (status, body) = login(base, ALICE, "not-the-password").await;
        assert_eq!(status, 401, "{body}");
    }
    for base in [&a, &b] {
        let (status, body) = login(base, ALICE, PASSWORD).await;
        assert_eq!(status, 429, "{base}: {body}");
    }

    first.stop();
    second.stop();
}
