//! `private_key_jwt` client authentication (OIDC Core §9, RFC 7523 §3): the client signs a
//! short-lived JWT with a key it registered. Only asymmetric algorithms are accepted, so an
//! assertion with `alg: none` or an HMAC "signed" with a public key never passes.

use std::time::Duration;

use jsonwebtoken::Validation;
use serde_json::Value;

use super::clients::OAuthClient;
use super::error::{OAuthError, OAuthResult};
use crate::flows::Ctx;

pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Assertions must not live longer than this (a replay window bound).
const MAX_LIFETIME_SECS: i64 = 600;

/// Checks a client assertion for `client` at `endpoint` (the URL it was sent to).
pub async fn verify(
    ctx: &Ctx,
    client: &OAuthClient,
    assertion: &str,
    endpoint: &str,
) -> OAuthResult<()> {
    let fail = || OAuthError::invalid_client();
    let jwks = client.settings.jwks.as_ref().ok_or_else(fail)?;
    let keys = portcullis_core::jwks::client_keys(jwks).map_err(|_| fail())?;
    let header = jsonwebtoken::decode_header(assertion).map_err(|_| fail())?;
    let candidates = keys.iter().filter(|(kid, alg, _)| {
        *alg == header.alg && (header.kid.is_none() || kid.as_ref() == header.kid.as_ref())
    });
    let mut validation = Validation::new(header.alg);
    validation.validate_exp = false; // judged below by our clock
    validation.validate_aud = false; // judged below: the endpoint or the issuer
    validation.required_spec_claims.clear();
    let claims = candidates
        .filter_map(|(_, _, key)| {
            jsonwebtoken::decode::<serde_json::Map<String, Value>>(assertion, key, &validation).ok()
        })
        .map(|d| d.claims)
        .next()
        .ok_or_else(fail)?;
    let s = |k: &str| claims.get(k).and_then(Value::as_str);
    if s("iss") != Some(client.id()) || s("sub") != Some(client.id()) {
        return Err(fail());
    }
    let settings = ctx.settings();
    let issuer = settings.issuer();
    let aud_ok = match claims.get("aud") {
        Some(Value::String(a)) => a == endpoint || a == issuer,
        Some(Value::Array(list)) => list
            .iter()
            .any(|a| a.as_str() == Some(endpoint) || a.as_str() == Some(issuer)),
        _ => false,
    };
    let now = ctx.now() / 1000;
    let exp = claims.get("exp").and_then(Value::as_i64).ok_or_else(fail)?;
    let jti = s("jti").ok_or_else(fail)?;
    if !aud_ok || exp <= now || exp > now + MAX_LIFETIME_SECS {
        return Err(fail());
    }
    // RFC 7523 §3: each assertion once.
    let key = format!(
        "client_assertion:{}:{}",
        client.id(),
        ctx.tokens.hash("jti", jti)
    );
    let ttl = Duration::from_secs((exp - now).unsigned_abs() + 5);
    if !ctx.eph.put_if_absent(&key, "1", ttl).await? {
        return Err(OAuthError::new(
            "invalid_client",
            "The client assertion was already used.",
        ));
    }
    Ok(())
}
