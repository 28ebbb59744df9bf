//! The hot functions of the token and discovery paths, one at a time:
//!
//!     cargo bench --bench hot
//!
//! Signing is the floor of a token grant; the rest should be small beside it. The argon2id
//! figure is the cost that bounds password sign-ins (cores ÷ this = the ceiling per second).

#![allow(clippy::expect_used, reason = "a benchmark stops at the first failure")]

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use portcullis::config::Settings;
use portcullis::crypto::{KeyedHasher, PasswordHasher, pkce_s256, random_token};
use portcullis::oidc::keys::{KeyRing, generate};
use secrecy::SecretString;
use serde_json::json;

fn ring_of(alg: &str) -> KeyRing {
    let row = generate(alg, 0, 0, None).expect("key");
    KeyRing::from_rows(&[row], 1).expect("ring")
}

/// Claims the size of a client_credentials access token (RFC 9068).
fn access_claims() -> serde_json::Value {
    json!({
        "iss": "https://id.example.com",
        "sub": "reporting-service",
        "aud": "reporting-service",
        "client_id": "reporting-service",
        "scope": "api read:reports",
        "iat": 1_795_312_800,
        "exp": 1_795_313_700,
        "jti": random_token(),
    })
}

fn signing(c: &mut Criterion) {
    let claims = access_claims();
    for alg in ["ES256", "EdDSA", "RS256"] {
        let ring = ring_of(alg);
        c.bench_function(&format!("sign access token {alg}"), |b| {
            b.iter(|| {
                ring.sign_with(black_box(&claims), "at+jwt", alg)
                    .expect("signed")
            })
        });
    }
    let ring = ring_of("ES256");
    let token = ring.sign_typed(&claims, "at+jwt").expect("signed");
    c.bench_function("verify access token ES256", |b| {
        b.iter(|| {
            ring.verify(black_box(&token), "https://id.example.com", "at+jwt", false)
                .expect("valid")
        })
    });
}

fn token_building(c: &mut Criterion) {
    let ring = ring_of("ES256");
    c.bench_function("build and sign client_credentials token", |b| {
        b.iter(|| {
            let claims = access_claims();
            let token = ring.sign_typed(&claims, "at+jwt").expect("signed");
            serde_json::to_vec(&json!({
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": 900,
                "scope": "api read:reports",
            }))
            .expect("json")
        })
    });
}

fn hashing(c: &mut Criterion) {
    let hasher = KeyedHasher::new(b"bench key material, thirty-two bytes long");
    let code = random_token();
    c.bench_function("keyed hash of a code", |b| {
        b.iter(|| hasher.hash("authz_code", black_box(&code)))
    });
    let stored = hasher.hash("client_secret", &code);
    c.bench_function("client secret check", |b| {
        b.iter(|| hasher.verify("client_secret", black_box(&code), &stored))
    });
    c.bench_function("pkce s256", |b| b.iter(|| pkce_s256(black_box(&code))));

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let passwords = PasswordHasher::new(None, 1).expect("hasher");
    let mut group = c.benchmark_group("argon2id m=19456 t=2 p=1");
    group.sample_size(10);
    group.bench_function("hash one password", |b| {
        b.iter(|| {
            runtime
                .block_on(passwords.hash(SecretString::from("correct horse battery staple")))
                .expect("hash")
        })
    });
    group.finish();
}

fn discovery(c: &mut Criterion) {
    let settings = Settings::load(Path::new("config.toml"), false).expect("settings");
    c.bench_function("render discovery document", |b| {
        b.iter(|| portcullis::oidc::discovery::document(black_box(&settings)))
    });
}

criterion_group!(benches, signing, token_building, hashing, discovery);
criterion_main!(benches);
