//! `yuesou serve`: the daemon on a tokio runtime, until a signal.

use std::time::Duration;

use anyhow::Context;
use yuesou::server::Config;

use crate::open::engine_options;

/// Serves the HTTP API until SIGINT or SIGTERM.
pub fn serve(config: Config) -> anyhow::Result<()> {
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

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
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
