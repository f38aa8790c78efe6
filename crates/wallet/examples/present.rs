//! Makes a presentation of a demo licence and writes `token.txt`,
//! `jwks.json`, `qr.svg` and `check.sh` (the independent verifier's
//! command line) into a directory.
//!
//! ```sh
//! cargo run -p yuesou-wallet --example present -- /tmp/wallet-demo \
//!     44010419880520123X driving_licence holder_name vehicle_class
//! ```

use std::error::Error;
use std::path::PathBuf;

use time::OffsetDateTime;
use yuesou_wallet::{
    DevIssuer, Expected, Issuer, KeyStore, LicenceTypes, PresentRequest, present, qr_svg, verify,
};

/// The demo verifier's audience and the nonce of its challenge.
const AUDIENCE: &str = "demo-verifier";
const NONCE: &str = "demo-nonce-0001";

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(out), Some(holder), Some(code)) = (args.next(), args.next(), args.next()) else {
        return Err("usage: present OUT_DIR HOLDER TYPE_CODE [FIELD ...]".into());
    };
    let disclose: Vec<String> = args.collect();
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data");
    let types = LicenceTypes::load(data.join("wallet/licence_types.json"))?;
    let issuer = DevIssuer::load(data.join("demo/licences.jsonl"), &types)?;
    let licence = issuer
        .licences_for(&holder)?
        .into_iter()
        .find(|l| l.type_code == code)
        .ok_or_else(|| format!("{holder} holds no {code}"))?;
    let ty = types.require(&code)?;

    let out = PathBuf::from(out);
    std::fs::create_dir_all(&out)?;
    let keys = KeyStore::open(&out)?;
    let now = OffsetDateTime::now_utc();
    let p = present(
        &keys,
        &licence,
        ty,
        &PresentRequest::new(disclose.clone(), now, AUDIENCE, NONCE),
    )?;
    let expected = Expected::new(now, AUDIENCE)
        .nonce(NONCE)
        .require(disclose.iter().cloned());
    let checked = verify(&p.token, &keys, &expected)?;

    std::fs::write(out.join("token.txt"), &p.token)?;
    std::fs::write(out.join("jwks.json"), keys.jwks().to_json())?;
    std::fs::write(out.join("qr.svg"), qr_svg(&p.token)?)?;
    let check = format!(
        "python3 scripts/verify_sdjwt.py {0}/token.txt --jwks {0}/jwks.json --aud={1} --nonce={2}\n",
        out.display(),
        p.audience,
        p.nonce
    );
    std::fs::write(out.join("check.sh"), &check)?;
    println!(
        "{} ({} bytes, expires {}): {:?}",
        ty.name,
        p.token.len(),
        p.expires_at,
        checked.fields
    );
    print!("{check}");
    Ok(())
}
