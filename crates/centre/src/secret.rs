//! Random identifiers, session tokens and SMS codes, and the hashes that
//! stand for them in the database.

use sha2::{Digest, Sha256};

use crate::error::{CentreError, Result};

fn random_bytes<const N: usize>() -> Result<[u8; N]> {
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
    fn passwords_hash_with_argon2id_and_verify() {
        let hash = hash_password("yuesou-demo").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("yuesou-demo", &hash));
        assert!(!verify_password("yuesou-dem0", &hash));
        assert!(!verify_password("x", "not a hash"));
    }
}
