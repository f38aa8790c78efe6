//! The daemon's life cycle: listen at once (so `/healthz` answers and
//! `/readyz` honestly says "not yet"), load the engine, watch the files,
//! serve until told to stop, then drain requests in flight within a
//! deadline.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use yuesou_centre::Centre;
use yuesou_core::EngineOptions;

use crate::config::Config;
use crate::features::booking::{BookingDesk, InboxNotifier};
use crate::features::departments::{Departments, GatewayChoice};
use crate::features::payments::PaymentsDesk;
use crate::reload::{ReloadTrigger, Reloader};
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
        let local = listener.local_addr()?;
        let features = Features::open(&config, &options).await?;
        let mut state = features.state(&config, &options)?;
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
        let loaded = match report {
            Some(r) if r.error.is_none() => {
                features.after_load(&state, &config, &options, local).await
            }
            failed => Err(DaemonError::Load(
                failed
                    .and_then(|r| r.error)
                    .unwrap_or_else(|| "the reload task stopped".into()),
            )),
        };
        if let Err(e) = loaded {
            let _ = drain(stop, server, config.shutdown_timeout).await;
            return Err(e);
        }
        state.set_centre_ready();
        let background = Background::start(&state, &features);
        let watcher = watch_files(&config, &options, &reloader, &state);
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
        background.stop().await;
        features.centre.db().close().await;
        result
    }
}

/// What the daemon serves beside the engine: the personal centre and the
/// desks built on it, opened before the engine loads.
struct Features {
    centre: Centre,
    departments: Arc<Departments>,
    booking: Arc<BookingDesk>,
    payments: Arc<PaymentsDesk>,
    materials: Arc<yuesou_materials::Materials>,
}

impl Features {
    /// Opens the centre's database and reads the record data, the hall
    /// calendars and the payment provider.
    async fn open(config: &Config, options: &EngineOptions) -> Result<Features, DaemonError> {
        let data_root = crate::centre_setup::data_root(options);
        let gateway = match (&config.gateway, config.demo) {
            (Some(file), _) => GatewayChoice::Http(file.clone()),
            (None, true) => GatewayChoice::Development,
            (None, false) => GatewayChoice::None,
        };
        let departments = Arc::new(
            Departments::load(&data_root, gateway)
                .map_err(|e| DaemonError::Data(format!("the record data: {e}")))?,
        );
        let centre = crate::centre_setup::open(config, options).await?;
        let booking = Arc::new(
            BookingDesk::open(&centre, &data_root)
                .map_err(|e| DaemonError::Data(format!("the hall calendars: {e}")))?,
        );
        let payments = Arc::new(if config.demo {
            PaymentsDesk::development(&config.public_url)
                .map_err(|e| DaemonError::Data(format!("the development payment provider: {e}")))?
        } else {
            PaymentsDesk::none()
        });
        let blobs = yuesou_materials::Blobs::open(config.objects.as_deref(), &config.data_dir)
            .map_err(|e| DaemonError::Data(format!("the material blob store: {e}")))?;
        tracing::info!(blobs = blobs.describe(), "materials are kept");
        let limits = yuesou_materials::Limits {
            max_file_bytes: config.material_max_bytes,
            max_application_bytes: config.material_quota_bytes,
            ..yuesou_materials::Limits::default()
        };
        let materials = Arc::new(yuesou_materials::Materials::new(
            centre.db().clone(),
            blobs,
            limits,
            &config.data_dir.join("uploads"),
        ));
        Ok(Features {
            centre,
            departments,
            booking,
            payments,
            materials,
        })
    }

    /// The handlers' state: the features with the message files, the
    /// life-stage rules and the 办理 flows.
    fn state(&self, config: &Config, options: &EngineOptions) -> Result<AppState, DaemonError> {
        let data_root = crate::centre_setup::data_root(options);
        let messages = crate::i18n::MessageFiles::load(data_root.join("messages"))?;
        let life_stages = crate::features::recommend::life_stage_file(Some(
            data_root.join("recommend").join("life_stages.json"),
        ))
        .map_err(|e| DaemonError::Data(format!("the life-stage rules: {e}")))?;
        let flows = crate::features::flows::load(&data_root)
            .map_err(|e| DaemonError::Data(format!("the flows: {e}")))?;
        Ok(AppState::empty(config)
            .with_flows(flows)
            .with_messages(messages)
            .with_departments(self.departments.clone())
            .with_booking(self.booking.clone())
            .with_payments(self.payments.clone())
            .with_materials(self.materials.clone())
            .with_centre(self.centre.clone())
            .with_life_stages(life_stages))
    }

    /// Once the engine is loaded: the demo accounts (seeded in demo mode;
    /// otherwise removed, their bookings cancelled first) and the payments'
    /// items and callback address.
    async fn after_load(
        &self,
        state: &AppState,
        config: &Config,
        options: &EngineOptions,
        local: SocketAddr,
    ) -> Result<(), DaemonError> {
        let Some(generation) = state.shared.slot.current() else {
            return Ok(());
        };
        if !config.demo {
            // The demo accounts go with their booking rows, which would not
            // give their places back: cancel their bookings first.
            let booking = self.booking.booking();
            let mut released = 0;
            for account in self.centre.demo_account_ids().await? {
                released += booking.release_account(&account).await.map_err(|e| {
                    DaemonError::Data(format!("cancelling a demo account's bookings: {e}"))
                })?;
            }
            if released > 0 {
                tracing::info!(
                    bookings = released,
                    "demo data is off: demo bookings cancelled"
                );
            }
        }
        if let Some(flows) = &state.flows {
            // The hand-authored flows name their catalogue titles: a
            // catalogue that drifted is worth knowing, not worth refusing.
            let facts: Vec<_> = generation
                .engine
                .catalogue()
                .items()
                .iter()
                .map(crate::features::flows::facts)
                .collect();
            if let Err(e) = flows.current().check_catalogue(&facts) {
                tracing::warn!(problems = %e, "the flows disagree with the catalogue");
            }
        }
        crate::centre_setup::demo(&self.centre, config, options, &generation.engine).await?;
        self.payments.install(
            &self.centre,
            self.departments.clone(),
            crate::features::payments::item_infos(&generation.engine),
            &format!("http://{local}/api/v1/payments/notify/dev"),
            &config.public_url,
        );
        Ok(())
    }
}

/// The daemon's background tasks, each stopped through its channel.
struct Background {
    /// In the order they stop: history and hot searches, 预约 reminders,
    /// payments.
    tasks: Vec<(watch::Sender<bool>, JoinHandle<()>)>,
}

impl Background {
    fn start(state: &AppState, features: &Features) -> Background {
        let mut tasks = Vec::new();
        // History and hot searches: written in batches until shutdown.
        if let Some(activity) = state.activity().cloned() {
            let (stop, stopped) = watch::channel(false);
            let shared = state.shared.clone();
            let task = tokio::spawn(activity.run(
                move || shared.slot.current().map(|g| g.engine.clone()),
                stopped,
            ));
            tasks.push((stop, task));
        }
        // 预约 reminders: delivered once, whichever replica claims them.
        let (stop, stopped) = watch::channel(false);
        let shared = state.shared.clone();
        let names: crate::features::booking::Names = Arc::new(move |key: &str| {
            let (item, hall) = key.split_once('\n')?;
            let generation = shared.slot.current()?;
            let title = generation.engine.item(item)?.title.clone();
            let hall = generation.engine.halls().iter().find(|h| h.id == hall)?;
            Some((title, format!("{}（{}）", hall.name, hall.address)))
        });
        let notifier = Arc::new(InboxNotifier::new(features.centre.clone(), names));
        let replica = format!("replica-{}", std::process::id());
        let task = tokio::spawn(features.booking.clone().run(notifier, replica, stopped));
        tasks.push((stop, task));
        // 缴费: recovery, receipts, refunds and the daily reconciliation.
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(
            features
                .payments
                .clone()
                .run(features.centre.clone(), stopped),
        );
        tasks.push((stop, task));
        // Material blobs without a row: swept at start and hourly.
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(crate::features::materials::run_sweeps(
            features.materials.clone(),
            stopped,
        ));
        tasks.push((stop, task));
        Background { tasks }
    }

    /// Stops each task and waits for it, in order.
    async fn stop(self) {
        for (stop, task) in self.tasks {
            let _ = stop.send(true);
            let _ = task.await;
        }
    }
}

/// Watches the data files (when configured) so that a change reloads.
fn watch_files(
    config: &Config,
    options: &EngineOptions,
    reloader: &Reloader,
    state: &AppState,
) -> Option<FileWatcher> {
    if !config.watch {
        return None;
    }
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
