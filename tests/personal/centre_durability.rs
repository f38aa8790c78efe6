//! An acknowledged write survives SIGKILL: clients write applications,
//! feedback, profile changes, wallet changes and search history, the daemon
//! is killed with -9 while writes are in flight, restarted on the same files
//! (or PostgreSQL), and every write it acknowledged is there, whole.

use crate::centre_process;

use std::sync::{Arc, Mutex};

use centre_process::{Daemon, backends, workdir};
use reqwest::Method;
use serde_json::{Value, json};

async fn call(
    method: Method,
    url: &str,
    token: &str,
    body: Option<Value>,
) -> Result<(u16, Value), reqwest::Error> {
    let mut request = reqwest::Client::new()
        .request(method, url)
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await?;
    let status = response.status().as_u16();
    Ok((status, response.json().await.unwrap_or(Value::Null)))
}

async fn login(base: &str) -> String {
    let response = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"phone": "13800000001", "password": "yuesou-demo"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string()
}

/// L2 items the writers apply for (the demo person is L2).
const ITEMS: [&str; 4] = [
    "rcjy-jydj-440100",
    "sb-ylzy-440100",
    "hz-jzdj-440100",
    "sb-lhyb-440100",
];

/// Searches whose readings go to the history.
const QUERIES: [&str; 8] = [
    "社保卡挂失",
    "公积金提取",
    "护照办理",
    "驾驶证换证",
    "户口迁移",
    "个人所得税",
    "结婚登记",
    "港澳通行证续签",
];

#[derive(Default)]
struct Acked {
    feedback: Vec<(String, String)>,
    applications: Vec<(String, usize)>,
    address: Option<(usize, String)>,
    /// Whether the 驾驶证 is in the wallet after the last acknowledged
    /// change, and whether a change was in flight at the kill.
    licence: Option<bool>,
    licence_in_flight: bool,
    /// The history as the last acknowledged read showed it.
    history: Vec<String>,
}

/// The wallet's 驾驶证 id, if it is there.
async fn licence_id(base: &str, token: &str) -> Result<Option<String>, ()> {
    let Ok((200, wallet)) = call(
        Method::GET,
        &format!("{base}/api/v1/me/wallet"),
        token,
        None,
    )
    .await
    else {
        return Err(());
    };
    Ok(wallet["items"].as_array().and_then(|items| {
        items
            .iter()
            .find(|l| l["type"] == "driving_licence")
            .and_then(|l| l["id"].as_str().map(str::to_string))
    }))
}

fn history_queries(history: &Value) -> Vec<String> {
    history["entries"]
        .as_array()
        .map(|e| {
            e.iter()
                .filter_map(|h| h["query"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_write_survives_sigkill() {
    for (backend, database) in backends().await {
        let (dir, log) = workdir();
        let data = dir.path().join("data");
        // The writers send far more feedback than a person may per hour.
        let config = dir.path().join("yuesou.toml");
        std::fs::write(&config, "feedback_per_hour = 100000\n").unwrap();
        let config = config.to_str().unwrap().to_string();
        let extra = ["--config", config.as_str()];
        for round in 0..2 {
            let daemon = Daemon::start(&data, database.as_deref(), &log, &extra).await;
            let base = daemon.base.clone();
            let token = login(&base).await;
            let acked = Arc::new(Mutex::new(Acked::default()));
            // Writers keep going while the daemon is killed under them.
            let writer = {
                let (base, token, acked) = (base.clone(), token.clone(), acked.clone());
                tokio::spawn(async move {
                    for i in 0.. {
                        let content = format!("第 {round} 轮第 {i} 条反馈");
                        let Ok((201, fb)) = call(Method::POST, &format!("{base}/api/v1/me/feedback"), &token,
                            Some(json!({"kind": "consultation", "title": "持久性", "content": content}))).await else { break };
                        acked
                            .lock()
                            .unwrap()
                            .feedback
                            .push((fb["id"].as_str().unwrap().to_string(), content));
                        let address = format!("广州市越秀区测试路 {round}-{i} 号");
                        let Ok((200, _)) = call(
                            Method::PATCH,
                            &format!("{base}/api/v1/me/profile"),
                            &token,
                            Some(json!({"postal_address": address})),
                        )
                        .await
                        else {
                            break;
                        };
                        acked.lock().unwrap().address = Some((i, address));
                        // A search, then the history read back (which writes
                        // the pending history first): what it shows is
                        // acknowledged.
                        let q = QUERIES[i % QUERIES.len()];
                        let Ok((200, _)) = call(
                            Method::GET,
                            &format!("{base}/api/v1/search?q={q}"),
                            &token,
                            None,
                        )
                        .await
                        else {
                            break;
                        };
                        let Ok((200, history)) = call(
                            Method::GET,
                            &format!("{base}/api/v1/me/history"),
                            &token,
                            None,
                        )
                        .await
                        else {
                            break;
                        };
                        acked.lock().unwrap().history = history_queries(&history);
                        // The 驾驶证 leaves the wallet and comes back, in turn.
                        let Ok(held) = licence_id(&base, &token).await else {
                            break;
                        };
                        acked.lock().unwrap().licence_in_flight = true;
                        let changed = match &held {
                            Some(id) => {
                                call(
                                    Method::DELETE,
                                    &format!("{base}/api/v1/me/wallet/{id}"),
                                    &token,
                                    None,
                                )
                                .await
                            }
                            None => {
                                call(
                                    Method::POST,
                                    &format!("{base}/api/v1/me/wallet"),
                                    &token,
                                    Some(json!({"types": ["driving_licence"]})),
                                )
                                .await
                            }
                        };
                        let Ok((200 | 201 | 204, _)) = changed else {
                            break;
                        };
                        {
                            let mut acked = acked.lock().unwrap();
                            acked.licence = Some(held.is_none());
                            acked.licence_in_flight = false;
                        }
                        // A draft saved step by step (a fresh item each time: the
                        // open draft of an item is resumed, not duplicated).
                        let Ok((201 | 200, app)) = call(
                            Method::POST,
                            &format!("{base}/api/v1/me/applications"),
                            &token,
                            Some(json!({"item_id": ITEMS[i % ITEMS.len()]})),
                        )
                        .await
                        else {
                            break;
                        };
                        let id = app["id"].as_str().unwrap().to_string();
                        let step = app["current_step"].as_u64().unwrap() as usize;
                        if step >= app["steps"].as_array().unwrap().len() {
                            continue;
                        }
                        let Ok((200, saved)) = call(
                            Method::PUT,
                            &format!("{base}/api/v1/me/applications/{id}/steps/{step}"),
                            &token,
                            Some(json!({"answers": crate::centre_support::fill_step(
                                &app,
                                step,
                                &format!("第{round}-{i}轮"),
                            )})),
                        )
                        .await
                        else {
                            break;
                        };
                        acked
                            .lock()
                            .unwrap()
                            .applications
                            .push((id, saved["current_step"].as_u64().unwrap() as usize));
                    }
                })
            };
            // Let some writes be acknowledged, then kill -9 mid-stream.
            while acked.lock().unwrap().feedback.len() < 12 {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            daemon.kill();
            let _ = writer.await;
            let acked = std::mem::take(&mut *acked.lock().unwrap());

            let daemon = Daemon::start(&data, database.as_deref(), &log, &extra).await;
            let token = login(&daemon.base).await;
            let (_, list) = call(
                Method::GET,
                &format!("{}/api/v1/me/feedback", daemon.base),
                &token,
                None,
            )
            .await
            .unwrap();
            let stored: Vec<(&str, &str)> = list
                .as_array()
                .unwrap()
                .iter()
                .map(|f| (f["id"].as_str().unwrap(), f["content"].as_str().unwrap()))
                .collect();
            for (id, content) in &acked.feedback {
                assert!(
                    stored.contains(&(id.as_str(), content.as_str())),
                    "{backend} round {round}: feedback {id} lost"
                );
            }
            let (_, profile) = call(
                Method::GET,
                &format!("{}/api/v1/me/profile", daemon.base),
                &token,
                None,
            )
            .await
            .unwrap();
            let address = profile["postal_address"].as_str().unwrap().to_string();
            let (i, last) = acked.address.clone().unwrap();
            // The last acknowledged address, or the next one (a write in flight
            // at the kill may have committed without its answer reaching us).
            let next = format!("广州市越秀区测试路 {round}-{} 号", i + 1);
            assert!(
                address == last || address == next,
                "{backend}: {address} vs {last}"
            );
            for (id, step) in &acked.applications {
                let (status, app) = call(
                    Method::GET,
                    &format!("{}/api/v1/me/applications/{id}", daemon.base),
                    &token,
                    None,
                )
                .await
                .unwrap();
                assert_eq!(status, 200, "{backend}: application {id} lost");
                assert!(
                    app["current_step"].as_u64().unwrap() as usize >= *step,
                    "{backend}: {id} went back"
                );
                // Whole: the saved answers exist for every step before the current one.
                let answers = app["answers"].as_object().unwrap();
                for s in 0..*step {
                    assert!(
                        answers.contains_key(&s.to_string()),
                        "{backend}: {id} step {s} half-written"
                    );
                }
            }
            // The wallet: as the last acknowledged change left it (either
            // way only when a change was in flight at the kill).
            let held = licence_id(&daemon.base, &token).await.unwrap().is_some();
            if let Some(want) = acked.licence
                && !acked.licence_in_flight
            {
                assert_eq!(held, want, "{backend} round {round}: wallet change lost");
            }
            // The history: everything an acknowledged read showed.
            let (_, history) = call(
                Method::GET,
                &format!("{}/api/v1/me/history", daemon.base),
                &token,
                None,
            )
            .await
            .unwrap();
            let now = history_queries(&history);
            assert!(!acked.history.is_empty(), "{backend}: no history was read");
            for q in &acked.history {
                assert!(now.contains(q), "{backend} round {round}: history {q} lost");
            }
            assert!(acked.feedback.len() >= 12);
            daemon.stop();
        }
    }
}
