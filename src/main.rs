//! The `yuesou` command: build the index, search from the shell, serve HTTP.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use clap::builder::BoolishValueParser;
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use yuesou::server::{Config, ConfigLayer, LogFormat, SearchPool};
use yuesou::{BuildProgress, Engine, EngineOptions, Filters, Resources, SearchRequest};

/// Yuesou (粤搜): search for government services.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// TOML configuration file (settings below override it; see
    /// docs/OPERATIONS.md).
    #[arg(long, global = true, env = "YUESOU_CONFIG")]
    config: Option<PathBuf>,
    /// Where Yuesou keeps its files (the persisted index) [default:
    /// yuesou-data].
    #[arg(long, global = true, env = "YUESOU_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Directory holding the bundled `data/` and `dictionaries/` (default:
    /// the current directory if it has them, else the source tree).
    #[arg(long, global = true, env = "YUESOU_HOME")]
    home: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Manage the search index.
    Index {
        #[command(subcommand)]
        command: IndexCommand,
    },
    /// Search from the command line.
    Search(Box<SearchArgs>),
    /// Autocomplete a prefix (Chinese, pinyin, initials or mixed).
    Suggest {
        /// The prefix typed so far.
        prefix: String,
        /// How many suggestions.
        #[arg(long, default_value_t = 10)]
        size: usize,
    },
    /// Serve the HTTP API.
    Serve(Box<ServeArgs>),
}

#[derive(Subcommand)]
enum IndexCommand {
    /// Validate the data and build (or reuse) the persisted index.
    Build(CatalogueArg),
}

#[derive(Args)]
struct CatalogueArg {
    /// Index this JSON Lines catalogue instead of the bundled one.
    #[arg(long, env = "YUESOU_CATALOGUE")]
    catalogue: Option<PathBuf>,
}

#[derive(Args)]
struct SearchArgs {
    /// What to look for.
    query: String,
    /// Print the full response as JSON.
    #[arg(long)]
    json: bool,
    /// Show every score factor.
    #[arg(long)]
    explain: bool,
    /// Search exactly as typed: no pinyin reading, no typo correction.
    #[arg(long)]
    as_typed: bool,
    /// Every matching item, not one hit per service.
    #[arg(long)]
    no_collapse: bool,
    /// 分类 filter.
    #[arg(long)]
    category: Option<String>,
    /// 主题 filter.
    #[arg(long)]
    theme: Option<String>,
    /// 实施部门 filter.
    #[arg(long)]
    department: Option<String>,
    /// Region filter (code or name).
    #[arg(long)]
    region: Option<String>,
    /// 服务对象 filter (自然人 / 法人).
    #[arg(long)]
    audience: Option<String>,
    /// 事项类型 filter (查询 / 办理 / 预约 / 缴费 / 证明).
    #[arg(long)]
    service_type: Option<String>,
    /// Only online (true) or offline-only (false) services.
    #[arg(long)]
    online: Option<bool>,
    /// The searcher's latitude (WGS-84, with --lng).
    #[arg(
        long,
        requires = "lng",
        conflicts_with = "city",
        allow_hyphen_values = true
    )]
    lat: Option<f64>,
    /// The searcher's longitude (WGS-84, with --lat).
    #[arg(long, requires = "lat", allow_hyphen_values = true)]
    lng: Option<f64>,
    /// The searcher's city or district (code or name).
    #[arg(long)]
    city: Option<String>,
    /// Page number (from 1).
    #[arg(long, default_value_t = 1)]
    page: usize,
    /// Hits per page.
    #[arg(long, default_value_t = 10)]
    size: usize,
    #[command(flatten)]
    catalogue: CatalogueArg,
}

/// `yuesou serve` settings. Each is a flag and a `YUESOU_*` environment
/// variable (the flag wins), over the configuration file, over the default.
#[derive(Args)]
struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8700].
    #[arg(long, env = "YUESOU_ADDR")]
    addr: Option<SocketAddr>,
    #[command(flatten)]
    catalogue: CatalogueArg,
    /// Watch the data files and reload on change [default: true].
    #[arg(long, env = "YUESOU_WATCH", value_parser = BoolishValueParser::new())]
    watch: Option<bool>,
    /// Quiet time after the last file change before reloading, in ms
    /// [default: 300].
    #[arg(long, env = "YUESOU_RELOAD_DEBOUNCE_MS")]
    reload_debounce_ms: Option<u64>,
    /// Bearer token of /api/v1/admin/* (≥ 16 characters; unset disables
    /// them). Prefer the environment variable: flags show in `ps`.
    #[arg(long, env = "YUESOU_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: Option<String>,
    /// CORS allowed origins, comma-separated (`*` for any) [default: none,
    /// no CORS headers].
    #[arg(long, env = "YUESOU_CORS_ORIGINS", value_delimiter = ',')]
    cors_origins: Option<Vec<String>>,
    /// Per-request timeout in ms [default: 5000].
    #[arg(long, env = "YUESOU_REQUEST_TIMEOUT_MS")]
    request_timeout_ms: Option<u64>,
    /// How long shutdown waits for requests in flight, in ms [default:
    /// 10000].
    #[arg(long, env = "YUESOU_SHUTDOWN_TIMEOUT_MS")]
    shutdown_timeout_ms: Option<u64>,
    /// Response cache budget in MiB; 0 disables it [default: 64].
    #[arg(long, env = "YUESOU_CACHE_MB")]
    cache_mb: Option<u64>,
    /// Largest accepted request body in bytes [default: 65536].
    #[arg(long, env = "YUESOU_MAX_BODY_BYTES")]
    max_body_bytes: Option<usize>,
    /// Where searches run: `inline` on the async workers or `blocking` on
    /// the blocking pool [default: inline].
    #[arg(long, env = "YUESOU_SEARCH_POOL")]
    search_pool: Option<SearchPool>,
    /// One log line per request [default: true].
    #[arg(long, env = "YUESOU_ACCESS_LOG", value_parser = BoolishValueParser::new())]
    access_log: Option<bool>,
    /// Log format: text or json [default: text].
    #[arg(long, env = "YUESOU_LOG_FORMAT")]
    log_format: Option<LogFormat>,
    /// Log filter, e.g. `info` or `yuesou_server=debug,info` [default:
    /// $RUST_LOG, else info].
    #[arg(long, env = "YUESOU_LOG")]
    log: Option<String>,
    /// Async worker threads [default: one per core].
    #[arg(long, env = "YUESOU_WORKERS")]
    workers: Option<usize>,
    /// The personal centre's database: `postgres://user@host/db` to share
    /// it between replicas, or `sqlite:///path/centre.db` [default: SQLite
    /// file `centre.db` under --data-dir]. Prefer the environment variable
    /// when the URL holds a password.
    #[arg(long, env = "YUESOU_DATABASE", hide_env_values = true)]
    database: Option<String>,
    /// Seed the demo accounts (13800000001 / 13800000002, password
    /// yuesou-demo) [default: true with the bundled catalogue, false with
    /// --catalogue]. `false` removes them.
    #[arg(long, env = "YUESOU_DEMO", value_parser = BoolishValueParser::new())]
    demo: Option<bool>,
    /// Bearer token of /api/v1/operator/* (≥ 16 characters; unset disables
    /// them).
    #[arg(long, env = "YUESOU_OPERATOR_TOKEN", hide_env_values = true)]
    operator_token: Option<String>,
}

impl ServeArgs {
    /// The flag-and-environment layer of the configuration.
    fn into_layer(self) -> ConfigLayer {
        ConfigLayer {
            addr: self.addr,
            home: None,
            data_dir: None,
            catalogue: self.catalogue.catalogue,
            watch: self.watch,
            reload_debounce_ms: self.reload_debounce_ms,
            admin_token: self.admin_token,
            cors_origins: self.cors_origins,
            request_timeout_ms: self.request_timeout_ms,
            shutdown_timeout_ms: self.shutdown_timeout_ms,
            cache_mb: self.cache_mb,
            max_body_bytes: self.max_body_bytes,
            search_pool: self.search_pool,
            access_log: self.access_log,
            log_format: self.log_format,
            log: self.log,
            workers: self.workers,
            database: self.database,
            demo: self.demo,
            operator_token: self.operator_token,
            // Hot-search tuning and proxy trust: configuration file only.
            ..ConfigLayer::default()
        }
    }
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let file = match &cli.config {
        Some(path) => ConfigLayer::from_file(path)?,
        None => ConfigLayer::default(),
    };
    let globals = ConfigLayer {
        home: cli.home.clone(),
        data_dir: cli.data_dir.clone(),
        ..ConfigLayer::default()
    };
    match cli.command {
        Command::Serve(args) => {
            let config = Config::resolve((*args).into_layer().over(globals).over(file))?;
            init_logging(&config.log, config.log_format);
            serve(config)
        }
        command => {
            let config = Config::resolve(globals.over(file))?;
            init_logging(&config.log, config.log_format);
            let root = config.home.clone().unwrap_or_else(yuesou::bundled_root);
            run_command(command, &root, &config)
        }
    }
}

fn init_logging(filter: &str, format: LogFormat) {
    let filter = if filter == Config::default().log {
        tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(filter))
    } else {
        tracing_subscriber::EnvFilter::new(filter)
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().flatten_event(true).init(),
    }
}

fn run_command(command: Command, root: &Path, config: &Config) -> anyhow::Result<()> {
    let data_dir = &config.data_dir;
    let catalogue = |arg: Option<PathBuf>| arg.or_else(|| config.catalogue.clone());
    match command {
        Command::Index {
            command: IndexCommand::Build(args),
        } => {
            let engine = open_engine(root, data_dir, catalogue(args.catalogue))?;
            println!(
                "{} index for {} items in {} ({})",
                if engine.reused_index() {
                    "reused"
                } else {
                    "built"
                },
                engine.catalogue().len(),
                data_dir.join("index").join(engine.fingerprint()).display(),
                engine.fingerprint()
            );
        }
        Command::Search(args) => {
            let engine = open_engine(root, data_dir, catalogue(args.catalogue.catalogue.clone()))?;
            search(&engine, args)?;
        }
        Command::Suggest { prefix, size } => {
            let engine = open_engine(root, data_dir, catalogue(None))?;
            for s in engine.suggest(&prefix, size) {
                println!(
                    "{}\t{:?}\t{:?}\t{}",
                    s.text,
                    s.kind,
                    s.matched,
                    s.id.unwrap_or_default()
                );
            }
        }
        Command::Serve(_) => anyhow::bail!("serve is handled by main"),
    }
    Ok(())
}

/// The engine options of a configuration: the bundled layout under `home`
/// (or the operator's catalogue), the index persisted under `data_dir`.
fn engine_options(config: &Config) -> EngineOptions {
    let root = config.home.clone().unwrap_or_else(yuesou::bundled_root);
    let mut resources = Resources::bundled(&root);
    if let Some(catalogue) = &config.catalogue {
        resources = resources.with_catalogue(catalogue);
    }
    EngineOptions::new(resources).with_index_dir(config.data_dir.join("index"))
}

fn open_engine(
    root: &std::path::Path,
    data_dir: &std::path::Path,
    catalogue: Option<PathBuf>,
) -> anyhow::Result<Engine> {
    let mut resources = Resources::bundled(root);
    if let Some(catalogue) = catalogue {
        resources = resources.with_catalogue(catalogue);
    }
    let options = EngineOptions::new(resources).with_index_dir(data_dir.join("index"));
    let bar = ProgressBar::new_spinner();
    bar.enable_steady_tick(Duration::from_millis(120));
    bar.set_message("loading catalogue and dictionaries");
    let engine = Engine::open_with_progress(&options, &mut |p| match p {
        BuildProgress::Loading => {}
        BuildProgress::Indexing { done, total } => {
            if bar.length() != Some(total as u64) {
                bar.set_length(total as u64);
                bar.set_style(
                    ProgressStyle::with_template("indexing {bar:40} {pos}/{len} items ({eta})")
                        .unwrap_or_else(|_| ProgressStyle::default_bar()),
                );
            }
            bar.set_position(done as u64);
        }
        BuildProgress::Reused => bar.set_message("reusing the persisted index"),
        BuildProgress::Done => bar.finish_and_clear(),
    })
    .with_context(|| format!("cannot open the engine (data in {})", root.display()))?;
    bar.finish_and_clear();
    Ok(engine)
}

fn search(engine: &Engine, args: Box<SearchArgs>) -> anyhow::Result<()> {
    let request = SearchRequest {
        query: args.query,
        filters: Filters {
            category: args.category,
            theme: args.theme,
            department: args.department,
            region: args.region,
            audience: args.audience,
            service_type: args.service_type,
            online: args.online,
        },
        page: args.page,
        size: args.size,
        explain: args.explain,
        correct: !args.as_typed,
        location: match (args.lat, args.lng, args.city) {
            (Some(lat), Some(lng), _) => Some(yuesou::LocationInput::Position { lat, lng }),
            (_, _, Some(city)) => Some(yuesou::LocationInput::Region(city)),
            _ => None,
        },
        collapse: !args.no_collapse,
    };
    let response = engine.search(&request)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&response)?);
        return Ok(());
    }
    if let Some(c) = &response.correction {
        println!(
            "showing results for {:?} (typed {:?}; --as-typed searches it as typed)",
            c.corrected, c.original
        );
    }
    if let Some(location) = &response.location {
        println!(
            "location: {} ({:?}{})",
            location.name,
            location.source,
            if location.outside {
                ", outside Guangdong"
            } else {
                ""
            }
        );
    }
    if let Some(message) = &response.message {
        println!("{message}");
    }
    println!(
        "{} results ({} items){}",
        response.total,
        response.total_items,
        if response.relaxed {
            " (partial matches)"
        } else {
            ""
        }
    );
    for (n, hit) in response.hits.iter().enumerate() {
        println!(
            "{:>3}. {}  [{} / {}]  {}  {}  ({:.3})",
            (response.page - 1) * response.size + n + 1,
            hit.title,
            hit.category,
            hit.theme,
            hit.region_name,
            hit.id,
            hit.score
        );
        if hit.variant_count > 1 {
            println!("     {} 个地区可办", hit.variant_count);
        }
        if let Some(e) = &hit.explain {
            println!("     {}", serde_json::to_string(e)?);
        }
    }
    if !response.groups.is_empty() {
        let groups: Vec<String> = response
            .groups
            .iter()
            .map(|g| format!("{} {}", g.category, g.count))
            .collect();
        println!("by category: {}", groups.join(" · "));
    }
    Ok(())
}

fn serve(config: Config) -> anyhow::Result<()> {
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    runtime.enable_all();
    if let Some(workers) = config.workers {
        runtime.worker_threads(workers);
    }
    let runtime = runtime.build()?;
    let options = engine_options(&config);
    tracing::info!(?config, "starting");
    let result = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .with_context(|| format!("cannot listen on {}", config.addr))?;
        tracing::info!(addr = %config.addr, "listening; loading the engine");
        yuesou::server::Daemon::new(config, options)
            .run(listener, shutdown_signal())
            .await
            .map_err(anyhow::Error::from)
    });
    // Engine builds still running on the blocking pool are abandoned.
    runtime.shutdown_timeout(Duration::from_secs(1));
    result
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}
