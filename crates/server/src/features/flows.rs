//! 办理 flows (`data/flows/`, the `yuesou-flows` crate) for the daemon:
//! loaded beside the engine and re-read when their files change (a broken
//! edit keeps the last good flows serving), the catalogue facts an item's
//! flow depends on, the daemon's validators behind the field checks, the
//! applicant's identity (real values for checks, masked ones to show), and
//! the messages of field errors in the reader's language.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use yuesou_centre::identity::{IdNumber, mask_id_number, mask_phone, parse_phone, parse_uscc};
use yuesou_centre::{Applicant, CentreError};
use yuesou_core::{Gazetteer, ServiceItem};
use yuesou_flows::{ErrorCode, FieldChecks, FieldError, FieldKind, Flow, Flows, Identity, Prefill};

use crate::i18n::Text;
use crate::problem::{FieldProblem, FieldProblems, Problem, ProblemKind};
use crate::reload::data::DataFiles;
use crate::state::AppState;

/// The flows, re-read when a file under `data/flows/` changes.
pub type FlowFiles = DataFiles<Flows, String>;

/// Loads `flows/` under `data_root` and checks its wallet references
/// against `wallet/licence_types.json` there (when that file exists); the
/// error names every problem as `file: reason`.
pub fn load(data_root: &Path) -> Result<FlowFiles, String> {
    let dir = data_root.join("flows");
    let licences = data_root.join("wallet").join("licence_types.json");
    let paths = vec![dir.clone(), dir.join("services"), licences.clone()];
    DataFiles::load("flows", paths, move || build(&dir, &licences))
}

fn build(dir: &Path, licences: &PathBuf) -> Result<Flows, String> {
    let flows = Flows::load(dir).map_err(|e| e.to_string())?;
    if licences.is_file() {
        let types = yuesou_wallet::LicenceTypes::load(licences).map_err(|e| e.to_string())?;
        let fields: BTreeMap<String, BTreeSet<String>> = types
            .iter()
            .map(|t| {
                (
                    t.code.clone(),
                    t.fields.iter().map(|f| f.name.clone()).collect(),
                )
            })
            .collect();
        flows
            .check_wallet_types(&fields)
            .map_err(|e| e.to_string())?;
    }
    Ok(flows)
}

/// What an item's flow depends on, from its catalogue row.
pub fn facts(item: &ServiceItem) -> yuesou_flows::ItemFacts {
    yuesou_flows::ItemFacts {
        id: item.id.clone(),
        title: item.title.clone(),
        department: item.department.clone(),
        audience: item.audience.clone(),
        service_type: item.service_type.clone().unwrap_or_default(),
        steps: item.steps.clone(),
        materials: item.materials.clone(),
        login_level: item.login_level.clone().unwrap_or_default(),
    }
}

/// The daemon's validators: the centre's GB 11643, GB 32100 and mobile
/// number checks, and the engine's gazetteer.
pub struct Checks<'a> {
    /// The gazetteer of the generation serving.
    pub gazetteer: &'a Gazetteer,
}

/// The reason code of a centre validator's refusal (`format`,
/// `check_digit`, `birth_date`).
fn reason(error: CentreError) -> String {
    let id = error.text().id().to_owned();
    if id.ends_with("-check") {
        "check_digit".to_owned()
    } else if id.ends_with("-birth-date") {
        "birth_date".to_owned()
    } else {
        "format".to_owned()
    }
}

impl FieldChecks for Checks<'_> {
    fn id_number(&self, s: &str) -> Result<String, String> {
        IdNumber::parse(s)
            .map(|id| id.as_str().to_owned())
            .map_err(reason)
    }

    fn uscc(&self, s: &str) -> Result<String, String> {
        parse_uscc(s).map_err(reason)
    }

    fn phone(&self, s: &str) -> Result<String, String> {
        // Only the 11 digits: the spaces, dashes and +86 the centre's
        // parser drops are refused by the field's schema, so they are here.
        let shaped = s.len() == 11 && s.bytes().all(|b| b.is_ascii_digit());
        if !shaped {
            return Err("format".to_owned());
        }
        parse_phone(s).map_err(reason)
    }

    fn division(&self, code: &str) -> Option<String> {
        use yuesou_core::Level;
        let division = self.gazetteer.division(code)?;
        if !matches!(division.level, Level::County | Level::Town) {
            return None;
        }
        // The names below the province, city first: 广州市天河区石牌街道.
        let mut names = vec![division.name.clone()];
        let mut parent = self.gazetteer.division(&division.parent_code);
        while let Some(d) = parent {
            if matches!(d.level, Level::Province) {
                break;
            }
            names.push(d.name.clone());
            parent = self.gazetteer.division(&d.parent_code);
        }
        names.reverse();
        Some(names.concat())
    }
}

/// The applicant's identity for a flow: `real` for the checks (read-only
/// values, substitutions), `shown` with the ID and phone numbers masked as
/// everywhere else, for the prefill a client receives.
pub struct ApplicantIdentity {
    /// The values themselves.
    pub real: Identity,
    /// The values as shown: 公民身份号码 `4401**********123X`, phone
    /// `138****0001`; names and credit codes as they are.
    pub shown: Identity,
    /// The session's level.
    pub level: yuesou_flows::Level,
}

impl ApplicantIdentity {
    /// The identity of `applicant` in a session of `level`.
    pub fn new(applicant: Applicant, level: yuesou_centre::Level) -> ApplicantIdentity {
        let real = Identity {
            name: applicant.name,
            id_number: applicant.id_number,
            phone: applicant.phone,
            // The profile's address is free text without a division code:
            // nothing an `address` field can take.
            address: None,
            org_name: applicant.org_name,
            uscc: applicant.uscc,
        };
        let shown = Identity {
            id_number: real.id_number.as_deref().map(mask_id_number),
            phone: real.phone.as_deref().map(mask_phone),
            ..real.clone()
        };
        let level = match level {
            yuesou_centre::Level::L1 => yuesou_flows::Level::L1,
            yuesou_centre::Level::L2 => yuesou_flows::Level::L2,
            yuesou_centre::Level::L3 => yuesou_flows::Level::L3,
        };
        ApplicantIdentity { real, shown, level }
    }

    /// The value of a prefill in `identity`, as text.
    fn text(identity: &Identity, prefill: Prefill) -> Option<&str> {
        match prefill {
            Prefill::Name => identity.name.as_deref(),
            Prefill::IdNumber => identity.id_number.as_deref(),
            Prefill::Phone => identity.phone.as_deref(),
            Prefill::OrgName => identity.org_name.as_deref(),
            Prefill::Uscc => identity.uscc.as_deref(),
            Prefill::Address => None,
        }
    }

    /// The answers of step `index` as the server checks them: a prefilled
    /// field answered with its shown (masked) value gets the real value
    /// back, and a read-only field (identity fields at L2 and above) left
    /// unanswered takes the identity's value.
    pub fn substitute(&self, flow: &Flow, index: usize, answers: &mut Map<String, Value>) {
        let read_only: Vec<&str> = flow.read_only(self.level);
        let fields = flow.steps.get(index).map_or(&[][..], |s| s.fields());
        for field in fields {
            let Some(prefill) = field.prefill else {
                continue;
            };
            let (Some(real), Some(shown)) = (
                Self::text(&self.real, prefill),
                Self::text(&self.shown, prefill),
            ) else {
                continue;
            };
            let answer = answers.get(&field.name);
            let unanswered = match answer {
                None | Some(Value::Null) => true,
                Some(Value::String(s)) => s.trim().is_empty(),
                Some(_) => false,
            };
            let sent_shown = matches!(answer, Some(Value::String(s)) if s.trim() == shown);
            if sent_shown || (unanswered && read_only.contains(&field.name.as_str())) {
                answers.insert(field.name.clone(), Value::String(real.to_owned()));
            }
        }
    }
}

/// Masks the ID and phone numbers of cleaned answers, as every answer of
/// the API shows them.
pub fn mask_answers(flow: &Flow, answers: &mut Map<String, Value>) {
    for field in flow.fields() {
        let mask: fn(&str) -> String = match field.kind {
            FieldKind::IdNumber => mask_id_number,
            FieldKind::Phone => mask_phone,
            _ => continue,
        };
        if let Some(Value::String(s)) = answers.get_mut(&field.name) {
            *s = mask(s);
        }
    }
}

/// The identity of the session's subject, if there is a session (and a
/// centre).
pub async fn identity(
    state: &AppState,
    subject: Option<&yuesou_centre::Subject>,
) -> Result<Option<ApplicantIdentity>, Problem> {
    let (Some(subject), Some(centre)) = (subject, state.centre()) else {
        return Ok(None);
    };
    let applicant = centre.applicant(subject).await?;
    Ok(Some(ApplicantIdentity::new(applicant, subject.level)))
}

/// Today in China Standard Time: the day relative date bounds resolve on.
pub fn today() -> time::Date {
    time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+8))
        .date()
}

/// A flow stored with an application, read back. A stored flow that no
/// longer reads is a fault of ours (logged without its content), never
/// the person's.
pub fn stored_flow(json: &Value) -> Result<Flow, Problem> {
    Flow::from_json(json).map_err(|reasons| {
        Problem::internal(format!(
            "a stored flow does not read: {} problem(s)",
            reasons.len()
        ))
    })
}

/// The `422 invalid-answers` problem of refused fields, its detail `detail`.
pub fn invalid_answers(errors: &[FieldError], detail: Text) -> Problem {
    Problem {
        errors: Some(Box::new(FieldProblems(
            errors
                .iter()
                .map(|e| FieldProblem {
                    field: echoable(&e.field),
                    code: e.code.as_str(),
                    text: message(e),
                })
                .collect(),
        ))),
        ..Problem::new(ProblemKind::InvalidAnswers, detail)
    }
}

/// An argument of a field error as text (numbers as written: `0.01`,
/// `2000`, never grouped or rounded).
fn arg(error: &FieldError, key: &str) -> String {
    match error.args.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

/// The message id of a field error (`err-field-…`).
pub fn message_id(error: &FieldError) -> &'static str {
    let reason = || arg(error, "reason");
    match error.code {
        ErrorCode::Required => "err-field-required",
        ErrorCode::UnknownField => "err-field-unknown",
        ErrorCode::WrongType => match arg(error, "expected").as_str() {
            "number" => "err-field-wrong-type-number",
            "boolean" => "err-field-wrong-type-boolean",
            "object" => "err-field-wrong-type-object",
            _ => "err-field-wrong-type-string",
        },
        ErrorCode::TooShort => "err-field-too-short",
        ErrorCode::TooLong => "err-field-too-long",
        ErrorCode::Pattern => "err-field-pattern",
        ErrorCode::NotANumber => "err-field-not-a-number",
        ErrorCode::TooSmall => "err-field-too-small",
        ErrorCode::TooLarge => "err-field-too-large",
        ErrorCode::TooManyDecimals => "err-field-too-many-decimals",
        ErrorCode::NotADate => "err-field-not-a-date",
        ErrorCode::TooEarly => "err-field-too-early",
        ErrorCode::TooLate => "err-field-too-late",
        ErrorCode::NotAnOption => "err-field-not-an-option",
        ErrorCode::BadIdNumber => match reason().as_str() {
            "check_digit" => "err-field-id-number-check",
            "birth_date" => "err-field-id-number-birth-date",
            _ => "err-field-id-number",
        },
        ErrorCode::BadUscc => match reason().as_str() {
            "check_digit" => "err-field-uscc-check",
            _ => "err-field-uscc",
        },
        ErrorCode::BadPhone => "err-field-phone",
        ErrorCode::BadAddress => match arg(error, "part").as_str() {
            "detail" => "err-field-address-detail",
            _ => "err-field-address-code",
        },
        ErrorCode::ControlCharacters => "err-field-control-characters",
        ErrorCode::ReadOnly => "err-field-read-only",
    }
}

/// A field error as a message (rendered in the reader's language by the
/// problem's renderer): its id and the arguments it shows.
pub fn message(error: &FieldError) -> Text {
    let text = Text::new(message_id(error));
    // Lengths and decimal places are whole numbers (plural rules apply);
    // bounds of numbers are shown as written (`0.01`), dates as dates.
    let int = |key: &str| error.args.get(key).and_then(Value::as_u64).unwrap_or(0);
    match error.code {
        ErrorCode::TooShort => text.arg("min", int("min")),
        ErrorCode::TooLong => text.arg("max", int("max")),
        ErrorCode::TooSmall | ErrorCode::TooEarly => text.arg("min", arg(error, "min")),
        ErrorCode::TooLarge | ErrorCode::TooLate => text.arg("max", arg(error, "max")),
        ErrorCode::TooManyDecimals => text.arg("decimals", int("decimals")),
        _ => text,
    }
}

/// A field name as it may be repeated in an answer: a key the client sent
/// that is no field name (a run of four digits or more may be an ID or
/// phone number sent as a key) is not echoed.
pub fn echoable(name: &str) -> String {
    let mut run = 0;
    let shaped = !name.is_empty()
        && name.len() <= 40
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !name.bytes().any(|b| {
            run = if b.is_ascii_digit() { run + 1 } else { 0 };
            run >= 4
        });
    if shaped {
        name.to_owned()
    } else {
        "?".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitution_gives_back_real_values_for_masked_ones_only() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data");
        let flows = load(&root).unwrap_or_else(|e| panic!("{e}"));
        let flows = flows.current();
        let flow = flows.authored("gjj-zftq").expect("gjj-zftq");
        let applicant = Applicant {
            name: Some("陈嘉明".into()),
            id_number: Some("44010419880520123X".into()),
            phone: Some("13800000001".into()),
            ..Applicant::default()
        };
        let who = ApplicantIdentity::new(applicant, yuesou_centre::Level::L2);
        assert_eq!(who.shown.id_number.as_deref(), Some("4401**********123X"));
        assert_eq!(who.shown.phone.as_deref(), Some("138****0001"));
        let (index, fields) = flow
            .steps
            .iter()
            .enumerate()
            .find(|(_, s)| {
                s.fields()
                    .iter()
                    .any(|f| f.prefill == Some(Prefill::IdNumber))
            })
            .map(|(i, s)| (i, s.fields()))
            .expect("a step with the ID number");
        let id_field = &fields
            .iter()
            .find(|f| f.prefill == Some(Prefill::IdNumber))
            .expect("id field")
            .name;
        let phone_field = fields
            .iter()
            .find(|f| f.prefill == Some(Prefill::Phone))
            .map(|f| f.name.clone());
        let mut answers = Map::new();
        if let Some(p) = &phone_field {
            answers.insert(p.clone(), Value::String("138****0001".into()));
        }
        who.substitute(flow, index, &mut answers);
        // Read-only and unanswered: the identity's value.
        assert_eq!(answers[id_field.as_str()], "44010419880520123X");
        if let Some(p) = &phone_field {
            assert_eq!(answers[p.as_str()], "13800000001");
        }
        // Another value is left for the check to judge.
        let mut answers = Map::new();
        answers.insert(id_field.clone(), Value::String("440304199001011234".into()));
        who.substitute(flow, index, &mut answers);
        assert_eq!(answers[id_field.as_str()], "440304199001011234");
        // Masked in an answer.
        let mut cleaned = Map::new();
        cleaned.insert(id_field.clone(), Value::String("44010419880520123X".into()));
        mask_answers(flow, &mut cleaned);
        assert_eq!(cleaned[id_field.as_str()], "4401**********123X");
    }

    #[test]
    fn keys_that_may_be_numbers_are_not_echoed() {
        assert_eq!(echoable("monthly_rent"), "monthly_rent");
        assert_eq!(echoable("13800000001"), "?");
        assert_eq!(echoable("a b"), "?");
        assert_eq!(echoable(""), "?");
    }
}
