//! The daemon's life cycle against a real socket: a start-up with broken
//! data fails with the file and line, a shutdown drains the request in
//! flight before stopping, and a request over the timeout gets a problem.

use crate::daemon_support;

use std::time::{Duration, Instant};

use daemon_support::{TOKEN, admin, copy_home, eventually, get, metric, start_daemon, wait_ready};
use reqwest::Method;
use yuesou::server::{ConfigLayer, DaemonError, SearchPool};

#[tokio::test]
async fn a_start_with_broken_data_fails_naming_file_and_line() {
    let home = copy_home();
    let path = home.path().join("data/halls.jsonl");
    let mut halls = std::fs::read_to_string(&path).unwrap();
    halls.push_str("{\"id\": \"hall-x\", \"name\": 42}\n");
    let line = halls.lines().count();
    std::fs::write(&path, halls).unwrap();
    let daemon = start_daemon(home.path(), ConfigLayer::default()).await;
    let result = tokio::time::timeout(Duration::from_secs(60), daemon.task)
        .await
        .expect("the daemon gives up")
        .unwrap();
    match result {
        // The engine or the hall calendars (which read the same file),
        // whichever loads it first.
        Err(DaemonError::Load(message) | DaemonError::Data(message)) => {
            assert!(
                message.contains(&format!("halls.jsonl:{line}")),
                "{message}"
            )
        }
        other => panic!("expected a load error, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_drains_the_request_in_flight_then_stops() {
    let home = copy_home();
    let mut daemon = start_daemon(
        home.path(),
        ConfigLayer {
            admin_token: Some(TOKEN.into()),
            watch: Some(false),
            ..ConfigLayer::default()
        },
    )
    .await;
    let base = daemon.base.clone();
    wait_ready(&base).await;

    // A forced reload takes a while (an engine build): it is the request in
    // flight when the shutdown comes.
    let url = format!("{base}/api/v1/admin/reload");
    let in_flight = tokio::spawn(async move { admin(Method::POST, &url, TOKEN).await });
    // The metrics request itself is one request in flight; wait for two.
    eventually(
        Duration::from_secs(10),
        "the reload to be in flight",
        || async { metric(&base, "yuesou_http_requests_in_flight").await >= 2.0 },
    )
    .await;
    let asked = Instant::now();
    daemon.stop();

    let (code, report) = in_flight.await.unwrap();
    assert_eq!(code, 200, "the request in flight completes: {report}");
    assert_eq!(report["outcome"], "reloaded");
    tokio::time::timeout(Duration::from_secs(30), daemon.task)
        .await
        .expect("the daemon stops once drained")
        .unwrap()
        .unwrap();
    assert!(asked.elapsed() < Duration::from_secs(30));
    // Stopped: new connections are refused.
    assert!(reqwest::get(format!("{base}/healthz")).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_over_the_timeout_get_a_503_problem() {
    let home = copy_home();
    let mut daemon = start_daemon(
        home.path(),
        ConfigLayer {
            watch: Some(false),
            request_timeout_ms: Some(1),
            search_pool: Some(SearchPool::Blocking),
            cache_mb: Some(0),
            ..ConfigLayer::default()
        },
    )
    .await;
    let base = daemon.base.clone();
    wait_ready(&base).await;
    // Run-on queries naming a dozen services (the first with a typo), ranked
    // item by item (`collapse=false`) with a hundred explained hits: tens
    // of milliseconds in a debug build (2026-12-02), far over a 1 ms
    // timeout however fast a typical search becomes.
    let mut timed_out = 0;
    for q in [
        "社保卡补换公积金提取养老金查洵户口迁移驾驶证换证港澳通行证签注出生证明不动产登记个人所得税医保报销",
        "护照办理结婚登记居住证申领失业金申领生育津贴社保转移车辆年检违章查询公积金贷款退休金查询",
    ] {
        let (code, problem) = get(&format!(
            "{base}/api/v1/search?q={q}&explain=true&size=100&collapse=false"
        ))
        .await;
        if code == 503 {
            assert_eq!(problem["type"], "https://yuesou.dev/problems/timeout");
            assert_eq!(problem["code"], "err-timeout");
            assert!(
                problem["detail"].as_str().unwrap().contains("1 毫秒"),
                "{problem}"
            );
            timed_out += 1;
        } else {
            assert_eq!(code, 200, "{problem}");
        }
    }
    println!("{timed_out} of 2 searches over the 1 ms timeout");
    assert!(timed_out > 0, "no search exceeded 1 ms");
    // Requests that finish at once are unaffected.
    let (code, _) = get(&format!("{base}/healthz")).await;
    assert_eq!(code, 200);
    daemon.stop();
    daemon.task.await.unwrap().unwrap();
}

/// Secrets never come from the command line (it shows in `ps`): the token
/// flags do not exist, a database password in `--database` is refused, and
/// a configuration file holding a token must be private.
#[test]
fn secrets_are_refused_on_the_command_line_and_in_open_files() {
    let run = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_yuesou"))
            .args(args)
            .env_remove("YUESOU_CONFIG")
            .env_remove("YUESOU_DATABASE")
            .output()
            .unwrap();
        assert!(!output.status.success(), "{args:?} started");
        String::from_utf8_lossy(&output.stderr).to_string()
    };
    for flag in ["--admin-token", "--operator-token"] {
        let err = run(&["serve", flag, "0123456789abcdef0123"]);
        assert!(err.contains(flag), "{err}");
    }
    let err = run(&[
        "serve",
        "--database",
        "postgres://yuesou:hunter2@127.0.0.1:1/yuesou",
    ]);
    assert!(err.contains("YUESOU_DATABASE"), "{err}");
    assert!(!err.contains("hunter2"), "the password is repeated: {err}");

    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("yuesou.toml");
    std::fs::write(&config, "operator_token = \"0123456789abcdef0123\"\n").unwrap();
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = run(&["--config", config.to_str().unwrap(), "serve"]);
    assert!(err.contains("chmod 600"), "{err}");
    assert!(!err.contains("0123456789abcdef0123"), "{err}");
}
