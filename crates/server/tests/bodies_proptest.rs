//! Property tests of the JSON request bodies, the stable-toolchain
//! equivalent of the `auth_bodies` and `api_bodies` fuzz targets. Bodies go
//! through `yuesou_server::bodies::parse_body` (exactly what the `JsonBody`
//! extractor runs) and the checks that need no database:
//!
//! - a well-formed login or registration parses to the values sent, an
//!   unknown field is refused, the login checks accept exactly six-digit
//!   codes and passwords of at most 64 characters;
//! - every refusal is a 400 `invalid-request` problem that repeats no number
//!   of the body (phone and ID numbers are personal data);
//! - phone numbers, ID numbers and credit codes the centre accepts are
//!   canonical, a single changed digit is always caught, and the history
//!   filter (`contains_personal_number`) finds every phone or ID number the
//!   centre would accept.

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use yuesou_centre::CentreError;
use yuesou_centre::identity::{IdNumber, contains_personal_number, parse_phone, parse_uscc};
use yuesou_messages::Arg;
use yuesou_server::bodies::{
    AddRequest, CodeRequest, ContactUpdate, FaceRequest, LoginRequest, NewBroadcast, NewFeedback,
    NewVerifierRequest, OrganisationRequest, PresentRequest, Progress, RealNameRequest,
    RedeemRequest, RegisterRequest, ReplyRequest, RevokeRequest, RuleRequest, Settings,
    StartRequest, StepAnswers, VerifyRequest, checked_rule_query, parse_body,
};
use yuesou_server::{Problem, ProblemKind};

/// A refused body: 400 `invalid-request`, no number of four digits or more.
fn check_refusal(problem: &Problem) {
    assert_eq!(problem.status, 400, "{problem:?}");
    assert_eq!(problem.kind, ProblemKind::InvalidRequest, "{problem:?}");
    // The words of the detail (its text arguments and the field named)
    // never repeat a value sent.
    let words = problem
        .text
        .args()
        .iter()
        .filter_map(|(_, value)| match value {
            Arg::Str(s) => Some(s.clone()),
            _ => None,
        })
        .chain(problem.parameter.clone());
    for word in words {
        let mut run = 0;
        for c in word.chars() {
            run = if c.is_ascii_digit() { run + 1 } else { 0 };
            assert!(run < 4, "the detail repeats a number: {problem}");
        }
    }
}

/// Parses `bytes` as every body type; refusals must be clean.
fn parse_as_every_body(bytes: &[u8]) {
    fn one<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Option<T> {
        parse_body::<T>(bytes).map_err(|p| check_refusal(&p)).ok()
    }
    if let Some(login) = one::<LoginRequest>(bytes)
        && let Err(problem) = login.check()
    {
        check_refusal(&problem);
    }
    let _ = one::<CodeRequest>(bytes);
    let _ = one::<RegisterRequest>(bytes);
    let _ = one::<StartRequest>(bytes);
    let _ = one::<StepAnswers>(bytes);
    let _ = one::<NewFeedback>(bytes);
    let _ = one::<ContactUpdate>(bytes);
    if let Some(settings) = one::<Settings>(bytes) {
        let out = serde_json::to_vec(&settings).expect("settings serialise");
        let again: Settings = parse_body(&out).expect("settings parse back");
        assert_eq!(
            serde_json::to_value(again).ok(),
            serde_json::to_value(settings).ok()
        );
    }
    let _ = one::<RealNameRequest>(bytes);
    let _ = one::<FaceRequest>(bytes);
    let _ = one::<OrganisationRequest>(bytes);
    let _ = one::<Progress>(bytes);
    let _ = one::<ReplyRequest>(bytes);
    let _ = one::<NewBroadcast>(bytes);
    if let Some(rule) = one::<RuleRequest>(bytes)
        && let Err(problem) = checked_rule_query(&rule.query)
    {
        check_refusal(&problem);
    }
    let _ = one::<AddRequest>(bytes);
    let _ = one::<PresentRequest>(bytes);
    let _ = one::<VerifyRequest>(bytes);
    let _ = one::<RevokeRequest>(bytes);
    let _ = one::<RedeemRequest>(bytes);
    let _ = one::<NewVerifierRequest>(bytes);
}

/// Real bodies of the API, to be damaged.
const BODIES: &[&str] = &[
    r#"{"phone":"13800000001","purpose":"login"}"#,
    r#"{"phone":"13800000001","password":"yuesou-demo"}"#,
    r#"{"phone":"13800000003","sms_code":"246810","password":"correct horse battery"}"#,
    r#"{"item_id":"gjj-ydzy-440100"}"#,
    r#"{"answers":{"reason":"工作调动","new_address":"广州市天河区体育西路1号"}}"#,
    r#"{"kind":"complaint","title":"预约不上","content":"社保卡补办约不到号"}"#,
    r#"{"postal_address":"广州市越秀区","contact_phone":"13800000002","email":"chen@example.com"}"#,
    r#"{"login_validity_hours":72,"login_methods":["password","sms"],"history_paused":false}"#,
    r#"{"name":"陈嘉明","id_number":"44010419880520123X"}"#,
    r#"{"uscc":"91440101MA5D8Y2K35","name":"广州示例科技有限公司"}"#,
    r#"{"status":"completed","note":"已办结","result":{"文书编号":"GZ-2026-0001"}}"#,
    r#"{"title":"系统维护","body":"12月5日凌晨维护","pinned":true}"#,
    r#"{"query":"社保卡补办","action":"pin"}"#,
    r#"{"disclose":["holder_name","vehicle_class"]}"#,
    r#"{"token":"a.b.c~d~e.f.g","require":["vehicle_class"]}"#,
    r#"{"type":"driving_licence","number":"440104198805201234"}"#,
];

/// `value` with every string value (not key) replaced by `number`.
fn numbers_for_strings(value: Value, number: u64) -> Value {
    match value {
        Value::String(_) => Value::from(number),
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|v| numbers_for_strings(v, number))
                .collect(),
        ),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, numbers_for_strings(v, number)))
                .collect(),
        ),
        other => other,
    }
}

/// A mainland mobile number.
fn phone() -> impl Strategy<Value = String> {
    "1[3-9][0-9]{9}"
}

/// A phone number as people type it: `+86`/`86` or not, spaces and
/// hyphens between digits.
fn typed_phone() -> impl Strategy<Value = (String, String)> {
    (
        phone(),
        prop_oneof![Just(""), Just("+86"), Just("86"), Just("+86 "), Just("86-")],
        prop::collection::vec(
            (
                1usize..11,
                prop_oneof![Just(" "), Just("-"), Just("  "), Just(" - "), Just("--")],
            ),
            0..4,
        ),
    )
        .prop_map(|(digits, prefix, seps)| {
            let mut typed = String::new();
            for (i, d) in digits.chars().enumerate() {
                for (at, sep) in &seps {
                    if *at == i {
                        typed.push_str(sep);
                    }
                }
                typed.push(d);
            }
            (digits, format!("{prefix}{typed}"))
        })
}

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: &[u8; 11] = b"10X98765432";

/// A valid resident ID number (GB 11643), computed by the test.
fn id_number() -> impl Strategy<Value = String> {
    (
        "[1-6][0-9]{5}",
        1900i32..2025,
        1u32..=12,
        1u32..=28,
        "[0-9]{3}",
    )
        .prop_map(|(region, year, month, day, seq)| {
            let body = format!("{region}{year:04}{month:02}{day:02}{seq}");
            let sum: u32 = body
                .bytes()
                .zip(ID_WEIGHTS)
                .map(|(b, w)| u32::from(b - b'0') * w)
                .sum();
            format!("{body}{}", char::from(ID_CHECK[(sum % 11) as usize]))
        })
}

const USCC_CHARS: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [usize; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// A valid unified social credit code (GB 32100), computed by the test.
fn uscc() -> impl Strategy<Value = String> {
    prop::collection::vec(0usize..31, 17).prop_map(|values| {
        let sum: usize = values.iter().zip(USCC_WEIGHTS).map(|(v, w)| v * w).sum();
        values
            .iter()
            .chain(std::iter::once(&((31 - sum % 31) % 31)))
            .map(|v| char::from(USCC_CHARS[*v]))
            .collect()
    })
}

fn invalid_on(error: CentreError, expected: &str) -> bool {
    matches!(error, CentreError::Invalid { field, .. } if field == expected)
}

fn six_digits(code: &str) -> bool {
    code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// A login body parses to what was sent; an unknown field is refused;
    /// the checks accept exactly the documented code and password shapes.
    #[test]
    fn login_bodies(
        phone in prop_oneof![phone(), "\\PC{0,20}"],
        password in prop::option::of(prop_oneof!["\\PC{0,70}", "[a-z]{60,70}"]),
        sms_code in prop::option::of(prop_oneof!["[0-9]{6}", "[0-9]{5,7}", "\\PC{0,8}"]),
        extra in prop::option::of("[a-z_]{1,10}"),
    ) {
        let mut body = Map::new();
        body.insert("phone".into(), json!(phone));
        if let Some(p) = &password {
            body.insert("password".into(), json!(p));
        }
        if let Some(c) = &sms_code {
            body.insert("sms_code".into(), json!(c));
        }
        let unknown = extra.filter(|e| !body.contains_key(e));
        if let Some(name) = &unknown {
            body.insert(name.clone(), json!(1));
        }
        let bytes = serde_json::to_vec(&Value::Object(body)).expect("serialises");
        match parse_body::<LoginRequest>(&bytes) {
            Ok(login) => {
                prop_assert!(unknown.is_none());
                prop_assert_eq!(&login.phone, &phone);
                prop_assert_eq!(&login.password, &password);
                prop_assert_eq!(&login.sms_code, &sms_code);
                let valid = sms_code.as_deref().is_none_or(six_digits)
                    && password.as_ref().is_none_or(|p| p.chars().count() <= 64);
                match login.check() {
                    Ok(()) => prop_assert!(valid),
                    Err(problem) => {
                        prop_assert!(!valid);
                        check_refusal(&problem);
                        let parameter = problem.parameter.as_deref();
                        prop_assert!(matches!(parameter, Some("sms_code" | "password")));
                    }
                }
            }
            Err(problem) => {
                prop_assert!(unknown.is_some(), "refused: {:?}", problem);
                check_refusal(&problem);
            }
        }
    }

    /// A registration body parses to what was sent.
    #[test]
    fn registration_bodies(phone in phone(), code in "[0-9]{6}", password in "\\PC{8,64}") {
        let body = json!({"phone": phone, "sms_code": code, "password": password});
        let bytes = serde_json::to_vec(&body).expect("serialises");
        let register: RegisterRequest = parse_body(&bytes).expect("a well-formed registration");
        prop_assert_eq!(
            (register.phone, register.sms_code, register.password),
            (phone, code, password)
        );
    }

    /// A real body damaged (bytes inserted, numbers where strings go) is
    /// parsed or refused cleanly by every body type.
    #[test]
    fn damaged_bodies_are_refused_cleanly(
        pick in 0usize..BODIES.len(),
        edits in prop::collection::vec((any::<usize>(), any::<u8>()), 0..4),
        number in 1_000u64..1_000_000_000_000_000_000,
    ) {
        let mut bytes = BODIES[pick].as_bytes().to_vec();
        for (at, byte) in &edits {
            let at = at % (bytes.len() + 1);
            bytes.insert(at, *byte);
        }
        parse_as_every_body(&bytes);
        let value: Value = serde_json::from_str(BODIES[pick]).expect("a JSON body");
        let numbered = numbers_for_strings(value, number);
        parse_as_every_body(&serde_json::to_vec(&numbered).expect("serialises"));
    }

    /// Arbitrary bytes and arbitrary JSON-like text.
    #[test]
    fn arbitrary_bodies_are_refused_cleanly(
        bytes in prop::collection::vec(any::<u8>(), 0..200),
        text in "[{}\\[\\]\":,0-9a-z_ ]{0,80}",
    ) {
        parse_as_every_body(&bytes);
        parse_as_every_body(text.as_bytes());
    }

    /// A phone number as typed is accepted as its 11 digits, and the
    /// history filter finds it, alone or inside a query.
    #[test]
    fn typed_phones_are_accepted_and_filtered((digits, typed) in typed_phone()) {
        prop_assert_eq!(parse_phone(&typed).ok(), Some(digits));
        prop_assert!(contains_personal_number(&typed), "{:?}", typed);
        let query = format!("查询{typed}的社保");
        prop_assert!(contains_personal_number(&query), "{:?}", query);
    }

    /// Arbitrary text: a phone is 11 canonical digits or `Invalid` on
    /// `phone`; what is accepted is found by the history filter.
    #[test]
    fn phone_parsing_is_canonical(text in prop_oneof!["[0-9 +-]{0,16}", "\\PC{0,16}"]) {
        match parse_phone(&text) {
            Ok(phone) => {
                prop_assert_eq!(phone.len(), 11);
                prop_assert_eq!(parse_phone(&phone).ok(), Some(phone.clone()));
                prop_assert!(contains_personal_number(&text), "{:?}", text);
            }
            Err(e) => prop_assert!(invalid_on(e, "phone")),
        }
    }

    /// Valid ID numbers are accepted (lower-case `x` too), filtered, and a
    /// single changed digit is always refused.
    #[test]
    fn id_numbers(id in id_number(), at in 0usize..17, delta in 1u8..10) {
        let parsed = IdNumber::parse(&id.to_ascii_lowercase()).expect("a valid ID number");
        prop_assert_eq!(parsed.as_str(), id.as_str());
        prop_assert!(contains_personal_number(&id));
        let mut changed = id.into_bytes();
        changed[at] = b'0' + (changed[at] - b'0' + delta) % 10;
        let changed = String::from_utf8(changed).expect("ASCII");
        let error = IdNumber::parse(&changed).expect_err("a changed digit was accepted");
        prop_assert!(invalid_on(error, "id_number"));
    }

    /// Valid credit codes are accepted upper-cased, and a single changed
    /// character is always refused.
    #[test]
    fn credit_codes(code in uscc(), at in 0usize..17, delta in 1usize..31) {
        prop_assert_eq!(parse_uscc(&code.to_ascii_lowercase()).ok(), Some(code.clone()));
        let mut changed = code.into_bytes();
        let value = USCC_CHARS.iter().position(|c| *c == changed[at]).expect("in the alphabet");
        changed[at] = USCC_CHARS[(value + delta) % 31];
        let changed = String::from_utf8(changed).expect("ASCII");
        let error = parse_uscc(&changed).expect_err("a changed character was accepted");
        prop_assert!(invalid_on(error, "uscc"));
    }
}

/// Regression (found by `typed_phones_are_accepted_and_filtered`): a phone
/// number typed with two separators in a row was accepted by `parse_phone`
/// but not caught by the history filter, so it could be kept in search
/// history and counted in hot searches.
#[test]
fn a_phone_with_doubled_separators_is_filtered() {
    for typed in [
        "1  3000000000",
        "138 - 0000 - 0001",
        "查 138--0000--0001 社保",
    ] {
        assert!(contains_personal_number(typed), "{typed}");
    }
    assert!(parse_phone("1  3000000000").is_ok());
}

/// The crash cargo-fuzz found (`api_bodies`, 2026-12-02): a rule query over
/// 30 characters was refused as a path parameter's problem, not the body's
/// `invalid-request` the route documents. Also: a control character is
/// refused even where trimming would remove it (as the document's pattern
/// says).
#[test]
fn rule_queries_are_refused_as_body_problems() {
    let long = format!("{{\"query\": \"{}社保卡办", "W".repeat(97));
    let body = format!("{long}\", \"action\": \"pin\"}}");
    let rule: RuleRequest = parse_body(body.as_bytes()).unwrap();
    let problem = checked_rule_query(&rule.query).unwrap_err();
    check_refusal(&problem);
    assert_eq!(problem.parameter.as_deref(), Some("query"));
    let problem = checked_rule_query("\n社保卡").unwrap_err();
    check_refusal(&problem);
    assert_eq!(checked_rule_query("  社保卡  ").unwrap(), "社保卡");
}
