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
