//! Shared fixtures for the wallet tests (included with `mod common;`).
#![allow(dead_code)]

use std::path::PathBuf;

use yuesou_wallet::{DevIssuer, Issuer, Licence, LicenceTypes};

/// The workspace root (two levels above this crate).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn types() -> LicenceTypes {
    LicenceTypes::load(root().join("data/wallet/licence_types.json")).expect("licence types load")
}

pub fn issuer(types: &LicenceTypes) -> DevIssuer {
    DevIssuer::load(root().join("data/demo/licences.jsonl"), types).expect("demo licences load")
}

/// 陈嘉明, the demo person with phone 13800000001.
pub const CHEN: &str = "44010419880520123X";
/// The demo organisation.
pub const ORG: &str = "91440101MA5D8Y2K35";

pub fn licence(issuer: &DevIssuer, holder: &str, type_code: &str) -> Licence {
    issuer
        .licences_for(holder)
        .expect("issuer answers")
        .into_iter()
        .find(|l| l.type_code == type_code)
        .expect("demo licence present")
}

/// The verifier audience of the test presentations.
pub const AUD: &str = "test-verifier";
/// The nonce of the test verifier's challenge.
pub const NONCE: &str = "n-test-0001";

/// What the test verifier expects at `now`: its audience and nonce, and the
/// `require`d fields disclosed.
pub fn expect<S: AsRef<str>>(now: time::OffsetDateTime, require: &[S]) -> yuesou_wallet::Expected {
    yuesou_wallet::Expected::new(now, AUD)
        .nonce(NONCE)
        .require(require.iter().map(|s| s.as_ref().to_string()))
}
