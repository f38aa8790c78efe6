//! Reference departments for trying (and load-testing) the daemon's HTTP
//! gateway on one machine: one [`ReferenceServer`] per department given,
//! each answering from a development gateway over the repository's
//! `data/`, verifying every request's signature, optionally slow.
//!
//! ```text
//! cargo run --release -p yuesou-gateway --example reference_department -- \
//!     --config /tmp/gw/gateway.toml --slow gat=2000 \
//!     gjj=广州住房公积金管理中心 gat=广东省公安厅交通管理局
//! yuesou serve --gateway /tmp/gw/gateway.toml
//! ```
//!
//! Each department is `CODE=NAME[,NAME…]`: the code the platform's
//! metrics show and the department names the catalogue's items use. The
//! example generates a signing key per department (`CODE.key` beside the
//! configuration, mode 0600), registers its public half (or the shared
//! secret, with `--algorithm hmac-sha256`) with that department's server,
//! and writes the gateway configuration of docs/INTEGRATION.md § 2.2 for
//! the daemon — written aside and renamed into place once every server
//! listens, so a script can wait for the file. It prints the base URLs,
//! runs until interrupted (Ctrl-C or SIGTERM), then prints how many
//! requests each department answered and how many it refused.
//!
//! Options: `--config PATH` (required), `--data DIR` (default the
//! repository's `data/`), `--algorithm ed25519|hmac-sha256` (default
//! ed25519), `--slow CODE=MS` (a delay before every answer; repeatable),
//! `--timeout-ms MS` and `--max-concurrency N` (written into every
//! department's configuration; defaults as documented: 5000 and 16).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use yuesou_gateway::DevGateway;
use yuesou_gateway::signing::{SigningKey, Verifier};
use yuesou_gateway::testing::ReferenceServer;

/// The key id the platform signs with.
const KEY_ID: &str = "yuesou-reference-1";

/// Nonces each server remembers: a load test sends millions of requests
/// within the five-minute replay window.
const MAX_NONCES: usize = 20_000_000;

struct Department {
    code: String,
    names: Vec<String>,
    delay_ms: u64,
}

struct Options {
    config: PathBuf,
    data: PathBuf,
    hmac: bool,
    timeout_ms: u64,
    max_concurrency: u32,
    departments: Vec<Department>,
}

const USAGE: &str = "usage: reference_department --config PATH [--data DIR] \
[--algorithm ed25519|hmac-sha256] [--slow CODE=MS]... [--timeout-ms MS] [--max-concurrency N] \
CODE=NAME[,NAME...]...";

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut config = None;
    let mut data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data");
    let mut hmac = false;
    let mut timeout_ms = 5000;
    let mut max_concurrency = 16;
    let mut slow: BTreeMap<String, u64> = BTreeMap::new();
    let mut departments = Vec::new();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--config" => config = Some(PathBuf::from(value("--config")?)),
            "--data" => data = PathBuf::from(value("--data")?),
            "--algorithm" => {
                hmac = match value("--algorithm")?.as_str() {
                    "ed25519" => false,
                    "hmac-sha256" => true,
                    other => return Err(format!("unknown algorithm {other}")),
                }
            }
            "--slow" => {
                let v = value("--slow")?;
                let (code, ms) = v.split_once('=').ok_or("--slow takes CODE=MS")?;
                let ms = ms
                    .parse()
                    .map_err(|_| format!("--slow {v}: MS is a number"))?;
                slow.insert(code.to_owned(), ms);
            }
            "--timeout-ms" => {
                timeout_ms = value("--timeout-ms")?
                    .parse()
                    .map_err(|_| "--timeout-ms is a number")?
            }
            "--max-concurrency" => {
                max_concurrency = value("--max-concurrency")?
                    .parse()
                    .map_err(|_| "--max-concurrency is a number")?
            }
            "-h" | "--help" => return Err(USAGE.to_owned()),
            flag if flag.starts_with('-') => return Err(format!("unknown option {flag}")),
            spec => {
                let (code, names) = spec
                    .split_once('=')
                    .ok_or(format!("{spec}: a department is CODE=NAME[,NAME…]"))?;
                let code_ok = !code.is_empty()
                    && code.len() <= 40
                    && code
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
                if !code_ok {
                    return Err(format!(
                        "{code}: a code is lower-case letters, digits and _"
                    ));
                }
                let names: Vec<String> = names
                    .split(',')
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned)
                    .collect();
                if names.is_empty() {
                    return Err(format!("{code}: give at least one department name"));
                }
                departments.push(Department {
                    code: code.to_owned(),
                    names,
                    delay_ms: 0,
                });
            }
        }
    }
    let config = config.ok_or("--config is required")?;
    if departments.is_empty() {
        return Err("give at least one department (CODE=NAME)".into());
    }
    for (code, ms) in slow {
        let department = departments
            .iter_mut()
            .find(|d| d.code == code)
            .ok_or(format!("--slow {code}: no such department"))?;
        department.delay_ms = ms;
    }
    Ok(Options {
        config,
        data,
        hmac,
        timeout_ms,
        max_concurrency,
        departments,
    })
}

/// A TOML basic string.
fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Writes `text` to `path` readable by its owner only.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    use std::io::Write as _;
    options.open(path)?.write_all(text.as_bytes())
}

/// A fresh key: the base64 text the configuration file holds, and the key.
fn fresh_key(hmac: bool) -> Result<(String, SigningKey), String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| format!("no system randomness: {e}"))?;
    let text = STANDARD.encode(bytes);
    let key = if hmac {
        SigningKey::hmac_sha256_from_base64(&text).map_err(|e| e.0.to_owned())?
    } else {
        SigningKey::ed25519_from_seed(&bytes)
    };
    Ok((text, key))
}

async fn run(options: Options) -> Result<(), String> {
    let dev = DevGateway::from_data_dir(&options.data)
        .map_err(|e| format!("{}: {e}", options.data.display()))?;
    let dev = Arc::new(dev);
    let dir = options
        .config
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let algorithm = if options.hmac {
        "hmac-sha256"
    } else {
        "ed25519"
    };
    let mut toml = String::from(
        "# Written by the reference_department example: departments on loopback,\n\
         # answering from the development gateway (docs/INTEGRATION.md § 2.2).\n\
         [client]\nconnect_timeout_ms = 2000\npool_idle_timeout_ms = 90000\n",
    );
    let mut servers = Vec::new();
    for department in &options.departments {
        let (text, key) = fresh_key(options.hmac)?;
        let key_file = dir.join(format!("{}.key", department.code));
        write_private(&key_file, &text).map_err(|e| format!("{}: {e}", key_file.display()))?;
        let verifier = Verifier::new().with_max_nonces(MAX_NONCES);
        verifier.add_key(KEY_ID, key.verifying_key());
        let server = ReferenceServer::start(
            dev.clone(),
            Arc::new(verifier),
            &department.names[0],
            &format!("/{}/", department.code),
        )
        .await
        .map_err(|e| format!("{}: cannot listen: {e}", department.code))?;
        server
            .knobs()
            .set_delay(Duration::from_millis(department.delay_ms));
        let key_path = std::fs::canonicalize(&key_file).unwrap_or(key_file);
        let names: Vec<String> = department.names.iter().map(|n| quoted(n)).collect();
        toml.push_str(&format!(
            "\n[departments.{code}]\nnames = [{names}]\nbase_url = {url}\nkey_id = {key_id}\n\
             algorithm = {algorithm}\nsigning_key_file = {key_file}\ntimeout_ms = {timeout}\n\
             max_concurrency = {concurrency}\nqueue_timeout_ms = 250\nretries = 2\n\
             backoff_base_ms = 100\nbackoff_max_ms = 2000\nmax_response_bytes = 2097152\n",
            code = department.code,
            names = names.join(", "),
            url = quoted(&server.base_url()),
            key_id = quoted(KEY_ID),
            algorithm = quoted(algorithm),
            key_file = quoted(&key_path.display().to_string()),
            timeout = options.timeout_ms,
            concurrency = options.max_concurrency,
        ));
        println!(
            "{code} {url} delay_ms={delay} names={names}",
            code = department.code,
            url = server.base_url(),
            delay = department.delay_ms,
            names = department.names.join(","),
        );
        servers.push((department.code.clone(), server));
    }
    let aside = options.config.with_extension("toml.new");
    write_private(&aside, &toml).map_err(|e| format!("{}: {e}", aside.display()))?;
    std::fs::rename(&aside, &options.config)
        .map_err(|e| format!("{}: {e}", options.config.display()))?;
    println!("config {}", options.config.display());

    stopped().await;
    for (code, server) in &servers {
        let requests = server.requests();
        let refused = requests.iter().filter(|r| r.refused.is_some()).count();
        let failed = requests.iter().filter(|r| r.status >= 400).count();
        println!(
            "{code} requests={} refused_signatures={refused} error_statuses={failed}",
            requests.len()
        );
    }
    Ok(())
}

/// Ctrl-C, or SIGTERM on Unix.
async fn stopped() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}
