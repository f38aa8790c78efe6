//! Property tests of presentation-token verification, the stable-toolchain
//! equivalent of the `token_verify` fuzz target: a real presentation
//! changed in any way (bytes flipped, inserted, deleted, cut short) is
//! never accepted and is refused with a documented error; arbitrary text is
//! never accepted; the real token is accepted exactly while it is valid and
//! only when the required fields were disclosed.

use crate::common;

use std::sync::LazyLock;

use common::{AUD, NONCE, expect};
use proptest::prelude::*;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use yuesou_wallet::{CLOCK_SKEW, Jwks, KeyStore, PresentRequest, VerifyError, present, verify};

const NOW: OffsetDateTime = datetime!(2026-12-01 09:00 UTC);
const DISCLOSED: [&str; 2] = ["holder_name", "vehicle_class"];

struct Fixture {
    token: String,
    expires_at: OffsetDateTime,
    jwks: Jwks,
    _dir: tempfile::TempDir,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let types = common::types();
    let issuer = common::issuer(&types);
    let licence = common::licence(&issuer, common::CHEN, "driving_licence");
    let ty = types.require("driving_licence").expect("the type");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let keys = KeyStore::open(dir.path()).expect("a key store");
    let shown = present(
        &keys,
        &licence,
        ty,
        &PresentRequest::new(DISCLOSED, NOW, AUD, NONCE),
    )
    .expect("a presentation");
    Fixture {
        token: shown.token,
        expires_at: shown.expires_at,
        jwks: keys.jwks(),
        _dir: dir,
    }
});

const CODES: [&str; 11] = [
    "too_large",
    "malformed",
    "unknown_key",
    "bad_signature",
    "expired",
    "not_yet_valid",
    "tampered",
    "key_binding",
    "not_disclosed",
    "wrong_audience",
    "wrong_nonce",
];

fn none() -> &'static [&'static str] {
    &[]
}

#[derive(Debug, Clone)]
enum Edit {
    Flip(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Truncate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 1u8..=255).prop_map(|(i, m)| Edit::Flip(i, m)),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Insert(i, b)),
        any::<usize>().prop_map(Edit::Delete),
        any::<usize>().prop_map(Edit::Truncate),
    ]
}

fn apply(bytes: &mut Vec<u8>, edit: &Edit) {
    let len = bytes.len();
    match *edit {
        Edit::Flip(i, mask) if len > 0 => bytes[i % len] ^= mask,
        Edit::Insert(i, b) => bytes.insert(i % (len + 1), b),
        Edit::Delete(i) if len > 0 => {
            bytes.remove(i % len);
        }
        Edit::Truncate(i) => bytes.truncate(i % (len + 1)),
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any change but white space around it makes the token refused, with
    /// one of the documented refusals.
    #[test]
    fn a_changed_token_is_never_accepted(edits in prop::collection::vec(edit(), 1..4)) {
        let fixture = &*FIXTURE;
        let mut bytes = fixture.token.clone().into_bytes();
        for e in &edits {
            apply(&mut bytes, e);
        }
        let Ok(text) = String::from_utf8(bytes) else { return Ok(()) };
        let result = verify(&text, &fixture.jwks, &expect(NOW, none()));
        if text.trim() == fixture.token {
            prop_assert!(result.is_ok(), "{:?}", result);
        } else {
            let error = result.expect_err("a changed token was accepted");
            prop_assert!(CODES.contains(&error.code()), "{:?}", error);
        }
    }

    /// Arbitrary text, including text shaped like an SD-JWT, is never
    /// accepted.
    #[test]
    fn arbitrary_text_is_refused(text in "[A-Za-z0-9_.~-]{0,300}|\\PC{0,100}") {
        let error = verify(&text, &FIXTURE.jwks, &expect(NOW, none())).expect_err("accepted");
        prop_assert!(CODES.contains(&error.code()));
        prop_assert!(!error.message_zh().is_empty() && !error.message_en().is_empty());
    }

    /// A disclosure of the real token swapped for a forged one is tampering
    /// or a broken key binding, never accepted.
    #[test]
    fn a_forged_disclosure_is_refused(value in "\\PC{1,20}") {
        let fixture = &*FIXTURE;
        let parts: Vec<&str> = fixture.token.split('~').collect();
        let forged = base64_url(&format!(r#"["c2FsdHNhbHRzYWx0c2FsdA","vehicle_class",{}]"#,
            serde_json::to_string(&value).expect("a JSON string")));
        let mut changed = parts.clone();
        changed[1] = &forged;
        let token = changed.join("~");
        let error = verify(&token, &fixture.jwks, &expect(NOW, none())).expect_err("accepted");
        prop_assert!(
            matches!(error, VerifyError::Tampered { .. } | VerifyError::KeyBinding { .. }),
            "{:?}", error
        );
    }

    /// The real token is valid from its issue (less the clock skew) until
    /// it expires, and refused as expired or not yet valid outside.
    #[test]
    fn validity_follows_the_clock(offset in -3_600i64..3_600) {
        let fixture = &*FIXTURE;
        let at = NOW + Duration::seconds(offset);
        let result = verify(&fixture.token, &fixture.jwks, &expect(at, none()));
        if at >= fixture.expires_at {
            prop_assert!(matches!(result, Err(VerifyError::Expired { .. })), "{:?}", result);
        } else if at < NOW - CLOCK_SKEW - Duration::SECOND {
            prop_assert!(matches!(result, Err(VerifyError::NotYetValid { .. })), "{:?}", result);
        } else if at > NOW - CLOCK_SKEW + Duration::SECOND {
            prop_assert!(result.is_ok(), "{:?}", result);
        }
    }

    /// Required fields: accepted exactly when all were disclosed, else the
    /// first missing one is named.
    #[test]
    fn required_fields_must_be_disclosed(
        fields in prop::collection::vec(
            prop_oneof![Just("holder_name".to_owned()), Just("vehicle_class".to_owned()),
                Just("holder".to_owned()), "[a-z_]{1,12}"], 0..4)
    ) {
        let result = verify(&FIXTURE.token, &FIXTURE.jwks, &expect(NOW, &fields));
        let missing = fields.iter().find(|f| !DISCLOSED.contains(&f.as_str()));
        match (result, missing) {
            (Ok(verified), None) => {
                let shown: Vec<&str> = verified.fields.keys().map(String::as_str).collect();
                prop_assert_eq!(shown, DISCLOSED.to_vec());
            }
            (Err(VerifyError::NotDisclosed { field }), Some(_)) => {
                prop_assert!(fields.contains(&field) && !DISCLOSED.contains(&field.as_str()));
            }
            (result, missing) => prop_assert!(false, "{:?} with {:?} missing", result, missing),
        }
    }
}

/// base64url without padding, as SD-JWT encodes disclosures.
fn base64_url(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}
