//! Signing keys: generated on first start, kept in the database, published at
//! `/.well-known/jwks.json`. ES256 (P-256) by default.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::pkcs8::{EncodePrivateKey, LineEnding};
use sea_orm::ConnectionTrait;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::store::keys::{self as repo, SigningKeyRow};

pub struct KeyRing {
    kid: String,
    encoding: EncodingKey,
    /// The JWKS document, rendered once: it only changes when keys do.
    jwks: String,
}

impl KeyRing {
    /// Loads the active keys; creates the first ES256 key when there is none.
    pub async fn load_or_create(db: &impl ConnectionTrait, now: i64) -> anyhow::Result<Self> {
        let mut rows = repo::active_keys(db).await?;
        if rows.is_empty() {
            repo::insert_key(db, generate_es256(now)?).await?;
            rows = repo::active_keys(db).await?;
        }
        let newest = rows
            .first()
            .ok_or_else(|| anyhow::anyhow!("no signing key after creating one"))?;
        let encoding = EncodingKey::from_ec_pem(newest.private_pem.as_bytes())?;
        let keys: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| serde_json::from_str(&r.public_jwk))
            .collect::<Result<_, _>>()?;
        let jwks = serde_json::to_string(&serde_json::json!({ "keys": keys }))?;
        Ok(Self {
            kid: newest.kid.clone(),
            encoding,
            jwks,
        })
    }

    pub fn jwks(&self) -> &str {
        &self.jwks
    }

    pub fn sign<T: Serialize>(&self, claims: &T) -> anyhow::Result<String> {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(self.kid.clone());
        Ok(jsonwebtoken::encode(&header, claims, &self.encoding)?)
    }
}

/// A fresh P-256 key; its kid is the RFC 7638 thumbprint of the public JWK.
pub fn generate_es256(now: i64) -> anyhow::Result<SigningKeyRow> {
    let secret = p256::SecretKey::random(&mut rand::rngs::OsRng);
    let pem = secret
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| anyhow::anyhow!("encoding the new key: {e}"))?;
    let point = secret.public_key().to_encoded_point(false);
    let (Some(x), Some(y)) = (point.x(), point.y()) else {
        anyhow::bail!("P-256 public key without coordinates");
    };
    let x = URL_SAFE_NO_PAD.encode(x);
    let y = URL_SAFE_NO_PAD.encode(y);
    // RFC 7638 §3.2: required members only, lexicographic order, no white space.
    let thumbprint_input = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
    let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(thumbprint_input.as_bytes()));
    let jwk = serde_json::json!({
        "kty": "EC", "crv": "P-256", "x": x, "y": y,
        "use": "sig", "alg": "ES256", "kid": kid,
    });
    Ok(SigningKeyRow {
        kid,
        alg: "ES256".into(),
        private_pem: pem.to_string(),
        public_jwk: jwk.to_string(),
        created_at: now,
        retired_at: None,
    })
}
