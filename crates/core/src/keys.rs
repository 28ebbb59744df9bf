//! Signing keys: generated on first need, kept in the database (encrypted when
//! `[server] key_encryption_key` is set), published at `/.well-known/jwks.json`.
//! ES256 signs by default; RS256 and EdDSA keys exist for clients that ask for them.
//!
//! Rotation (`portcullis keys rotate`) adds a key that activates later, so verifiers fetch it
//! before it signs anything; the key it replaces keeps being published until every token it
//! signed has expired. Every instance reloads the ring periodically, so all of them agree.

use std::sync::{Arc, RwLock};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use jsonwebtoken::Algorithm;
use sea_orm::ConnectionTrait;
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::store::keys::{self as repo, SigningKeyRow};

pub const ALGS: &[&str] = &["ES256", "RS256", "EdDSA"];

fn algorithm(name: &str) -> Option<Algorithm> {
    match name {
        "ES256" => Some(Algorithm::ES256),
        "RS256" => Some(Algorithm::RS256),
        "EdDSA" => Some(Algorithm::EdDSA),
        _ => None,
    }
}

/// Seals secrets at rest (signing keys, authenticator secrets): ChaCha20-Poly1305 under a
/// key derived from `[server] key_encryption_key` with argon2id and a random salt stored with
/// each sealed value, so the passphrase cannot be tested with one fast hash per guess.
/// Values sealed by older versions (`enc:v1:`, the key an unsalted SHA-256 of the passphrase)
/// still open; everything sealed from now on is `enc:v2:`.
#[derive(Clone)]
pub struct KeyEncryption {
    passphrase: SecretString,
    /// The salt and key new seals use, derived once per process.
    current: ([u8; SALT_LEN], chacha20poly1305::Key),
    /// Keys derived for the salts of values opened so far (one per process that sealed).
    derived:
        Arc<std::sync::Mutex<std::collections::HashMap<[u8; SALT_LEN], chacha20poly1305::Key>>>,
}

const SEALED_V1: &str = "enc:v1:";
const SEALED: &str = "enc:v2:";
const SALT_LEN: usize = 16;

impl KeyEncryption {
    pub fn new(secret: &SecretString) -> anyhow::Result<Self> {
        let salt = crate::crypto::random_bytes::<SALT_LEN>();
        let key = derive_kek(secret, &salt)?;
        Ok(Self {
            passphrase: secret.clone(),
            current: (salt, key),
            derived: Arc::new(std::sync::Mutex::new(
                std::iter::once((salt, key)).collect(),
            )),
        })
    }

    pub fn seal(&self, plain: &str) -> anyhow::Result<String> {
        let (salt, key) = &self.current;
        let nonce_bytes = crate::crypto::random_bytes::<12>();
        let ct = ChaCha20Poly1305::new(key)
            .encrypt(&Nonce::from(nonce_bytes), plain.as_bytes())
            .map_err(|_| anyhow::anyhow!("sealing a secret failed"))?;
        let mut out = salt.to_vec();
        out.extend_from_slice(&nonce_bytes);
        out.extend_from_slice(&ct);
        Ok(format!("{SEALED}{}", STANDARD.encode(out)))
    }

    pub fn open(&self, stored: &str) -> anyhow::Result<String> {
        let (key, rest) = if let Some(b64) = stored.strip_prefix(SEALED) {
            let raw = STANDARD.decode(b64)?;
            anyhow::ensure!(raw.len() > SALT_LEN + 12, "sealed key too short");
            let (salt, rest) = raw.split_at(SALT_LEN);
            let salt: [u8; SALT_LEN] = salt.try_into()?;
            (self.key_for(salt)?, rest.to_vec())
        } else {
            let raw = STANDARD.decode(stored.trim_start_matches(SEALED_V1))?;
            let legacy: [u8; 32] =
                Sha256::digest(self.passphrase.expose_secret().as_bytes()).into();
            (chacha20poly1305::Key::from(legacy), raw)
        };
        anyhow::ensure!(rest.len() > 12, "sealed key too short");
        let (nonce, ct) = rest.split_at(12);
        let nonce: [u8; 12] = nonce.try_into()?;
        let plain = ChaCha20Poly1305::new(&key)
            .decrypt(&Nonce::from(nonce), ct)
            .map_err(|_| {
                anyhow::anyhow!("a sealed secret does not open with [server] key_encryption_key")
            })?;
        Ok(String::from_utf8(plain)?)
    }

    fn key_for(&self, salt: [u8; SALT_LEN]) -> anyhow::Result<chacha20poly1305::Key> {
        let mut cache = self
            .derived
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(k) = cache.get(&salt) {
            return Ok(*k);
        }
        let k = derive_kek(&self.passphrase, &salt)?;
        cache.insert(salt, k);
        Ok(k)
    }
}

/// argon2id with OWASP's parameters for it (19 MiB, two passes): the passphrase may be
/// something a person chose, so each guess must cost what a password guess costs.
fn derive_kek(secret: &SecretString, salt: &[u8]) -> anyhow::Result<chacha20poly1305::Key> {
    let params = argon2::Params::new(19 * 1024, 2, 1, Some(32))
        .map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut out = [0u8; 32];
    argon
        .hash_password_into(secret.expose_secret().as_bytes(), salt, &mut out)
        .map_err(|e| anyhow::anyhow!("deriving the key encryption key: {e}"))?;
    Ok(chacha20poly1305::Key::from(out))
}

/// Seals `plain` when a key encryption key is configured; stores it as it is otherwise.
pub fn seal_if(kek: Option<&KeyEncryption>, plain: String) -> anyhow::Result<String> {
    match kek {
        Some(k) => k.seal(&plain),
        None => Ok(plain),
    }
}

/// Opens a value [`seal_if`] stored: sealed ones need the key, plain ones pass through.
/// `what` names the secrets in the error ("signing keys").
pub fn open_if_sealed(
    stored: &str,
    kek: Option<&KeyEncryption>,
    what: &str,
) -> anyhow::Result<String> {
    if stored.starts_with(SEALED) || stored.starts_with(SEALED_V1) {
        let kek = kek.ok_or_else(|| {
            anyhow::anyhow!("{what} are encrypted but [server] key_encryption_key is not set")
        })?;
        kek.open(stored)
    } else {
        Ok(stored.to_owned())
    }
}

/// A private key ready to sign. Signing uses `ring` (assembly-optimised P-256, RSA and
/// Ed25519), parsed once per key load rather than once per token.
enum SigningKey {
    Ec(ring::signature::EcdsaKeyPair),
    Rsa(ring::signature::RsaKeyPair),
    Ed(ring::signature::Ed25519KeyPair),
}

impl SigningKey {
    fn from_pem(alg: Algorithm, pem: &str) -> anyhow::Result<Self> {
        use ring::signature::{self as sig};
        let der = pem_body(pem)?;
        let bad = |e: ring::error::KeyRejected| anyhow::anyhow!("signing key rejected: {e}");
        Ok(match alg {
            Algorithm::ES256 => Self::Ec(
                sig::EcdsaKeyPair::from_pkcs8(
                    &sig::ECDSA_P256_SHA256_FIXED_SIGNING,
                    &der,
                    &ring::rand::SystemRandom::new(),
                )
                .map_err(bad)?,
            ),
            Algorithm::RS256 => Self::Rsa(sig::RsaKeyPair::from_pkcs8(&der).map_err(bad)?),
            Algorithm::EdDSA => {
                Self::Ed(sig::Ed25519KeyPair::from_pkcs8_maybe_unchecked(&der).map_err(bad)?)
            }
            other => anyhow::bail!("unsupported signing algorithm {other:?}"),
        })
    }

    /// The JWS signature of `input` (RFC 7518 §3.1): ES256 as the fixed-width r || s.
    fn sign(&self, rng: &ring::rand::SystemRandom, input: &[u8]) -> anyhow::Result<Vec<u8>> {
        let failed = |_| anyhow::anyhow!("signing failed");
        Ok(match self {
            Self::Ec(k) => k.sign(rng, input).map_err(failed)?.as_ref().to_vec(),
            Self::Rsa(k) => {
                let mut out = vec![0; k.public().modulus_len()];
                k.sign(&ring::signature::RSA_PKCS1_SHA256, rng, input, &mut out)
                    .map_err(failed)?;
                out
            }
            Self::Ed(k) => k.sign(input).as_ref().to_vec(),
        })
    }
}

/// A public key of ours, ready to check signatures with `ring`.
enum VerifyingKey {
    /// The uncompressed P-256 point (0x04 || x || y).
    Ec(Vec<u8>),
    Ed(Vec<u8>),
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
    },
}

impl VerifyingKey {
    fn from_jwk(jwk: &serde_json::Value) -> anyhow::Result<Self> {
        let member = |name: &str| -> anyhow::Result<Vec<u8>> {
            let v = jwk
                .get(name)
                .and_then(serde_json::Value::as_str)
                .ok_or_else(|| anyhow::anyhow!("public key without {name}"))?;
            Ok(URL_SAFE_NO_PAD.decode(v)?)
        };
        Ok(match jwk.get("kty").and_then(serde_json::Value::as_str) {
            Some("EC") => {
                let mut point = vec![4u8];
                point.extend(member("x")?);
                point.extend(member("y")?);
                Self::Ec(point)
            }
            Some("OKP") => Self::Ed(member("x")?),
            Some("RSA") => Self::Rsa {
                n: member("n")?,
                e: member("e")?,
            },
            other => anyhow::bail!("unsupported key type {other:?}"),
        })
    }

    fn verify(&self, input: &[u8], signature: &[u8]) -> Option<()> {
        use ring::signature::{self as sig, RsaPublicKeyComponents, UnparsedPublicKey};
        match self {
            Self::Ec(point) => UnparsedPublicKey::new(&sig::ECDSA_P256_SHA256_FIXED, point)
                .verify(input, signature)
                .ok(),
            Self::Ed(x) => UnparsedPublicKey::new(&sig::ED25519, x)
                .verify(input, signature)
                .ok(),
            Self::Rsa { n, e } => RsaPublicKeyComponents { n, e }
                .verify(&sig::RSA_PKCS1_2048_8192_SHA256, input, signature)
                .ok(),
        }
    }
}

/// The DER inside a PEM document.
fn pem_body(pem: &str) -> anyhow::Result<Vec<u8>> {
    let body: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .map(str::trim)
        .collect();
    Ok(STANDARD.decode(body)?)
}

fn alg_name(alg: Algorithm) -> &'static str {
    match alg {
        Algorithm::ES256 => "ES256",
        Algorithm::RS256 => "RS256",
        _ => "EdDSA",
    }
}

struct Signer {
    kid: String,
    alg: Algorithm,
    key: SigningKey,
}

/// The keys as of one load: one signer per algorithm, every published key for checking.
pub struct KeyRing {
    signers: Vec<Signer>,
    verifying: Vec<(String, Algorithm, VerifyingKey)>,
    jwks: crate::published::Published,
    rng: ring::rand::SystemRandom,
}

impl KeyRing {
    pub fn jwks(&self) -> &str {
        self.jwks.as_str()
    }

    /// The key set as served, with its ETag.
    pub fn published_jwks(&self) -> &crate::published::Published {
        &self.jwks
    }

    pub fn sign<T: Serialize>(&self, claims: &T) -> anyhow::Result<String> {
        self.sign_with(claims, "JWT", "ES256")
    }

    /// Signs a session token. Clerk's backend SDKs accept only RSA session tokens
    /// (`verifyToken` refuses ES256 and EdDSA), so these are RS256 whatever ID tokens use.
    pub fn sign_session<T: Serialize>(&self, claims: &T) -> anyhow::Result<String> {
        self.sign_with(claims, "JWT", SESSION_TOKEN_ALG)
    }

    /// Signs with an explicit `typ` header (RFC 9068 access tokens are `at+jwt`).
    pub fn sign_typed<T: Serialize>(&self, claims: &T, typ: &str) -> anyhow::Result<String> {
        self.sign_with(claims, typ, "ES256")
    }

    /// Signs with the current key of `alg`.
    pub fn sign_with<T: Serialize>(
        &self,
        claims: &T,
        typ: &str,
        alg: &str,
    ) -> anyhow::Result<String> {
        let want =
            algorithm(alg).ok_or_else(|| anyhow::anyhow!("unsupported signing algorithm {alg}"))?;
        let signer = self
            .signers
            .iter()
            .find(|s| s.alg == want)
            .ok_or_else(|| anyhow::anyhow!("no {alg} signing key"))?;
        // RFC 7515 §7.1 compact serialisation: b64(header) "." b64(claims) "." b64(sig).
        let header = serde_json::to_vec(&json!({
            "alg": alg_name(signer.alg),
            "kid": signer.kid,
            "typ": typ,
        }))?;
        let claims = serde_json::to_vec(claims)?;
        let mut jws = String::with_capacity((header.len() + claims.len()) * 4 / 3 + 400);
        URL_SAFE_NO_PAD.encode_string(&header, &mut jws);
        jws.push('.');
        URL_SAFE_NO_PAD.encode_string(&claims, &mut jws);
        let signature = signer.key.sign(&self.rng, jws.as_bytes())?;
        jws.push('.');
        URL_SAFE_NO_PAD.encode_string(&signature, &mut jws);
        Ok(jws)
    }

    /// A ring built from key rows as of `now`, without a database (benchmarks, tools).
    pub fn from_rows(rows: &[SigningKeyRow], now: i64) -> anyhow::Result<Self> {
        Self::build(rows, now, 0, None)
    }

    /// Verifies a token this instance signed: only our algorithms (so `alg: none` and HMAC
    /// tokens are refused whatever they claim), a published kid of that algorithm, the
    /// expected `typ`, our issuer, and `sub` and `exp` present. `check_exp` is false for
    /// `id_token_hint`, which may be expired (OIDC Core §3.1.2.1). RFC 7515 §5.2.
    pub fn verify(
        &self,
        token: &str,
        issuer: &str,
        typ: &str,
        check_exp: bool,
    ) -> Option<serde_json::Map<String, serde_json::Value>> {
        let mut parts = token.split('.');
        let (h, p, s) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let header: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).ok()?).ok()?;
        let header_typ = header
            .get("typ")
            .map_or(Some("JWT"), serde_json::Value::as_str)?;
        if !header_typ.eq_ignore_ascii_case(typ) {
            return None;
        }
        let alg = algorithm(header.get("alg")?.as_str()?)?;
        let kid = header.get("kid")?.as_str()?;
        let (_, _, key) = self
            .verifying
            .iter()
            .find(|(k, a, _)| k == kid && *a == alg)?;
        let signature = URL_SAFE_NO_PAD.decode(s).ok()?;
        key.verify(&token.as_bytes()[..h.len() + 1 + p.len()], &signature)?;
        let claims: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).ok()?).ok()?;
        if claims.get("iss")?.as_str()? != issuer || !claims.contains_key("sub") {
            return None;
        }
        let exp = claims.get("exp")?.as_f64()?;
        if check_exp {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .ok()?
                .as_secs_f64();
            if exp < now.floor() {
                return None;
            }
        }
        Some(claims)
    }

    /// Builds the ring from stored keys as of `now`; `grace_ms` is how long a retired key
    /// stays published (the longest token lifetime).
    fn build(
        rows: &[SigningKeyRow],
        now: i64,
        grace_ms: i64,
        kek: Option<&KeyEncryption>,
    ) -> anyhow::Result<Self> {
        let mut signers: Vec<Signer> = Vec::new();
        let mut verifying = Vec::new();
        let mut published = Vec::new();
        for row in rows {
            let Some(alg) = algorithm(&row.alg) else {
                continue;
            };
            if row.retired_at.is_some_and(|r| r + grace_ms <= now) {
                continue;
            }
            let jwk_value: serde_json::Value = serde_json::from_str(&row.public_jwk)?;
            verifying.push((row.kid.clone(), alg, VerifyingKey::from_jwk(&jwk_value)?));
            published.push(jwk_value);
            let may_sign = row.activates_at <= now && row.retired_at.is_none_or(|r| r > now);
            // Rows come newest activation first: the first usable key of an alg signs.
            if may_sign && !signers.iter().any(|s| s.alg == alg) {
                let pem = open_if_sealed(&row.private_pem, kek, "signing keys")?;
                signers.push(Signer {
                    kid: row.kid.clone(),
                    alg,
                    key: SigningKey::from_pem(alg, &pem)?,
                });
            }
        }
        let jwks = crate::published::Published::new(json!({ "keys": published }).to_string());
        Ok(Self {
            signers,
            verifying,
            jwks,
            rng: ring::rand::SystemRandom::new(),
        })
    }

    pub fn algs(&self) -> Vec<Algorithm> {
        self.signers.iter().map(|s| s.alg).collect()
    }
}

/// The algorithm of session tokens (see [`KeyRing::sign_session`]).
pub const SESSION_TOKEN_ALG: &str = "RS256";

/// The shared, reloadable key ring.
pub struct KeyStore {
    ring: RwLock<Arc<KeyRing>>,
    kek: Option<KeyEncryption>,
    grace_ms: i64,
}

impl KeyStore {
    /// Loads the keys, creating a signing key for every algorithm in `needed` that has none.
    pub async fn load(
        db: &impl ConnectionTrait,
        now: i64,
        kek: Option<KeyEncryption>,
        grace_ms: i64,
        needed: &[&str],
    ) -> anyhow::Result<Self> {
        let store = Self {
            ring: RwLock::new(Arc::new(KeyRing {
                signers: Vec::new(),
                verifying: Vec::new(),
                jwks: crate::published::Published::new("{\"keys\":[]}".into()),
                rng: ring::rand::SystemRandom::new(),
            })),
            kek,
            grace_ms,
        };
        store.ensure(db, now, needed).await?;
        Ok(store)
    }

    pub fn current(&self) -> Arc<KeyRing> {
        self.ring
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Re-reads the keys (after a rotation by another process, or as activation times pass).
    pub async fn reload(&self, db: &impl ConnectionTrait, now: i64) -> anyhow::Result<()> {
        let rows = repo::keys_in_use(db, now - self.grace_ms).await?;
        let ring = KeyRing::build(&rows, now, self.grace_ms, self.kek.as_ref())?;
        *self
            .ring
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(ring);
        Ok(())
    }

    /// Makes sure each algorithm in `algs` has a signing key, then reloads.
    pub async fn ensure(
        &self,
        db: &impl ConnectionTrait,
        now: i64,
        algs: &[&str],
    ) -> anyhow::Result<()> {
        self.reload(db, now).await?;
        let mut have = self.current().algs();
        for alg in algs {
            let want = algorithm(alg)
                .ok_or_else(|| anyhow::anyhow!("unsupported signing algorithm {alg}"))?;
            // An algorithm named twice (the session tokens' and a client's) gets one key.
            if !have.contains(&want) {
                repo::insert_key(db, generate(alg, now, now, self.kek.as_ref())?).await?;
                have.push(want);
            }
        }
        self.reload(db, now).await
    }
}

/// `portcullis keys rotate`: for every algorithm in use, a new key that starts signing
/// `publish_delay_secs` from now, when the current one retires. Returns the new kids.
pub async fn rotate(
    db: &impl ConnectionTrait,
    now: i64,
    publish_delay_secs: i64,
    kek: Option<&KeyEncryption>,
) -> anyhow::Result<Vec<String>> {
    let rows = repo::keys_in_use(db, now).await?;
    let mut algs: Vec<String> = rows
        .iter()
        .filter(|r| r.retired_at.is_none())
        .map(|r| r.alg.clone())
        .collect();
    algs.sort();
    algs.dedup();
    if algs.is_empty() {
        algs.push("ES256".into());
    }
    let activate = now + publish_delay_secs * 1000;
    let mut kids = Vec::new();
    for alg in &algs {
        repo::retire_alg(db, alg, activate).await?;
        let row = generate(alg, now, activate, kek)?;
        kids.push(row.kid.clone());
        repo::insert_key(db, row).await?;
    }
    Ok(kids)
}

/// The public key of the current session-token signer as SPKI PEM: what an app gives Clerk's
/// SDKs as `jwtKey` (`CLERK_JWT_KEY`) to verify session tokens without fetching the JWKS.
pub async fn session_key_pem(db: &impl ConnectionTrait, now: i64) -> anyhow::Result<String> {
    use rsa::pkcs8::{EncodePublicKey, LineEnding};
    let row = repo::keys_in_use(db, now)
        .await?
        .into_iter()
        .find(|r| {
            r.alg == SESSION_TOKEN_ALG
                && r.activates_at <= now
                && r.retired_at.is_none_or(|t| t > now)
        })
        .ok_or_else(|| {
            anyhow::anyhow!("no {SESSION_TOKEN_ALG} key signs yet: start the server once")
        })?;
    let jwk: serde_json::Value = serde_json::from_str(&row.public_jwk)?;
    let part = |name: &str| -> anyhow::Result<rsa::BigUint> {
        let b64 = jwk[name]
            .as_str()
            .ok_or_else(|| anyhow::anyhow!("the stored key has no {name}"))?;
        Ok(rsa::BigUint::from_bytes_be(&URL_SAFE_NO_PAD.decode(b64)?))
    };
    let key = rsa::RsaPublicKey::new(part("n")?, part("e")?)?;
    key.to_public_key_pem(LineEnding::LF)
        .map_err(|e| anyhow::anyhow!("encoding the key: {e}"))
}

/// A fresh key of `alg`; its kid is the RFC 7638 thumbprint of the public JWK.
pub fn generate(
    alg: &str,
    now: i64,
    activates_at: i64,
    kek: Option<&KeyEncryption>,
) -> anyhow::Result<SigningKeyRow> {
    use p256::pkcs8::{EncodePrivateKey, LineEnding};
    let b64 = |b: &[u8]| URL_SAFE_NO_PAD.encode(b);
    // RFC 7638 §3.2: required members only, in lexicographic order, no white space.
    let (pem, thumbprint_input, mut jwk) = match alg {
        "ES256" => {
            use p256::elliptic_curve::sec1::ToEncodedPoint;
            let secret = p256::SecretKey::random(&mut rand::rngs::OsRng);
            let pem = secret
                .to_pkcs8_pem(LineEnding::LF)
                .map_err(|e| anyhow::anyhow!("encoding key: {e}"))?;
            let point = secret.public_key().to_encoded_point(false);
            let (Some(x), Some(y)) = (point.x(), point.y()) else {
                anyhow::bail!("P-256 public key without coordinates");
            };
            let (x, y) = (b64(x), b64(y));
            (
                pem.to_string(),
                format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#),
                json!({ "kty": "EC", "crv": "P-256", "x": x, "y": y }),
            )
        }
        "RS256" => {
            use rsa::traits::PublicKeyParts;
            let key = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048)?;
            let pem = key
                .to_pkcs8_pem(LineEnding::LF)
                .map_err(|e| anyhow::anyhow!("encoding key: {e}"))?;
            let (n, e) = (b64(&key.n().to_bytes_be()), b64(&key.e().to_bytes_be()));
            (
                pem.to_string(),
                format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#),
                json!({ "kty": "RSA", "n": n, "e": e }),
            )
        }
        "EdDSA" => {
            let key = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
            let pem = key
                .to_pkcs8_pem(LineEnding::LF)
                .map_err(|e| anyhow::anyhow!("encoding key: {e}"))?;
            let x = b64(key.verifying_key().as_bytes());
            (
                pem.to_string(),
                format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#),
                json!({ "kty": "OKP", "crv": "Ed25519", "x": x }),
            )
        }
        other => anyhow::bail!("unsupported signing algorithm {other}"),
    };
    let kid = b64(&Sha256::digest(thumbprint_input.as_bytes()));
    if let Some(map) = jwk.as_object_mut() {
        map.insert("use".into(), json!("sig"));
        map.insert("alg".into(), json!(alg));
        map.insert("kid".into(), json!(kid));
    }
    let private_pem = seal_if(kek, pem)?;
    Ok(SigningKeyRow {
        kid,
        alg: alg.into(),
        private_pem,
        public_jwk: jwk.to_string(),
        created_at: now,
        retired_at: None,
        activates_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_every_algorithm_sign_and_verify() {
        for alg in ALGS {
            let row = generate(alg, 0, 0, None).unwrap();
            let ring = KeyRing::build(&[row], 1, 0, None).unwrap();
            let claims = json!({"iss": "https://i", "sub": "s", "exp": 4102444800u64});
            let jwt = ring.sign_with(&claims, "JWT", alg).unwrap();
            assert!(
                ring.verify(&jwt, "https://i", "JWT", true).is_some(),
                "{alg}"
            );
            assert!(ring.verify(&jwt, "https://other", "JWT", true).is_none());
            assert!(
                ring.verify(&jwt, "https://i", "at+jwt", true).is_none(),
                "typ is checked"
            );
            // A changed payload, signature or algorithm is refused.
            let (head, rest) = jwt.split_once('.').unwrap();
            let (_, sig) = rest.split_once('.').unwrap();
            let forged =
                URL_SAFE_NO_PAD.encode(br#"{"iss":"https://i","sub":"admin","exp":4102444800}"#);
            assert!(
                ring.verify(&format!("{head}.{forged}.{sig}"), "https://i", "JWT", true)
                    .is_none()
            );
            let mut bad_sig = jwt.clone();
            let last = bad_sig.pop().unwrap();
            bad_sig.push(if last == 'A' { 'B' } else { 'A' });
            assert!(ring.verify(&bad_sig, "https://i", "JWT", true).is_none());
            let none = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
            assert!(
                ring.verify(
                    &format!("{none}.{}.", rest.split_once('.').unwrap().0),
                    "https://i",
                    "JWT",
                    true
                )
                .is_none()
            );
            let expired = ring
                .sign_with(
                    &json!({"iss": "https://i", "sub": "s", "exp": 1}),
                    "JWT",
                    alg,
                )
                .unwrap();
            assert!(ring.verify(&expired, "https://i", "JWT", true).is_none());
            assert!(
                ring.verify(&expired, "https://i", "JWT", false).is_some(),
                "id_token_hint may be expired"
            );
            let no_sub = ring
                .sign_with(
                    &json!({"iss": "https://i", "exp": 4102444800u64}),
                    "JWT",
                    alg,
                )
                .unwrap();
            assert!(ring.verify(&no_sub, "https://i", "JWT", true).is_none());
        }
    }

    #[test]
    fn sealed_keys_need_the_key_encryption_key() {
        let kek = KeyEncryption::new(&SecretString::from("correct horse")).unwrap();
        let row = generate("ES256", 0, 0, Some(&kek)).unwrap();
        assert!(row.private_pem.starts_with(SEALED));
        assert!(!row.private_pem.contains("PRIVATE KEY"));
        assert!(KeyRing::build(std::slice::from_ref(&row), 1, 0, Some(&kek)).is_ok());
        assert!(KeyRing::build(std::slice::from_ref(&row), 1, 0, None).is_err());
        let wrong = KeyEncryption::new(&SecretString::from("wrong")).unwrap();
        assert!(KeyRing::build(std::slice::from_ref(&row), 1, 0, Some(&wrong)).is_err());
        // Another process (another salt) with the same passphrase opens it.
        let other = KeyEncryption::new(&SecretString::from("correct horse")).unwrap();
        assert!(KeyRing::build(&[row], 1, 0, Some(&other)).is_ok());
    }

    #[test]
    fn values_sealed_the_old_way_still_open() {
        // enc:v1: the key was the SHA-256 of the passphrase, no salt.
        let pass = "correct horse";
        let key = chacha20poly1305::Key::from(<[u8; 32]>::from(Sha256::digest(pass.as_bytes())));
        let nonce = [7u8; 12];
        let ct = ChaCha20Poly1305::new(&key)
            .encrypt(&Nonce::from(nonce), b"old secret".as_slice())
            .unwrap();
        let mut raw = nonce.to_vec();
        raw.extend_from_slice(&ct);
        let stored = format!("{SEALED_V1}{}", STANDARD.encode(raw));
        let kek = KeyEncryption::new(&SecretString::from(pass)).unwrap();
        assert_eq!(
            open_if_sealed(&stored, Some(&kek), "keys").unwrap(),
            "old secret"
        );
        let sealed = kek.seal("new secret").unwrap();
        assert!(sealed.starts_with(SEALED));
        assert_eq!(
            open_if_sealed(&sealed, Some(&kek), "keys").unwrap(),
            "new secret"
        );
    }

    #[test]
    fn rotated_keys_are_published_before_they_sign() {
        let old = SigningKeyRow {
            retired_at: Some(1000),
            ..generate("ES256", 0, 0, None).unwrap()
        };
        let new = generate("ES256", 0, 1000, None).unwrap();
        let rows = [new.clone(), old.clone()];
        let before = KeyRing::build(&rows, 500, 60_000, None).unwrap();
        assert_eq!(
            before.signers[0].kid, old.kid,
            "the old key signs until the switch"
        );
        assert!(
            before.jwks().contains(&new.kid),
            "the new key is already published"
        );
        let after = KeyRing::build(&rows, 1500, 60_000, None).unwrap();
        assert_eq!(after.signers[0].kid, new.kid);
        assert!(
            after.jwks().contains(&old.kid),
            "the old key stays published"
        );
        let later = KeyRing::build(&rows, 1000 + 60_000, 60_000, None).unwrap();
        assert!(
            !later.jwks().contains(&old.kid),
            "until its tokens have expired"
        );
    }
}
