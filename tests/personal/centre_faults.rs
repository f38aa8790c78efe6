//! Faults under the personal centre: a PostgreSQL that goes away and comes
//! back, a disk that fills up, a database on a read-only disk. While the
//! daemon runs, personal routes answer `503` with `Retry-After` (never a
//! 500, never a half-written record), search keeps serving, and the daemon
//! recovers by itself once the fault is gone — with every acknowledged
//! write intact. A daemon started on a read-only database refuses to start
//! and says why. (A disk cannot be made read-only under a process that has
//! files open on it for writing; the kernel does that only on I/O errors.)

use crate::centre_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use centre_support::{ALICE, CentreDaemon, call, login};
use reqwest::Method;
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use yuesou::server::ConfigLayer;

/// A TCP proxy in front of PostgreSQL that can be cut: while down, its port
/// refuses connections and every proxied connection is reset — what the
/// daemon sees when the database server stops or the network to it fails.
struct Proxy {
    addr: std::net::SocketAddr,
    up: watch::Sender<bool>,
}

impl Proxy {
    async fn start(upstream: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (up, _) = watch::channel(true);
        let state = up.clone();
        tokio::spawn(async move {
            let mut listener = Some(listener);
            let mut changes = state.subscribe();
            loop {
                match listener.take() {
                    Some(l) => {
                        tokio::select! {
                            accepted = l.accept() => {
                                listener = Some(l);
                                let Ok((client, _)) = accepted else { continue };
                                tokio::spawn(pipe(client, upstream.clone(), state.subscribe()));
                            }
                            _ = changes.changed() => {
                                // Down: the port closes (drop the listener).
                                if *changes.borrow() { listener = Some(l); }
                            }
                        }
                    }
                    None => {
                        if changes.changed().await.is_err() {
                            return;
                        }
                        if *changes.borrow() {
                            listener = Some(TcpListener::bind(addr).await.unwrap());
                        }
                    }
                }
            }
        });
        Proxy { addr, up }
    }

    fn set(&self, up: bool) {
        self.up.send_replace(up);
    }
}

async fn pipe(mut client: TcpStream, upstream: String, mut up: watch::Receiver<bool>) {
    let Ok(mut server) = TcpStream::connect(&upstream).await else {
        return;
    };
    tokio::select! {
        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
        // Both ends are closed under the daemon's connection.
        _ = up.wait_for(|up| !*up) => {}
    }
}

/// The `host:port` of a `postgres://user@host:port/db…` URL.
fn host_port(url: &str) -> &str {
    let at = url.find('@').map(|i| i + 1).unwrap_or("postgres://".len());
    let end = at + url[at..].find('/').unwrap();
    &url[at..end]
}

async fn feedback(
    d: &CentreDaemon,
    token: &str,
    content: &str,
) -> (u16, Value, reqwest::header::HeaderMap) {
    call(
        Method::POST,
        d.url("/api/v1/me/feedback"),
        Some(token),
        Some(json!({"kind": "complaint", "title": "故障", "content": content})),
    )
    .await
}

fn assert_unavailable(what: &str, answer: &(u16, Value, reqwest::header::HeaderMap)) {
    assert_eq!(answer.0, 503, "{what}: {}", answer.1);
    assert!(
        answer.1["type"]
            .as_str()
            .unwrap_or("")
            .ends_with("/unavailable"),
        "{what}: {}",
        answer.1
    );
    let retry: u32 = answer
        .2
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{what}: no Retry-After"));
    assert!((1..=60).contains(&retry), "{what}: Retry-After {retry}");
}

/// The writers here send more feedback than a person may in an hour.
fn many_writes() -> ConfigLayer {
    ConfigLayer {
        feedback_per_hour: Some(1_000_000),
        ..ConfigLayer::default()
    }
}

async fn search_ok(d: &CentreDaemon, token: Option<&str>) {
    let (status, body, _) = call(
        Method::GET,
        d.url("/api/v1/search?q=%E5%85%AC%E7%A7%AF%E9%87%91%E6%8F%90%E5%8F%96"),
        token,
        None,
    )
    .await;
    assert_eq!(status, 200, "search while the database is away: {body}");
    assert!(!body["hits"].as_array().unwrap().is_empty());
}

/// Stored feedback contents of the person.
async fn stored(d: &CentreDaemon, token: &str) -> Vec<String> {
    let (status, list, _) =
        call(Method::GET, d.url("/api/v1/me/feedback"), Some(token), None).await;
    assert_eq!(status, 200, "{list}");
    list.as_array()
        .unwrap()
        .iter()
        .map(|f| f["content"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_away_gives_503_with_retry_after_and_search_keeps_serving() {
    let Some(url) = yuesou::centre::testing::postgres_schema().await else {
        return;
    };
    let proxy = Proxy::start(host_port(&url).to_string()).await;
    let proxied = url.replacen(host_port(&url), &proxy.addr.to_string(), 1);
    let d = centre_support::start_with(Some(proxied), "postgres", many_writes()).await;
    let token = login(&d, ALICE).await;
    let (status, _, _) = feedback(&d, &token, "数据库停机前").await;
    assert_eq!(status, 201);

    // Clients keep writing through the outage; what was acknowledged is kept.
    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let failures = Arc::new(AtomicUsize::new(0));
    let writer = {
        let (base, token) = (d.base.clone(), token.clone());
        let (stop, acked, failures) = (stop.clone(), acked.clone(), failures.clone());
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let content = format!("停机期间第 {i} 条");
                let response = client
                    .post(format!("{base}/api/v1/me/feedback"))
                    .bearer_auth(&token)
                    .json(&json!({"kind": "complaint", "title": "故障", "content": content}))
                    .send()
                    .await
                    .unwrap();
                match response.status().as_u16() {
                    201 => acked.lock().unwrap().push(content),
                    503 => {
                        failures.fetch_add(1, Ordering::Relaxed);
                    }
                    other => panic!("a write during the outage answered {other}"),
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;

    proxy.set(false);
    // Personal routes: 503 with Retry-After, reads and writes alike.
    let mut seen_503 = false;
    let deadline = Instant::now() + Duration::from_secs(30);
    while !seen_503 && Instant::now() < deadline {
        let answer = call(Method::GET, d.url("/api/v1/me/profile"), Some(&token), None).await;
        if answer.0 == 503 {
            assert_unavailable("profile while the database is away", &answer);
            seen_503 = true;
        } else {
            assert_eq!(answer.0, 200, "{}", answer.1);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    assert!(
        seen_503,
        "personal routes never noticed the database was away"
    );
    assert_unavailable(
        "a write while the database is away",
        &feedback(&d, &token, "停机中").await,
    );
    // Search, with or without a session, suggestions and health keep
    // serving — and a search with a session never waits on the database
    // (it goes on as anonymous after a short deadline: 10 searches well
    // within the 1.4 s that one used to take).
    let started = Instant::now();
    for _ in 0..10 {
        search_ok(&d, Some(&token)).await;
    }
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(5),
        "10 logged-in searches took {elapsed:?} while the database was away"
    );
    for _ in 0..5 {
        search_ok(&d, None).await;
    }
    let (status, _, _) = call(Method::GET, d.url("/api/v1/suggest?q=gjj"), None, None).await;
    assert_eq!(status, 200);
    let (status, _, _) = call(Method::GET, d.url("/healthz"), None, None).await;
    assert_eq!(status, 200);
    tokio::time::sleep(Duration::from_secs(2)).await;

    // Back: recovery without a restart.
    proxy.set(true);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let answer = call(Method::GET, d.url("/api/v1/me/profile"), Some(&token), None).await;
        if answer.0 == 200 {
            break;
        }
        assert_eq!(answer.0, 503, "{}", answer.1);
        assert!(
            Instant::now() < deadline,
            "no recovery after the database came back"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    writer.await.unwrap();
    assert!(
        failures.load(Ordering::Relaxed) > 0,
        "the writer never met the outage"
    );
    let (status, _, _) = feedback(&d, &token, "恢复之后").await;
    assert_eq!(status, 201);
    let kept = stored(&d, &token).await;
    for content in acked.lock().unwrap().iter() {
        assert!(kept.contains(content), "acknowledged {content} lost");
    }
    assert!(kept.iter().any(|c| c == "数据库停机前"));
    assert!(kept.iter().any(|c| c == "恢复之后"));
    // Nothing that was refused was stored.
    assert!(!kept.iter().any(|c| c == "停机中"));
}

/// A small tmpfs of our own for the database, or `None` (with the reason
/// printed) where this process may not mount one.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(megabytes: u32) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().unwrap();
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(dir.path())
            .stderr(std::process::Stdio::null())
            .status();
        if !status.is_ok_and(|s| s.success()) {
            println!(
                "SKIPPED: cannot mount a small tmpfs here (needs root): the full-disk and read-only cases did not run"
            );
            return None;
        }
        Some(SmallDisk { dir })
    }

    fn path(&self) -> &std::path::Path {
        self.dir.path()
    }

    fn try_remount(&self, option: &str) -> bool {
        std::process::Command::new("mount")
            .args(["-o", &format!("remount,{option}")])
            .arg(self.dir.path())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// Fills the disk up; the filler is removed by [`SmallDisk::free`].
    fn fill(&self) {
        use std::io::Write;
        let mut filler = std::fs::File::create(self.path().join("filler")).unwrap();
        let block = vec![0u8; 64 * 1024];
        while filler.write_all(&block).is_ok() {}
        let _ = filler.sync_all();
    }

    fn free(&self) {
        std::fs::remove_file(self.path().join("filler")).unwrap();
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(self.dir.path())
            .status();
    }
}

async fn integrity_ok(path: &std::path::Path) {
    let db = yuesou::centre::Db::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let (result,): (String,) = sqlx::query_as("PRAGMA integrity_check")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(result, "ok");
    db.close().await;
}

fn sqlite_url(path: &std::path::Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

/// A daemon whose database is the SQLite file `path`.
async fn on_sqlite_file(path: &std::path::Path) -> CentreDaemon {
    centre_support::start_with(Some(sqlite_url(path)), "sqlite", many_writes()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_or_read_only_database_refuses_writes_clearly_and_recovers() {
    let Some(disk) = SmallDisk::mount(16) else {
        return;
    };
    let db_path = disk.path().join("centre.db");
    let d = on_sqlite_file(&db_path).await;
    let token = login(&d, ALICE).await;
    assert_eq!(feedback(&d, &token, "磁盘满之前").await.0, 201);

    // Full disk: writes refused with 503, nothing half-stored; reads and
    // search go on. (SQLite first fills the space its write-ahead log
    // already holds, so it takes some writes to meet the wall.)
    disk.fill();
    let mut refused = 0;
    let mut accepted = Vec::new();
    for i in 0..500 {
        // Long texts: each needs fresh pages, so the wall comes soon.
        let content = format!("磁盘满时第 {i} 条{}", "长".repeat(1900));
        let answer = feedback(&d, &token, &content).await;
        if answer.0 == 201 {
            // A small write may still fit where a larger one did not.
            accepted.push(content);
            continue;
        }
        assert_unavailable("a write on a full disk", &answer);
        assert_eq!(
            answer.1["code"], "err-storage-full",
            "the reason is named: {}",
            answer.1
        );
        assert!(
            answer.1["detail"]
                .as_str()
                .unwrap_or("")
                .contains("存储空间不足"),
            "the reason is said in Chinese: {}",
            answer.1
        );
        refused += 1;
        if refused == 3 {
            break;
        }
    }
    // SQLite reuses pages it freed (rate-limit windows, its log), so some
    // writes still fit between refusals; each is one or the other, whole.
    assert!(
        refused >= 1,
        "a full disk refused nothing ({} accepted)",
        accepted.len()
    );
    search_ok(&d, Some(&token)).await;
    let (status, profile, _) =
        call(Method::GET, d.url("/api/v1/me/profile"), Some(&token), None).await;
    assert_eq!(status, 200, "reads go on with a full disk: {profile}");
    disk.free();
    assert_eq!(feedback(&d, &token, "磁盘腾出之后").await.0, 201);
    let kept = stored(&d, &token).await;
    assert!(kept.iter().any(|c| c == "磁盘满之前"));
    assert!(kept.iter().any(|c| c == "磁盘腾出之后"));
    // Exactly the acknowledged writes are stored (compared by their
    // numbers: the texts are long).
    let number = |c: &String| c.split(' ').nth(1).map(str::to_string);
    let mut stored_while_full: Vec<String> = kept
        .iter()
        .filter(|c| c.starts_with("磁盘满时"))
        .filter_map(number)
        .collect();
    stored_while_full.sort();
    let mut acknowledged: Vec<String> = accepted.iter().filter_map(number).collect();
    acknowledged.sort();
    assert_eq!(
        stored_while_full,
        acknowledged,
        "stored ({} in all) vs acknowledged",
        kept.len()
    );
    drop(d);
    let home = centre_support::copy_home();

    // Read-only: a daemon started on a read-only database refuses to start
    // with the reason, and changes nothing.
    let mut remounted = false;
    for _ in 0..100 {
        // Busy until the stopped daemon has closed the database.
        if disk.try_remount("ro") {
            remounted = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(remounted, "cannot remount read-only");
    let layer = ConfigLayer {
        database: Some(sqlite_url(&db_path)),
        watch: Some(false),
        ..ConfigLayer::default()
    };
    let daemon = centre_support::start_daemon(home.path(), layer).await;
    let result = tokio::time::timeout(Duration::from_secs(60), daemon.task)
        .await
        .expect("the daemon gives up")
        .unwrap();
    let error = result
        .expect_err("started on a read-only database")
        .to_string();
    assert!(
        error.to_lowercase().contains("read-only file system"),
        "{error}"
    );
    assert!(disk.try_remount("rw"));
    integrity_ok(&db_path).await;
    // Back to writable: everything is there and writes work.
    let d = on_sqlite_file(&db_path).await;
    let token = login(&d, ALICE).await;
    assert_eq!(feedback(&d, &token, "恢复可写之后").await.0, 201);
    let kept = stored(&d, &token).await;
    assert!(kept.iter().any(|c| c == "磁盘腾出之后"));
    assert!(kept.iter().any(|c| c == "恢复可写之后"));
    drop(d);
    tokio::time::sleep(Duration::from_millis(300)).await;
    integrity_ok(&db_path).await;
}
