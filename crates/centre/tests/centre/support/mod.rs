//! Runs each centre test on every backend: an SQLite file in a temporary
//! directory, and PostgreSQL when reachable (`YUESOU_TEST_POSTGRES`, default
//! `postgres://postgres@127.0.0.1:5432/test`), each test in a fresh schema.
//! Where PostgreSQL is absent the PostgreSQL half prints `SKIPPED` with the
//! reason, unless `YUESOU_REQUIRE_POSTGRES=1` (as in CI), which fails.

#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;

use yuesou_centre::{
    Centre, Client, Db, DemoFaces, DemoIdentities, ManualClock, Outbox, Policy, Providers,
};

/// Everything a test needs.
pub struct Ctx {
    pub centre: Centre,
    pub clock: Arc<ManualClock>,
    pub outbox: Arc<Outbox>,
    pub backend: &'static str,
    _dir: tempfile::TempDir,
}

/// 2026-12-01T00:00:00Z
pub const START_MS: i64 = 1_796_083_200_000;

pub fn client(address: &str) -> Client {
    Client {
        device: "test-suite".into(),
        address: address.into(),
    }
}

fn identities() -> DemoIdentities {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/demo/identities.jsonl");
    DemoIdentities::load(&path).expect("demo identities")
}

async fn ctx(db: Db, dir: tempfile::TempDir, backend: &'static str) -> Ctx {
    let clock = Arc::new(ManualClock::new(START_MS));
    let outbox = Arc::new(Outbox::new(dir.path().join("outbox")));
    let providers = Providers {
        sms: outbox.clone(),
        push: outbox.clone(),
        identities: Arc::new(identities()),
        faces: Arc::new(DemoFaces),
        clock: clock.clone(),
    };
    Ctx {
        centre: Centre::with_policy(db, providers, Policy::default()),
        clock,
        outbox,
        backend,
        _dir: dir,
    }
}

/// The centre of `ctx` with the wallet over the bundled licence types and
/// demo licences, its keys under the test's directory.
pub fn with_wallet(ctx: Ctx) -> Ctx {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data");
    let types = yuesou_wallet::LicenceTypes::load(data.join("wallet/licence_types.json"))
        .expect("licence types");
    let issuer = yuesou_wallet::DevIssuer::load(data.join("demo/licences.jsonl"), &types)
        .expect("demo licences");
    let keys = yuesou_wallet::KeyStore::open(ctx._dir.path()).expect("keys");
    let wallet = yuesou_centre::Wallet::new(types, Arc::new(issuer), keys)
        .with_public_base("https://gd.example");
    Ctx {
        centre: ctx.centre.with_wallet(wallet),
        ..ctx
    }
}

/// Runs `test` on SQLite, then on PostgreSQL when reachable.
pub async fn each_backend(test: impl AsyncFn(Ctx)) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_sqlite(dir.path()).await.expect("sqlite");
    test(ctx(db, dir, "sqlite").await).await;
    if let Some(url) = yuesou_centre::testing::postgres_schema().await {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&url).await.expect("postgres");
        test(ctx(db, dir, "postgres").await).await;
    }
}

/// Registers a person with `phone` through the SMS flow; returns the token.
pub async fn register(ctx: &Ctx, phone: &str) -> String {
    let c = client("10.0.0.1");
    ctx.centre.send_code(phone, "register", &c).await.unwrap();
    let code = ctx.outbox.last_code(phone).expect("a code was sent");
    ctx.centre
        .register(phone, &code, "pass-word-1", &c)
        .await
        .unwrap()
        .token
}
