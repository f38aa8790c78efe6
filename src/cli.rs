//! The command line: clap's types for every subcommand and its flags, and
//! how they turn into a configuration layer or a search request.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::builder::BoolishValueParser;
use clap::{Args, Parser, Subcommand};
use yuesou::server::{ConfigLayer, LogFormat, SearchPool};
use yuesou::{Filters, LocationInput, SearchRequest};

/// Yuesou (粤搜): search for government services.
#[derive(Parser)]
#[command(version, about)]
pub struct Cli {
    /// TOML configuration file (settings below override it; see
    /// docs/OPERATIONS.md).
    #[arg(long, global = true, env = "YUESOU_CONFIG")]
    pub config: Option<PathBuf>,
    /// Where Yuesou keeps its files (the persisted index) [default:
    /// yuesou-data].
    #[arg(long, global = true, env = "YUESOU_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Directory holding the bundled `data/` and `dictionaries/` (default:
    /// the current directory if it has them, else the source tree).
    #[arg(long, global = true, env = "YUESOU_HOME")]
    pub home: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
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
    /// Serve the HTTP API. Secrets come from the environment or the
    /// configuration file (mode 0600), never from flags:
    /// YUESOU_ADMIN_TOKEN, YUESOU_OPERATOR_TOKEN, YUESOU_CENTRE_SECRET, and YUESOU_DATABASE when
    /// the URL holds a password.
    Serve(Box<ServeArgs>),
}

#[derive(Subcommand)]
pub enum IndexCommand {
    /// Validate the data and build (or reuse) the persisted index.
    Build(CatalogueArg),
}

#[derive(Args)]
pub struct CatalogueArg {
    /// Index this JSON Lines catalogue instead of the bundled one.
    #[arg(long, env = "YUESOU_CATALOGUE")]
    pub catalogue: Option<PathBuf>,
}

#[derive(Args)]
pub struct SearchArgs {
    /// What to look for.
    pub query: String,
    /// Print the full response as JSON.
    #[arg(long)]
    pub json: bool,
    /// Show every score factor.
    #[arg(long)]
    pub explain: bool,
    /// Search exactly as typed: no pinyin reading, no typo correction.
    #[arg(long)]
    pub as_typed: bool,
    /// Every matching item, not one hit per service.
    #[arg(long)]
    pub no_collapse: bool,
    /// 分类 filter.
    #[arg(long)]
    pub category: Option<String>,
    /// 主题 filter.
    #[arg(long)]
    pub theme: Option<String>,
    /// 实施部门 filter.
    #[arg(long)]
    pub department: Option<String>,
    /// Region filter (code or name).
    #[arg(long)]
    pub region: Option<String>,
    /// 服务对象 filter (自然人 / 法人).
    #[arg(long)]
    pub audience: Option<String>,
    /// 事项类型 filter (查询 / 办理 / 预约 / 缴费 / 证明).
    #[arg(long)]
    pub service_type: Option<String>,
    /// Only online (true) or offline-only (false) services.
    #[arg(long)]
    pub online: Option<bool>,
    /// The searcher's latitude (WGS-84, with --lng).
    #[arg(
        long,
        requires = "lng",
        conflicts_with = "city",
        allow_hyphen_values = true
    )]
    pub lat: Option<f64>,
    /// The searcher's longitude (WGS-84, with --lat).
    #[arg(long, requires = "lat", allow_hyphen_values = true)]
    pub lng: Option<f64>,
    /// The searcher's city or district (code or name).
    #[arg(long)]
    pub city: Option<String>,
    /// Page number (from 1).
    #[arg(long, default_value_t = 1)]
    pub page: usize,
    /// Hits per page.
    #[arg(long, default_value_t = 10)]
    pub size: usize,
    #[command(flatten)]
    pub catalogue: CatalogueArg,
}

/// `yuesou serve` settings. Each is a flag and a `YUESOU_*` environment
/// variable (the flag wins), over the configuration file, over the default.
#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8700].
    #[arg(long, env = "YUESOU_ADDR")]
    pub addr: Option<SocketAddr>,
    #[command(flatten)]
    pub catalogue: CatalogueArg,
    /// Watch the data files and reload on change [default: true].
    #[arg(long, env = "YUESOU_WATCH", value_parser = BoolishValueParser::new())]
    pub watch: Option<bool>,
    /// Quiet time after the last file change before reloading, in ms
    /// [default: 300].
    #[arg(long, env = "YUESOU_RELOAD_DEBOUNCE_MS")]
    pub reload_debounce_ms: Option<u64>,
    /// CORS allowed origins, comma-separated (`*` for any) [default: none,
    /// no CORS headers].
    #[arg(long, env = "YUESOU_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Option<Vec<String>>,
    /// Per-request timeout in ms [default: 5000].
    #[arg(long, env = "YUESOU_REQUEST_TIMEOUT_MS")]
    pub request_timeout_ms: Option<u64>,
    /// How long shutdown waits for requests in flight, in ms [default:
    /// 10000].
    #[arg(long, env = "YUESOU_SHUTDOWN_TIMEOUT_MS")]
    pub shutdown_timeout_ms: Option<u64>,
    /// Response cache budget in MiB; 0 disables it [default: 64].
    #[arg(long, env = "YUESOU_CACHE_MB")]
    pub cache_mb: Option<u64>,
    /// Largest accepted request body in bytes [default: 65536].
    #[arg(long, env = "YUESOU_MAX_BODY_BYTES")]
    pub max_body_bytes: Option<usize>,
    /// Where searches run: `inline` on the async workers or `blocking` on
    /// the blocking pool [default: inline].
    #[arg(long, env = "YUESOU_SEARCH_POOL")]
    pub search_pool: Option<SearchPool>,
    /// One log line per request [default: true].
    #[arg(long, env = "YUESOU_ACCESS_LOG", value_parser = BoolishValueParser::new())]
    pub access_log: Option<bool>,
    /// Log format: text or json [default: text].
    #[arg(long, env = "YUESOU_LOG_FORMAT")]
    pub log_format: Option<LogFormat>,
    /// Log filter, e.g. `info` or `yuesou_server=debug,info` [default:
    /// $RUST_LOG, else info].
    #[arg(long, env = "YUESOU_LOG")]
    pub log: Option<String>,
    /// Async worker threads [default: one per core].
    #[arg(long, env = "YUESOU_WORKERS")]
    pub workers: Option<usize>,
    /// The personal centre's database: `postgres://user@host/db` to share
    /// it between replicas, or `sqlite:///path/centre.db` [default: SQLite
    /// file `centre.db` under --data-dir]. Prefer the environment variable
    /// when the URL holds a password.
    #[arg(long, env = "YUESOU_DATABASE", hide_env_values = true)]
    pub database: Option<String>,
    /// Seed the demo accounts (13800000001 / 13800000002, password
    /// yuesou-demo) [default: true with the bundled catalogue, false with
    /// --catalogue]. `false` removes them.
    #[arg(long, env = "YUESOU_DEMO", value_parser = BoolishValueParser::new())]
    pub demo: Option<bool>,
    /// The public address people and verifiers reach the daemon at, e.g.
    /// `https://gd.example` (the wallet's status list and QR links start
    /// with it) [default: http://<addr>].
    #[arg(long, env = "YUESOU_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// The department gateways' configuration file (TOML; the signed HTTP
    /// contract of docs/INTEGRATION.md) [default: the development gateway
    /// with demo data, else none].
    #[arg(long, env = "YUESOU_GATEWAY")]
    pub gateway: Option<PathBuf>,
    /// Where uploaded materials are kept: a directory or `s3://bucket/prefix`
    /// (credentials from AWS_* variables) [default: <data-dir>/objects].
    #[arg(long, env = "YUESOU_OBJECTS")]
    pub objects: Option<String>,
    /// The largest material file a person may upload, in bytes [default:
    /// 10485760 (10 MB)].
    #[arg(long, env = "YUESOU_MATERIAL_MAX_BYTES")]
    pub material_max_bytes: Option<u64>,
    /// The most bytes of one application's materials [default: 52428800
    /// (50 MB)].
    #[arg(long, env = "YUESOU_MATERIAL_QUOTA_BYTES")]
    pub material_quota_bytes: Option<u64>,
}

/// A secret from the environment (the tokens have no flags).
fn secret_from_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl ServeArgs {
    /// The flag-and-environment layer of the configuration. The admin and
    /// operator tokens come from `YUESOU_ADMIN_TOKEN` and
    /// `YUESOU_OPERATOR_TOKEN` (or the configuration file), never from
    /// flags.
    pub fn into_layer(self) -> ConfigLayer {
        ConfigLayer {
            addr: self.addr,
            home: None,
            data_dir: None,
            catalogue: self.catalogue.catalogue,
            watch: self.watch,
            reload_debounce_ms: self.reload_debounce_ms,
            // Secrets never come from flags (they show in `ps`): the
            // environment or a configuration file only readable by its
            // owner.
            admin_token: secret_from_env("YUESOU_ADMIN_TOKEN"),
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
            operator_token: secret_from_env("YUESOU_OPERATOR_TOKEN"),
            centre_secret: secret_from_env("YUESOU_CENTRE_SECRET"),
            public_url: self.public_url,
            gateway: self.gateway,
            objects: self.objects,
            material_max_bytes: self.material_max_bytes,
            material_quota_bytes: self.material_quota_bytes,
            // Hot-search tuning and proxy trust: configuration file only.
            ..ConfigLayer::default()
        }
    }
}

impl SearchArgs {
    /// The search request these arguments describe.
    pub fn request(&self) -> SearchRequest {
        SearchRequest {
            query: self.query.clone(),
            filters: Filters {
                category: self.category.clone(),
                theme: self.theme.clone(),
                department: self.department.clone(),
                region: self.region.clone(),
                audience: self.audience.clone(),
                service_type: self.service_type.clone(),
                online: self.online,
            },
            page: self.page,
            size: self.size,
            explain: self.explain,
            correct: !self.as_typed,
            location: match (self.lat, self.lng, &self.city) {
                (Some(lat), Some(lng), _) => Some(LocationInput::Position { lat, lng }),
                (_, _, Some(city)) => Some(LocationInput::Region(city.clone())),
                _ => None,
            },
            collapse: !self.no_collapse,
        }
    }
}
