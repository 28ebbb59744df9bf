//! DPoP, proof of possession for OAuth tokens (RFC 9449). A client holds a key pair and sends,
//! with each request, a `DPoP` header: a JWT signed with the private key, carrying the public
//! key in its header and naming the request it was made for (`htm`, `htu`), when (`iat`), a
//! one-time `jti`, and, on resource requests, the hash of the access token (`ath`). Tokens
//! issued on such a request are bound to the key's thumbprint (`cnf.jkt`), so a stolen token
//! is useless without the key.
//!
//! Nonces (§8, §9) are stateless: a keyed hash of the current five-minute window, so every
//! instance computes the same one and a nonce older than two windows is refused without any
//! lookup. They are required when `[oidc] dpop_require_nonce` is on; a nonce that is sent is
//! checked either way.

use std::time::Duration;

use base64::Engine as _;
use jsonwebtoken::jwk::{Jwk, ThumbprintHash};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};
use subtle::ConstantTimeEq;

use crate::crypto;
use crate::error::{OAuthError, OAuthResult};
use crate::flows::Ctx;

/// The proof algorithms accepted (advertised as `dpop_signing_alg_values_supported`): only
/// asymmetric ones (§4.2: `none` and MACs are never valid).
pub const ALGS: [&str; 5] = ["ES256", "ES384", "PS256", "RS256", "EdDSA"];

/// How old a proof's `iat` may be, and how far ahead of our clock (§11.1).
const MAX_AGE_SECS: i64 = 120;
const MAX_AHEAD_SECS: i64 = 30;
/// A proof is small; anything longer is not one.
const MAX_PROOF_LEN: usize = 8 * 1024;
const NONCE_WINDOW_SECS: i64 = 300;
/// The members of a private JWK (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2): a proof
/// carrying one is refused, whatever else it says.
const PRIVATE_MEMBERS: [&str; 7] = ["d", "p", "q", "dp", "dq", "qi", "k"];

/// What a request presented: the `DPoP` header and the request it came with.
#[derive(Debug, Clone, Copy)]
pub struct Presented<'a> {
    pub proof: &'a str,
    /// The request's method, upper case.
    pub method: &'a str,
    /// The request's absolute URL as the client addressed it (the issuer plus the path).
    pub url: &'a str,
}

fn invalid(description: impl Into<String>) -> OAuthError {
    OAuthError::new("invalid_dpop_proof", description)
}

fn use_nonce() -> OAuthError {
    OAuthError::new(
        "use_dpop_nonce",
        "Send the proof again with the nonce of the DPoP-Nonce header.",
    )
}

fn nonce_for(ctx: &Ctx, window: i64) -> String {
    ctx.tokens.hash("dpop_nonce", &window.to_string())[..32].to_owned()
}

/// The nonce a client should put in its next proof (the `DPoP-Nonce` header's value).
pub fn nonce(ctx: &Ctx) -> String {
    nonce_for(ctx, ctx.now() / 1000 / NONCE_WINDOW_SECS)
}

/// Whether responses should carry a `DPoP-Nonce` header.
pub fn nonces_required(ctx: &Ctx) -> bool {
    ctx.settings().oidc.dpop_require_nonce
}

fn nonce_fresh(ctx: &Ctx, given: &str) -> bool {
    let window = ctx.now() / 1000 / NONCE_WINDOW_SECS;
    [window, window - 1]
        .iter()
        .any(|w| bool::from(nonce_for(ctx, *w).as_bytes().ct_eq(given.as_bytes())))
}

/// The JWK SHA-256 thumbprint (RFC 7638) a token is bound to.
pub fn thumbprint(jwk: &Jwk) -> Option<String> {
    jwk.thumbprint(ThumbprintHash::SHA256).ok()
}

/// `htu` names the same resource as the request, ignoring query and fragment (§4.3 step 9).
fn same_target(htu: &str, url: &str) -> bool {
    let strip = |s: &str| {
        url::Url::parse(s).ok().map(|mut u| {
            u.set_query(None);
            u.set_fragment(None);
            u.to_string()
        })
    };
    matches!((strip(htu), strip(url)), (Some(a), Some(b)) if a == b)
}

fn header_object(proof: &str) -> OAuthResult<Map<String, Value>> {
    let head = proof.split('.').next().unwrap_or("");
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(head)
        .map_err(|_| invalid("The DPoP proof is not a JWT."))?;
    match serde_json::from_slice(&raw) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(invalid("The DPoP proof's header is not a JSON object.")),
    }
}

/// Checks a proof (§4.3) and answers the thumbprint of its key. `access_token` is the token
/// presented with it at a resource, whose hash the proof must carry (`ath`).
pub async fn verify(
    ctx: &Ctx,
    p: Presented<'_>,
    access_token: Option<&str>,
) -> OAuthResult<String> {
    if p.proof.is_empty() || p.proof.len() > MAX_PROOF_LEN || p.proof.split('.').count() != 3 {
        return Err(invalid("The DPoP proof is not a JWT."));
    }
    let raw_header = header_object(p.proof)?;
    if raw_header.get("typ").and_then(Value::as_str) != Some("dpop+jwt") {
        return Err(invalid("The DPoP proof's typ must be dpop+jwt."));
    }
    let alg_name = raw_header.get("alg").and_then(Value::as_str).unwrap_or("");
    if !ALGS.contains(&alg_name) {
        return Err(invalid(format!(
            "The DPoP proof's alg must be one of {}.",
            ALGS.join(", ")
        )));
    }
    let Some(Value::Object(raw_jwk)) = raw_header.get("jwk") else {
        return Err(invalid(
            "The DPoP proof's header must carry the public key (jwk).",
        ));
    };
    if PRIVATE_MEMBERS.iter().any(|m| raw_jwk.contains_key(*m)) {
        return Err(invalid("The DPoP proof's jwk must be a public key."));
    }
    let header = jsonwebtoken::decode_header(p.proof)
        .map_err(|_| invalid("The DPoP proof's header cannot be read."))?;
    let jwk = header
        .jwk
        .ok_or_else(|| invalid("The DPoP proof's jwk cannot be read."))?;
    let alg: Algorithm = alg_name
        .parse()
        .map_err(|_| invalid("The DPoP proof's alg is not supported."))?;
    let key =
        DecodingKey::from_jwk(&jwk).map_err(|_| invalid("The DPoP proof's jwk is unusable."))?;
    let mut validation = Validation::new(alg);
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    let claims = jsonwebtoken::decode::<Map<String, Value>>(p.proof, &key, &validation)
        .map_err(|_| invalid("The DPoP proof's signature does not verify with its jwk."))?
        .claims;
    let s = |k: &str| claims.get(k).and_then(Value::as_str);
    let jti = s("jti")
        .filter(|j| !j.is_empty() && j.len() <= 256)
        .ok_or_else(|| invalid("The DPoP proof has no usable jti."))?;
    if s("htm") != Some(p.method) {
        return Err(invalid("The DPoP proof was made for another HTTP method."));
    }
    if !s("htu").is_some_and(|htu| same_target(htu, p.url)) {
        return Err(invalid("The DPoP proof was made for another URL."));
    }
    let now = ctx.now() / 1000;
    let iat = claims
        .get("iat")
        .and_then(Value::as_i64)
        .ok_or_else(|| invalid("The DPoP proof has no iat."))?;
    if iat < now - MAX_AGE_SECS || iat > now + MAX_AHEAD_SECS {
        return Err(invalid("The DPoP proof is too old or from the future."));
    }
    match s("nonce") {
        Some(n) if !nonce_fresh(ctx, n) => return Err(use_nonce()),
        None if nonces_required(ctx) => return Err(use_nonce()),
        _ => {}
    }
    if let Some(token) = access_token {
        let expected = crypto::b64url(&crypto::sha256(token.as_bytes()));
        let ath_ok = s("ath").is_some_and(|a| bool::from(a.as_bytes().ct_eq(expected.as_bytes())));
        if !ath_ok {
            return Err(invalid(
                "The DPoP proof's ath is not the hash of this access token.",
            ));
        }
    }
    let jkt = thumbprint(&jwk).ok_or_else(|| invalid("The DPoP proof's jwk is unusable."))?;
    // §11.1: each proof once. Its jti is remembered for as long as its iat would pass.
    let key = format!(
        "dpop_jti:{}",
        ctx.tokens.hash("dpop_jti", &format!("{jkt}:{jti}"))
    );
    let ttl = Duration::from_secs((MAX_AGE_SECS + MAX_AHEAD_SECS + 5).unsigned_abs());
    if !ctx.eph.put_if_absent(&key, "1", ttl).await? {
        return Err(invalid("This DPoP proof was already used."));
    }
    Ok(jkt)
}

/// A `dpop_jkt` parameter (§10): a SHA-256 thumbprint, base64url without padding.
pub fn well_formed_jkt(v: &str) -> bool {
    v.len() == 43
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_ignore_query_and_fragment_only() {
        assert!(same_target(
            "https://id.example/oauth/token",
            "https://id.example/oauth/token"
        ));
        assert!(same_target(
            "https://id.example/oauth/token?x=1#f",
            "https://id.example/oauth/token"
        ));
        assert!(same_target(
            "https://ID.example:443/oauth/token",
            "https://id.example/oauth/token"
        ));
        assert!(!same_target(
            "https://id.example/oauth/userinfo",
            "https://id.example/oauth/token"
        ));
        assert!(!same_target(
            "http://id.example/oauth/token",
            "https://id.example/oauth/token"
        ));
        assert!(!same_target("not a url", "https://id.example/oauth/token"));
    }

    #[test]
    fn jkt_shape() {
        assert!(well_formed_jkt(
            "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"
        ));
        assert!(!well_formed_jkt(
            "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4"
        ));
        assert!(!well_formed_jkt(
            "0ZcOCORZNYy+DWpqq30jZyJGHTN0d2HglBV3uiguA4I"
        ));
    }
}
