//! The issuer key store: file modes, persistence, JWKS, rotation and
//! retention.

use crate::common;

use std::os::unix::fs::PermissionsExt;

use common::{AUD, CHEN, NONCE, expect, issuer, licence, types};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use yuesou_wallet::{KEY_DIR, KeyStore, PresentRequest, WalletError, present, verify};

const NONE: &[&str] = &[];

fn key_files(store: &KeyStore) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(store.dir())
        .expect("key dir")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    files
}

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

#[test]
fn keys_are_created_private_and_persist() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = KeyStore::open(dir.path()).expect("opens");
    assert_eq!(store.dir(), dir.path().join(KEY_DIR));
    assert_eq!(mode(store.dir()), 0o700);
    let files = key_files(&store);
    assert_eq!(files.len(), 1);
    assert_eq!(mode(&files[0]), 0o600);
    let kid = store.current_kid().to_owned();
    assert_eq!(kid.len(), 43, "RFC 7638 thumbprint");
    assert!(files[0].ends_with(format!("{kid}.json")));

    let again = KeyStore::open(dir.path()).expect("reopens");
    assert_eq!(again.current_kid(), kid);
    assert_eq!(key_files(&again).len(), 1, "no new key on reopen");
}

#[test]
fn secrets_never_appear_in_debug_or_jwks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = KeyStore::open(dir.path()).expect("opens");
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&key_files(&store)[0]).expect("read"))
            .expect("json");
    let secret = file["secret"].as_str().expect("secret").to_owned();
    assert_eq!(secret.len(), 43);
    assert!(!format!("{store:?}").contains(&secret));
    assert!(format!("{store:?}").contains(store.current_kid()));
    let jwks = store.jwks().to_json();
    assert!(!jwks.contains(&secret));
    let value: serde_json::Value = serde_json::from_str(&jwks).expect("json");
    let key = &value["keys"][0];
    assert_eq!(key["kty"], "OKP");
    assert_eq!(key["crv"], "Ed25519");
    assert_eq!(key["alg"], "EdDSA");
    assert_eq!(key["use"], "sig");
    assert_eq!(key["kid"], store.current_kid());
    assert!(key.get("d").is_none());
    assert_eq!(store.jwks().keys[0].thumbprint(), store.current_kid());
}

#[test]
fn unsafe_or_corrupt_key_files_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = KeyStore::open(dir.path()).expect("opens");
    let file = key_files(&store).remove(0);
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    assert!(matches!(
        KeyStore::open(dir.path()),
        Err(WalletError::KeyStore(m)) if m.contains("644")
    ));
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let text = std::fs::read_to_string(&file).expect("read");
    let kid = store.current_kid();
    std::fs::write(&file, text.replace(kid, "not-the-kid")).expect("write");
    let err = KeyStore::open(dir.path()).expect_err("kid mismatch");
    assert!(
        !err.to_string()
            .contains(&text[text.find("secret").unwrap_or(0)..])
    );
}

#[test]
fn rotation_keeps_old_tokens_verifiable_until_retention_ends() {
    let types = types();
    let issuer = issuer(&types);
    let l = licence(&issuer, CHEN, "driving_licence");
    let ty = types.require("driving_licence").expect("type");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = KeyStore::open_with_retention(dir.path(), Duration::days(2)).expect("opens");
    let now = OffsetDateTime::now_utc();
    let old_kid = store.current_kid().to_owned();
    let old = present(
        &store,
        &l,
        ty,
        &PresentRequest::new(["vehicle_class"], now, AUD, NONCE),
    )
    .expect("presentation");

    let new_kid = store.rotate_at(now).expect("rotates");
    assert_ne!(new_kid, old_kid);
    assert_eq!(store.current_kid(), new_kid);
    assert_eq!(store.keys().len(), 2);
    assert_eq!(
        store.keys()[1].retired_at.map(|t| t.unix_timestamp()),
        Some(now.unix_timestamp())
    );
    let kids: Vec<_> = store
        .jwks()
        .keys
        .into_iter()
        .filter_map(|k| k.kid)
        .collect();
    assert_eq!(kids, [new_kid.clone(), old_kid.clone()]);

    // Old token still verifies; new tokens use the new key.
    assert_eq!(
        verify(&old.token, &store, &expect(now, NONE))
            .expect("old verifies")
            .kid,
        old_kid
    );
    let new = present(
        &store,
        &l,
        ty,
        &PresentRequest::new(["vehicle_class"], now, AUD, NONCE),
    )
    .expect("presentation");
    assert_eq!(
        verify(&new.token, &store, &expect(now, NONE))
            .expect("new verifies")
            .kid,
        new_kid
    );

    // The rotation survives a reopen: the new key signs, the old one verifies.
    let reopened = KeyStore::open_with_retention(dir.path(), Duration::days(2)).expect("reopens");
    assert_eq!(reopened.current_kid(), new_kid);
    assert!(verify(&old.token, &reopened, &expect(now, NONE)).is_ok());
    drop(reopened);

    // Past the retention period the old key is deleted.
    let later = now + Duration::days(3);
    let newest = store.rotate_at(later).expect("rotates again");
    let kids: Vec<_> = store.keys().into_iter().map(|k| k.kid).collect();
    assert_eq!(kids, [newest, new_kid]);
    assert_eq!(key_files(&store).len(), 2);
    let err = verify(&old.token, &store, &expect(now, NONE)).expect_err("old key gone");
    assert_eq!(err.code(), "unknown_key");
    assert!(verify(&new.token, &store, &expect(now, NONE)).is_ok());
}

#[test]
fn retired_keys_past_retention_are_pruned_on_open() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = KeyStore::open_with_retention(dir.path(), Duration::days(1)).expect("opens");
    store
        .rotate_at(datetime!(2020-01-01 00:00 UTC))
        .expect("rotates");
    assert_eq!(key_files(&store).len(), 2);
    let reopened = KeyStore::open_with_retention(dir.path(), Duration::days(1)).expect("reopens");
    assert_eq!(reopened.keys().len(), 1, "key retired in 2020 is gone");
    assert_eq!(reopened.current_kid(), store.current_kid());
}
