//! A client's public keys, from its `jwks` or fetched from its `jwks_uri`, and the one
//! check of a JWT a client signed with them (`private_key_jwt` assertions, request objects).
//!
//! A fetched set is kept five minutes per client and URI, in this process. A JWT naming a
//! key the kept set lacks (the client rotated its keys) fetches the set again, at most once
//! every thirty seconds, so a stream of made-up key ids cannot make Portcullis hammer the
//! client's server. Fetches follow `outbound::http_for`: a self-registered client's URI must
//! resolve to public addresses. A set is at most 64 KiB and must arrive within five seconds.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

use super::clients::OAuthClient;
use crate::flows::Ctx;

/// One key: its `kid`, the algorithm it is for, and the key.
pub type ClientKey = (Option<String>, Algorithm, DecodingKey);

/// Milliseconds a fetched set is kept, and after which a missing key may fetch it again.
const KEEP_FOR_MS: i64 = 300_000;
const REFETCH_AFTER_MS: i64 = 30_000;
const MAX_BYTES: usize = 64 * 1024;
const MAX_CLIENTS_KEPT: usize = 1000;

struct Fetched {
    /// When it was fetched, by the server's clock (unix ms).
    at: i64,
    jwks: Value,
}

fn kept() -> &'static Mutex<HashMap<String, Fetched>> {
    static KEPT: std::sync::OnceLock<Mutex<HashMap<String, Fetched>>> = std::sync::OnceLock::new();
    KEPT.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The set kept for `slot`, if it was fetched after `since` (unix ms).
fn kept_set(slot: &str, since: i64) -> Option<Value> {
    let kept = kept()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    kept.get(slot)
        .filter(|f| f.at > since)
        .map(|f| f.jwks.clone())
}

async fn fetch(ctx: &Ctx, client: &OAuthClient, uri: &str) -> Result<Value, String> {
    let http = super::outbound::http_for(ctx, client).map_err(|e| e.to_string())?;
    let mut res = http
        .get(uri)
        .header("accept", "application/json, application/jwk-set+json")
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .map_err(|e| format!("jwks_uri could not be fetched: {e}"))?;
    if !res.status().is_success() {
        return Err(format!("jwks_uri answered {}", res.status()));
    }
    let mut body = Vec::new();
    while let Some(chunk) = res
        .chunk()
        .await
        .map_err(|e| format!("jwks_uri could not be read: {e}"))?
    {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_BYTES {
            return Err("jwks_uri's key set is over 64 KiB".into());
        }
    }
    serde_json::from_slice(&body).map_err(|e| format!("jwks_uri is not a JWK Set: {e}"))
}

/// `client`'s keys. With `refetch`, a fetched set older than thirty seconds is fetched
/// again (a key was not found in it).
pub async fn keys(
    ctx: &Ctx,
    client: &OAuthClient,
    refetch: bool,
) -> Result<Vec<ClientKey>, String> {
    if let Some(jwks) = &client.settings.jwks {
        return portcullis_core::jwks::client_keys(jwks);
    }
    let Some(uri) = &client.settings.jwks_uri else {
        return Err("the client has registered no keys".into());
    };
    let slot = format!("{}\u{0}{uri}", client.id());
    let now = ctx.now();
    let max_age = if refetch {
        REFETCH_AFTER_MS
    } else {
        KEEP_FOR_MS
    };
    if let Some(jwks) = kept_set(&slot, now - max_age) {
        return portcullis_core::jwks::client_keys(&jwks);
    }
    let jwks = fetch(ctx, client, uri).await?;
    let keys = portcullis_core::jwks::client_keys(&jwks)?;
    let mut kept = kept()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if kept.len() >= MAX_CLIENTS_KEPT {
        kept.retain(|_, f| f.at > now - KEEP_FOR_MS);
        if kept.len() >= MAX_CLIENTS_KEPT {
            kept.clear();
        }
    }
    kept.insert(slot, Fetched { at: now, jwks });
    Ok(keys)
}

/// The claims of `jwt` when one of `client`'s keys signed it, with an algorithm in
/// `allowed` that the key is registered for. Claims (`exp`, `aud`, …) are the caller's to
/// judge; the error says why the JWT is refused, for the client's developer.
pub async fn verify(
    ctx: &Ctx,
    client: &OAuthClient,
    jwt: &str,
    allowed: &[Algorithm],
) -> Result<Map<String, Value>, String> {
    let header =
        jsonwebtoken::decode_header(jwt).map_err(|_| "it is not a signed JWT".to_owned())?;
    if !allowed.contains(&header.alg) {
        return Err(format!("{:?} is not an accepted algorithm", header.alg));
    }
    let mut validation = Validation::new(header.alg);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    for refetch in [false, true] {
        let keys = keys(ctx, client, refetch).await?;
        let mut candidates = keys
            .iter()
            .filter(|(kid, alg, _)| {
                *alg == header.alg && (header.kid.is_none() || kid.as_ref() == header.kid.as_ref())
            })
            .peekable();
        if candidates.peek().is_none() {
            // Perhaps a key the client added since its set was fetched.
            if client.settings.jwks_uri.is_some() && !refetch {
                continue;
            }
            return Err("no registered key of the client matches its kid and alg".into());
        }
        return candidates
            .find_map(|(_, _, key)| {
                jsonwebtoken::decode::<Map<String, Value>>(jwt, key, &validation).ok()
            })
            .map(|d| d.claims)
            .ok_or_else(|| "the signature does not verify with the client's keys".to_owned());
    }
    Err("no registered key of the client matches its kid and alg".into())
}

/// Every asymmetric algorithm a client key may be registered for.
pub const ASYMMETRIC: &[Algorithm] = &[
    Algorithm::RS256,
    Algorithm::PS256,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];
