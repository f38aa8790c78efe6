//! Presentations (SD-JWT + key binding) and their verification: the round
//! trip, selective disclosure and every refusal.

use crate::common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use common::{AUD, CHEN, NONCE, ORG, expect, issuer, licence, types};
use ed25519_dalek::{Signer, SigningKey};
use sha2::{Digest, Sha256};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use yuesou_wallet::{
    Expected, Issuer, KeyStore, MAX_TOKEN_LEN, PresentRequest, Presentation, VerifyError,
    WalletError, present, qr_svg, verify,
};

const NOW: OffsetDateTime = datetime!(2026-12-01 09:00 UTC);
const NONE: &[&str] = &[];

struct Fixture {
    _dir: tempfile::TempDir,
    keys: KeyStore,
    types: yuesou_wallet::LicenceTypes,
    issuer: yuesou_wallet::DevIssuer,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = KeyStore::open(dir.path()).expect("key store opens");
    let types = types();
    let issuer = issuer(&types);
    Fixture {
        _dir: dir,
        keys,
        types,
        issuer,
    }
}

impl Fixture {
    fn present(&self, type_code: &str, disclose: &[&str]) -> Presentation {
        let l = licence(&self.issuer, CHEN, type_code);
        let ty = self.types.require(type_code).expect("type");
        present(
            &self.keys,
            &l,
            ty,
            &PresentRequest::new(disclose.iter().copied(), NOW, AUD, NONCE),
        )
        .expect("presentation made")
    }
}

fn b64json(v: &serde_json::Value) -> String {
    B64.encode(serde_json::to_vec(v).expect("json"))
}

fn unb64json(s: &str) -> serde_json::Value {
    serde_json::from_slice(&B64.decode(s).expect("base64url")).expect("json")
}

/// `(issuer JWT, disclosures, KB-JWT)`.
fn split(token: &str) -> (String, Vec<String>, String) {
    let parts: Vec<&str> = token.split('~').collect();
    let (last, rest) = parts.split_last().expect("parts");
    (
        rest[0].to_owned(),
        rest[1..].iter().map(|s| s.to_string()).collect(),
        last.to_string(),
    )
}

fn join(jwt: &str, disclosures: &[String], kb: &str) -> String {
    let mut s = format!("{jwt}~");
    for d in disclosures {
        s.push_str(d);
        s.push('~');
    }
    s.push_str(kb);
    s
}

/// A fresh KB-JWT over `sd_jwt` signed by `key`.
fn kb_jwt(sd_jwt: &str, key: &SigningKey) -> String {
    let header = b64json(&serde_json::json!({"alg": "EdDSA", "typ": "kb+jwt"}));
    let payload = b64json(&serde_json::json!({
        "iat": NOW.unix_timestamp(), "aud": AUD, "nonce": NONCE,
        "sd_hash": B64.encode(Sha256::digest(sd_jwt.as_bytes())),
    }));
    let input = format!("{header}.{payload}");
    let sig = key.sign(input.as_bytes());
    format!("{input}.{}", B64.encode(sig.to_bytes()))
}

#[test]
fn round_trip_discloses_only_the_chosen_fields() {
    let f = fixture();
    let p = f.present(
        "driving_licence",
        &["holder_name", "vehicle_class", "expires_on"],
    );
    assert_eq!(p.disclosed, ["holder_name", "vehicle_class", "expires_on"]);
    assert_eq!(p.expires_at, NOW + Duration::minutes(5));
    let json = serde_json::to_value(&p).expect("serialises");
    assert_eq!(json["expires_at"], "2026-12-01T09:05:00Z");
    assert_eq!(json["token"], p.token);
    let v = verify(&p.token, &f.keys, &expect(NOW, &["vehicle_class"])).expect("verifies");
    assert_eq!(v.type_code, "driving_licence");
    assert_eq!(v.issuer, "yuesou-wallet");
    assert_eq!(v.status, None, "no status list was asked for");
    assert!(v.licence_valid);
    assert_eq!(v.kid, f.keys.current_kid());
    assert_eq!(v.expires_at, p.expires_at);
    assert_eq!(v.nonce, p.nonce);
    assert_eq!(v.audience, AUD);
    assert_eq!(
        v.fields.into_iter().collect::<Vec<_>>(),
        [
            ("expires_on".to_owned(), "2027-01-20".to_owned()),
            ("holder_name".to_owned(), "陈嘉明".to_owned()),
            ("vehicle_class".to_owned(), "C1".to_owned()),
        ]
    );
    // The token itself carries no undisclosed value, not even encoded.
    let (jwt, disclosures, _) = split(&p.token);
    assert_eq!(disclosures.len(), 3);
    let payload = unb64json(jwt.split('.').nth(1).expect("payload"));
    assert_eq!(
        payload["_sd"].as_array().expect("_sd").len(),
        8,
        "a digest per field"
    );
    assert_eq!(payload["_sd_alg"], "sha-256");
    assert_eq!(payload["vct"], "driving_licence");
    assert_eq!(payload["cnf"]["jwk"]["crv"], "Ed25519");
    let decoded: String = disclosures
        .iter()
        .map(|d| unb64json(d).to_string())
        .collect();
    assert!(!decoded.contains(CHEN) && !p.token.contains(CHEN));
    let header = unb64json(jwt.split('.').next().expect("header"));
    assert_eq!(header["typ"], "dc+sd-jwt");
    assert_eq!(header["alg"], "EdDSA");
    // Verifies with the published JWKS as well.
    let jwks = yuesou_wallet::Jwks::from_json(&f.keys.jwks().to_json()).expect("jwks");
    assert!(verify(&p.token, &jwks, &expect(NOW, NONE)).is_ok());
}

#[test]
fn nothing_disclosed_still_verifies() {
    let f = fixture();
    let p = f.present("social_security_card", &[]);
    let v = verify(&p.token, &f.keys, &expect(NOW, NONE)).expect("verifies");
    assert!(v.fields.is_empty());
    assert_eq!(v.type_code, "social_security_card");
}

#[test]
fn every_demo_licence_fully_disclosed_fits_a_qr_code() {
    let f = fixture();
    for holder in [
        CHEN,
        ORG,
        "440305199208083329",
        "440606197001010011",
        "441900195511110020",
        "440106201506060040",
    ] {
        for l in f.issuer.licences_for(holder).expect("answers") {
            let ty = f.types.require(&l.type_code).expect("type");
            let all: Vec<String> = ty
                .fields
                .iter()
                .filter(|fd| l.value(&fd.name).is_some())
                .map(|fd| fd.name.clone())
                .collect();
            let p = present(
                &f.keys,
                &l,
                ty,
                &PresentRequest::new(all.clone(), NOW, AUD, NONCE),
            )
            .expect("presentation made");
            assert!(
                p.token.len() < MAX_TOKEN_LEN / 2,
                "{} is {} bytes",
                l.type_code,
                p.token.len()
            );
            let v = verify(&p.token, &f.keys, &expect(NOW, &all)).expect("verifies");
            assert_eq!(v.fields.len(), all.len());
            for (name, value) in &v.fields {
                assert_eq!(Some(value), l.value(name).as_ref());
            }
        }
    }
}

#[test]
fn presentation_requests_are_checked() {
    let f = fixture();
    let l = licence(&f.issuer, CHEN, "driving_licence");
    let ty = f.types.require("driving_licence").expect("type");
    let req = |d: &[&str]| PresentRequest::new(d.iter().copied(), NOW, AUD, NONCE);
    assert!(matches!(
        present(&f.keys, &l, ty, &req(&["holder_name", "blood_type"])),
        Err(WalletError::UnknownField { field, .. }) if field == "blood_type"
    ));
    assert_eq!(
        present(&f.keys, &l, ty, &req(&["blood_type"]))
            .expect_err("unknown field")
            .code(),
        "unknown_field"
    );
    let other = f.types.require("passport").expect("type");
    assert!(matches!(
        present(&f.keys, &l, other, &req(&[])),
        Err(WalletError::TypeMismatch { .. })
    ));
    for ttl in [Duration::ZERO, Duration::hours(25)] {
        assert!(matches!(
            present(&f.keys, &l, ty, &req(&[]).ttl(ttl)),
            Err(WalletError::InvalidRequest(_))
        ));
    }
    let too_long = "n".repeat(yuesou_wallet::MAX_BINDING_LEN + 1);
    for bad in ["", "有中文", "with space", too_long.as_str()] {
        for request in [
            PresentRequest::new(NONE.iter().copied(), NOW, bad, NONCE),
            PresentRequest::new(NONE.iter().copied(), NOW, AUD, bad),
        ] {
            assert!(matches!(
                present(&f.keys, &l, ty, &request),
                Err(WalletError::InvalidRequest(_))
            ));
        }
    }
    // A no-expiry type has no expires_on to disclose.
    let birth = licence(&f.issuer, "440106201506060040", "birth_certificate");
    let bty = f.types.require("birth_certificate").expect("type");
    assert!(matches!(
        present(&f.keys, &birth, bty, &req(&["expires_on"])),
        Err(WalletError::UnknownField { .. })
    ));
    // Debug output does not carry the token.
    let p = f.present("driving_licence", &["holder"]);
    assert!(!format!("{p:?}").contains(&p.token[..40]));
}

#[test]
fn expired_presentation_is_refused() {
    let f = fixture();
    let p = f.present("driving_licence", &["vehicle_class"]);
    let just_before = p.expires_at - Duration::seconds(1);
    assert!(verify(&p.token, &f.keys, &expect(just_before, NONE)).is_ok());
    let err = verify(&p.token, &f.keys, &expect(p.expires_at, NONE)).expect_err("expired");
    assert_eq!(err.code(), "expired");
    assert!(
        matches!(err, VerifyError::Expired { expired_at } if expired_at == p.expires_at.unix_timestamp())
    );
    let err =
        verify(&p.token, &f.keys, &expect(NOW - Duration::minutes(5), NONE)).expect_err("future");
    assert_eq!(err.code(), "not_yet_valid");
}

#[test]
fn tampered_disclosure_is_refused() {
    let f = fixture();
    let p = f.present("driving_licence", &["vehicle_class"]);
    let (jwt, mut ds, kb) = split(&p.token);
    let mut d = unb64json(&ds[0]);
    assert_eq!(d[1], "vehicle_class");
    d[2] = "A1".into();
    ds[0] = b64json(&d);
    let err = verify(&join(&jwt, &ds, &kb), &f.keys, &expect(NOW, NONE)).expect_err("tampered");
    assert_eq!(err.code(), "tampered");

    // A disclosure from another presentation of the same licence.
    let other = f.present("driving_licence", &["vehicle_class"]);
    let (_, ods, _) = split(&other.token);
    let err = verify(&join(&jwt, &ods, &kb), &f.keys, &expect(NOW, NONE))
        .expect_err("foreign disclosure");
    assert_eq!(err.code(), "tampered");

    // The same disclosure twice.
    let (jwt, ds, kb) = split(&p.token);
    let twice = [ds[0].clone(), ds[0].clone()];
    let err = verify(&join(&jwt, &twice, &kb), &f.keys, &expect(NOW, NONE)).expect_err("repeated");
    assert_eq!(err.code(), "tampered");
}

#[test]
fn tampered_payload_or_forged_signature_is_refused() {
    let f = fixture();
    let p = f.present("driving_licence", &["vehicle_class"]);
    let (jwt, ds, kb) = split(&p.token);
    let parts: Vec<&str> = jwt.split('.').collect();
    // Change the status index (e.g. to one that is not revoked).
    let mut payload = unb64json(parts[1]);
    payload["status"] =
        serde_json::json!({"status_list": {"idx": 9999, "uri": "https://x.invalid/s"}});
    let forged = format!("{}.{}.{}", parts[0], b64json(&payload), parts[2]);
    let err = verify(&join(&forged, &ds, &kb), &f.keys, &expect(NOW, NONE)).expect_err("payload");
    assert_eq!(err, VerifyError::BadSignature);
    // Flip one bit of the signature.
    let mut sig = B64.decode(parts[2]).expect("sig");
    sig[10] ^= 1;
    let forged = format!("{}.{}.{}", parts[0], parts[1], B64.encode(&sig));
    let err = verify(&join(&forged, &ds, &kb), &f.keys, &expect(NOW, NONE)).expect_err("signature");
    assert_eq!(err.code(), "bad_signature");
    // Signed by another issuer key but claiming this store's kid.
    let mallory_dir = tempfile::tempdir().expect("tempdir");
    let mallory = KeyStore::open(mallory_dir.path()).expect("store");
    let l = licence(&f.issuer, CHEN, "driving_licence");
    let ty = f.types.require("driving_licence").expect("type");
    let mp = present(
        &mallory,
        &l,
        ty,
        &PresentRequest::new(["vehicle_class"], NOW, AUD, NONCE),
    )
    .expect("presentation");
    let (mjwt, mds, mkb) = split(&mp.token);
    let mparts: Vec<&str> = mjwt.split('.').collect();
    let mut header = unb64json(mparts[0]);
    header["kid"] = f.keys.current_kid().into();
    let forged = format!("{}.{}.{}", b64json(&header), mparts[1], mparts[2]);
    let err = verify(&join(&forged, &mds, &mkb), &f.keys, &expect(NOW, NONE)).expect_err("forged");
    assert_eq!(err.code(), "bad_signature");
}

#[test]
fn unknown_issuer_key_is_refused() {
    let f = fixture();
    let p = f.present("driving_licence", &["vehicle_class"]);
    let other_dir = tempfile::tempdir().expect("tempdir");
    let other = KeyStore::open(other_dir.path()).expect("store");
    let err = verify(&p.token, &other, &expect(NOW, NONE)).expect_err("unknown kid");
    assert!(matches!(&err, VerifyError::UnknownKey { kid } if kid == f.keys.current_kid()));
    assert_eq!(err.code(), "unknown_key");
    let err = verify(
        &p.token,
        &yuesou_wallet::Jwks::default(),
        &expect(NOW, NONE),
    )
    .expect_err("empty");
    assert_eq!(err.code(), "unknown_key");
}

#[test]
fn malformed_tokens_are_refused() {
    let f = fixture();
    let p = f.present("driving_licence", &["vehicle_class"]);
    let (jwt, ds, kb) = split(&p.token);
    let parts: Vec<&str> = jwt.split('.').collect();
    let none_alg = format!(
        "{}.{}.{}",
        b64json(
            &serde_json::json!({"alg": "none", "typ": "dc+sd-jwt", "kid": f.keys.current_kid()})
        ),
        parts[1],
        parts[2]
    );
    let padded = format!("{}=.{}.{}", parts[0], parts[1], parts[2]);
    let cases = [
        String::new(),
        "hello".to_owned(),
        jwt.clone(),
        "a.b.c~".to_owned(),
        format!("{jwt}~~{kb}"),
        format!("{}.{}~{kb}", parts[0], parts[1]),
        join(&none_alg, &ds, &kb),
        join(&padded, &ds, &kb),
        join(&format!("{jwt}.extra"), &ds, &kb),
    ];
    for case in cases {
        let err = verify(&case, &f.keys, &expect(NOW, NONE)).expect_err("malformed");
        assert_eq!(err.code(), "malformed", "{case:.60}: {err}");
    }
}

#[test]
fn oversized_token_is_refused_before_parsing() {
    let f = fixture();
    let p = f.present("driving_licence", &["vehicle_class"]);
    let big = format!("{}{}", "A".repeat(MAX_TOKEN_LEN), p.token);
    let err = verify(&big, &f.keys, &expect(NOW, NONE)).expect_err("too large");
    assert!(matches!(err, VerifyError::TooLarge { limit: 8192, .. }));
    assert_eq!(err.code(), "too_large");
}

#[test]
fn required_but_undisclosed_field_is_refused() {
    let f = fixture();
    let p = f.present("driving_licence", &["vehicle_class"]);
    let err = verify(
        &p.token,
        &f.keys,
        &expect(NOW, &["vehicle_class", "holder_name"]),
    )
    .expect_err("not disclosed");
    assert_eq!(
        err,
        VerifyError::NotDisclosed {
            field: "holder_name".to_owned()
        }
    );
    assert!(err.to_string().contains("holder_name"));
}

#[test]
fn broken_key_binding_is_refused() {
    let f = fixture();
    let p = f.present("driving_licence", &["holder_name", "vehicle_class"]);
    let (jwt, ds, kb) = split(&p.token);
    let sd_jwt = join(&jwt, &ds, "");
    let cases = [
        ("no KB-JWT", sd_jwt.clone()),
        ("a disclosure dropped", join(&jwt, &ds[..1], &kb)),
        (
            "KB-JWT signed by another key",
            format!(
                "{sd_jwt}{}",
                kb_jwt(&sd_jwt, &SigningKey::from_bytes(&[7; 32]))
            ),
        ),
        ("KB-JWT of another presentation", {
            let (_, _, other_kb) = split(
                &f.present("driving_licence", &["holder_name", "vehicle_class"])
                    .token,
            );
            format!("{sd_jwt}{other_kb}")
        }),
        ("KB-JWT not a JWS", format!("{sd_jwt}garbage")),
    ];
    for (what, token) in cases {
        let err = verify(&token, &f.keys, &expect(NOW, NONE)).expect_err(what);
        assert_eq!(err.code(), "key_binding", "{what}: {err}");
    }
}

#[test]
fn error_codes_are_distinct_and_messages_bilingual() {
    let errors = [
        VerifyError::TooLarge {
            size: 9000,
            limit: 8192,
        },
        VerifyError::Malformed { reason: "x".into() },
        VerifyError::UnknownKey { kid: "k".into() },
        VerifyError::BadSignature,
        VerifyError::Expired { expired_at: 0 },
        VerifyError::NotYetValid { issued_at: 0 },
        VerifyError::Tampered { reason: "x".into() },
        VerifyError::KeyBinding { reason: "x".into() },
        VerifyError::NotDisclosed { field: "f".into() },
    ];
    let codes: std::collections::HashSet<&str> = errors.iter().map(VerifyError::code).collect();
    assert_eq!(codes.len(), errors.len());
    for e in &errors {
        let zh = e.message_zh();
        assert!(
            zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{zh}"
        );
        assert!(e.message_en().is_ascii());
        assert_eq!(e.to_string(), format!("{} ({})", zh, e.message_en()));
    }
}

/// Rasterises the SVG written by `qr_svg` (`viewBox="0 0 S S"`, one path of
/// unit-width strokes: `M x y.5hN` starts a row, `m dx 0hN` continues it)
/// at `scale` pixels per module.
fn rasterise(svg: &str, scale: usize) -> (usize, Vec<u8>) {
    let view = svg.split("viewBox=\"0 0 ").nth(1).expect("viewBox");
    let size: usize = view
        .split(' ')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("size");
    let path = svg
        .split(" d=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("path");
    let px = size * scale;
    let mut grey = vec![255u8; px * px];
    let (mut x, mut y) = (0usize, 0usize);
    let mut rest = path;
    while !rest.is_empty() {
        let (cmd, tail) = rest.split_at(1);
        let end = tail.find(['M', 'm', 'h']).unwrap_or(tail.len());
        let (args, next) = tail.split_at(end);
        match cmd {
            "M" => {
                let (a, b) = args.split_once(' ').expect("M x y");
                x = a.parse().expect("x");
                y = b.trim_end_matches(".5").parse().expect("y");
            }
            "m" => {
                let (a, _) = args.split_once(' ').expect("m dx 0");
                x += a.parse::<usize>().expect("dx");
            }
            "h" => {
                let n: usize = args.parse().expect("run");
                for row in y * scale..(y + 1) * scale {
                    for col in x * scale..(x + n) * scale {
                        grey[row * px + col] = 0;
                    }
                }
                x += n;
            }
            other => panic!("unexpected path command {other}"),
        }
        rest = next;
    }
    (px, grey)
}

#[test]
fn qr_code_decodes_to_the_token() {
    let f = fixture();
    for disclose in [
        &["vehicle_class"][..],
        &[
            "holder_name",
            "holder",
            "number",
            "vehicle_class",
            "first_issued_on",
            "authority",
            "issued_on",
            "expires_on",
        ][..],
    ] {
        let p = f.present("driving_licence", disclose);
        let svg = qr_svg(&p.token).expect("fits in a QR code");
        assert!(svg.len() < 64 * 1024, "SVG of {} bytes", svg.len());
        let (px, grey) = rasterise(&svg, 3);
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(px, px, |x, y| grey[y * px + x]);
        let grids = img.detect_grids();
        assert_eq!(grids.len(), 1, "one QR code found");
        let (_meta, content) = grids[0].decode().expect("QR decodes");
        assert_eq!(content, p.token);
        assert!(verify(&content, &f.keys, &expect(NOW, disclose)).is_ok());
    }
}

/// Builds a token signed with the store's own secret (read from its key
/// file), to check what the verifier does with issuer-signed content it
/// would never produce itself.
fn issue_raw(keys: &KeyStore, payload: serde_json::Value, disclosures: &[String]) -> String {
    let file = keys.dir().join(format!("{}.json", keys.current_kid()));
    let stored: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file).expect("key file")).expect("json");
    let seed: [u8; 32] = B64
        .decode(stored["secret"].as_str().expect("secret"))
        .expect("b64")
        .try_into()
        .expect("32 bytes");
    let issuer_key = SigningKey::from_bytes(&seed);
    let holder = SigningKey::from_bytes(&[9; 32]);
    let mut payload = payload;
    payload["cnf"] = serde_json::json!({"jwk": {"kty": "OKP", "crv": "Ed25519",
        "x": B64.encode(holder.verifying_key().to_bytes())}});
    let header = b64json(
        &serde_json::json!({"alg": "EdDSA", "typ": "dc+sd-jwt", "kid": keys.current_kid()}),
    );
    let input = format!("{header}.{}", b64json(&payload));
    let jwt = format!(
        "{input}.{}",
        B64.encode(issuer_key.sign(input.as_bytes()).to_bytes())
    );
    let sd_jwt = join(&jwt, disclosures, "");
    format!("{sd_jwt}{}", kb_jwt(&sd_jwt, &holder))
}

#[test]
fn issuer_signed_but_inconsistent_content_is_refused() {
    let f = fixture();
    let disclosure = |name: &str| b64json(&serde_json::json!(["c2FsdHNhbHRzYWx0", name, "v"]));
    let digest = |d: &str| B64.encode(Sha256::digest(d.as_bytes()));
    let base = |sd: Vec<String>| {
        serde_json::json!({"iss": "yuesou-wallet", "iat": NOW.unix_timestamp(),
            "exp": NOW.unix_timestamp() + 60, "vct": "driving_licence",
            "licence_valid": true, "_sd_alg": "sha-256", "_sd": sd})
    };
    // The raw builder itself makes acceptable tokens.
    let ok = disclosure("vehicle_class");
    let token = issue_raw(&f.keys, base(vec![digest(&ok)]), std::slice::from_ref(&ok));
    let v = verify(&token, &f.keys, &expect(NOW, &["vehicle_class"]))
        .expect("well-formed token verifies");
    assert_eq!(v.fields["vehicle_class"], "v");

    // A disclosure overriding a plain claim.
    let evil = disclosure("status");
    let token = issue_raw(&f.keys, base(vec![digest(&evil)]), &[evil]);
    assert_eq!(
        verify(&token, &f.keys, &expect(NOW, NONE))
            .expect_err("collision")
            .code(),
        "tampered"
    );
    // Two disclosures of the same name.
    let (a, b) = (
        disclosure("vehicle_class"),
        b64json(&serde_json::json!(["b3RoZXJzYWx0", "vehicle_class", "w"])),
    );
    let token = issue_raw(&f.keys, base(vec![digest(&a), digest(&b)]), &[a, b]);
    assert_eq!(
        verify(&token, &f.keys, &expect(NOW, NONE))
            .expect_err("twice")
            .code(),
        "tampered"
    );
    // Another digest algorithm, a repeated digest, a missing claim.
    let mut other_alg = base(vec![]);
    other_alg["_sd_alg"] = "sha-512".into();
    let repeated = base(vec![digest(&ok), digest(&ok)]);
    let mut missing = base(vec![]);
    missing.as_object_mut().expect("object").remove("vct");
    for payload in [other_alg, repeated, missing] {
        let token = issue_raw(&f.keys, payload, &[]);
        assert_eq!(
            verify(&token, &f.keys, &expect(NOW, NONE))
                .expect_err("bad claims")
                .code(),
            "malformed"
        );
    }
}

#[test]
fn licence_validity_is_judged_on_the_china_calendar_date() {
    let f = fixture();
    let dl = licence(&f.issuer, CHEN, "driving_licence"); // expires 2027-01-20
    let ty = f.types.require("driving_licence").expect("type");
    for (now, valid) in [
        (datetime!(2027-01-20 15:59 UTC), true), // 23:59 in Guangzhou
        (datetime!(2027-01-20 16:00 UTC), false), // 00:00 on the 21st
    ] {
        let p = present(
            &f.keys,
            &dl,
            ty,
            &PresentRequest::new(NONE.iter().copied(), now, AUD, NONCE),
        )
        .expect("presentation");
        let v = verify(&p.token, &f.keys, &expect(now, NONE)).expect("verifies");
        assert_eq!(v.licence_valid, valid, "{now}");
    }
    let expired = licence(&f.issuer, "440606197001010011", "driving_licence");
    let p = present(
        &f.keys,
        &expired,
        ty,
        &PresentRequest::new(["vehicle_class"], NOW, AUD, NONCE),
    )
    .expect("an expired licence can still be shown, flagged");
    assert!(
        !verify(&p.token, &f.keys, &expect(NOW, NONE))
            .expect("verifies")
            .licence_valid
    );
}

#[test]
fn a_presentation_works_only_for_its_verifier_and_challenge() {
    let f = fixture();
    let p = f.present("driving_licence", &["vehicle_class"]);
    // The verifier it was made for, with or without checking the nonce.
    assert!(verify(&p.token, &f.keys, &expect(NOW, &["vehicle_class"])).is_ok());
    assert!(verify(&p.token, &f.keys, &Expected::new(NOW, AUD)).is_ok());
    // Another verifier: refused, whatever nonce it expects.
    for expected in [
        Expected::new(NOW, "car-rental"),
        Expected::new(NOW, "car-rental").nonce(NONCE),
    ] {
        assert_eq!(
            verify(&p.token, &f.keys, &expected).expect_err("other verifier"),
            VerifyError::WrongAudience
        );
    }
    // The same verifier with another challenge.
    let err = verify(&p.token, &f.keys, &Expected::new(NOW, AUD).nonce("n-other"))
        .expect_err("other challenge");
    assert_eq!(err, VerifyError::WrongNonce);
    assert_eq!(err.code(), "wrong_nonce");
}

#[test]
fn the_status_claim_names_the_presentations_own_index() {
    let f = fixture();
    let l = licence(&f.issuer, CHEN, "driving_licence");
    let ty = f.types.require("driving_licence").expect("type");
    let uri = "https://gd.example/api/v1/wallet/status-list";
    let tokens: Vec<String> = (0..2)
        .map(|i| {
            let request =
                PresentRequest::new(["vehicle_class"], NOW, AUD, NONCE).status(100 + i, uri);
            present(&f.keys, &l, ty, &request).expect("presented").token
        })
        .collect();
    for (i, token) in tokens.iter().enumerate() {
        let v = verify(token, &f.keys, &expect(NOW, NONE)).expect("verifies");
        let status = v.status.expect("a status claim");
        assert_eq!((status.idx, status.uri.as_str()), (100 + i as u64, uri));
    }
    // Two presentations of one licence share no signed claim but vct, iss
    // and the times: nothing that names the licence.
    let claims = |t: &str| unb64json(t.split('.').nth(1).expect("payload"));
    let (a, b) = (claims(&tokens[0]), claims(&tokens[1]));
    for name in ["_sd", "status", "cnf"] {
        assert_ne!(a[name], b[name], "{name} differs between presentations");
    }
    assert!(a.get("licence_ref").is_none());
}
