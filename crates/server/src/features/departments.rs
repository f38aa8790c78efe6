//! 查询 and 证明 through the department gateways: which record kind or
//! certificate family answers a catalogue item, and the gateway that asks
//! the department.
//!
//! The record kinds, the 查询 services and the certificate families are
//! data (`data/records/`), re-read when they change. The gateway is the
//! signed HTTP contract of docs/INTEGRATION.md when a gateway file is
//! configured, else — with demo data on — the development gateway (built
//! from the same data, rebuilt with it), else none: every department is
//! "not connected". [`Departments`] is itself a [`DepartmentGateway`] that
//! asks whichever gateway is current, so the payments service holds one
//! gateway for the daemon's life.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use time::OffsetDateTime;
use yuesou_core::ServiceItem;
use yuesou_gateway::{
    Bills, BillsRequest, CertificateDef, CertificateFacts, CertificateRequest, Certificates,
    DepartmentGateway, DevGateway, GatewayError, GatewayStats, HttpGateway, LoadError,
    MemoryLedger, RecordKind, RecordKinds, RecordsPage, RecordsRequest, Revocations, ServiceRef,
    Services, SettleRequest, Settlement, SettlementLedger, SubjectRef,
};

use crate::reload::data::DataFiles;

/// How departments are reached.
#[derive(Debug, Clone)]
pub enum GatewayChoice {
    /// The signed HTTP contract, configured by this file (TOML).
    Http(PathBuf),
    /// The development gateway (demo data).
    Development,
    /// No department is connected.
    None,
}

/// The record data and the gateway built with it.
pub struct Loaded {
    /// Record kinds by code.
    pub kinds: RecordKinds,
    /// 查询 families → record kind.
    pub services: Services,
    /// 证明 families.
    pub certificates: Certificates,
    gateway: Arc<dyn DepartmentGateway>,
    /// The development gateway, when it is the one answering.
    dev: Option<Arc<DevGateway>>,
}

/// Why the record data or the gateway could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum DepartmentsError {
    /// A data file is invalid.
    #[error("{0}")]
    Data(#[from] LoadError),
    /// The gateway file is invalid.
    #[error("gateway configuration {path}: {reason}")]
    Config {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
}

/// The departments: record data and gateway, current.
pub struct Departments {
    files: DataFiles<Loaded, DepartmentsError>,
}

impl std::fmt::Debug for Departments {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Departments").finish_non_exhaustive()
    }
}

impl Departments {
    /// Loads `data/records/` under `data` and sets up the gateway `choice`.
    pub fn load(data: &Path, choice: GatewayChoice) -> Result<Departments, DepartmentsError> {
        let records = data.join("records");
        let fixed: Option<Arc<dyn DepartmentGateway>> = match &choice {
            GatewayChoice::Http(path) => Some(Arc::new(http_gateway(path)?)),
            GatewayChoice::None => Some(Arc::new(NotConnected)),
            GatewayChoice::Development => None,
        };
        // Settlements the development gateway recorded survive a reload of
        // its data.
        let ledger: Arc<dyn SettlementLedger> = Arc::new(MemoryLedger::new());
        let data = data.to_path_buf();
        let build = move || -> Result<Loaded, DepartmentsError> {
            let kinds = RecordKinds::load(&data.join("records/kinds.json"))?;
            let services = Services::load(&data.join("records/services.json"), &kinds)?;
            let certificates = Certificates::load(&data.join("records/certificates.json"))?;
            let (gateway, dev): (Arc<dyn DepartmentGateway>, _) = match &fixed {
                Some(gateway) => (gateway.clone(), None),
                None => {
                    let dev =
                        Arc::new(DevGateway::from_data_dir(&data)?.with_ledger(ledger.clone()));
                    (dev.clone(), Some(dev))
                }
            };
            Ok(Loaded {
                kinds,
                services,
                certificates,
                gateway,
                dev,
            })
        };
        let files = DataFiles::load("record data", vec![records], build)?;
        Ok(Departments { files })
    }

    /// The data and gateway now.
    pub fn current(&self) -> Arc<Loaded> {
        self.files.current()
    }
}

impl Loaded {
    /// The record kind answering `item` (a 查询 item), if any.
    pub fn kind_for(&self, item: &ServiceItem) -> Option<&RecordKind> {
        self.services
            .kind_of(family_of(&item.id))
            .and_then(|code| self.kinds.get(code))
    }

    /// The certificate family issued by `item` (a 证明 item), if any.
    pub fn certificate_for<'a>(
        &'a self,
        item: &ServiceItem,
    ) -> Option<(&'a str, &'a CertificateDef)> {
        let family = family_of(&item.id);
        self.certificates
            .iter()
            .find(|(name, _)| name.as_str() == family)
            .map(|(name, def)| (name.as_str(), def))
    }

    /// The gateway.
    pub fn gateway(&self) -> &Arc<dyn DepartmentGateway> {
        &self.gateway
    }

    /// The plates of the development gateway's vehicles of `subject` (none
    /// with a real gateway: there the department judges).
    pub fn dev_vehicles(&self, subject: &SubjectRef) -> Vec<String> {
        self.dev
            .as_ref()
            .map(|dev| dev.vehicles(subject))
            .unwrap_or_default()
    }

    /// The development gateway, when it answers (tests turn its knobs).
    pub fn dev(&self) -> Option<&Arc<DevGateway>> {
        self.dev.as_ref()
    }
}

/// An item id without its region suffix (`gjj-jcmx-440100` → `gjj-jcmx`).
pub fn family_of(id: &str) -> &str {
    id.rsplit_once('-').map_or(id, |(family, _)| family)
}

/// The service reference of `item` for a gateway request.
pub fn service_ref(item: &ServiceItem) -> ServiceRef {
    ServiceRef::new(&item.id, &item.region_code, &item.title, &item.theme)
}

fn http_gateway(path: &Path) -> Result<HttpGateway, DepartmentsError> {
    let config_error = |reason: String| DepartmentsError::Config {
        path: path.display().to_string(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| config_error(e.to_string()))?;
    let config = toml::from_str(&text).map_err(|e| config_error(e.to_string()))?;
    HttpGateway::new(&config).map_err(|e| config_error(e.to_string()))
}

/// No gateway: every department is not connected.
struct NotConnected;

fn not_connected(department: &str) -> GatewayError {
    GatewayError::NotConnected {
        department: department.to_owned(),
    }
}

#[async_trait]
impl DepartmentGateway for NotConnected {
    async fn records(&self, req: &RecordsRequest) -> Result<RecordsPage, GatewayError> {
        Err(not_connected(&req.department))
    }
    async fn certificate(
        &self,
        req: &CertificateRequest,
    ) -> Result<CertificateFacts, GatewayError> {
        Err(not_connected(&req.department))
    }
    async fn bills(&self, req: &BillsRequest) -> Result<Bills, GatewayError> {
        Err(not_connected(&req.department))
    }
    async fn settle(&self, req: &SettleRequest) -> Result<Settlement, GatewayError> {
        Err(not_connected(&req.department))
    }
    async fn revoked_certificates(
        &self,
        department: &str,
        _since: OffsetDateTime,
    ) -> Result<Revocations, GatewayError> {
        Err(not_connected(department))
    }
}

/// The current gateway, whichever it is.
#[async_trait]
impl DepartmentGateway for Departments {
    async fn records(&self, req: &RecordsRequest) -> Result<RecordsPage, GatewayError> {
        self.current().gateway.records(req).await
    }
    async fn certificate(
        &self,
        req: &CertificateRequest,
    ) -> Result<CertificateFacts, GatewayError> {
        self.current().gateway.certificate(req).await
    }
    async fn bills(&self, req: &BillsRequest) -> Result<Bills, GatewayError> {
        self.current().gateway.bills(req).await
    }
    async fn settle(&self, req: &SettleRequest) -> Result<Settlement, GatewayError> {
        self.current().gateway.settle(req).await
    }
    async fn revoked_certificates(
        &self,
        department: &str,
        since: OffsetDateTime,
    ) -> Result<Revocations, GatewayError> {
        self.current()
            .gateway
            .revoked_certificates(department, since)
            .await
    }
    fn stats(&self) -> GatewayStats {
        self.current().gateway.stats()
    }
}

/// The gateways' numbers in OpenMetrics text (department labels only,
/// never personal data): calls by operation, attempts, retries, errors by
/// code, attempt latency, breaker state (0 closed, 1 half-open, 2 open) and
/// calls in flight.
pub fn render_metrics(stats: &GatewayStats) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let families: [(&str, &str, &str); 7] = [
        (
            "yuesou_gateway_calls",
            "counter",
            "Calls to a department by operation",
        ),
        (
            "yuesou_gateway_attempts",
            "counter",
            "Requests sent to a department, retries included",
        ),
        (
            "yuesou_gateway_retries",
            "counter",
            "Retried requests to a department",
        ),
        (
            "yuesou_gateway_errors",
            "counter",
            "Failed calls to a department by error code",
        ),
        (
            "yuesou_gateway_latency_seconds",
            "histogram",
            "Latency of requests to a department",
        ),
        (
            "yuesou_gateway_breaker_state",
            "gauge",
            "Circuit breaker: 0 closed, 1 half-open, 2 open",
        ),
        (
            "yuesou_gateway_in_flight",
            "gauge",
            "Requests to a department in flight",
        ),
    ];
    for (name, kind, help) in families {
        let _ = writeln!(out, "# HELP {name} {help}.");
        let _ = writeln!(out, "# TYPE {name} {kind}");
        for d in &stats.departments {
            let dep = d.department.replace(['"', '\\', '\n'], "_");
            match name {
                "yuesou_gateway_calls" => {
                    for (op, n) in &d.calls {
                        let _ = writeln!(
                            out,
                            "{name}_total{{department=\"{dep}\",operation=\"{op}\"}} {n}"
                        );
                    }
                }
                "yuesou_gateway_attempts" => {
                    let _ = writeln!(out, "{name}_total{{department=\"{dep}\"}} {}", d.attempts);
                }
                "yuesou_gateway_retries" => {
                    let _ = writeln!(out, "{name}_total{{department=\"{dep}\"}} {}", d.retries);
                }
                "yuesou_gateway_errors" => {
                    for (code, n) in &d.errors {
                        let _ = writeln!(
                            out,
                            "{name}_total{{department=\"{dep}\",code=\"{code}\"}} {n}"
                        );
                    }
                }
                "yuesou_gateway_latency_seconds" => {
                    let h = &d.latency;
                    for (bound, count) in h.bounds_ms.iter().zip(&h.cumulative) {
                        let le = *bound as f64 / 1000.0;
                        let _ = writeln!(
                            out,
                            "{name}_bucket{{department=\"{dep}\",le=\"{le}\"}} {count}"
                        );
                    }
                    let _ = writeln!(
                        out,
                        "{name}_bucket{{department=\"{dep}\",le=\"+Inf\"}} {}",
                        h.count
                    );
                    let _ = writeln!(
                        out,
                        "{name}_sum{{department=\"{dep}\"}} {}",
                        h.sum_ms as f64 / 1000.0
                    );
                    let _ = writeln!(out, "{name}_count{{department=\"{dep}\"}} {}", h.count);
                }
                "yuesou_gateway_breaker_state" => {
                    let _ = writeln!(
                        out,
                        "{name}{{department=\"{dep}\"}} {}",
                        d.breaker.as_gauge()
                    );
                }
                _ => {
                    let _ = writeln!(out, "{name}{{department=\"{dep}\"}} {}", d.in_flight);
                }
            }
        }
    }
    out
}
