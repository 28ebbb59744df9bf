//! Signed request objects (RFC 9101, JAR): the authorization request as a JWT the client
//! signed with one of its registered keys, sent as `request` to `/oauth/authorize` or pushed
//! to `/oauth/par`. Once verified, its claims are the request: §6.3 has the server use only
//! the parameters inside it, so nothing added to the URL on the way counts.
//!
//! Beyond the signature, a request object must be meant for this server and this client,
//! and short-lived: `aud` the issuer, `iss` and `client_id` (when present) the client, `exp`
//! within the hour, `nbf` (when present) passed. One with a `jti` is taken once.

use std::collections::HashMap;
use std::time::Duration;

use jsonwebtoken::Algorithm;
use serde_json::Value;

use crate::clients::OAuthClient;
use crate::error::{OAuthError, OAuthResult};
use crate::flows::Ctx;

/// The media type a request object's `typ` names (RFC 9101 §10.8).
pub const TYP: &str = "oauth-authz-req+jwt";
/// A request object may not be valid for longer than this, from now.
const MAX_LIFETIME_SECS: i64 = 3600;
/// Clock skew allowed on `nbf` and `iat`.
const SKEW_SECS: i64 = 60;
/// Claims about the JWT itself, not authorization request parameters.
const JWT_CLAIMS: [&str; 6] = ["iss", "aud", "exp", "nbf", "iat", "jti"];

/// OIDC Core §6.4 and RFC 9101 §6.3: the error of a request object that cannot be used.
fn invalid(description: impl Into<String>) -> OAuthError {
    OAuthError::new("invalid_request_object", description)
}

/// A JWS algorithm by its name, among those client keys may use.
pub fn algorithm(name: &str) -> Option<Algorithm> {
    match name {
        "RS256" => Some(Algorithm::RS256),
        "PS256" => Some(Algorithm::PS256),
        "ES256" => Some(Algorithm::ES256),
        "ES384" => Some(Algorithm::ES384),
        "EdDSA" => Some(Algorithm::EdDSA),
        _ => None,
    }
}

/// The parameters of `client`'s request object `jwt`, once it is verified; `client_id` is
/// always the client's.
pub async fn unpack(
    ctx: &Ctx,
    client: &OAuthClient,
    jwt: &str,
) -> OAuthResult<HashMap<String, String>> {
    if !client.has_keys() {
        return Err(invalid(
            "This client has registered no keys to sign request objects with.",
        ));
    }
    let header = jsonwebtoken::decode_header(jwt)
        .map_err(|_| invalid("The request object is not a signed JWT."))?;
    // §10.8: explicit typing keeps another kind of JWT from passing as a request object.
    if let Some(typ) = header.typ.as_deref() {
        let typ = typ.to_ascii_lowercase();
        if !matches!(typ.trim_start_matches("application/"), TYP | "jwt") {
            return Err(invalid(format!(
                "A request object's typ is {TYP}, not {typ}."
            )));
        }
    }
    let allowed: Vec<Algorithm> = match &client.settings.request_object_signing_alg {
        Some(name) => algorithm(name).into_iter().collect(),
        None => super::super::client_keys::ASYMMETRIC.to_vec(),
    };
    let claims = super::super::client_keys::verify(ctx, client, jwt, &allowed)
        .await
        .map_err(|why| invalid(format!("The request object is refused: {why}.")))?;
    let s = |k: &str| claims.get(k).and_then(Value::as_str);
    let issuer = ctx.settings().issuer().to_owned();
    let aud_ok = match claims.get("aud") {
        Some(Value::String(a)) => *a == issuer,
        Some(Value::Array(list)) => list.iter().any(|a| a.as_str() == Some(issuer.as_str())),
        _ => false,
    };
    if !aud_ok {
        return Err(invalid("The request object's aud must be the issuer."));
    }
    if claims
        .get("iss")
        .is_some_and(|_| s("iss") != Some(client.id()))
    {
        return Err(invalid("The request object's iss must be the client_id."));
    }
    if claims
        .get("client_id")
        .is_some_and(|_| s("client_id") != Some(client.id()))
    {
        return Err(invalid(
            "The request object's client_id is not the client's.",
        ));
    }
    let now = ctx.now() / 1000;
    let exp = claims
        .get("exp")
        .and_then(Value::as_i64)
        .ok_or_else(|| invalid("The request object has no exp."))?;
    if exp <= now {
        return Err(invalid("The request object has expired."));
    }
    if exp > now + MAX_LIFETIME_SECS {
        return Err(invalid("The request object must expire within the hour."));
    }
    if let Some(nbf) = claims.get("nbf") {
        let nbf = nbf
            .as_i64()
            .ok_or_else(|| invalid("The request object's nbf is not a number."))?;
        if nbf > now + SKEW_SECS || nbf < now - MAX_LIFETIME_SECS {
            return Err(invalid(
                "The request object is not valid at this time (nbf).",
            ));
        }
    }
    if claims.contains_key("request") || claims.contains_key("request_uri") {
        return Err(invalid(
            "A request object cannot contain request or request_uri.",
        ));
    }
    // Each request object once, when it says which one it is.
    if let Some(jti) = s("jti") {
        let key = format!(
            "request_object:{}:{}",
            client.id(),
            ctx.tokens.hash("request_object_jti", jti)
        );
        let ttl = Duration::from_secs((exp - now).unsigned_abs() + 5);
        if !ctx.eph.put_if_absent(&key, "1", ttl).await? {
            return Err(invalid("This request object was already used."));
        }
    }
    let mut params = HashMap::new();
    for (k, v) in &claims {
        if JWT_CLAIMS.contains(&k.as_str()) {
            continue;
        }
        // Parameters are strings on the wire; the JSON forms of others (`max_age` is a
        // number, `claims` an object) read back as their query-string forms.
        let value = match v {
            Value::String(s) => s.clone(),
            Value::Null => continue,
            other => other.to_string(),
        };
        params.insert(k.clone(), value);
    }
    params.insert("client_id".into(), client.id().to_owned());
    Ok(params)
}
