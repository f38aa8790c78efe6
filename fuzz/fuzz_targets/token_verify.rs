//! Presentation-token verification (`yuesou_wallet::verify`) against the
//! published JWKS, on arbitrary text and on a real presentation of 陈嘉明's
//! driving licence changed byte by byte: only the unchanged token (up to
//! surrounding white space) is ever accepted, at the right times, with the
//! required fields; every refusal is one of the documented kinds.
//!
//! An input whose first byte is 0 is a token as text (`fuzz/seeds/
//! token_verify/` holds real presentations: their issuer key is not the
//! fuzzing process's, so they exercise parsing up to the key look-up);
//! any other first byte is a structured case built from the bytes after it.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use yuesou_wallet::{
    CLOCK_SKEW, DevIssuer, Expected, Issuer, Jwks, KeyStore, LicenceTypes, PresentRequest,
    VerifyError, present, verify,
};

const NOW: OffsetDateTime = datetime!(2026-12-01 09:00 UTC);
/// The verifier the fixture's presentation is for, and its challenge.
const AUD: &str = "fuzz-verifier";
const NONCE: &str = "fuzz-nonce";
const DISCLOSED: [&str; 2] = ["holder_name", "vehicle_class"];

struct Fixture {
    token: String,
    expires_at: OffsetDateTime,
    jwks: Jwks,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data");
        let types = LicenceTypes::load(data.join("wallet/licence_types.json")).expect("types");
        let issuer = DevIssuer::load(data.join("demo/licences.jsonl"), &types).expect("issuer");
        let licence = issuer
            .licences_for("44010419880520123X")
            .expect("issuer answers")
            .into_iter()
            .find(|l| l.type_code == "driving_licence")
            .expect("the demo driving licence");
        let ty = types.require(&licence.type_code).expect("its type");
        // The key store lives for the whole fuzzing process.
        let dir = Box::leak(Box::new(
            tempfile::tempdir().expect("a temporary directory"),
        ));
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
        }
    })
}

#[derive(Debug, Arbitrary)]
enum Edit {
    Flip { at: u16, mask: u8 },
    Insert { at: u16, byte: u8 },
    Delete { at: u16 },
    Truncate { at: u16 },
}

#[derive(Debug, Arbitrary)]
enum Input {
    /// The real token, changed.
    Mutated(Vec<Edit>),
    /// The real token, checked `offset` seconds after it was made.
    Late { offset: i32 },
    /// The real token, with fields the verifier requires.
    Require(Vec<String>),
    /// The real token against a JWKS document from arbitrary text.
    Keys(String),
}

fn check_refusal(error: &VerifyError) {
    let documented = [
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
    assert!(documented.contains(&error.code()), "{error:?}");
    assert!(!error.message_zh().is_empty() && !error.message_en().is_empty());
}

/// Only the real token itself, trimmed or not, verifies.
fn check_text(text: &str) {
    let fixture = fixture();
    match verify(text, &fixture.jwks, &Expected::new(NOW, AUD).nonce(NONCE)) {
        Ok(verified) => {
            assert_eq!(text.trim(), fixture.token, "a changed token was accepted");
            assert_eq!(verified.nonce, NONCE);
            let shown: Vec<&str> = verified.fields.keys().map(String::as_str).collect();
            assert_eq!(shown, DISCLOSED);
        }
        Err(error) => {
            assert_ne!(
                text.trim(),
                fixture.token,
                "the real token was refused: {error}"
            );
            check_refusal(&error);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode == 0 {
        if let Ok(text) = std::str::from_utf8(rest) {
            check_text(text);
        }
    } else if let Ok(input) = Input::arbitrary_take_rest(Unstructured::new(rest)) {
        structured(input);
    }
});

fn structured(input: Input) {
    let fixture = fixture();
    match input {
        Input::Mutated(edits) => {
            let mut bytes = fixture.token.clone().into_bytes();
            for edit in edits.iter().take(8) {
                let at = |i: u16| usize::from(i) % (bytes.len() + 1);
                match *edit {
                    Edit::Flip { at: i, mask } => {
                        let i = at(i).min(bytes.len().saturating_sub(1));
                        if let Some(b) = bytes.get_mut(i) {
                            *b ^= mask;
                        }
                    }
                    Edit::Insert { at: i, byte } => {
                        let i = at(i);
                        bytes.insert(i, byte);
                    }
                    Edit::Delete { at: i } => {
                        let i = at(i);
                        if i < bytes.len() {
                            bytes.remove(i);
                        }
                    }
                    Edit::Truncate { at: i } => {
                        let i = at(i);
                        bytes.truncate(i);
                    }
                }
            }
            if let Ok(text) = String::from_utf8(bytes) {
                check_text(&text);
            }
        }
        Input::Late { offset } => {
            let at = NOW + Duration::seconds(i64::from(offset));
            let result = verify(&fixture.token, &fixture.jwks, &Expected::new(at, AUD).nonce(NONCE));
            if at >= fixture.expires_at {
                assert!(
                    matches!(result, Err(VerifyError::Expired { .. })),
                    "{result:?}"
                );
            } else if at < NOW - CLOCK_SKEW - Duration::SECOND {
                assert!(
                    matches!(result, Err(VerifyError::NotYetValid { .. })),
                    "{result:?}"
                );
            } else if at > NOW - CLOCK_SKEW + Duration::SECOND {
                assert!(result.is_ok(), "{result:?}");
            }
        }
        Input::Require(fields) => {
            let result = verify(&fixture.token, &fixture.jwks, &Expected::new(NOW, AUD).nonce(NONCE).require(fields.iter().cloned()));
            let missing = fields.iter().find(|f| !DISCLOSED.contains(&f.as_str()));
            match (result, missing) {
                (Ok(_), None) => {}
                (Err(VerifyError::NotDisclosed { field }), Some(_)) => {
                    assert!(fields.contains(&field) && !DISCLOSED.contains(&field.as_str()));
                }
                (result, missing) => panic!("{result:?} with {missing:?} missing"),
            }
        }
        Input::Keys(text) => {
            if let Ok(jwks) = Jwks::from_json(&text) {
                match verify(&fixture.token, &jwks, &Expected::new(NOW, AUD).nonce(NONCE)) {
                    Ok(verified) => {
                        assert!(jwks.keys.iter().any(|k| k.thumbprint() == verified.kid));
                        assert!(
                            fixture
                                .jwks
                                .keys
                                .iter()
                                .any(|k| k.thumbprint() == verified.kid)
                        );
                    }
                    Err(error) => check_refusal(&error),
                }
            }
        }
    }
}
