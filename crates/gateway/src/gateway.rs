//! The one interface through which the platform talks to departments.

use async_trait::async_trait;
use time::OffsetDateTime;

use crate::model::{
    Bills, BillsRequest, CertificateFacts, CertificateRequest, RecordsPage, RecordsRequest,
    Revocations, SettleRequest, Settlement,
};
use crate::{GatewayError, GatewayStats};

/// Asks departments for records, certificate facts and bills, and tells
/// them about payments. Implementations: [`crate::HttpGateway`] (the signed
/// HTTPS contract of docs/INTEGRATION.md) and [`crate::DevGateway`]
/// (deterministic development data).
///
/// Every method is safe to call again with the same arguments: reads are
/// reads, a certificate is idempotent by `request_id`, a settlement by
/// `payment_id`.
#[async_trait]
pub trait DepartmentGateway: Send + Sync {
    /// One page of a subject's records of a kind, filtered.
    async fn records(&self, req: &RecordsRequest) -> Result<RecordsPage, GatewayError>;

    /// The facts of a certificate about the subject (证明开具).
    async fn certificate(&self, req: &CertificateRequest)
    -> Result<CertificateFacts, GatewayError>;

    /// The subject's bills and top-up offers.
    async fn bills(&self, req: &BillsRequest) -> Result<Bills, GatewayError>;

    /// Tells the department a bill (or top-up) was paid. Idempotent by
    /// `payment_id`: the same id returns the same settlement; a different
    /// amount than the bill's is refused (`amount_mismatch`).
    async fn settle(&self, req: &SettleRequest) -> Result<Settlement, GatewayError>;

    /// Certificates the department revoked since `since`.
    async fn revoked_certificates(
        &self,
        department: &str,
        since: OffsetDateTime,
    ) -> Result<Revocations, GatewayError>;

    /// Numbers for the metrics endpoint (no personal data).
    fn stats(&self) -> GatewayStats {
        GatewayStats::default()
    }
}
