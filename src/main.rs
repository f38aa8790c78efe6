//! The `yuesou` command: build the index, search from the shell, serve HTTP.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use yuesou::{BuildProgress, Engine, EngineOptions, Filters, Resources, SearchRequest};

/// Yuesou (粤搜): search for government services.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// Where Yuesou keeps its files (the persisted index).
    #[arg(
        long,
        global = true,
        env = "YUESOU_DATA_DIR",
        default_value = "yuesou-data"
    )]
    data_dir: PathBuf,
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
    Serve(ServeArgs),
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

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "YUESOU_ADDR", default_value = "127.0.0.1:8700")]
    addr: SocketAddr,
    #[command(flatten)]
    catalogue: CatalogueArg,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let root = cli.home.clone().unwrap_or_else(yuesou::bundled_root);
    match cli.command {
        Command::Index {
            command: IndexCommand::Build(args),
        } => {
            let engine = open_engine(&root, &cli.data_dir, args.catalogue)?;
            println!(
                "{} index for {} items in {} ({})",
                if engine.reused_index() {
                    "reused"
                } else {
                    "built"
                },
                engine.catalogue().len(),
                cli.data_dir
                    .join("index")
                    .join(engine.fingerprint())
                    .display(),
                engine.fingerprint()
            );
        }
        Command::Search(args) => {
            let engine = open_engine(&root, &cli.data_dir, args.catalogue.catalogue.clone())?;
            search(&engine, args)?;
        }
        Command::Suggest { prefix, size } => {
            let engine = open_engine(&root, &cli.data_dir, None)?;
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
        Command::Serve(args) => {
            let engine = open_engine(&root, &cli.data_dir, args.catalogue.catalogue)?;
            let runtime = tokio::runtime::Runtime::new()?;
            runtime.block_on(serve(Arc::new(engine), args.addr))?;
        }
    }
    Ok(())
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
        "{} results{}",
        response.total,
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

async fn serve(engine: Arc<Engine>, addr: SocketAddr) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    tracing::info!(%addr, items = engine.catalogue().len(), "serving");
    yuesou::server::serve(
        listener,
        yuesou::server::AppState::new(engine),
        shutdown_signal(),
    )
    .await?;
    tracing::info!("stopped");
    Ok(())
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
