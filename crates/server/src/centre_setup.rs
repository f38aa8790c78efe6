//! Opening the personal centre for the daemon: the database (SQLite under
//! the data directory unless `database` names another), the development
//! providers, and the demo accounts (seeded while demo data is on, removed
//! when it is turned off).

use std::path::PathBuf;

use yuesou_centre::{Centre, CentreError, CentreKey, DemoData, Policy, Providers, Wallet};
use yuesou_core::{Engine, EngineOptions};
use yuesou_wallet::{DevIssuer, KeyStore, LicenceTypes};

use crate::config::{Config, redact_url};

/// The bundled `data/` directory of the engine's resources (where
/// `demo/` lives).
pub(crate) fn data_root(options: &EngineOptions) -> PathBuf {
    options
        .resources
        .divisions
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("data"))
}

/// Opens the database and the development providers.
pub(crate) async fn open(config: &Config, options: &EngineOptions) -> Result<Centre, CentreError> {
    let db = match &config.database {
        Some(url) => {
            tracing::info!(database = %redact_url(url), "personal centre database");
            yuesou_centre::Db::connect(url).await?
        }
        None => {
            tracing::info!(dir = %config.data_dir.display(), "personal centre database: SQLite");
            yuesou_centre::Db::open_sqlite(&config.data_dir).await?
        }
    };
    let identities = data_root(options).join("demo").join("identities.jsonl");
    let outbox = config.data_dir.join("outbox");
    let providers = if identities.is_file() {
        Providers::development(&identities, &outbox)?
    } else {
        tracing::warn!("no demo identities file: real-name verification matches nobody");
        Providers::development_without_identities(&outbox)
    };
    tracing::info!(outbox = %outbox.display(), "development SMS and push outbox");
    let policy = Policy {
        feedback_per_hour: config.feedback_per_hour,
        verify_per_minute: config.verify_per_minute,
        ..Policy::default()
    };
    let key = match &config.centre_secret {
        Some(hex) => CentreKey::from_hex(hex)?,
        None => CentreKey::load_or_create(&config.data_dir)?,
    };
    let centre = Centre::with_policy(db, providers, policy).with_key(key);
    centre.check_key().await?;
    Ok(match open_wallet(config, options) {
        Ok(wallet) => centre.with_wallet(wallet),
        Err(e) => {
            tracing::error!(error = %e, "the wallet is off");
            centre
        }
    })
}

/// The licence types, the development issuer and the signing keys (under
/// `<data-dir>/wallet-keys`, created on first start, mode 0600).
fn open_wallet(config: &Config, options: &EngineOptions) -> Result<Wallet, String> {
    let root = data_root(options);
    let types = LicenceTypes::load(root.join("wallet").join("licence_types.json"))
        .map_err(|e| e.to_string())?;
    let issuer = DevIssuer::load(root.join("demo").join("licences.jsonl"), &types)
        .map_err(|e| e.to_string())?;
    let keys = KeyStore::open(&config.data_dir).map_err(|e| e.to_string())?;
    tracing::info!(kid = %keys.current_kid(), "wallet signing key loaded");
    Ok(Wallet::new(types, std::sync::Arc::new(issuer), keys).with_public_base(&config.public_url))
}

/// Seeds (demo on) or removes (demo off) the demo accounts (the daemon
/// gives back their booked places first: see `Daemon::after_load`).
pub(crate) async fn demo(
    centre: &Centre,
    config: &Config,
    options: &EngineOptions,
    engine: &Engine,
) -> Result<(), CentreError> {
    if !config.demo {
        let removed = centre.remove_demo().await?;
        if removed > 0 {
            tracing::info!(
                accounts = removed,
                "demo data is off: demo accounts removed"
            );
        }
        return Ok(());
    }
    let path = data_root(options).join("demo").join("centre.json");
    if !path.is_file() {
        tracing::warn!(file = %path.display(), "demo data is on but its file is missing");
        return Ok(());
    }
    let data = DemoData::load(&path)?;
    let seeded = centre
        .seed_demo(&data, &|id| {
            engine.item(id).map(crate::catalogue::item_info)
        })
        .await?;
    tracing::info!(
        seeded,
        "demo data is ON: demo accounts can log in (see README); turn it off with --demo false"
    );
    Ok(())
}
