//! # yuesou-wallet — 我的证照 (electronic licences)
//!
//! The wallet domain of Yuesou (粤搜): no HTTP, no database.
//!
//! * [`LicenceTypes`] — licence types (证照类型) as data
//!   (`data/wallet/licence_types.json`): fields with Chinese labels and a
//!   sensitivity flag, validity rule, related services (相关服务) and the
//!   renewal service (换证服务).
//! * [`Licence`] — one licence (证照) with masked or full field views
//!   ([`Licence::masked_fields`], [`Licence::full_fields`]) and its validity
//!   ([`Licence::status`], [`Licence::expiring`] for the renewal hint).
//! * [`Issuer`] — pluggable source of licences; [`DevIssuer`] reads
//!   `data/demo/licences.jsonl`.
//! * [`KeyStore`] — the issuer's Ed25519 signing keys (签发密钥) on disk,
//!   with rotation and a [`Jwks`] of current and retained public keys.
//! * [`present`] — a presentation (出示码): an SD-JWT (RFC 9901) with key
//!   binding disclosing only the chosen fields, bound to a verifier's
//!   audience and nonce; [`qr_svg`] draws a QR code of whatever it carries.
//! * [`verify`] — offline verification of such a token against a
//!   [`KeyStore`] or a published [`Jwks`] and the verifier's [`Expected`]
//!   audience and nonce, with errors that carry a stable code
//!   ([`VerifyError::code`]) and a Chinese + English message.
//! * [`StatusList`] — the issuer's status list (IETF Token Status List):
//!   one bit per presentation, signed ([`sign_status_list`]) so that
//!   verifiers can cache it and check revocation offline
//!   ([`verify_status_list`]).
//!
//! ## Decisions
//!
//! * **Holder key: ephemeral, per presentation.** Yuesou is a custodial
//!   wallet: the platform keeps the licences and makes presentations on the
//!   holder's behalf after they log in, so there is no device key to bind
//!   to. Each presentation gets a fresh Ed25519 holder key whose public half
//!   goes into `cnf.jwk` and whose private half signs the KB-JWT and is then
//!   dropped. Key binding therefore does not prove possession of a device;
//!   it fixes the presented set of disclosures, the audience and the nonce
//!   (`sd_hash`), so a scanned token cannot be altered to drop or add
//!   disclosures, and it keeps the token in the standard SD-JWT+KB shape that
//!   independent verifiers accept.
//! * **Fresh issuance per presentation.** The issuer-signed JWT is minted for
//!   each presentation with a short `exp` (minutes, [`DEFAULT_TTL`]); `_sd`
//!   holds digests of every field of the licence and only the requested
//!   disclosures are appended.
//! * **Bound to a verifier's challenge.** The KB-JWT's `aud` and `nonce`
//!   come from the verifier (a request it shows as a QR code, or a one-time
//!   redemption at the issuer), never from the holder's side, and
//!   [`verify`] checks them: a token shown to one verifier fails at
//!   another. Refusing a second use of a nonce is the verifier's record.
//! * **Revocation by status list, unlinkable.** A token carries no licence
//!   reference: its `status` claim is an index allocated for this
//!   presentation alone in the issuer's [`StatusList`]. The daemon sets the
//!   bits of every live presentation of a licence that is revoked or
//!   deleted.
//! * **SD-JWT by hand.** The format is encoded with `base64`, `sha2`,
//!   `serde_json` and `ed25519-dalek`, following RFC 9901, so that every
//!   failure maps to one [`VerifyError`]; `scripts/verify_sdjwt.py` checks
//!   the tokens with an independent implementation (PyPI `sd-jwt`).
//! * **Compact tokens.** `kid` is the RFC 7638 thumbprint, salts are 128
//!   bits, no decoy digests; a presentation of all fields of a licence is
//!   about 2 KB, encoded in the QR code at level M (L when M does not fit).
//!
//! ## Example
//!
//! ```
//! use yuesou_wallet::{present, verify, DevIssuer, Expected, Issuer, KeyStore, LicenceTypes, PresentRequest};
//! use time::macros::datetime;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data");
//! let types = LicenceTypes::load(format!("{root}/wallet/licence_types.json"))?;
//! let issuer = DevIssuer::load(format!("{root}/demo/licences.jsonl"), &types)?;
//! let dir = tempfile::tempdir()?;
//! let keys = KeyStore::open(dir.path())?;
//!
//! // 陈嘉明's driving licence: expiring on 2026-12-01, so show the renewal hint.
//! let today = time::macros::date!(2026 - 12 - 01);
//! let licences = issuer.licences_for("44010419880520123X")?;
//! let licence = licences.iter().find(|l| l.type_code == "driving_licence").unwrap();
//! let ty = types.require(&licence.type_code)?;
//! assert!(licence.expiring(today, ty));
//! assert_eq!(licence.renewal_hint(today, ty), Some("xsjs-jzhz-440000")); // 驾驶证期满换证
//!
//! // Show name and licence class only, to the verifier whose challenge
//! // (audience and nonce) the holder's app scanned.
//! let now = datetime!(2026-12-01 09:00 UTC);
//! let request = PresentRequest::new(["holder_name", "vehicle_class"], now, "hotel-front-desk", "n-8f2c1e")
//!     .status(7, "https://gd.example/api/v1/wallet/status-list");
//! let shown = present(&keys, licence, ty, &request)?;
//!
//! // That verifier, holding the published JWKS.
//! let expected = Expected::new(now, "hotel-front-desk").nonce("n-8f2c1e").require(["vehicle_class"]);
//! let checked = verify(&shown.token, &keys.jwks(), &expected)?;
//! assert_eq!(checked.fields["vehicle_class"], "C1");
//! assert!(!checked.fields.contains_key("holder")); // 身份证号 not disclosed
//! assert_eq!(checked.status.unwrap().idx, 7); // look it up in the status list
//!
//! // Another verifier cannot use it.
//! let elsewhere = Expected::new(now, "car-rental");
//! assert!(verify(&shown.token, &keys.jwks(), &elsewhere).is_err());
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

mod b64;
mod error;
mod keys;
mod licence;
mod sdjwt;
mod status;
mod types;

pub use error::{VerifyError, WalletError};
pub use keys::{DEFAULT_RETENTION, Jwk, Jwks, KEY_DIR, KeyInfo, KeyStore, VerificationKeys};
pub use licence::{DevIssuer, FieldView, Issuer, Licence, LicenceStatus, mask};
pub use sdjwt::{
    CHINA_STANDARD_TIME, CLOCK_SKEW, DEFAULT_ISSUER, DEFAULT_TTL, Expected, KB_JWT_TYP,
    MAX_BINDING_LEN, MAX_TOKEN_LEN, MAX_TTL, PresentRequest, Presentation, SD_JWT_TYP, StatusRef,
    Verified, present, qr_svg, verify,
};
pub use status::{
    MAX_STATUS_ENTRIES, STATUS_LIST_TYP, StatusList, StatusListError, sign_status_list,
    verify_status_list,
};
pub use types::{FieldDef, LicenceKind, LicenceType, LicenceTypes, STANDARD_FIELDS, ValidityRule};

/// Re-export of the `time` crate used in this API (dates, instants,
/// durations).
pub use time;
