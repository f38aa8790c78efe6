//! The accept loop: HTTP/1.1 and HTTP/2 connections served by hyper with
//! the router, graceful shutdown, and header limits that end in a problem
//! document.
//!
//! axum's own `serve` leaves hyper's header buffer at its default (~400
//! KiB), past which hyper answers `431` with an empty body before any of
//! our code runs. Here the buffer holds up to [`HEADER_BUFFER_BYTES`], so
//! the middleware sees oversized headers and answers `431
//! request-header-fields-too-large` as `application/problem+json`; only a
//! request whose headers exceed the buffer itself still gets hyper's bare
//! answer.

use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tower::ServiceExt;

use crate::state::AppState;

/// hyper's read buffer per connection: the largest request head it parses.
pub const HEADER_BUFFER_BYTES: usize = 2 * 1024 * 1024;
/// Header bytes a request may carry (larger: 431 problem).
pub const MAX_HEADER_BYTES: usize = 64 * 1024;

/// Serves the router on `listener` until `shutdown` completes, then stops
/// accepting connections and waits for requests in flight (without a
/// deadline; [`crate::Daemon`] adds one).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let router = crate::router(state);
    let mut builder = Builder::new(TokioExecutor::new());
    builder.http1().max_buf_size(HEADER_BUFFER_BYTES);
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment
                    // instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = router.clone().map_request(
            move |mut request: axum::http::Request<hyper::body::Incoming>| {
                request
                    .extensions_mut()
                    .insert(ConnectInfo::<SocketAddr>(peer));
                request
            },
        );
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), TowerToHyperService::new(service))
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}
