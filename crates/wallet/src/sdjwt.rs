//! SD-JWT presentations (出示码) with key binding, RFC 9901, and their
//! verification.
//!
//! Token layout (compact serialisation):
//! `<issuer-signed JWT>~<disclosure>~…~<KB-JWT>`.
//!
//! * Issuer-signed JWT: header `{"alg":"EdDSA","typ":"dc+sd-jwt","kid":…}`;
//!   claims `iss`, `iat`, `exp`, `vct` (licence type code), `licence_valid`,
//!   `status` (an IETF Token Status List reference: a per-presentation index
//!   into the issuer's status list, so that two presentations of one
//!   licence share nothing that links them), `_sd_alg: "sha-256"`, `_sd`
//!   (digests of every field of the licence, sorted) and `cnf.jwk` (the
//!   holder key).
//! * Disclosures: base64url of `["<salt>","<field>","<value>"]`, 128-bit
//!   salts; only the requested fields' disclosures are appended.
//! * KB-JWT: header `{"alg":"EdDSA","typ":"kb+jwt"}`, claims `iat`, `aud`,
//!   `nonce`, `sd_hash` (SHA-256 over everything before it, including the
//!   last `~`), signed by the holder key. The audience and the nonce come
//!   from the verifier's challenge (never chosen by the holder's side), and
//!   [`verify`] checks them against what the verifier expects.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::{Duration, OffsetDateTime};

use crate::b64;
use crate::error::{VerifyError, WalletError};
use crate::keys::{Jwk, KeyStore, VerificationKeys, ephemeral_key, random_bytes, verify_ed25519};
use crate::licence::Licence;
use crate::types::LicenceType;
use ed25519_dalek::Signer;

/// Largest token [`verify`] accepts, in bytes (8 KiB).
pub const MAX_TOKEN_LEN: usize = 8 * 1024;
/// Longest lifetime of a presentation.
pub const MAX_TTL: Duration = Duration::hours(24);
/// Default lifetime of a presentation (5 minutes).
pub const DEFAULT_TTL: Duration = Duration::minutes(5);
/// Clock skew tolerated for `iat` in the future.
pub const CLOCK_SKEW: Duration = Duration::seconds(60);
/// Licence dates are calendar dates in China Standard Time (UTC+8): the
/// `licence_valid` claim compares them with the presentation time's date
/// there.
pub const CHINA_STANDARD_TIME: time::UtcOffset = time::macros::offset!(+8);
/// Default `iss` of presentations.
pub const DEFAULT_ISSUER: &str = "yuesou-wallet";
/// Longest `aud` or `nonce` a presentation carries, in bytes.
pub const MAX_BINDING_LEN: usize = 256;
/// `typ` header of the issuer-signed JWT.
pub const SD_JWT_TYP: &str = "dc+sd-jwt";
/// `typ` header of the key binding JWT.
pub const KB_JWT_TYP: &str = "kb+jwt";

pub(crate) const ALG: &str = "EdDSA";
const SD_ALG: &str = "sha-256";
/// Claims of the issuer-signed JWT that a disclosure may not carry
/// (RFC 9901 §7.1: a disclosed name must not collide with a plain claim).
const PLAIN_CLAIMS: [&str; 10] = [
    "iss",
    "iat",
    "exp",
    "vct",
    "status",
    "licence_valid",
    "cnf",
    "_sd",
    "_sd_alg",
    "...",
];

/// Where a presentation's status is published: an index into a status
/// list (IETF Token Status List: `{"status_list": {"idx", "uri"}}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusRef {
    /// The index of this presentation's status in the list.
    pub idx: u64,
    /// Where the signed status list is published.
    pub uri: String,
}

/// What to present: which fields to disclose, when, for how long, to whom
/// (the verifier's audience and nonce) and where its status is published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresentRequest {
    /// Field names to disclose (选择性出示); each must be a field of the
    /// licence type that the licence has a value for.
    pub disclose: Vec<String>,
    /// Presentation time (`iat`).
    pub now: OffsetDateTime,
    /// Lifetime; `exp = now + ttl` (whole seconds), at most [`MAX_TTL`].
    pub ttl: Duration,
    /// `iss` claim.
    pub issuer: String,
    /// `aud` claim of the key binding JWT: the verifier this presentation
    /// is for (from its challenge). Printable ASCII, 1–256 characters.
    pub audience: String,
    /// `nonce` claim of the key binding JWT: the verifier's fresh challenge.
    /// Printable ASCII, 1–256 characters.
    pub nonce: String,
    /// The `status` claim, when the issuer publishes a status list.
    pub status: Option<StatusRef>,
}

impl PresentRequest {
    /// A request with [`DEFAULT_TTL`], [`DEFAULT_ISSUER`] and no status
    /// reference, bound to the verifier's `audience` and `nonce`.
    pub fn new<S: Into<String>>(
        disclose: impl IntoIterator<Item = S>,
        now: OffsetDateTime,
        audience: impl Into<String>,
        nonce: impl Into<String>,
    ) -> Self {
        Self {
            disclose: disclose.into_iter().map(Into::into).collect(),
            now,
            ttl: DEFAULT_TTL,
            issuer: DEFAULT_ISSUER.to_owned(),
            audience: audience.into(),
            nonce: nonce.into(),
            status: None,
        }
    }

    /// Sets the lifetime.
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// Sets the `iss` claim.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = issuer.into();
        self
    }

    /// Sets the `status` claim (the presentation's index in a status list).
    pub fn status(mut self, idx: u64, uri: impl Into<String>) -> Self {
        self.status = Some(StatusRef {
            idx,
            uri: uri.into(),
        });
        self
    }
}

/// A presentation (出示码) made by [`present`]. Serialises to JSON with
/// `expires_at` in RFC 3339.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct Presentation {
    /// The SD-JWT with key binding (compact serialisation).
    pub token: String,
    /// When the token expires (`exp`).
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// The fields disclosed, in the type's order.
    pub disclosed: Vec<String>,
    /// `aud` of the key binding JWT.
    pub audience: String,
    /// `nonce` of the key binding JWT.
    pub nonce: String,
}

impl std::fmt::Debug for Presentation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token carries personal data: show its size only.
        f.debug_struct("Presentation")
            .field("token_len", &self.token.len())
            .field("expires_at", &self.expires_at)
            .field("disclosed", &self.disclosed)
            .finish_non_exhaustive()
    }
}

/// A token that passed [`verify`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verified {
    /// Licence type code (`vct`).
    pub type_code: String,
    /// Token issuer (`iss`).
    pub issuer: String,
    /// Key id of the issuer key that signed.
    pub kid: String,
    /// Where the presentation's status is published (check it is not
    /// revoked: [`crate::StatusList`]).
    pub status: Option<StatusRef>,
    /// Whether the licence itself was unexpired when presented.
    pub licence_valid: bool,
    /// Disclosed fields only.
    pub fields: BTreeMap<String, String>,
    /// `iat`.
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
    /// `exp`.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// `aud` of the key binding JWT.
    pub audience: String,
    /// `nonce` of the key binding JWT.
    pub nonce: String,
}

#[derive(Serialize, Deserialize)]
struct StatusClaim {
    status_list: StatusRef,
}

#[derive(Serialize, Deserialize)]
struct Cnf {
    jwk: Jwk,
}

#[derive(Serialize, Deserialize)]
struct IssuerClaims {
    iss: String,
    iat: i64,
    exp: i64,
    vct: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<StatusClaim>,
    licence_valid: bool,
    #[serde(rename = "_sd")]
    sd: Vec<String>,
    #[serde(rename = "_sd_alg")]
    sd_alg: String,
    cnf: Cnf,
}

#[derive(Serialize, Deserialize)]
struct KbClaims {
    iat: i64,
    aud: String,
    nonce: String,
    sd_hash: String,
}

#[derive(Serialize)]
pub(crate) struct Header<'a> {
    pub(crate) alg: &'a str,
    pub(crate) typ: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) kid: Option<&'a str>,
}

fn json<T: Serialize>(value: &T) -> Result<String, WalletError> {
    serde_json::to_string(value).map_err(|e| WalletError::InvalidRequest(e.to_string()))
}

/// Makes a presentation (出示码) of `licence`: an SD-JWT signed by the
/// current key of `keys`, disclosing only `request.disclose`, bound to a
/// fresh holder key and to the verifier's audience and nonce.
///
/// The holder key is an ephemeral Ed25519 key generated for this
/// presentation and dropped afterwards (see the crate docs). What a QR code
/// carries is the caller's choice ([`qr_svg`]): the token itself is too
/// dense to scan at arm's length.
///
/// Errors: [`WalletError::TypeMismatch`], [`WalletError::UnknownField`] for
/// a field the type or licence does not have, [`WalletError::InvalidRequest`]
/// for a TTL, audience or nonce out of range.
pub fn present(
    keys: &KeyStore,
    licence: &Licence,
    ty: &LicenceType,
    request: &PresentRequest,
) -> Result<Presentation, WalletError> {
    check_request(licence, ty, request)?;
    let salted = Disclosures::of(licence, ty, &request.disclose)?;
    let holder = ephemeral_key()?;
    let iat = request.now.unix_timestamp();
    let exp = iat + request.ttl.whole_seconds();
    let claims = IssuerClaims {
        iss: request.issuer.clone(),
        iat,
        exp,
        vct: ty.code.clone(),
        status: request
            .status
            .clone()
            .map(|status_list| StatusClaim { status_list }),
        licence_valid: !licence.expired(request.now.to_offset(CHINA_STANDARD_TIME).date()),
        sd: salted.digests,
        sd_alg: SD_ALG.to_owned(),
        cnf: Cnf {
            jwk: Jwk::from_public_bytes(&holder.verifying_key().to_bytes()),
        },
    };
    let mut sd_jwt = signed_jws(
        &Header {
            alg: ALG,
            typ: SD_JWT_TYP,
            kid: Some(keys.current_kid()),
        },
        &claims,
        |input| Ok(keys.sign(input)?.1.to_bytes()),
    )?;
    sd_jwt.push('~');
    for d in &salted.shown {
        sd_jwt.push_str(d);
        sd_jwt.push('~');
    }
    let kb_claims = KbClaims {
        iat,
        aud: request.audience.clone(),
        nonce: request.nonce.clone(),
        sd_hash: b64::sha256(sd_jwt.as_bytes()),
    };
    let kb_header = Header {
        alg: ALG,
        typ: KB_JWT_TYP,
        kid: None,
    };
    let kb_jwt = signed_jws(&kb_header, &kb_claims, |input| {
        Ok(holder.sign(input).to_bytes())
    })?;
    let expires_at = OffsetDateTime::from_unix_timestamp(exp)
        .map_err(|e| WalletError::InvalidRequest(e.to_string()))?;
    Ok(Presentation {
        token: format!("{sd_jwt}{kb_jwt}"),
        expires_at,
        disclosed: salted.names,
        audience: request.audience.clone(),
        nonce: request.nonce.clone(),
    })
}

/// The request's lifetime, audience, nonce and type checked.
fn check_request(
    licence: &Licence,
    ty: &LicenceType,
    request: &PresentRequest,
) -> Result<(), WalletError> {
    if licence.type_code != ty.code {
        return Err(WalletError::TypeMismatch {
            licence: licence.type_code.clone(),
            given: ty.code.clone(),
        });
    }
    if request.ttl <= Duration::ZERO || request.ttl > MAX_TTL {
        return Err(WalletError::InvalidRequest(format!(
            "ttl must be between 1 second and {MAX_TTL}"
        )));
    }
    for (name, value) in [("audience", &request.audience), ("nonce", &request.nonce)] {
        if !binding_ok(value) {
            return Err(WalletError::InvalidRequest(format!(
                "{name} must be 1-{MAX_BINDING_LEN} printable ASCII characters"
            )));
        }
    }
    Ok(())
}

/// One salted disclosure per field the licence has: the digests of all
/// (signed), and the disclosures and names of the requested ones (shown).
struct Disclosures {
    digests: Vec<String>,
    shown: Vec<String>,
    names: Vec<String>,
}

impl Disclosures {
    fn of(licence: &Licence, ty: &LicenceType, disclose: &[String]) -> Result<Self, WalletError> {
        let mut wanted = BTreeSet::new();
        for name in disclose {
            if ty.field(name).is_none() || licence.value(name).is_none() {
                return Err(WalletError::UnknownField {
                    type_code: ty.code.clone(),
                    field: name.clone(),
                });
            }
            wanted.insert(name.as_str());
        }
        let mut out = Disclosures {
            digests: Vec::new(),
            shown: Vec::new(),
            names: Vec::new(),
        };
        for f in &ty.fields {
            let Some(value) = licence.value(&f.name) else {
                continue;
            };
            let salt = b64::encode(random_bytes::<16>()?);
            let disclosure = b64::encode(json(&(salt.as_str(), f.name.as_str(), value))?);
            out.digests.push(b64::sha256(disclosure.as_bytes()));
            if wanted.contains(f.name.as_str()) {
                out.shown.push(disclosure);
                out.names.push(f.name.clone());
            }
        }
        out.digests.sort_unstable();
        Ok(out)
    }
}

/// A compact JWS of `claims` under `header`, signed by `sign`.
pub(crate) fn signed_jws<C: Serialize>(
    header: &Header<'_>,
    claims: &C,
    sign: impl FnOnce(&[u8]) -> Result<[u8; 64], WalletError>,
) -> Result<String, WalletError> {
    let input = format!(
        "{}.{}",
        b64::encode(json(header)?),
        b64::encode(json(claims)?)
    );
    let signature = sign(input.as_bytes())?;
    Ok(format!("{input}.{}", b64::encode(signature)))
}

/// Whether an audience or nonce is 1–[`MAX_BINDING_LEN`] printable ASCII
/// characters.
fn binding_ok(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= MAX_BINDING_LEN
        && value.bytes().all(|b| b.is_ascii_graphic())
}

/// What a verifier expects of a presentation: the time, the fields it
/// needs disclosed, and the audience and nonce of the challenge it issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// The time of the check.
    pub now: OffsetDateTime,
    /// Fields that must be disclosed.
    pub require: Vec<String>,
    /// The verifier's own audience: the KB-JWT `aud` must equal it.
    pub audience: String,
    /// The nonce of the challenge, when the verifier issued one: the KB-JWT
    /// `nonce` must equal it. `None` leaves the nonce to the caller (the
    /// daemon looks it up among the challenges it issued).
    pub nonce: Option<String>,
}

impl Expected {
    /// Expectations of a verifier named `audience` at `now`, requiring no
    /// fields and no particular nonce.
    pub fn new(now: OffsetDateTime, audience: impl Into<String>) -> Self {
        Expected {
            now,
            require: Vec::new(),
            audience: audience.into(),
            nonce: None,
        }
    }

    /// Requires `fields` to be disclosed.
    pub fn require<S: Into<String>>(mut self, fields: impl IntoIterator<Item = S>) -> Self {
        self.require = fields.into_iter().map(Into::into).collect();
        self
    }

    /// Requires the KB-JWT `nonce` to be `nonce`.
    pub fn nonce(mut self, nonce: impl Into<String>) -> Self {
        self.nonce = Some(nonce.into());
        self
    }
}

/// Quiet zone around a QR code, in modules (ISO/IEC 18004 asks for 4).
const QR_QUIET_ZONE: usize = 4;
/// Rendered pixels per module in the SVG's `width`/`height` (it scales).
const QR_PIXELS_PER_MODULE: usize = 4;

/// QR code of `text` as a compact SVG document: error correction level M
/// (15 %) when it fits, else L (7 %); dark modules drawn as one stroked
/// path of horizontal runs on a white background with a 4-module quiet
/// zone (about 25–40 KB for a typical token).
pub fn qr_svg(text: &str) -> Result<String, WalletError> {
    use qrcode::{Color, EcLevel, QrCode};
    use std::fmt::Write;
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .or_else(|_| QrCode::with_error_correction_level(text.as_bytes(), EcLevel::L))
        .map_err(|_| WalletError::QrTooLarge { len: text.len() })?;
    let width = code.width();
    let modules = code.to_colors();
    // One stroked horizontal line per run of dark modules: an absolute move
    // to the first run of a row, relative moves between runs.
    let mut path = String::with_capacity(width * width);
    for (y, row) in modules.chunks(width).enumerate() {
        let mut pen: Option<usize> = None;
        let mut x = 0;
        while x < row.len() {
            if row[x] != Color::Dark {
                x += 1;
                continue;
            }
            let start = x;
            while x < row.len() && row[x] == Color::Dark {
                x += 1;
            }
            let run = x - start;
            // Writing to a String cannot fail.
            let _ = match pen {
                None => write!(
                    path,
                    "M{} {}.5h{run}",
                    start + QR_QUIET_ZONE,
                    y + QR_QUIET_ZONE
                ),
                Some(end) => write!(path, "m{} 0h{run}", start - end),
            };
            pen = Some(x);
        }
    }
    let size = width + 2 * QR_QUIET_ZONE;
    let pixels = size * QR_PIXELS_PER_MODULE;
    Ok(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" \
         width=\"{pixels}\" height=\"{pixels}\" shape-rendering=\"crispEdges\">\
         <rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/>\
         <path stroke=\"#000\" stroke-width=\"1\" d=\"{path}\"/></svg>"
    ))
}

/// A compact JWS split and decoded.
pub(crate) struct Jws<'a> {
    pub(crate) header: Value,
    pub(crate) payload: Value,
    pub(crate) signing_input: &'a str,
    pub(crate) signature: Vec<u8>,
}

pub(crate) fn parse_jws(text: &str) -> Result<Jws<'_>, String> {
    let mut parts = text.splitn(4, '.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("not a compact JWS (three parts)".to_owned());
    };
    let decode_json = |part: &str, what: &str| -> Result<Value, String> {
        let bytes = b64::decode(part).map_err(|_| format!("{what} is not base64url"))?;
        let value: Value =
            serde_json::from_slice(&bytes).map_err(|_| format!("{what} is not JSON"))?;
        if value.is_object() {
            Ok(value)
        } else {
            Err(format!("{what} is not a JSON object"))
        }
    };
    Ok(Jws {
        header: decode_json(h, "header")?,
        payload: decode_json(p, "payload")?,
        signing_input: &text[..h.len() + 1 + p.len()],
        signature: b64::decode(s).map_err(|_| "signature is not base64url".to_owned())?,
    })
}

/// Checks `alg`, `typ` and that no `crit` extension is demanded.
pub(crate) fn check_header(header: &Value, typ: &str) -> Result<(), String> {
    if header.get("alg").and_then(Value::as_str) != Some(ALG) {
        return Err("alg must be EdDSA".to_owned());
    }
    if header.get("typ").and_then(Value::as_str) != Some(typ) {
        return Err(format!("typ must be {typ}"));
    }
    if header.get("crit").is_some() {
        return Err("unsupported crit header".to_owned());
    }
    Ok(())
}

fn time_of(secs: i64) -> Result<OffsetDateTime, VerifyError> {
    OffsetDateTime::from_unix_timestamp(secs).map_err(|_| VerifyError::Malformed {
        reason: "timestamp out of range".to_owned(),
    })
}

/// Verifies a presentation token offline against issuer public keys (a
/// [`KeyStore`] or a published [`Jwks`](crate::Jwks)) as the verifier
/// `expected` describes it.
///
/// Checks, in order: size ([`VerifyError::TooLarge`]), structure and
/// algorithms ([`VerifyError::Malformed`]), issuer key by `kid`
/// ([`VerifyError::UnknownKey`]) and signature ([`VerifyError::BadSignature`]),
/// `exp`/`iat` ([`VerifyError::Expired`], [`VerifyError::NotYetValid`]),
/// every disclosure against the signed digests ([`VerifyError::Tampered`]),
/// the KB-JWT's signature by `cnf.jwk`, `typ` and `sd_hash`
/// ([`VerifyError::KeyBinding`]), its audience and nonce
/// ([`VerifyError::WrongAudience`], [`VerifyError::WrongNonce`]), and the
/// required fields ([`VerifyError::NotDisclosed`]).
///
/// Not checked here: the presentation's status (look [`Verified::status`]
/// up in the issuer's [`StatusList`](crate::StatusList)) and whether the
/// nonce was used before (the verifier's own record).
pub fn verify<K: VerificationKeys + ?Sized>(
    token: &str,
    keys: &K,
    expected: &Expected,
) -> Result<Verified, VerifyError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(VerifyError::TooLarge {
            size: token.len(),
            limit: MAX_TOKEN_LEN,
        });
    }
    let parts = TokenParts::split(token.trim())?;
    let (kid, claims) = issuer_claims(parts.issuer_jwt, keys)?;
    let (issued_at, expires_at) = check_times(&claims, expected.now)?;
    let fields = disclosed_fields(&claims, &parts.disclosures)?;
    let kb = key_binding(&claims, parts.sd_jwt, parts.kb_jwt, expected.now)?;
    if kb.aud != expected.audience {
        return Err(VerifyError::WrongAudience);
    }
    if expected.nonce.as_ref().is_some_and(|n| *n != kb.nonce) {
        return Err(VerifyError::WrongNonce);
    }
    if let Some(field) = expected.require.iter().find(|f| !fields.contains_key(*f)) {
        return Err(VerifyError::NotDisclosed {
            field: field.clone(),
        });
    }
    Ok(Verified {
        type_code: claims.vct,
        issuer: claims.iss,
        kid,
        status: claims.status.map(|s| s.status_list),
        licence_valid: claims.licence_valid,
        fields,
        issued_at,
        expires_at,
        audience: kb.aud,
        nonce: kb.nonce,
    })
}

fn malformed(reason: &str) -> VerifyError {
    VerifyError::Malformed {
        reason: reason.to_owned(),
    }
}

/// A token split at its `~` separators.
struct TokenParts<'a> {
    /// Everything up to and including the last `~` (what `sd_hash` covers).
    sd_jwt: &'a str,
    issuer_jwt: &'a str,
    disclosures: Vec<&'a str>,
    kb_jwt: &'a str,
}

impl<'a> TokenParts<'a> {
    fn split(token: &'a str) -> Result<Self, VerifyError> {
        let Some(last_tilde) = token.rfind('~') else {
            return Err(malformed("no `~` separator: not an SD-JWT"));
        };
        let (sd_jwt, kb_jwt) = token.split_at(last_tilde + 1);
        let mut parts = sd_jwt[..last_tilde].split('~');
        let issuer_jwt = parts.next().unwrap_or_default();
        let disclosures: Vec<&str> = parts.collect();
        if disclosures.iter().any(|d| d.is_empty()) {
            return Err(malformed("empty disclosure"));
        }
        Ok(TokenParts {
            sd_jwt,
            issuer_jwt,
            disclosures,
            kb_jwt,
        })
    }
}

/// The issuer-signed JWT checked against `keys`: its key id and claims.
fn issuer_claims<K: VerificationKeys + ?Sized>(
    issuer_jwt: &str,
    keys: &K,
) -> Result<(String, IssuerClaims), VerifyError> {
    let jws = parse_jws(issuer_jwt).map_err(|r| malformed(&r))?;
    check_header(&jws.header, SD_JWT_TYP).map_err(|r| malformed(&r))?;
    let kid = jws
        .header
        .get("kid")
        .and_then(Value::as_str)
        .ok_or_else(|| malformed("no kid in header"))?
        .to_owned();
    let public = keys
        .public_key(&kid)
        .ok_or_else(|| VerifyError::UnknownKey { kid: kid.clone() })?;
    if !verify_ed25519(&public, jws.signing_input.as_bytes(), &jws.signature) {
        return Err(VerifyError::BadSignature);
    }
    let claims: IssuerClaims =
        serde_json::from_value(jws.payload).map_err(|e| malformed(&format!("claims: {e}")))?;
    if claims.sd_alg != SD_ALG {
        return Err(malformed("_sd_alg must be sha-256"));
    }
    if claims.cnf.jwk.ed25519_public_key().is_none() {
        return Err(malformed("cnf.jwk is not an Ed25519 key"));
    }
    if claims.sd.iter().collect::<BTreeSet<_>>().len() != claims.sd.len() {
        return Err(malformed("repeated digest in _sd"));
    }
    Ok((kid, claims))
}

/// `iat` and `exp` checked against `now`.
fn check_times(
    claims: &IssuerClaims,
    now: OffsetDateTime,
) -> Result<(OffsetDateTime, OffsetDateTime), VerifyError> {
    let issued_at = time_of(claims.iat)?;
    let expires_at = time_of(claims.exp)?;
    if expires_at <= now {
        return Err(VerifyError::Expired {
            expired_at: claims.exp,
        });
    }
    if issued_at > now + CLOCK_SKEW {
        return Err(VerifyError::NotYetValid {
            issued_at: claims.iat,
        });
    }
    Ok((issued_at, expires_at))
}

/// The disclosed fields, each matched to a signed digest once.
fn disclosed_fields(
    claims: &IssuerClaims,
    disclosures: &[&str],
) -> Result<BTreeMap<String, String>, VerifyError> {
    let signed: BTreeSet<&str> = claims.sd.iter().map(String::as_str).collect();
    let tampered = |reason: &str| VerifyError::Tampered {
        reason: reason.to_owned(),
    };
    let mut seen = BTreeSet::new();
    let mut fields = BTreeMap::new();
    for d in disclosures {
        let digest = b64::sha256(d.as_bytes());
        if !signed.contains(digest.as_str()) {
            return Err(tampered("a disclosure matches no signed digest"));
        }
        if !seen.insert(digest) {
            return Err(tampered("a disclosure is repeated"));
        }
        let bytes = b64::decode(d).map_err(|_| malformed("disclosure is not base64url"))?;
        let (_salt, name, value): (String, String, String) = serde_json::from_slice(&bytes)
            .map_err(|_| malformed("disclosure is not [salt, name, value]"))?;
        if PLAIN_CLAIMS.contains(&name.as_str()) || fields.insert(name, value).is_some() {
            return Err(tampered("a claim name is disclosed twice or reserved"));
        }
    }
    Ok(fields)
}

/// The KB-JWT checked: signed by the `cnf` key, covering exactly `sd_jwt`,
/// not issued in the future.
fn key_binding(
    claims: &IssuerClaims,
    sd_jwt: &str,
    kb_jwt: &str,
    now: OffsetDateTime,
) -> Result<KbClaims, VerifyError> {
    let kb_err = |reason: &str| VerifyError::KeyBinding {
        reason: reason.to_owned(),
    };
    if kb_jwt.is_empty() {
        return Err(kb_err("no key binding JWT"));
    }
    let holder_key = claims
        .cnf
        .jwk
        .ed25519_public_key()
        .ok_or_else(|| malformed("cnf.jwk is not an Ed25519 key"))?;
    let kb = parse_jws(kb_jwt).map_err(|r| kb_err(&r))?;
    check_header(&kb.header, KB_JWT_TYP).map_err(|r| kb_err(&r))?;
    if !verify_ed25519(&holder_key, kb.signing_input.as_bytes(), &kb.signature) {
        return Err(kb_err("signature does not verify with cnf.jwk"));
    }
    let kb_claims: KbClaims =
        serde_json::from_value(kb.payload).map_err(|e| kb_err(&format!("claims: {e}")))?;
    if kb_claims.sd_hash != b64::sha256(sd_jwt.as_bytes()) {
        return Err(kb_err("sd_hash does not match the presented SD-JWT"));
    }
    if time_of(kb_claims.iat)? > now + CLOCK_SKEW {
        return Err(kb_err("issued in the future"));
    }
    Ok(kb_claims)
}
