//! Presentation and verification cost: `cargo bench -p yuesou-wallet`.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use time::OffsetDateTime;
use yuesou_wallet::{
    DevIssuer, Expected, Issuer, KeyStore, Licence, LicenceTypes, PresentRequest, present, qr_svg,
    verify,
};

/// The verifier's audience and nonce the benchmark presents to.
const AUD: &str = "bench-verifier";
const NONCE: &str = "bench-nonce";

fn data(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../data")
        .join(path)
}

fn find(issuer: &DevIssuer, holder: &str, code: &str) -> Licence {
    issuer
        .licences_for(holder)
        .ok()
        .and_then(|ls| ls.into_iter().find(|l| l.type_code == code))
        .expect("demo licence")
}

fn bench(c: &mut Criterion) {
    let types = LicenceTypes::load(data("wallet/licence_types.json")).expect("types");
    let issuer = DevIssuer::load(data("demo/licences.jsonl"), &types).expect("licences");
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = KeyStore::open(dir.path()).expect("key store");
    let jwks = keys.jwks();
    let now = OffsetDateTime::now_utc();

    let dl = find(&issuer, "44010419880520123X", "driving_licence");
    let dl_type = types.require("driving_licence").expect("type");
    let three = PresentRequest::new(
        ["holder_name", "vehicle_class", "expires_on"],
        now,
        AUD,
        NONCE,
    );

    let bl = find(&issuer, "91440101MA5D8Y2K35", "business_licence");
    let bl_type = types.require("business_licence").expect("type");
    let all: Vec<String> = bl_type.fields.iter().map(|f| f.name.clone()).collect();
    let every = PresentRequest::new(all.clone(), now, AUD, NONCE);

    let small = present(&keys, &dl, dl_type, &three).expect("present");
    let large = present(&keys, &bl, bl_type, &every).expect("present");
    println!(
        "token bytes: driving_licence 3 fields = {}, business_licence {} fields = {}",
        small.token.len(),
        all.len(),
        large.token.len(),
    );

    c.bench_function("present/driving_licence_3_fields", |b| {
        b.iter(|| present(&keys, black_box(&dl), dl_type, black_box(&three)).expect("present"))
    });
    c.bench_function("present/business_licence_all_fields", |b| {
        b.iter(|| present(&keys, black_box(&bl), bl_type, black_box(&every)).expect("present"))
    });
    c.bench_function("qr_svg/business_licence_all_fields", |b| {
        b.iter(|| qr_svg(black_box(&large.token)).expect("qr"))
    });
    c.bench_function("verify/driving_licence_3_fields", |b| {
        b.iter(|| {
            verify(
                black_box(&small.token),
                &keys,
                &Expected::new(now, AUD)
                    .nonce(NONCE)
                    .require(["vehicle_class"]),
            )
            .expect("verify")
        })
    });
    c.bench_function("verify/business_licence_all_fields_jwks", |b| {
        b.iter(|| {
            verify(
                black_box(&large.token),
                &jwks,
                &Expected::new(now, AUD)
                    .nonce(NONCE)
                    .require(all.iter().cloned()),
            )
            .expect("verify")
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
