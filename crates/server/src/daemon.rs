//! The daemon's life cycle: listen at once (so `/healthz` answers and
//! `/readyz` honestly says "not yet"), load the engine, watch the files,
//! serve until told to stop, then drain requests in flight within a
//! deadline.

use std::future::Future;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use yuesou_core::EngineOptions;

use std::sync::Arc;

use crate::config::Config;
use crate::features::departments::{Departments, GatewayChoice};
use crate::reload::ReloadTrigger;
use crate::state::AppState;
use crate::watch::FileWatcher;

/// Why the daemon stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    /// The engine could not be loaded at start-up.
    #[error("cannot load the engine: {0}")]
    Load(String),
    /// Serving failed.
    #[error("server error: {0}")]
    Io(#[from] std::io::Error),
    /// A data file beside the engine's (life-stage rules, record kinds …)
    /// could not be loaded at start-up.
    #[error("cannot load {0}")]
    Data(String),
    /// The message files could not be loaded at start-up.
    #[error("cannot load the message files: {0}")]
    Messages(#[from] crate::i18n::LoadError),
    /// The personal centre's database could not be opened.
    #[error("cannot open the personal centre: {0}")]
    Centre(#[from] yuesou_centre::CentreError),
}

/// The `yuesou serve` daemon.
#[derive(Debug)]
pub struct Daemon {
    config: Config,
    options: EngineOptions,
}

impl Daemon {
    /// A daemon serving the engine `options` describe, as `config` says.
    pub fn new(config: Config, options: EngineOptions) -> Self {
        Daemon { config, options }
    }

    /// Serves on `listener` until `shutdown` completes (or the start-up load
    /// fails), then stops accepting connections and waits up to the
    /// configured shutdown timeout for requests in flight.
    pub async fn run(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), DaemonError> {
        let Daemon { config, options } = self;
        let messages = crate::i18n::MessageFiles::load(
            crate::centre_setup::data_root(&options).join("messages"),
        )?;
        let data_root = crate::centre_setup::data_root(&options);
        let gateway = match (&config.gateway, config.demo) {
            (Some(file), _) => GatewayChoice::Http(file.clone()),
            (None, true) => GatewayChoice::Development,
            (None, false) => GatewayChoice::None,
        };
        let departments = Arc::new(
            Departments::load(&data_root, gateway)
                .map_err(|e| DaemonError::Data(format!("the record data: {e}")))?,
        );
        let centre = crate::centre_setup::open(&config, &options).await?;
        let booking = Arc::new(
            crate::features::booking::BookingDesk::open(&centre, &data_root)
                .map_err(|e| DaemonError::Data(format!("the hall calendars: {e}")))?,
        );
        let payments = Arc::new(if config.demo {
            crate::features::payments::PaymentsDesk::development(&config.public_url)
                .map_err(|e| DaemonError::Data(format!("the development payment provider: {e}")))?
        } else {
            crate::features::payments::PaymentsDesk::none()
        });
        let local = listener.local_addr()?;
        let mut state = AppState::empty(&config)
            .with_messages(messages)
            .with_departments(departments.clone())
            .with_booking(booking.clone())
            .with_payments(payments.clone())
            .with_centre(centre.clone())
            .with_life_stages(
                crate::features::recommend::life_stage_file(Some(
                    crate::centre_setup::data_root(&options)
                        .join("recommend")
                        .join("life_stages.json"),
                ))
                .map_err(|e| DaemonError::Data(format!("the life-stage rules: {e}")))?,
            );
        let reloader = state.start_reloader(options.clone());
        let (stop, stopped) = watch::channel(false);
        let mut server = tokio::spawn(crate::serve(listener, state.clone(), async move {
            let mut stopped = stopped;
            let _ = stopped.wait_for(|s| *s).await;
        }));
        tokio::pin!(shutdown);

        let load = reloader.reload(ReloadTrigger::Startup, true);
        let report = tokio::select! {
            report = load => report,
            _ = &mut shutdown => {
                tracing::info!("shutdown requested while loading");
                return drain(stop, server, config.shutdown_timeout).await;
            }
        };
        match report {
            Some(r) if r.error.is_none() => {}
            failed => {
                let error = failed
                    .and_then(|r| r.error)
                    .unwrap_or_else(|| "the reload task stopped".into());
                let _ = drain(stop, server, config.shutdown_timeout).await;
                return Err(DaemonError::Load(error));
            }
        }

        if let Some(generation) = state.shared.slot.current()
            && let Err(e) =
                crate::centre_setup::demo(&centre, &config, &options, &generation.engine).await
        {
            let _ = drain(stop, server, config.shutdown_timeout).await;
            return Err(e.into());
        }
        if let Some(generation) = state.shared.slot.current() {
            payments.install(
                &centre,
                departments.clone(),
                crate::features::payments::item_infos(&generation.engine),
                &format!("http://{local}/api/v1/payments/notify/dev"),
                &config.public_url,
            );
        }
        let (stop_payments, payments_stopped) = watch::channel(false);
        let payments_task = tokio::spawn(payments.run(centre.clone(), payments_stopped));
        state.set_centre_ready();
        // 预约 reminders: delivered once, whichever replica claims them.
        let (stop_reminders, reminders_stopped) = watch::channel(false);
        let reminders_task = {
            let shared = state.shared.clone();
            let names: crate::features::booking::Names = Arc::new(move |key: &str| {
                let (item, hall) = key.split_once('\n')?;
                let generation = shared.slot.current()?;
                let title = generation.engine.item(item)?.title.clone();
                let hall = generation.engine.halls().iter().find(|h| h.id == hall)?;
                Some((title, format!("{}（{}）", hall.name, hall.address)))
            });
            let notifier = Arc::new(crate::features::booking::InboxNotifier::new(
                centre.clone(),
                names,
            ));
            let replica = format!("replica-{}", std::process::id());
            tokio::spawn(booking.run(notifier, replica, reminders_stopped))
        };
        // History and hot searches: written in batches until shutdown.
        let (stop_activity, activity_stopped) = watch::channel(false);
        let activity_task = state.activity().cloned().map(|activity| {
            let shared = state.shared.clone();
            tokio::spawn(activity.run(
                move || shared.slot.current().map(|g| g.engine.clone()),
                activity_stopped,
            ))
        });

        let watcher = if config.watch {
            match FileWatcher::start(&options.resources, config.reload_debounce, reloader.clone()) {
                Ok(w) => {
                    state.set_watching(w.dirs().iter().map(|d| d.display().to_string()).collect());
                    Some(w)
                }
                Err(e) => {
                    tracing::error!("cannot watch the data files; live reload is off: {e}");
                    None
                }
            }
        } else {
            None
        };
        drop(reloader);

        tokio::select! {
            _ = &mut shutdown => {}
            result = &mut server => {
                return match result {
                    Ok(r) => r.map_err(DaemonError::from),
                    Err(e) => Err(DaemonError::Io(std::io::Error::other(e))),
                };
            }
        }
        tracing::info!("shutting down: draining requests in flight");
        drop(watcher);
        let result = drain(stop, server, config.shutdown_timeout).await;
        let _ = stop_activity.send(true);
        if let Some(task) = activity_task {
            let _ = task.await;
        }
        let _ = stop_reminders.send(true);
        let _ = reminders_task.await;
        let _ = stop_payments.send(true);
        let _ = payments_task.await;
        centre.db().close().await;
        result
    }
}

async fn drain(
    stop: watch::Sender<bool>,
    mut server: tokio::task::JoinHandle<std::io::Result<()>>,
    deadline: Duration,
) -> Result<(), DaemonError> {
    let _ = stop.send(true);
    match tokio::time::timeout(deadline, &mut server).await {
        Ok(Ok(result)) => {
            tracing::info!("stopped");
            result.map_err(DaemonError::from)
        }
        Ok(Err(e)) => Err(DaemonError::Io(std::io::Error::other(e))),
        Err(_) => {
            tracing::warn!(
                deadline_ms = deadline.as_millis() as u64,
                "shutdown deadline passed; dropping the remaining connections"
            );
            server.abort();
            Ok(())
        }
    }
}
