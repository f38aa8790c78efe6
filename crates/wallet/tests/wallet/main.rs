//! The wallet's suite: licence data, keys, SD-JWT issuance and verification,
//! an independent verifier and property tests.

mod common;

mod data;
mod independent_verifier;
mod keys;
mod sdjwt;
mod verify_proptest;
