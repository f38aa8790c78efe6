//! The JSON bodies of the HTTP contract that are not the interface's own
//! answer types, the problem body, the status mapping in both directions,
//! and the checks the platform applies to every answer. A department
//! written in Rust can use these types as they are.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

use crate::GatewayError;
use crate::clock::{parse_date, parse_month};
use crate::error::mask_personal;
use crate::model::{
    Bills, CertificateFacts, ColumnType, RecordsPage, Revocation, ServiceRef, Settlement,
    SubjectRef, is_token,
};

/// Endpoint of records queries, relative to the base URL.
pub const PATH_RECORDS: &str = "v1/records/query";
/// Endpoint of certificate issuing.
pub const PATH_CERTIFICATES: &str = "v1/certificates/issue";
/// Endpoint of revoked certificates.
pub const PATH_REVOKED: &str = "v1/certificates/revoked";
/// Endpoint of bills queries.
pub const PATH_BILLS: &str = "v1/bills/query";

/// Body of `POST v1/records/query`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordsQuery {
    /// Record kind code.
    pub kind: String,
    /// The catalogue item asked about (absent: no particular item).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<ServiceRef>,
    /// Whose records.
    pub subject: SubjectRef,
    /// Filter values by name.
    #[serde(default)]
    pub filters: BTreeMap<String, String>,
    /// 1-based page.
    pub page: u32,
    /// Rows per page (1–50).
    pub size: u32,
}

/// Body of `POST v1/certificates/issue`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertificateIssue {
    /// Certificate family.
    pub kind: String,
    /// The catalogue item asked about (absent: no particular item).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<ServiceRef>,
    /// About whom.
    pub subject: SubjectRef,
    /// Purpose (用途), if any.
    #[serde(default)]
    pub purpose: Option<String>,
    /// Idempotency key.
    pub request_id: String,
}

/// Body of `POST v1/bills/query`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BillsQuery {
    /// Whose bills.
    pub subject: SubjectRef,
    /// Kind codes wanted; empty for all.
    #[serde(default)]
    pub kinds: Vec<String>,
    /// A typed customer number or plate.
    #[serde(default)]
    pub account: Option<String>,
}

/// Body of `POST v1/bills/{bill_id}/settle` and `POST v1/topups/{top_up_id}/settle`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettleBody {
    /// Idempotency key.
    pub payment_id: String,
    /// Amount paid in fen.
    pub amount_fen: i64,
    /// When the payment was confirmed.
    #[serde(with = "time::serde::rfc3339")]
    pub paid_at: OffsetDateTime,
}

/// Answer of `GET v1/certificates/revoked?since=…[&cursor=…]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokedPage {
    /// Revocations, oldest first (at most 1000 per page).
    pub revoked: Vec<Revocation>,
    /// The department's watermark for the next `since`.
    #[serde(with = "time::serde::rfc3339")]
    pub as_of: OffsetDateTime,
    /// Present when more pages follow.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// An RFC 9457 problem body (`application/problem+json`) with a `code`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// A URI naming the problem type.
    #[serde(rename = "type", default = "about_blank")]
    pub kind: String,
    /// A short summary (no personal data).
    #[serde(default)]
    pub title: String,
    /// The HTTP status.
    #[serde(default)]
    pub status: u16,
    /// Stable machine code, `^[a-z][a-z0-9_]{0,63}$`.
    #[serde(default)]
    pub code: String,
    /// Text for the citizen, zh-CN (no personal data).
    #[serde(default)]
    pub detail: Option<String>,
}

fn about_blank() -> String {
    "about:blank".to_owned()
}

impl Problem {
    /// A problem with this status, code and title.
    pub fn new(status: u16, code: &str, title: &str) -> Problem {
        Problem {
            kind: format!("urn:yuesou:problem:{code}"),
            title: title.to_owned(),
            status,
            code: code.to_owned(),
            detail: None,
        }
    }
}

/// The status and problem a department answers for an error (the
/// reference server uses it; the platform maps it back with
/// [`error_from_status`]).
pub fn problem_for(error: &GatewayError) -> (u16, Problem) {
    match error {
        GatewayError::BadRequest(reason) => (400, Problem::new(400, "bad_request", reason)),
        GatewayError::NotFound { what } => {
            let code = format!("{}_not_found", what.replace([' ', '-'], "_"));
            (404, Problem::new(404, &code, &format!("{what} not found")))
        }
        GatewayError::Refused { code, reason } => {
            let mut p = Problem::new(409, code, "refused");
            p.detail = Some(reason.clone());
            (409, p)
        }
        GatewayError::Busy { .. } => (429, Problem::new(429, "busy", "too many requests")),
        GatewayError::Unavailable { .. } | GatewayError::NotConnected { .. } => (
            503,
            Problem::new(503, "unavailable", "temporarily unavailable"),
        ),
        GatewayError::Contract { .. } => (
            502,
            Problem::new(502, "upstream_contract", "an upstream answer was invalid"),
        ),
        GatewayError::Internal(_) => (500, Problem::new(500, "internal", "internal error")),
    }
}

/// How an error status is classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StatusOutcome {
    pub(crate) error: GatewayError,
    /// Worth another attempt.
    pub(crate) retryable: bool,
    /// Says the department is unwell (feeds the breaker).
    pub(crate) unwell: bool,
}

/// The platform's reading of a non-2xx answer. `body` is read only for its
/// problem `code` and `title`/`detail`, masked; never logged whole.
pub fn error_from_status(
    department: &str,
    status: u16,
    retry_after_secs: Option<u64>,
    body: &[u8],
) -> GatewayError {
    classify_status(department, status, retry_after_secs, body).error
}

pub(crate) fn classify_status(
    department: &str,
    status: u16,
    retry_after_secs: Option<u64>,
    body: &[u8],
) -> StatusOutcome {
    let problem: Option<Problem> = serde_json::from_slice(body).ok();
    let code = problem
        .as_ref()
        .map(|p| p.code.as_str())
        .filter(|c| is_problem_code(c))
        .unwrap_or("unspecified")
        .to_owned();
    let reason = problem
        .as_ref()
        .map(|p| {
            p.detail
                .clone()
                .filter(|d| !d.is_empty())
                .unwrap_or_else(|| p.title.clone())
        })
        .map(|text| mask_personal(&text))
        .unwrap_or_default();
    let dept = department.to_owned();
    let outcome = |error, retryable, unwell| StatusOutcome {
        error,
        retryable,
        unwell,
    };
    match status {
        400 => outcome(
            GatewayError::BadRequest(format!(
                "department {dept} found the request invalid ({code})"
            )),
            false,
            false,
        ),
        401 | 403 => outcome(
            GatewayError::Internal(format!(
                "department {dept} refused our signature or key ({code})"
            )),
            false,
            false,
        ),
        404 => {
            let what = code
                .strip_suffix("_not_found")
                .unwrap_or(&code)
                .replace('_', " ");
            outcome(GatewayError::NotFound { what }, false, false)
        }
        409 | 422 => outcome(GatewayError::Refused { code, reason }, false, false),
        408 | 429 | 500 | 502 | 503 | 504 => outcome(
            GatewayError::Unavailable {
                department: dept,
                retry_after_secs,
            },
            true,
            true,
        ),
        500..=599 => outcome(
            GatewayError::Unavailable {
                department: dept,
                retry_after_secs,
            },
            false,
            true,
        ),
        other => outcome(
            GatewayError::Contract {
                department: dept,
                reason: format!("unexpected status {other}"),
            },
            false,
            true,
        ),
    }
}

fn is_problem_code(code: &str) -> bool {
    let b = code.as_bytes();
    (1..=64).contains(&b.len())
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_')
}

/// A serde_json error told without the values it quotes: syntax errors by
/// position, data errors with quoted strings and non-identifier literals
/// replaced by `…`.
pub(crate) fn describe_json_error(error: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let what = match error.classify() {
        Category::Syntax => "is not valid JSON",
        Category::Eof => "ends before the JSON does",
        Category::Io => "could not be read",
        Category::Data => "does not match the contract",
    };
    let mut text = format!(
        "response body {what} (line {}, column {})",
        error.line(),
        error.column()
    );
    if error.classify() == Category::Data {
        let message = error.to_string();
        let message = message.split(" at line ").next().unwrap_or("");
        text.push_str(": ");
        text.push_str(&scrub(message));
    }
    text
}

/// Replaces `"…"` strings and `` `…` `` literals that are not identifiers.
fn scrub(message: &str) -> String {
    let mut out = String::new();
    let mut chars = message.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                let mut escaped = false;
                for d in chars.by_ref() {
                    if escaped {
                        escaped = false;
                    } else if d == '\\' {
                        escaped = true;
                    } else if d == '"' {
                        break;
                    }
                }
                out.push_str("\"…\"");
            }
            '`' => {
                let mut literal = String::new();
                for d in chars.by_ref() {
                    if d == '`' {
                        break;
                    }
                    literal.push(d);
                }
                let identifier = !literal.is_empty()
                    && literal.len() <= 64
                    && literal
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && !literal.chars().all(|c| c.is_ascii_digit());
                out.push('`');
                out.push_str(if identifier { &literal } else { "…" });
                out.push('`');
            }
            other => out.push(other),
        }
    }
    out.chars().take(300).collect()
}

/// Checks a records page against the request and its own columns.
pub(crate) fn check_records(page: &RecordsPage, size: u32) -> Result<(), String> {
    if page.columns.is_empty() || page.columns.len() > 64 {
        return Err("columns must have 1–64 entries".into());
    }
    let mut names = HashSet::new();
    for column in &page.columns {
        if column.name.is_empty() || column.name.len() > 64 || !names.insert(column.name.as_str()) {
            return Err("column names must be unique, 1–64 bytes".into());
        }
    }
    if page.rows.len() > size as usize {
        return Err(format!("{} rows on a page of {size}", page.rows.len()));
    }
    if page.total < page.rows.len() as u64 {
        return Err("total is smaller than the rows on the page".into());
    }
    let types: BTreeMap<&str, ColumnType> = page
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.kind))
        .collect();
    for (i, row) in page.rows.iter().enumerate() {
        for (name, value) in row {
            let Some(kind) = types.get(name.as_str()) else {
                return Err(format!("row {i} has a value for an undeclared column"));
            };
            if !value_fits(*kind, value) {
                return Err(format!(
                    "row {i}, column {name}: value is not of type {kind:?}"
                ));
            }
        }
    }
    for (name, value) in &page.summary {
        if value.is_object() || value.is_array() || name.len() > 64 {
            return Err("summary values must be scalars".into());
        }
    }
    Ok(())
}

/// Whether a JSON value is of a column type (`null` always is).
pub fn value_fits(kind: ColumnType, value: &Value) -> bool {
    if value.is_null() {
        return true;
    }
    match kind {
        ColumnType::Text | ColumnType::Status => {
            value.as_str().is_some_and(|s| s.chars().count() <= 500)
        }
        ColumnType::Date => value.as_str().is_some_and(|s| parse_date(s).is_some()),
        ColumnType::Month => value.as_str().is_some_and(|s| parse_month(s).is_some()),
        ColumnType::Year => value
            .as_str()
            .is_some_and(|s| s.len() == 4 && s.bytes().all(|c| c.is_ascii_digit())),
        ColumnType::Money | ColumnType::Points => value.as_i64().is_some(),
        ColumnType::Number => value.is_number(),
        ColumnType::Datetime => value.as_str().is_some_and(|s| {
            OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).is_ok()
        }),
    }
}

fn is_text(text: &str, max: usize) -> bool {
    let n = text.chars().count();
    (1..=max).contains(&n) && !text.chars().any(char::is_control)
}

/// Checks certificate facts.
pub(crate) fn check_certificate(facts: &CertificateFacts) -> Result<(), String> {
    if !is_text(&facts.number, 64) {
        return Err("number must be 1–64 characters".into());
    }
    if facts
        .valid_until
        .is_some_and(|until| until < facts.issued_on)
    {
        return Err("valid_until is before issued_on".into());
    }
    if facts.fields.len() > 100 {
        return Err("more than 100 fields".into());
    }
    Ok(())
}

/// Checks bills and top-ups.
pub(crate) fn check_bills(bills: &Bills) -> Result<(), String> {
    if bills.bills.len() + bills.top_ups.len() > 500 {
        return Err("more than 500 bills and top-ups".into());
    }
    for (i, bill) in bills.bills.iter().enumerate() {
        if !is_token(&bill.bill_id) {
            return Err(format!(
                "bill {i}: bill_id must be 1–128 of [A-Za-z0-9._:-]"
            ));
        }
        if bill.amount_fen < 0 {
            return Err(format!("bill {i}: negative amount_fen"));
        }
        if !is_text(&bill.kind, 40) || !is_text(&bill.title, 40) || !is_text(&bill.payee, 100) {
            return Err(format!(
                "bill {i}: kind, title and payee must be short non-empty text"
            ));
        }
    }
    for (i, top_up) in bills.top_ups.iter().enumerate() {
        if !is_token(&top_up.top_up_id) {
            return Err(format!(
                "top-up {i}: top_up_id must be 1–128 of [A-Za-z0-9._:-]"
            ));
        }
        if top_up.step_fen < 1 || top_up.min_fen < 1 || top_up.min_fen > top_up.max_fen {
            return Err(format!(
                "top-up {i}: needs 1 ≤ min_fen ≤ max_fen and step_fen ≥ 1"
            ));
        }
    }
    Ok(())
}

/// Checks a settlement.
pub(crate) fn check_settlement(settlement: &Settlement) -> Result<(), String> {
    if !is_text(&settlement.settlement_id, 128) || !is_text(&settlement.receipt_number, 64) {
        return Err("settlement_id and receipt_number must be non-empty".into());
    }
    Ok(())
}

/// Checks a page of revocations.
pub(crate) fn check_revoked(page: &RevokedPage) -> Result<(), String> {
    if page.revoked.len() > 1000 {
        return Err("more than 1000 revocations on a page".into());
    }
    if page.revoked.iter().any(|r| !is_text(&r.number, 64)) {
        return Err("a revoked number is empty or too long".into());
    }
    if page.next_cursor.as_deref().is_some_and(|c| !is_token(c)) {
        return Err("next_cursor must be 1–128 of [A-Za-z0-9._:-]".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct T {
        total: u64,
        name: String,
    }

    #[test]
    fn json_errors_do_not_quote_values() {
        let e = serde_json::from_str::<T>(r#"{"total": "44010419880520123X", "name": "x"}"#);
        let text = e
            .map(|_| String::new())
            .unwrap_or_else(|e| describe_json_error(&e));
        assert!(!text.contains("4401"), "{text}");
        assert!(text.contains("does not match"), "{text}");
        let e = serde_json::from_str::<T>(r#"{"total": 13800138000}"#);
        let text = e
            .map(|_| String::new())
            .unwrap_or_else(|e| describe_json_error(&e));
        assert!(
            text.contains("missing field `name`") && !text.contains("138"),
            "{text}"
        );
        let e = serde_json::from_str::<T>(r#"{"total": -13800138000, "name": "n"}"#);
        let text = e
            .map(|_| String::new())
            .unwrap_or_else(|e| describe_json_error(&e));
        assert!(!text.contains("138"), "{text}");
        let e = serde_json::from_str::<T>("<html>13800138000");
        let text = e
            .map(|_| String::new())
            .unwrap_or_else(|e| describe_json_error(&e));
        assert!(
            text.contains("not valid JSON") && !text.contains("138"),
            "{text}"
        );
    }

    #[test]
    fn statuses_round_trip() {
        for error in [
            GatewayError::BadRequest("x".into()),
            GatewayError::refused("already_paid", "已缴费"),
            GatewayError::not_found("bill"),
            GatewayError::Unavailable {
                department: "d".into(),
                retry_after_secs: None,
            },
        ] {
            let (status, problem) = problem_for(&error);
            let body = serde_json::to_vec(&problem).unwrap_or_default();
            let back = classify_status("d", status, None, &body).error;
            assert_eq!(back.code(), error.code(), "{error:?} → {back:?}");
        }
        let refused = classify_status(
            "d",
            409,
            None,
            r#"{"code":"subject_unknown","detail":"44010419880520123X 无记录"}"#.as_bytes(),
        );
        assert_eq!(
            refused.error,
            GatewayError::Refused {
                code: "subject_unknown".into(),
                reason: "44**************3X 无记录".into()
            }
        );
        let odd = classify_status("d", 302, None, b"");
        assert_eq!(odd.error.code(), "contract");
        assert!(classify_status("d", 503, Some(3), b"oops").retryable);
        assert!(!classify_status("d", 501, None, b"").retryable);
    }
}
