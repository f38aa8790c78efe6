//! What the reload task records: what asked for each reload, how it ended,
//! and the history `/api/v1/admin/status` shows.

use serde::Serialize;

/// What asked for a reload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReloadTrigger {
    /// The first load at start-up.
    Startup,
    /// A watched data or dictionary file changed.
    Files,
    /// `POST /api/v1/admin/reload`.
    Admin,
}

/// How a reload attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReloadOutcome {
    /// A new engine was swapped in.
    Reloaded,
    /// The input files are unchanged (same fingerprint); nothing was rebuilt.
    Unchanged,
    /// The build failed; the previous engine keeps serving.
    Failed,
}

impl ReloadOutcome {
    /// Its metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            ReloadOutcome::Reloaded => "reloaded",
            ReloadOutcome::Unchanged => "unchanged",
            ReloadOutcome::Failed => "failed",
        }
    }
}

/// The record of one reload attempt.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReloadReport {
    /// What asked for it.
    pub trigger: ReloadTrigger,
    /// How it ended.
    pub outcome: ReloadOutcome,
    /// When it started (RFC 3339).
    pub started_at: String,
    /// How long it took, in milliseconds.
    pub duration_ms: u64,
    /// The generation serving after the attempt.
    pub generation: u64,
    /// Fingerprint of the inputs of the engine serving after the attempt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// Why it failed, with `file:line` of every bad row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Reload history kept for the status endpoint.
#[derive(Debug, Default)]
pub struct History {
    attempts: u64,
    failures: u64,
    last: Option<ReloadReport>,
    last_failure: Option<ReloadReport>,
}

impl History {
    /// Reload attempts so far (the start-up load included).
    pub fn attempts(&self) -> u64 {
        self.attempts
    }

    /// Failed attempts so far.
    pub fn failures(&self) -> u64 {
        self.failures
    }

    /// The latest attempt.
    pub fn last(&self) -> Option<&ReloadReport> {
        self.last.as_ref()
    }

    /// The latest failed attempt.
    pub fn last_failure(&self) -> Option<&ReloadReport> {
        self.last_failure.as_ref()
    }

    pub(crate) fn record(&mut self, report: &ReloadReport) {
        self.attempts += 1;
        if report.outcome == ReloadOutcome::Failed {
            self.failures += 1;
            self.last_failure = Some(report.clone());
        }
        self.last = Some(report.clone());
    }
}
