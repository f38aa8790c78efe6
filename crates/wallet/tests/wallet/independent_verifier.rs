//! Checks presentations with an independent SD-JWT implementation: the
//! PyPI `sd-jwt` package, through `scripts/verify_sdjwt.py`. Skipped (with
//! a `SKIPPED:` line) when Python or the package is missing; CI installs it
//! with `scripts/ci_wallet_python.sh`.

use crate::common;

use std::path::Path;
use std::process::{Command, Output};

use common::{AUD, CHEN, NONCE, ORG, issuer, licence, root, types};
use time::OffsetDateTime;
use yuesou_wallet::{KeyStore, PresentRequest, Presentation, present};

fn python_ready() -> Result<(), String> {
    match Command::new("python3")
        .args(["-c", "import sd_jwt, jwcrypto"])
        .output()
    {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => Err(format!(
            "python3 cannot import sd_jwt ({}); run scripts/ci_wallet_python.sh",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("")
        )),
        Err(e) => Err(format!("python3 not runnable: {e}")),
    }
}

/// Runs the verifier expecting a refusal whose message contains `reason`.
/// The verifier ran and refused the token: exit code 1 (argparse's own usage
/// errors exit 2) with `reason` on standard error.
fn refused(out: &Output, reason: &str) -> bool {
    out.status.code() == Some(1) && String::from_utf8_lossy(&out.stderr).contains(reason)
}

fn run_verifier(dir: &Path, p: &Presentation, jwks: &str, now: OffsetDateTime) -> Output {
    let token_path = dir.join("token.txt");
    let jwks_path = dir.join("jwks.json");
    std::fs::write(&token_path, &p.token).expect("write token");
    std::fs::write(&jwks_path, jwks).expect("write jwks");
    Command::new("python3")
        .arg(root().join("scripts/verify_sdjwt.py"))
        .arg(&token_path)
        .arg("--jwks")
        .arg(&jwks_path)
        // `--name=value`: a random base64url nonce may begin with `-`,
        // which argparse would otherwise read as an option.
        .arg(format!("--aud={}", p.audience))
        .arg(format!("--nonce={}", p.nonce))
        .arg(format!("--now={}", now.unix_timestamp()))
        .output()
        .expect("run verify_sdjwt.py")
}

#[test]
fn python_sd_jwt_verifies_our_presentations() {
    if let Err(reason) = python_ready() {
        println!("SKIPPED: {reason}");
        return;
    }
    let types = types();
    let issuer = issuer(&types);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut keys = KeyStore::open(dir.path()).expect("key store");
    let now = OffsetDateTime::now_utc();

    let cases: [(&str, &str, &[&str]); 3] = [
        (
            CHEN,
            "driving_licence",
            &["holder_name", "vehicle_class", "expires_on"],
        ),
        (
            ORG,
            "business_licence",
            &["holder_name", "holder", "legal_representative"],
        ),
        (CHEN, "social_security_card", &[]),
    ];
    let mut first = None;
    for (holder, code, disclose) in cases {
        let l = licence(&issuer, holder, code);
        let ty = types.require(code).expect("type");
        let p = present(
            &keys,
            &l,
            ty,
            &PresentRequest::new(disclose.iter().copied(), now, AUD, NONCE)
                .status(7, "https://gd.example/api/v1/wallet/status-list"),
        )
        .expect("presentation");
        let out = run_verifier(dir.path(), &p, &keys.jwks().to_json(), now);
        assert!(
            out.status.success(),
            "{code}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON output");
        assert_eq!(v["vct"], code);
        assert_eq!(v["status"]["status_list"]["idx"], 7);
        let disclosed = v["disclosed"].as_object().expect("disclosed object");
        assert_eq!(disclosed.len(), disclose.len(), "{code}: {disclosed:?}");
        for name in disclose {
            assert_eq!(
                disclosed[*name].as_str(),
                l.value(name).as_deref(),
                "{code}.{name}"
            );
        }
        first.get_or_insert(p);
    }

    // The independent verifier refuses what ours refuses.
    let p = first.expect("one presentation");
    let mut tampered = p.clone();
    tampered.token = p.token.replacen('~', "~WyJ4IiwieCIsIngiXQ~", 1);
    let out = run_verifier(dir.path(), &tampered, &keys.jwks().to_json(), now);
    // Caught by the KB-JWT `sd_hash`, which covers the disclosures.
    assert!(
        refused(&out, "Invalid digest"),
        "foreign disclosure: {out:?}"
    );
    let out = run_verifier(dir.path(), &p, &keys.jwks().to_json(), p.expires_at);
    assert!(refused(&out, "expired"), "expired token: {out:?}");
    let mut wrong_nonce = p.clone();
    // Begins with `-`, as a random base64url nonce may: it must reach the
    // verifier as a value, not be taken for an option.
    wrong_nonce.nonce = "-other".to_owned();
    let out = run_verifier(dir.path(), &wrong_nonce, &keys.jwks().to_json(), now);
    assert!(refused(&out, "nonce"), "wrong nonce: {out:?}");
    // A token made for one verifier is refused by another (its audience).
    let mut other_verifier = p.clone();
    other_verifier.audience = "car-rental".to_owned();
    let out = run_verifier(dir.path(), &other_verifier, &keys.jwks().to_json(), now);
    assert!(refused(&out, "aud"), "wrong audience: {out:?}");
    // After rotation the old token still verifies against the new JWKS.
    keys.rotate().expect("rotate");
    let out = run_verifier(dir.path(), &p, &keys.jwks().to_json(), now);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let other = tempfile::tempdir().expect("tempdir");
    let stranger = KeyStore::open(other.path()).expect("key store");
    let out = run_verifier(dir.path(), &p, &stranger.jwks().to_json(), now);
    assert!(refused(&out, "unknown kid"), "unknown key: {out:?}");
}
