//! `private_key_jwt` client authentication (OIDC Core §9, RFC 7523 §3): the client signs a
//! short-lived JWT with a key it registered. Only asymmetric algorithms are accepted, so an
//! assertion with `alg: none` or an HMAC "signed" with a public key never passes.

use std::time::Duration;

use serde_json::Value;

use super::clients::OAuthClient;
use super::error::{OAuthError, OAuthResult};
use crate::flows::Ctx;

pub const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Assertions must not live longer than this (a replay window bound).
const MAX_LIFETIME_SECS: i64 = 600;
/// How far ahead of our clock an assertion's `iat` or `nbf` may be.
const MAX_SKEW_SECS: i64 = 60;

/// Checks a client assertion for `client` at `endpoint` (the URL it was sent to).
pub async fn verify(
    ctx: &Ctx,
    client: &OAuthClient,
    assertion: &str,
    endpoint: &str,
) -> OAuthResult<()> {
    let fail = || OAuthError::invalid_client();
    // A client held to one algorithm (`token_endpoint_auth_signing_alg`) is refused others.
    let allowed: Vec<jsonwebtoken::Algorithm> =
        match &client.settings.token_endpoint_auth_signing_alg {
            Some(name) => super::authorize::request_object::algorithm(name)
                .into_iter()
                .collect(),
            None => super::client_keys::ASYMMETRIC.to_vec(),
        };
    let claims = super::client_keys::verify(ctx, client, assertion, &allowed)
        .await
        .map_err(|why| {
            tracing::debug!(client_id = %client.id(), %why, "client assertion refused");
            fail()
        })?;
    let s = |k: &str| claims.get(k).and_then(Value::as_str);
    if s("iss") != Some(client.id()) || s("sub") != Some(client.id()) {
        return Err(fail());
    }
    let settings = ctx.settings();
    let issuer = settings.issuer();
    // RFC 7523 §3 lets the audience be the endpoint or the issuer. With `[oidc]
    // strict_assertion_audience` only the issuer, as a single string, counts (FAPI 2.0
    // Security Profile §5.3.2.1, against assertions replayed to another endpoint).
    let strict = settings.oidc.strict_assertion_audience;
    let aud_ok = match claims.get("aud") {
        Some(Value::String(a)) => a == issuer || (!strict && a == endpoint),
        Some(Value::Array(list)) if !strict => list
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
    // An assertion made for later is refused: `iat` and `nbf`, when present, may be at most
    // a minute ahead of our clock (FAPI 2.0 Security Profile §5.3.2.1 tolerates skew, not
    // assertions minted in advance).
    for k in ["iat", "nbf"] {
        if let Some(v) = claims.get(k) {
            let at = v.as_i64().ok_or_else(fail)?;
            if at > now + MAX_SKEW_SECS {
                return Err(fail());
            }
        }
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
