//! The state shared by the handlers, the middleware and the reload task.

use std::sync::{Arc, Mutex, OnceLock};

use yuesou_core::{Engine, EngineOptions};

use crate::config::Config;
use crate::generation::{EngineSlot, Generation};
use crate::i18n::{Messages, ReaderLang, Speaker, Text, render};
use crate::metrics::Metrics;
use crate::problem::Problem;
use crate::reload::{History, Reloader};
pub(crate) use crate::shared::{Settings, Shared};

/// Shared state of the handlers. Cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    pub(crate) shared: Arc<Shared>,
    pub(crate) settings: Arc<Settings>,
    pub(crate) reloader: Option<Reloader>,
    /// The personal centre (none when the daemon serves search only).
    pub(crate) centre: Option<yuesou_centre::Centre>,
    /// Search history and hot searches (with the centre).
    pub(crate) activity: Option<Arc<crate::features::activity::Activity>>,
    /// The life-stage rules of recommendations.
    pub(crate) life_stages: Arc<crate::features::recommend::LifeStageFile>,
    /// The departments (查询, 证明, bills), when connected.
    pub(crate) departments: Option<Arc<crate::features::departments::Departments>>,
    /// The message catalogue texts are rendered from.
    pub(crate) messages: Arc<crate::i18n::MessageFiles>,
    /// 预约 — the booking desk (with the centre).
    pub(crate) booking: Option<Arc<crate::features::booking::BookingDesk>>,
    /// 缴费 — payments (with the centre).
    pub(crate) payments: Option<Arc<crate::features::payments::PaymentsDesk>>,
    /// The typed 办理 flows (`data/flows/`), re-read when they change.
    pub(crate) flows: Option<Arc<crate::features::flows::FlowFiles>>,
    /// 办理 materials: uploads and their blobs (with the centre).
    pub(crate) materials: Option<Arc<yuesou_materials::Materials>>,
}

impl AppState {
    /// State serving a fixed engine with default settings (no reloads, no
    /// admin endpoints): for embedding and tests.
    pub fn new(engine: Arc<Engine>) -> Self {
        AppState::serving(&Config::default(), engine)
    }

    /// State serving a fixed engine, configured by `config` (cache, CORS,
    /// timeouts …; no reloads).
    pub fn serving(config: &Config, engine: Arc<Engine>) -> Self {
        let state = AppState::empty(config);
        let generation = state.shared.slot.install(engine);
        state.shared.metrics.engine_installed(&generation);
        state
    }

    /// State with no engine yet (not ready), configured by `config`.
    pub fn empty(config: &Config) -> Self {
        AppState {
            shared: Arc::new(Shared {
                slot: EngineSlot::new(config.cache_mb * 1024 * 1024),
                metrics: Metrics::new(),
                history: Mutex::new(History::default()),
                watching: OnceLock::new(),
                centre_ready: std::sync::atomic::AtomicBool::new(false),
            }),
            settings: Arc::new(Settings::from(config)),
            reloader: None,
            centre: None,
            activity: None,
            life_stages: Arc::new(crate::reload::data::DataFiles::fixed(
                "life-stage rules",
                crate::features::recommend::LifeStages::default(),
            )),
            messages: Arc::new(crate::i18n::MessageFiles::none()),
            departments: None,
            booking: None,
            payments: None,
            flows: None,
            materials: None,
        }
    }

    /// This state with the personal centre `centre` behind the personal
    /// routes (without one they answer 503 `centre-disabled`).
    pub fn with_centre(mut self, centre: yuesou_centre::Centre) -> Self {
        self.activity = Some(Arc::new(crate::features::activity::Activity::new(
            centre.clone(),
            self.settings.hot.clone(),
        )));
        self.centre = Some(centre);
        self
    }

    /// This state with the life-stage rules of recommendations (re-read
    /// when the file changes).
    pub fn with_life_stages(mut self, rules: crate::features::recommend::LifeStageFile) -> Self {
        self.life_stages = Arc::new(rules);
        self
    }

    /// This state rendering texts from the message files `messages`
    /// (without, texts answer as their message ids).
    pub fn with_messages(mut self, messages: crate::i18n::MessageFiles) -> Self {
        self.messages = Arc::new(messages);
        self
    }

    /// This state serving the 办理 flows of `flows` (without, the flow
    /// routes answer 503 `unavailable`).
    pub fn with_flows(mut self, flows: crate::features::flows::FlowFiles) -> Self {
        self.flows = Some(Arc::new(flows));
        self
    }

    /// The 办理 flows now (re-read first when a file changed), or a 503.
    pub(crate) fn flows(&self) -> Result<Arc<yuesou_flows::Flows>, Problem> {
        self.flows
            .as_ref()
            .map(|f| f.current())
            .ok_or_else(|| Problem {
                retry_after: Some(30),
                ..Problem::new(
                    crate::problem::ProblemKind::Unavailable,
                    "err-flows-unavailable",
                )
            })
    }

    /// This state keeping application materials in `materials`.
    pub fn with_materials(mut self, materials: Arc<yuesou_materials::Materials>) -> Self {
        self.materials = Some(materials);
        self
    }

    /// This state taking payments through `desk` (缴费).
    pub fn with_payments(mut self, desk: Arc<crate::features::payments::PaymentsDesk>) -> Self {
        self.payments = Some(desk);
        self
    }

    /// This state booking through `desk` (预约).
    pub fn with_booking(mut self, desk: Arc<crate::features::booking::BookingDesk>) -> Self {
        self.booking = Some(desk);
        self
    }

    /// This state asking departments through `departments`.
    pub fn with_departments(
        mut self,
        departments: Arc<crate::features::departments::Departments>,
    ) -> Self {
        self.departments = Some(departments);
        self
    }

    /// Search history and hot searches, when the centre is there.
    pub fn activity(&self) -> Option<&Arc<crate::features::activity::Activity>> {
        self.activity.as_ref()
    }

    /// Whether the personal centre is set up (always, without one).
    pub fn centre_ready(&self) -> bool {
        self.centre.is_none()
            || self
                .shared
                .centre_ready
                .load(std::sync::atomic::Ordering::Acquire)
    }

    /// Marks the personal centre set up.
    pub(crate) fn set_centre_ready(&self) {
        self.shared
            .centre_ready
            .store(true, std::sync::atomic::Ordering::Release);
    }

    /// The personal centre, if any.
    pub fn centre(&self) -> Option<&yuesou_centre::Centre> {
        self.centre.as_ref()
    }

    /// Starts the reload task building engines with `options`; the returned
    /// handle (also kept in the state for the admin endpoint) asks for
    /// reloads.
    pub fn start_reloader(&mut self, options: EngineOptions) -> Reloader {
        let reloader = Reloader::spawn(self.shared.clone(), options, self.settings.reload_settle);
        self.reloader = Some(reloader.clone());
        reloader
    }

    /// The generation serving now, or a 503 `not-ready` problem.
    pub fn generation(&self) -> Result<Arc<Generation>, Problem> {
        self.shared.slot.current().ok_or_else(Problem::not_ready)
    }

    /// Whether an engine is loaded.
    pub fn is_ready(&self) -> bool {
        self.shared.slot.is_ready()
    }

    /// The daemon's metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.shared.metrics
    }

    /// Records the directories the file watcher watches (for the status).
    pub fn set_watching(&self, dirs: Vec<String>) {
        let _ = self.shared.watching.set(dirs);
    }
}

impl AppState {
    /// The message catalogue, if the daemon has one.
    pub fn messages(&self) -> Option<Arc<Messages>> {
        self.messages.current()
    }

    /// `text` in the reader's language.
    pub fn say(&self, lang: ReaderLang, text: &Text) -> String {
        render(self.messages().as_deref(), lang.0, text)
    }

    /// A speaker for a reader of `lang`.
    pub(crate) fn speaker(&self, lang: ReaderLang) -> Speaker {
        Speaker::new(self.messages(), lang.0)
    }
}
