//! Signing keys: generated on first start, kept in the database, published at
//! `/.well-known/jwks.json`. ES256 (P-256) by default.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::pkcs8::{EncodePrivateKey, LineEnding};
use sea_orm::ConnectionTrait;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::store::keys::{self as repo, SigningKeyRow};

pub struct KeyRing {
    kid: String,
    encoding: EncodingKey,
    /// Every published key, to check tokens we issued (access tokens, `id_token_hint`).
    decoding: Vec<(String, DecodingKey)>,
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
        let mut decoding = Vec::new();
        for (row, value) in rows.iter().zip(&keys) {
            let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(value.clone())?;
            decoding.push((row.kid.clone(), DecodingKey::from_jwk(&jwk)?));
        }
        let jwks = serde_json::to_string(&serde_json::json!({ "keys": keys }))?;
        Ok(Self {
            kid: newest.kid.clone(),
            encoding,
            decoding,
            jwks,
        })
    }

    pub fn jwks(&self) -> &str {
        &self.jwks
    }

    pub fn sign<T: Serialize>(&self, claims: &T) -> anyhow::Result<String> {
        self.sign_typed(claims, "JWT")
    }

    /// Signs with an explicit `typ` header (RFC 9068 access tokens are `at+jwt`).
    pub fn sign_typed<T: Serialize>(&self, claims: &T, typ: &str) -> anyhow::Result<String> {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(self.kid.clone());
        header.typ = Some(typ.to_owned());
        Ok(jsonwebtoken::encode(&header, claims, &self.encoding)?)
    }

    /// Verifies a token this instance signed: ES256 only (so `alg: none` and HMAC tokens are
    /// refused whatever they claim), a published kid, the expected `typ`, and our issuer.
    /// `check_exp` is false for `id_token_hint`, which may be expired (OIDC Core §3.1.2.1).
    pub fn verify(
        &self,
        token: &str,
        issuer: &str,
        typ: &str,
        check_exp: bool,
    ) -> Option<serde_json::Map<String, serde_json::Value>> {
        let header = jsonwebtoken::decode_header(token).ok()?;
        if header.alg != Algorithm::ES256 {
            return None;
        }
        let header_typ = header.typ.as_deref().unwrap_or("JWT");
        if !header_typ.eq_ignore_ascii_case(typ) {
            return None;
        }
        let kid = header.kid?;
        let (_, key) = self.decoding.iter().find(|(k, _)| *k == kid)?;
        let mut validation = Validation::new(Algorithm::ES256);
        validation.set_issuer(&[issuer]);
        validation.validate_aud = false;
        validation.validate_exp = check_exp;
        validation.leeway = 0;
        validation.set_required_spec_claims(&["iss", "sub", "exp"]);
        jsonwebtoken::decode::<serde_json::Map<String, serde_json::Value>>(token, key, &validation)
            .ok()
            .map(|d| d.claims)
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
