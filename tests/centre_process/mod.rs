//! The real `yuesou serve` binary as a child process: started on a free
//! port over a data directory (and optionally PostgreSQL), killed with
//! SIGKILL, restarted on the same files, its log kept in a file.
//!
//! The binary is the one cargo built for the tests, or `$YUESOU_BIN` when
//! set (CI runs the attack suite against a release build that way).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The operator token the children are started with.
pub const OPERATOR: &str = "test-operator-token-0123456789";
/// The centre secret the children are started with: every daemon sharing
/// a database must have the same.
pub const CENTRE_SECRET: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// A running daemon process.
pub struct Daemon {
    child: Child,
    pub base: String,
}

impl Daemon {
    /// Starts `yuesou serve` over `data_dir`, appending its output to `log`.
    pub async fn start(
        data_dir: &Path,
        database: Option<&str>,
        log: &Path,
        extra: &[&str],
    ) -> Daemon {
        Daemon::start_in(&yuesou::bundled_root(), data_dir, database, log, extra).await
    }

    /// Like [`Daemon::start`], with `home`'s `data/` and `dictionaries/`
    /// instead of the bundled ones.
    pub async fn start_in(
        home: &Path,
        data_dir: &Path,
        database: Option<&str>,
        log: &Path,
        extra: &[&str],
    ) -> Daemon {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .unwrap();
        let mut command = Command::new(binary());
        command
            .arg("--data-dir")
            .arg(data_dir)
            .args([
                "serve",
                "--addr",
                &format!("127.0.0.1:{port}"),
                "--watch",
                "false",
            ])
            .args(extra)
            .env("YUESOU_HOME", home)
            .env("YUESOU_OPERATOR_TOKEN", OPERATOR)
            .env("YUESOU_CENTRE_SECRET", CENTRE_SECRET)
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out);
        if let Some(url) = database {
            command.env("YUESOU_DATABASE", url);
        }
        let child = command.spawn().expect("start yuesou");
        let daemon = Daemon {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        daemon.wait_ready().await;
        daemon
    }

    async fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(180);
        while Instant::now() < deadline {
            if let Ok(r) = reqwest::get(format!("{}/readyz", self.base)).await
                && r.status().is_success()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{} did not become ready", self.base);
    }

    /// SIGKILL: no shutdown, no flush, no goodbye.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM and wait (a clean stop).
    pub fn stop(mut self) {
        #[cfg(unix)]
        {
            let _ = Command::new("kill")
                .args(["-TERM", &self.child.id().to_string()])
                .status();
        }
        let _ = self.child.wait();
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The daemon binary: `$YUESOU_BIN`, else the one built for the tests.
pub fn binary() -> PathBuf {
    std::env::var_os("YUESOU_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_yuesou")))
}

impl Daemon {
    /// The child's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The child's peak resident memory so far (`VmHWM`), in KiB.
    pub fn peak_rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).ok()?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    }
}

/// The backends to run on: `(label, database URL)`; PostgreSQL when
/// reachable.
pub async fn backends() -> Vec<(&'static str, Option<String>)> {
    let mut out = vec![("sqlite", None)];
    if let Some(url) = yuesou::centre::testing::postgres_schema().await {
        out.push(("postgres", Some(url)));
    }
    out
}

/// A temporary directory for one run, with the log file's path.
pub fn workdir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("daemon.log");
    (dir, log)
}

/// A JSON request to a child daemon with an optional bearer token and
/// `Idempotency-Key`: the status and the JSON body (Null when there is
/// none); `Err` when no answer came (a killed daemon).
pub async fn request(
    method: reqwest::Method,
    url: &str,
    token: Option<&str>,
    key: Option<&str>,
    body: Option<serde_json::Value>,
) -> Result<(u16, serde_json::Value), reqwest::Error> {
    let mut request = reqwest::Client::new().request(method, url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await?;
    let status = response.status().as_u16();
    Ok((
        status,
        response.json().await.unwrap_or(serde_json::Value::Null),
    ))
}
