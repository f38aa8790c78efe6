//! Issuer signing keys (签发密钥) and their public JWKS.
//!
//! Keys live under `DIR/wallet-keys/`, one JSON file per key
//! (`<kid>.json`, mode 0600, directory 0700). The newest key that is not
//! retired signs; retired keys stay for verification during the retention
//! period, then their files are deleted. Secret key material is never
//! printed: [`KeyStore`]'s `Debug` shows key ids only.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use zeroize::Zeroizing;

use crate::b64;
use crate::error::WalletError;

/// Default time retired keys stay available for verification (7 days).
pub const DEFAULT_RETENTION: Duration = Duration::days(7);

/// Name of the key directory inside the directory given to [`KeyStore::open`].
pub const KEY_DIR: &str = "wallet-keys";

/// Something that can give the Ed25519 public key for a `kid`: a
/// [`KeyStore`] or a [`Jwks`].
pub trait VerificationKeys {
    /// The 32-byte Ed25519 public key named `kid`, if known.
    fn public_key(&self, kid: &str) -> Option<[u8; 32]>;
}

/// A JSON Web Key (RFC 7517) for an Ed25519 public key (RFC 8037).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    /// Key type: `OKP`.
    pub kty: String,
    /// Curve: `Ed25519`.
    pub crv: String,
    /// Public key, base64url without padding.
    pub x: String,
    /// Key id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// Algorithm: `EdDSA`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    /// Use: `sig`.
    #[serde(rename = "use", default, skip_serializing_if = "Option::is_none")]
    pub use_: Option<String>,
}

impl Jwk {
    /// A bare public JWK (no `kid`/`alg`/`use`), as put in `cnf.jwk`.
    pub fn from_public_bytes(bytes: &[u8; 32]) -> Self {
        Self {
            kty: "OKP".to_owned(),
            crv: "Ed25519".to_owned(),
            x: b64::encode(bytes),
            kid: None,
            alg: None,
            use_: None,
        }
    }

    /// The raw public key if this is an OKP/Ed25519 key with a 32-byte `x`.
    pub fn ed25519_public_key(&self) -> Option<[u8; 32]> {
        if self.kty != "OKP" || self.crv != "Ed25519" {
            return None;
        }
        if self.alg.as_deref().is_some_and(|a| a != "EdDSA") {
            return None;
        }
        b64::decode(&self.x).ok()?.try_into().ok()
    }

    /// RFC 7638 JWK thumbprint (SHA-256, base64url): used as the `kid`.
    pub fn thumbprint(&self) -> String {
        // Members in lexicographic order, no whitespace (RFC 7638 §3.2).
        let canonical = format!(
            r#"{{"crv":"{}","kty":"{}","x":"{}"}}"#,
            self.crv, self.kty, self.x
        );
        b64::sha256(canonical.as_bytes())
    }
}

/// A JWK Set (RFC 7517 §5): the issuer's public keys, current and retained.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwks {
    /// The keys.
    pub keys: Vec<Jwk>,
}

impl Jwks {
    /// Parses a JWKS document.
    pub fn from_json(text: &str) -> Result<Self, WalletError> {
        serde_json::from_str(text).map_err(|e| WalletError::Data {
            path: PathBuf::new(),
            line: None,
            message: format!("JWKS: {e}"),
        })
    }

    /// The JWKS as compact JSON.
    pub fn to_json(&self) -> String {
        // Serialising plain strings into JSON cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl VerificationKeys for Jwks {
    fn public_key(&self, kid: &str) -> Option<[u8; 32]> {
        self.keys
            .iter()
            .find(|k| k.kid.as_deref() == Some(kid))
            .and_then(Jwk::ed25519_public_key)
    }
}

/// On-disk form of one key.
#[derive(Serialize, Deserialize)]
struct KeyFile {
    kid: String,
    alg: String,
    created_at: i64,
    #[serde(default)]
    retired_at: Option<i64>,
    /// 32-byte Ed25519 seed, base64url.
    secret: Zeroizing<String>,
}

struct StoredKey {
    kid: String,
    created_at: OffsetDateTime,
    retired_at: Option<OffsetDateTime>,
    signing: SigningKey,
}

impl StoredKey {
    fn file(&self) -> KeyFile {
        KeyFile {
            kid: self.kid.clone(),
            alg: "EdDSA".to_owned(),
            created_at: self.created_at.unix_timestamp(),
            retired_at: self.retired_at.map(OffsetDateTime::unix_timestamp),
            secret: Zeroizing::new(b64::encode(self.signing.as_bytes())),
        }
    }

    fn jwk(&self) -> Jwk {
        Jwk {
            kid: Some(self.kid.clone()),
            alg: Some("EdDSA".to_owned()),
            use_: Some("sig".to_owned()),
            ..Jwk::from_public_bytes(&self.signing.verifying_key().to_bytes())
        }
    }
}

/// Public information about one key in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    /// Key id (RFC 7638 thumbprint of the public key).
    pub kid: String,
    /// When the key was created.
    pub created_at: OffsetDateTime,
    /// When the key stopped signing, if it did.
    pub retired_at: Option<OffsetDateTime>,
}

/// The issuer's Ed25519 signing keys (签发密钥库).
///
/// One process owns a store: keys are read on open, and a rotation made by
/// another process is seen only when the store is opened again.
pub struct KeyStore {
    dir: PathBuf,
    retention: Duration,
    /// Newest first; `keys[0]` signs.
    keys: Vec<StoredKey>,
}

impl std::fmt::Debug for KeyStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyStore")
            .field("dir", &self.dir)
            .field("retention", &self.retention)
            .field(
                "kids",
                &self.keys.iter().map(|k| k.kid.as_str()).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl KeyStore {
    /// Opens (or creates) the key store in `dir/wallet-keys/` with the
    /// [`DEFAULT_RETENTION`]. A signing key is generated on first open.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self, WalletError> {
        Self::open_with_retention(dir, DEFAULT_RETENTION)
    }

    /// Like [`open`](Self::open) with a given retention period for retired
    /// keys. Retired keys older than that are deleted on open and rotation.
    /// Key files readable or writable by others are refused.
    pub fn open_with_retention(
        dir: impl AsRef<Path>,
        retention: Duration,
    ) -> Result<Self, WalletError> {
        let dir = dir.as_ref().join(KEY_DIR);
        create_private_dir(&dir)?;
        let keys = read_keys(&dir)?;
        let mut store = Self {
            dir,
            retention,
            keys,
        };
        let now = OffsetDateTime::now_utc();
        store.prune(now)?;
        if store.keys.first().is_none_or(|k| k.retired_at.is_some()) {
            store.add_key(now)?;
        }
        Ok(store)
    }

    /// Re-reads the key files, to pick up a rotation another process (a
    /// replica sharing the directory) made. Keeps the keys in memory when
    /// the directory holds no signing key.
    pub fn reload(&mut self) -> Result<(), WalletError> {
        let keys = read_keys(&self.dir)?;
        if keys.first().is_some_and(|k| k.retired_at.is_none()) {
            self.keys = keys;
        }
        Ok(())
    }

    /// The directory holding the key files.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The key id of the current signing key.
    pub fn current_kid(&self) -> &str {
        self.keys
            .first()
            .map(|k| k.kid.as_str())
            .unwrap_or_default()
    }

    /// All keys available for verification, newest first.
    pub fn keys(&self) -> Vec<KeyInfo> {
        self.keys
            .iter()
            .map(|k| KeyInfo {
                kid: k.kid.clone(),
                created_at: k.created_at,
                retired_at: k.retired_at,
            })
            .collect()
    }

    /// Rotates now: see [`rotate_at`](Self::rotate_at).
    pub fn rotate(&mut self) -> Result<String, WalletError> {
        self.rotate_at(OffsetDateTime::now_utc())
    }

    /// Retires the current key at `now` (it keeps verifying for the
    /// retention period), creates a new signing key, deletes keys retired
    /// longer than the retention period, and returns the new `kid`.
    pub fn rotate_at(&mut self, now: OffsetDateTime) -> Result<String, WalletError> {
        for i in 0..self.keys.len() {
            if self.keys[i].retired_at.is_none() {
                self.keys[i].retired_at = Some(now);
                write_key(&self.dir, &self.keys[i])?;
            }
        }
        self.prune(now)?;
        self.add_key(now)?;
        Ok(self.current_kid().to_owned())
    }

    /// JWKS with the current and retained public keys (OKP/Ed25519, `kid`,
    /// `alg: EdDSA`, `use: sig`), to publish for offline verifiers.
    pub fn jwks(&self) -> Jwks {
        Jwks {
            keys: self.keys.iter().map(StoredKey::jwk).collect(),
        }
    }

    /// Signs with the current key; returns its `kid` and the signature.
    pub(crate) fn sign(&self, message: &[u8]) -> Result<(&str, Signature), WalletError> {
        let key = self
            .keys
            .first()
            .ok_or_else(|| WalletError::KeyStore("no signing key".to_owned()))?;
        Ok((key.kid.as_str(), key.signing.sign(message)))
    }

    fn add_key(&mut self, now: OffsetDateTime) -> Result<(), WalletError> {
        let seed = Zeroizing::new(random_bytes::<32>()?);
        let signing = SigningKey::from_bytes(&seed);
        let kid = Jwk::from_public_bytes(&signing.verifying_key().to_bytes()).thumbprint();
        let key = StoredKey {
            kid,
            // Whole seconds, as stored on disk.
            created_at: now.replace_nanosecond(0).unwrap_or(now),
            retired_at: None,
            signing,
        };
        write_key(&self.dir, &key)?;
        self.keys.insert(0, key);
        Ok(())
    }

    fn prune(&mut self, now: OffsetDateTime) -> Result<(), WalletError> {
        let cutoff = now - self.retention;
        let (gone, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut self.keys)
            .into_iter()
            .partition(|k| k.retired_at.is_some_and(|r| r < cutoff));
        self.keys = kept;
        for k in gone {
            let path = self.dir.join(format!("{}.json", k.kid));
            match fs::remove_file(&path) {
                // Another process sharing the directory pruned it first.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                result => result.map_err(|source| WalletError::Io { path, source })?,
            }
        }
        Ok(())
    }
}

impl VerificationKeys for KeyStore {
    fn public_key(&self, kid: &str) -> Option<[u8; 32]> {
        self.keys
            .iter()
            .find(|k| k.kid == kid)
            .map(|k| k.signing.verifying_key().to_bytes())
    }
}

/// The keys in `dir`, newest signing key first, then retired keys newest
/// first.
fn read_keys(dir: &Path) -> Result<Vec<StoredKey>, WalletError> {
    let mut keys = Vec::new();
    let entries = fs::read_dir(dir).map_err(|source| WalletError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    for entry in entries {
        let path = entry
            .map_err(|source| WalletError::Io {
                path: dir.to_path_buf(),
                source,
            })?
            .path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        keys.push(read_key(&path)?);
    }
    keys.sort_by(|a, b| {
        (a.retired_at.is_none(), a.created_at).cmp(&(b.retired_at.is_none(), b.created_at))
    });
    keys.reverse();
    Ok(keys)
}

/// `n` random bytes from the operating system.
pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], WalletError> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).map_err(|e| WalletError::Random(e.to_string()))?;
    Ok(buf)
}

/// A fresh Ed25519 key (for the per-presentation holder key).
pub(crate) fn ephemeral_key() -> Result<SigningKey, WalletError> {
    let seed = Zeroizing::new(random_bytes::<32>()?);
    Ok(SigningKey::from_bytes(&seed))
}

/// Verifies an Ed25519 signature with strict checks (no malleability).
pub(crate) fn verify_ed25519(public: &[u8; 32], message: &[u8], signature: &[u8]) -> bool {
    let Ok(key) = VerifyingKey::from_bytes(public) else {
        return false;
    };
    let Ok(sig) = <[u8; 64]>::try_from(signature) else {
        return false;
    };
    key.verify_strict(message, &Signature::from_bytes(&sig))
        .is_ok()
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> WalletError + '_ {
    move |source| WalletError::Io {
        path: path.to_owned(),
        source,
    }
}

fn create_private_dir(dir: &Path) -> Result<(), WalletError> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(io_err(dir))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(io_err(dir))?;
    }
    Ok(())
}

fn read_key(path: &Path) -> Result<StoredKey, WalletError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(path)
            .map_err(io_err(path))?
            .permissions()
            .mode()
            & 0o777;
        if mode & 0o077 != 0 {
            return Err(WalletError::KeyStore(format!(
                "{} has mode {mode:o}; it must not be accessible to others (0600)",
                path.display()
            )));
        }
    }
    let text = Zeroizing::new(fs::read_to_string(path).map_err(io_err(path))?);
    let bad = |what: &str| WalletError::KeyStore(format!("{}: {what}", path.display()));
    let file: KeyFile = serde_json::from_str(&text).map_err(|_| bad("not a key file"))?;
    if file.alg != "EdDSA" {
        return Err(bad("unsupported algorithm"));
    }
    let seed: Zeroizing<[u8; 32]> = Zeroizing::new(
        b64::decode(&file.secret)
            .ok()
            .and_then(|v| <[u8; 32]>::try_from(v.as_slice()).ok())
            .ok_or_else(|| bad("secret is not a 32-byte base64url value"))?,
    );
    let signing = SigningKey::from_bytes(&seed);
    let kid = Jwk::from_public_bytes(&signing.verifying_key().to_bytes()).thumbprint();
    if kid != file.kid {
        return Err(bad("kid does not match the key"));
    }
    let time = |t: i64| OffsetDateTime::from_unix_timestamp(t).map_err(|_| bad("bad timestamp"));
    Ok(StoredKey {
        kid,
        created_at: time(file.created_at)?,
        retired_at: file.retired_at.map(time).transpose()?,
        signing,
    })
}

/// Writes a key file atomically with mode 0600.
fn write_key(dir: &Path, key: &StoredKey) -> Result<(), WalletError> {
    let path = dir.join(format!("{}.json", key.kid));
    let tmp = dir.join(format!(".{}.json.tmp", key.kid));
    let json = Zeroizing::new(
        serde_json::to_string(&key.file())
            .map_err(|e| WalletError::KeyStore(format!("cannot encode key: {e}")))?,
    );
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp).map_err(io_err(&tmp))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(0o600))
            .map_err(io_err(&tmp))?;
    }
    file.write_all(json.as_bytes()).map_err(io_err(&tmp))?;
    file.sync_all().map_err(io_err(&tmp))?;
    fs::rename(&tmp, &path).map_err(io_err(&path))?;
    Ok(())
}
