//! Random identifiers, session tokens and SMS codes, and the hashes that
//! stand for them in the database.
//!
//! Session tokens carry 256 random bits: their SHA-256 is enough. Short
//! secrets (six-digit SMS codes, the short codes of presentations) would be
//! reversed from an unkeyed hash in a moment by anyone who can read the
//! database, so they are stored as an HMAC-SHA256 under a [`CentreKey`]
//! kept outside the database.

use std::path::Path;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::error::{CentreError, Result};
use yuesou_messages::Text;

/// The server secret that keys the hashes of short secrets. Never printed;
/// kept in a file of mode 0600 (or given by the operator), never in the
/// database.
#[derive(Clone)]
pub struct CentreKey([u8; 32]);

impl std::fmt::Debug for CentreKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CentreKey(..)")
    }
}

/// The file under the data directory that holds the key.
pub const KEY_FILE: &str = "secrets/centre.key";

impl CentreKey {
    /// A fresh random key (tests, and embedding without a data directory).
    pub fn random() -> Result<CentreKey> {
        Ok(CentreKey(random_bytes::<32>()?))
    }

    /// A key from 64 hexadecimal digits (`YUESOU_CENTRE_SECRET`).
    pub fn from_hex(text: &str) -> Result<CentreKey> {
        let bytes = hex::decode(text.trim())
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or_else(|| CentreError::invalid("centre_secret", Text::new("err-centre-secret")))?;
        Ok(CentreKey(bytes))
    }

    /// The key in `<data_dir>/secrets/centre.key`, created (mode 0600, in a
    /// directory of mode 0700) on first use. A key file that others may
    /// read is refused.
    pub fn load_or_create(data_dir: &Path) -> Result<CentreKey> {
        let path = data_dir.join(KEY_FILE);
        let io = |e: std::io::Error| {
            CentreError::Internal(format!("centre key {}: {e}", path.display()))
        };
        if let Some(dir) = path.parent() {
            yuesou_store::private_dir(dir).map_err(io)?;
        }
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                check_private_file(&path).map_err(io)?;
                CentreKey::from_hex(&text)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = CentreKey::random()?;
                yuesou_store::write_private_file(&path, hex::encode(key.0).as_bytes())
                    .map_err(io)?;
                Ok(key)
            }
            Err(e) => Err(io(e)),
        }
    }

    /// HMAC-SHA256 of `parts` (joined unambiguously), hex.
    pub fn hash(&self, parts: &[&str]) -> String {
        // new_from_slice accepts keys of any length.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part.as_bytes());
        }
        hex::encode(mac.finalize().into_bytes())
    }
}

/// Fails when `path` may be read or written by others than its owner.
fn check_private_file(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)?.permissions().mode();
        if mode & 0o077 != 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                format!("mode {:o} lets others read it; chmod 600 it", mode & 0o777),
            ));
        }
    }
    Ok(())
}

pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes)
        .map_err(|e| CentreError::Internal(format!("no randomness: {e}")))?;
    Ok(bytes)
}

/// A fresh opaque identifier with a readable prefix (`app_3f9c…`): 96 random
/// bits, so identifiers cannot be guessed or enumerated.
pub fn new_id(prefix: &str) -> Result<String> {
    Ok(format!("{prefix}_{}", hex::encode(random_bytes::<12>()?)))
}

/// A fresh session token: 256 random bits, `ys_` + 64 hex digits.
pub fn new_token() -> Result<String> {
    Ok(format!("ys_{}", hex::encode(random_bytes::<32>()?)))
}

/// Crockford's base32 alphabet: no I, L, O or U, so a code read aloud or
/// typed is not mistaken.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A fresh short code people type or scan: `len` (at most 32) characters of
/// Crockford's base32, 5 random bits each.
pub fn new_short_code(len: usize) -> Result<String> {
    const ALPHABET: &[u8; 32] = CROCKFORD;
    let bytes = random_bytes::<32>()?;
    Ok(bytes
        .iter()
        .take(len.min(32))
        .map(|b| ALPHABET[usize::from(b & 31)] as char)
        .collect())
}

/// A short code as people type it, in its canonical form: upper case,
/// spaces and hyphens dropped, `O` read as `0` and `I`/`L` as `1`; `None`
/// when it has other characters or is not `len` long.
pub fn canonical_short_code(text: &str, len: usize) -> Option<String> {
    let code: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect();
    (code.len() == len && code.bytes().all(|b| CROCKFORD.contains(&b))).then_some(code)
}

/// A fresh six-digit SMS code.
pub fn new_code() -> Result<String> {
    let n = u32::from_le_bytes(random_bytes::<4>()?) % 1_000_000;
    Ok(format!("{n:06}"))
}

/// SHA-256 of a token or code, hex (what the database stores).
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Hashes a password with argon2id and a random salt (PHC string).
pub fn hash_password(password: &str) -> Result<String> {
    use argon2::password_hash::{PasswordHasher, SaltString, rand_core::OsRng};
    let salt = SaltString::generate(&mut OsRng);
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| CentreError::Internal(format!("cannot hash: {e}")))
}

/// Whether `password` matches the PHC string `hash`.
pub fn verify_password(password: &str, hash: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    PasswordHash::new(hash)
        .map(|parsed| {
            argon2::Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_ids_and_codes_are_fresh_and_well_formed() {
        let a = new_token().unwrap();
        assert_eq!(a.len(), 3 + 64);
        assert_ne!(a, new_token().unwrap());
        assert!(new_id("app").unwrap().starts_with("app_"));
        let code = new_code().unwrap();
        assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(digest("x"), digest("x"));
        assert_ne!(digest("x"), digest("y"));
    }

    #[test]
    fn keyed_hashes_depend_on_the_key_and_on_how_parts_split() {
        let (a, b) = (CentreKey::random().unwrap(), CentreKey::random().unwrap());
        assert_eq!(
            a.hash(&["13800000001", "123456"]),
            a.hash(&["13800000001", "123456"])
        );
        assert_ne!(
            a.hash(&["13800000001", "123456"]),
            b.hash(&["13800000001", "123456"])
        );
        assert_ne!(
            a.hash(&["1380000000", "1123456"]),
            a.hash(&["13800000001", "123456"])
        );
        assert!(CentreKey::from_hex("zz").is_err());
        let code = new_short_code(10).unwrap();
        assert_eq!(code.len(), 10);
        assert!(code.bytes().all(|c| CROCKFORD.contains(&c)));
        assert_eq!(
            canonical_short_code(&code.to_lowercase(), 10),
            Some(code.clone())
        );
        assert_eq!(
            canonical_short_code("abc-def-ghjk", 10).as_deref(),
            Some("ABCDEFGHJK")
        );
        assert_eq!(canonical_short_code("oil", 3).as_deref(), Some("011"));
        assert_eq!(canonical_short_code("ABCU", 4), None);
        assert_eq!(canonical_short_code("ABC", 4), None);
    }

    #[test]
    fn the_key_file_is_private_and_kept() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let first = CentreKey::load_or_create(dir.path()).unwrap();
        let again = CentreKey::load_or_create(dir.path()).unwrap();
        assert_eq!(first.hash(&["x"]), again.hash(&["x"]));
        let path = dir.path().join(KEY_FILE);
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let parent = path.parent().unwrap();
        assert_eq!(
            std::fs::metadata(parent).unwrap().permissions().mode() & 0o777,
            0o700
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(
            CentreKey::load_or_create(dir.path()).is_err(),
            "a readable key is refused"
        );
    }

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let hash = hash_password("yuesou-demo").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("yuesou-demo", &hash));
        assert!(!verify_password("yuesou-dem0", &hash));
        assert!(!verify_password("x", "not a hash"));
    }
}
