//! The `yuesou` command: build the index, search from the shell, serve HTTP.
//!
//! `cli` holds the flags, `commands` what each subcommand does, `open` how
//! an engine is opened for a command, `render` how answers are printed.

mod cli;
mod commands;
mod open;
mod render;

use clap::Parser;
use yuesou::server::{Config, ConfigLayer, LogFormat};

use crate::cli::{Cli, Command};

/// The allocator the daemon ships with: mimalloc (issue 9 §2 — glibc's
/// malloc/free were a fifth of a search's instructions). Build with
/// `--features system-allocator` to measure the system allocator instead.
#[cfg(not(feature = "system-allocator"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
            // A password on the command line shows in `ps`.
            if let Some(url) = &args.database
                && yuesou::server::redact_url(url) != *url
                && std::env::var("YUESOU_DATABASE").ok().as_deref() != Some(url.as_str())
            {
                anyhow::bail!(
                    "a database URL with a password must come from YUESOU_DATABASE or a \
                     configuration file readable only by its owner, not from --database"
                );
            }
            let config = Config::resolve((*args).into_layer().over(globals).over(file))?;
            init_logging(&config.log, config.log_format);
            commands::serve(config)
        }
        command => {
            let config = Config::resolve(globals.over(file))?;
            init_logging(&config.log, config.log_format);
            let root = config.home.clone().unwrap_or_else(yuesou::bundled_root);
            commands::run(command, &root, &config)
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
