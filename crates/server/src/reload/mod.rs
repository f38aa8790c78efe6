//! Live reload: one task builds engines, one at a time, and swaps them in.
//!
//! Requests to reload (file changes, the admin endpoint, start-up) queue on a
//! channel; requests that arrive while a build runs are coalesced into the
//! next build. A build runs on the blocking pool; on success the new
//! [`Generation`](crate::generation::Generation) is swapped in atomically, on
//! failure the old one keeps serving and the error is recorded for
//! `/api/v1/admin/status`, the log and the `reload_failures` metric.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::{mpsc, oneshot};
use yuesou_core::{Engine, EngineOptions};

pub(crate) mod data;
pub(crate) mod history;

pub use history::{History, ReloadOutcome, ReloadReport, ReloadTrigger};

use crate::clock::rfc3339;
use crate::shared::Shared;

struct Job {
    trigger: ReloadTrigger,
    force: bool,
    reply: Option<oneshot::Sender<ReloadReport>>,
}

/// Handle to the reload task. Cheap to clone; the task ends when every
/// handle is dropped.
#[derive(Clone, Debug)]
pub struct Reloader {
    tx: mpsc::UnboundedSender<Job>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job")
            .field("trigger", &self.trigger)
            .field("force", &self.force)
            .finish()
    }
}

impl Reloader {
    /// Starts the reload task building engines with `options` into `shared`.
    ///
    /// Unless forced, a reload first waits for the input files to settle:
    /// their fingerprint must stay the same for `settle` (a file being
    /// written in place is not read half-written).
    pub(crate) fn spawn(shared: Arc<Shared>, options: EngineOptions, settle: Duration) -> Reloader {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(run(shared, options, settle, rx));
        Reloader { tx }
    }

    /// Asks for a reload without waiting. Unless `force`, a reload whose
    /// input fingerprint equals the serving engine's is skipped.
    pub fn request(&self, trigger: ReloadTrigger, force: bool) {
        let _ = self.tx.send(Job {
            trigger,
            force,
            reply: None,
        });
    }

    /// Reloads and waits for the outcome (`None` if the task has stopped).
    pub async fn reload(&self, trigger: ReloadTrigger, force: bool) -> Option<ReloadReport> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Job {
                trigger,
                force,
                reply: Some(reply),
            })
            .ok()?;
        answer.await.ok()
    }
}

async fn run(
    shared: Arc<Shared>,
    options: EngineOptions,
    settle: Duration,
    mut rx: mpsc::UnboundedReceiver<Job>,
) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        while let Ok(more) = rx.try_recv() {
            jobs.push(more);
        }
        let force = jobs.iter().any(|j| j.force);
        let trigger = jobs
            .iter()
            .map(|j| j.trigger)
            .find(|t| *t != ReloadTrigger::Files)
            .unwrap_or(ReloadTrigger::Files);
        let report = attempt(&shared, &options, settle, trigger, force).await;
        if let Ok(mut history) = shared.history.lock() {
            history.record(&report);
        }
        for job in jobs {
            if let Some(reply) = job.reply {
                let _ = reply.send(report.clone());
            }
        }
    }
}

/// Most times the reloader re-checks files that keep changing before it
/// builds anyway.
const MAX_SETTLE_ROUNDS: usize = 50;

async fn fingerprint(options: &EngineOptions) -> Option<String> {
    let resources = options.resources.clone();
    tokio::task::spawn_blocking(move || resources.fingerprint())
        .await
        .ok()
}

/// Waits until the inputs' fingerprint is stable for `settle`; `None` when
/// it equals the serving engine's (nothing to do).
async fn settled_fingerprint(
    options: &EngineOptions,
    serving: &str,
    settle: Duration,
) -> Option<String> {
    let mut last = fingerprint(options).await;
    for _ in 0..MAX_SETTLE_ROUNDS {
        if last.as_deref() == Some(serving) {
            return None;
        }
        tokio::time::sleep(settle).await;
        let now = fingerprint(options).await;
        if now == last {
            return now;
        }
        last = now;
    }
    last
}

async fn attempt(
    shared: &Shared,
    options: &EngineOptions,
    settle: Duration,
    trigger: ReloadTrigger,
    force: bool,
) -> ReloadReport {
    let started = Instant::now();
    let started_at = rfc3339(SystemTime::now());
    let current = shared.slot.current();
    let report = |outcome, generation: u64, fingerprint: Option<String>, error| ReloadReport {
        trigger,
        outcome,
        started_at: started_at.clone(),
        duration_ms: started.elapsed().as_millis() as u64,
        generation,
        fingerprint,
        error,
    };
    let serving = current.as_ref().map_or((0, None), |g| {
        (g.number, Some(g.engine.fingerprint().to_string()))
    });
    let unchanged = || {
        tracing::debug!(?trigger, "inputs unchanged; not reloading");
        shared
            .metrics
            .reload_finished(ReloadOutcome::Unchanged, started.elapsed());
        report(ReloadOutcome::Unchanged, serving.0, serving.1.clone(), None)
    };
    if !force
        && let Some(fp) = &serving.1
        && settled_fingerprint(options, fp, settle).await.is_none()
    {
        return unchanged();
    }
    let build_options = options.clone();
    let built = tokio::task::spawn_blocking(move || Engine::open(&build_options)).await;
    let error = match built {
        Ok(Ok(engine)) if !force && Some(engine.fingerprint()) == serving.1.as_deref() => {
            // The files went back to what is served while we built.
            return unchanged();
        }
        Ok(Ok(engine)) => {
            let generation = shared.slot.install(Arc::new(engine));
            shared.metrics.engine_installed(&generation);
            shared
                .metrics
                .reload_finished(ReloadOutcome::Reloaded, started.elapsed());
            tracing::info!(
                ?trigger,
                generation = generation.number,
                fingerprint = generation.engine.fingerprint(),
                items = generation.engine.catalogue().len(),
                reused_index = generation.engine.reused_index(),
                elapsed_ms = started.elapsed().as_millis() as u64,
                "engine loaded"
            );
            return report(
                ReloadOutcome::Reloaded,
                generation.number,
                Some(generation.engine.fingerprint().to_string()),
                None,
            );
        }
        Ok(Err(e)) => e.to_string(),
        Err(e) => format!("the engine build panicked: {e}"),
    };
    shared
        .metrics
        .reload_finished(ReloadOutcome::Failed, started.elapsed());
    tracing::error!(
        ?trigger,
        serving_generation = serving.0,
        "reload failed; the previous engine keeps serving: {error}"
    );
    report(
        ReloadOutcome::Failed,
        serving.0,
        serving.1.clone(),
        Some(error),
    )
}
