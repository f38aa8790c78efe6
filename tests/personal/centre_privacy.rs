//! No personal data leaves through the side doors: after a full run of the
//! personal centre (registration by SMS code, logins right and wrong,
//! real-name verification, profile edits, applications, feedback, bad
//! input), the daemon's log (at debug level for our crates), its metrics and
//! every error document hold no phone number, ID number, password, SMS code
//! or token.

use crate::centre_process;

use centre_process::{Daemon, OPERATOR, workdir};
use reqwest::Method;
use serde_json::{Value, json};

struct Run {
    base: String,
    errors: Vec<String>,
}

impl Run {
    async fn call(
        &mut self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = reqwest::Client::new().request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        if status >= 400 {
            self.errors.push(text.clone());
        }
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_metrics_and_errors_hold_no_personal_data() {
    let (dir, log) = workdir();
    let data = dir.path().join("data");
    let daemon = Daemon::start(
        &data,
        None,
        &log,
        &[
            "--log",
            "yuesou=debug,yuesou_server=debug,yuesou_centre=debug,sqlx=debug,info",
        ],
    )
    .await;
    let mut run = Run {
        base: daemon.base.clone(),
        errors: Vec::new(),
    };
    let phone = "13912348765";
    let password = "Secret-Pass-9981";
    let id_number = "441900195511110020";
    let mut secrets: Vec<String> = vec![
        phone.into(),
        password.into(),
        id_number.into(),
        "13800000001".into(),
        "yuesou-demo".into(),
        "44010419880520123X".into(),
    ];

    // Registration by code, with a wrong code first.
    run.call(
        Method::POST,
        "/api/v1/auth/sms-codes",
        None,
        Some(json!({"phone": phone, "purpose": "register"})),
    )
    .await;
    run.call(
        Method::POST,
        "/api/v1/auth/register",
        None,
        Some(json!({"phone": phone, "sms_code": "000000", "password": password})),
    )
    .await;
    let outbox = yuesou::centre::Outbox::new(data.join("outbox"));
    let code = outbox.last_code(phone).expect("a code in the outbox");
    secrets.push(code.clone());
    let (status, reg) = run
        .call(
            Method::POST,
            "/api/v1/auth/register",
            None,
            Some(json!({"phone": phone, "sms_code": code, "password": password})),
        )
        .await;
    assert_eq!(status, 201, "{reg}");
    let token = reg["token"].as_str().unwrap().to_string();
    secrets.push(token.clone());
    // Bad input carrying personal data: none of it may be echoed.
    run.call(
        Method::POST,
        "/api/v1/auth/login",
        None,
        Some(json!({"phone": phone, "password": "Wrong-Pass-0000"})),
    )
    .await;
    run.call(
        Method::POST,
        "/api/v1/auth/login",
        None,
        Some(json!({"phone": 13912348765u64, "password": password})),
    )
    .await;
    run.call(
        Method::POST,
        "/api/v1/me/verification/real-name",
        Some(&token),
        Some(json!({"name": "梁淑芬", "id_number": "441900195511110021"})),
    )
    .await;
    run.call(
        Method::POST,
        "/api/v1/me/verification/real-name",
        Some(&token),
        Some(json!({"name": "梁淑芬", "id_number": 441900195511110021u64})),
    )
    .await;
    secrets.push("441900195511110021".into());
    let (status, _) = run
        .call(
            Method::POST,
            "/api/v1/me/verification/real-name",
            Some(&token),
            Some(json!({"name": "梁淑芬", "id_number": id_number})),
        )
        .await;
    assert_eq!(status, 200);
    run.call(
        Method::PATCH,
        "/api/v1/me/profile",
        Some(&token),
        Some(json!({"contact_phone": "13612340000", "email": "liang.shufen@example.cn"})),
    )
    .await;
    run.call(
        Method::PATCH,
        "/api/v1/me/profile",
        Some(&token),
        Some(json!({"contact_phone": "1361234000x"})),
    )
    .await;
    secrets.extend([
        "13612340000".into(),
        "liang.shufen@example.cn".into(),
        "1361234000x".into(),
    ]);
    run.call(
        Method::GET,
        "/api/v1/me/profile",
        Some(&format!("{token}x")),
        None,
    )
    .await;
    run.call(Method::POST, "/api/v1/me/feedback", Some(&token), Some(json!({"kind": "consultation", "title": "咨询", "content": "我的电话 13912348765 能否改绑？"}))).await;
    run.call(
        Method::GET,
        &format!("/api/v1/search?q={phone}"),
        None,
        None,
    )
    .await;
    // The demo person, applications and an SMS login.
    let (_, demo) = run
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"phone": "13800000001", "password": "yuesou-demo"})),
        )
        .await;
    let demo_token = demo["token"].as_str().unwrap().to_string();
    secrets.push(demo_token.clone());
    run.call(
        Method::POST,
        "/api/v1/me/applications",
        Some(&demo_token),
        Some(json!({"item_id": "sb-sbkbh-440100"})),
    )
    .await;
    // Searches holding personal numbers, sent with a session: neither the
    // history, the hot list, the recommendations nor the log keep them.
    for q in [
        "13800000001%20%E7%A4%BE%E4%BF%9D",
        "44010419880520123X",
        "%E7%A4%BE%E4%BF%9D%E5%8D%A1",
    ] {
        run.call(
            Method::GET,
            &format!("/api/v1/search?q={q}"),
            Some(&demo_token),
            None,
        )
        .await;
    }
    for path in [
        "/api/v1/me/history",
        "/api/v1/me/recommendations",
        "/api/v1/hot",
    ] {
        let (status, body) = run.call(Method::GET, path, Some(&demo_token), None).await;
        assert_eq!(status, 200, "{path}: {body}");
        let text = body.to_string();
        assert!(
            !text.contains("13800000001") && !text.contains("44010419880520123X"),
            "{path}: {text}"
        );
    }
    run.call(
        Method::POST,
        "/api/v1/auth/sms-codes",
        None,
        Some(json!({"phone": "13800000001", "purpose": "login"})),
    )
    .await;
    let code = outbox.last_code("13800000001").unwrap();
    secrets.push(code.clone());
    let (_, sms) = run
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"phone": "13800000001", "sms_code": code})),
        )
        .await;
    secrets.push(sms["token"].as_str().unwrap().to_string());
    run.call(
        Method::GET,
        "/api/v1/operator/feedback",
        Some(OPERATOR),
        None,
    )
    .await;
    run.call(Method::GET, "/api/v1/operator/feedback", Some(&token), None)
        .await;
    secrets.push(OPERATOR.into());
    let metrics = reqwest::get(format!("{}/metrics", daemon.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    daemon.stop();

    let log_text = std::fs::read_to_string(&log).unwrap();
    assert!(log_text.contains("yuesou::access"), "the access log ran");
    assert!(run.errors.len() >= 8, "{:?}", run.errors);
    // Codes are six digits and could occur by chance in timings; look for
    // them as whole words.
    let contains = |hay: &str, needle: &str| {
        if needle.len() == 6 && needle.bytes().all(|b| b.is_ascii_digit()) {
            hay.split(|c: char| !c.is_ascii_digit())
                .any(|w| w == needle)
        } else {
            hay.contains(needle)
        }
    };
    for secret in &secrets {
        assert!(!contains(&log_text, secret), "the log holds {secret:?}");
        assert!(!contains(&metrics, secret), "the metrics hold {secret:?}");
        for error in &run.errors {
            assert!(
                !contains(error, secret),
                "an error document holds {secret:?}: {error}"
            );
        }
    }
}
