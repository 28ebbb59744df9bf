//! Pushed authorization requests (RFC 9126). A client posts its authorization request to
//! `/oauth/par`, authenticated as at the token endpoint, and gets back a `request_uri` that
//! stands for it. The browser then carries only `client_id` and that URI, so the request's
//! parameters are neither exposed in the URL nor open to tampering on the way.
//!
//! The request is checked when it is pushed, exactly as `/oauth/authorize` would check it,
//! so a bad one is refused to the client directly. The URI is random, kept hashed, yields one
//! code, for its own client only, for `[oidc] pushed_request_lifetime_secs` (60 by default).

use std::collections::HashMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::checks;
use crate::clients::OAuthClient;
use crate::crypto;
use crate::error::{OAuthError, OAuthResult};
use crate::flows::Ctx;

/// What a pushed request's URI starts with (§2.2).
pub const URN_PREFIX: &str = "urn:ietf:params:oauth:request_uri:";

/// Client authentication is not part of the authorization request (§2.1).
const CLIENT_AUTH: [&str; 3] = ["client_secret", "client_assertion", "client_assertion_type"];

#[derive(Serialize, Deserialize)]
struct Pushed {
    client_id: String,
    params: HashMap<String, String>,
    /// The parameters came from a verified request object (RFC 9101).
    #[serde(default)]
    signed: bool,
}

/// Where a pushed request is kept, by its URI's keyed hash.
pub fn key(ctx: &Ctx, request_uri: &str) -> String {
    format!("par:{}", ctx.tokens.hash("par", request_uri))
}

/// `POST /oauth/par`: checks the request of an authenticated `client` and keeps it. Answers
/// the `request_uri` and its lifetime in seconds.
///
/// `proof_jkt` is the key of a DPoP proof sent with the push, already verified: the code will
/// be bound to it as by `dpop_jkt` (RFC 9449 §10.1), and the two must agree when both are sent.
pub async fn push(
    ctx: &Ctx,
    client: &OAuthClient,
    mut params: HashMap<String, String>,
    proof_jkt: Option<&str>,
) -> OAuthResult<(String, u64)> {
    for k in CLIENT_AUTH {
        params.remove(k);
    }
    // RFC 9126 §3: a pushed request object stands for the whole request.
    let signed = match params.remove("request") {
        Some(jwt) => {
            params = super::request_object::unpack(ctx, client, jwt.trim()).await?;
            true
        }
        None => false,
    };
    if client.settings.require_signed_request_object && !signed {
        return Err(OAuthError::invalid_request(
            "This client's authorization requests must be signed request objects.",
        ));
    }
    if let Some(jkt) = proof_jkt {
        match params.get("dpop_jkt") {
            Some(named) if named != jkt => {
                return Err(OAuthError::new(
                    "invalid_dpop_proof",
                    "dpop_jkt is not the key of the request's DPoP proof.",
                ));
            }
            _ => {
                params.insert("dpop_jkt".into(), jkt.to_owned());
            }
        }
    }
    // §2.1: a pushed request cannot itself name a pushed request.
    if params.contains_key("request_uri") {
        return Err(OAuthError::invalid_request(
            "request_uri cannot be pushed: push the request's parameters instead.",
        ));
    }
    if params.get("client_id").is_some_and(|id| id != client.id()) {
        return Err(OAuthError::invalid_request(
            "client_id is not the client that authenticated.",
        ));
    }
    params.insert("client_id".into(), client.id().to_owned());
    let q = checks::Query(&params);
    let Some(redirect_uri) = q.get("redirect_uri") else {
        return Err(OAuthError::invalid_request("redirect_uri is missing."));
    };
    if !client.redirect_uri_registered(redirect_uri) {
        return Err(OAuthError::invalid_request(
            "redirect_uri is not registered for this client.",
        ));
    }
    if !matches!(q.get("response_mode"), None | Some("query" | "form_post")) {
        return Err(OAuthError::invalid_request(
            "response_mode must be query or form_post.",
        ));
    }
    checks::run(&q, client).map_err(|(error, description)| OAuthError::new(error, description))?;
    let lifetime = ctx
        .settings()
        .oidc
        .pushed_request_lifetime_secs
        .clamp(1, 600);
    let request_uri = format!("{URN_PREFIX}{}", crypto::random_token());
    let raw = serde_json::to_string(&Pushed {
        client_id: client.id().to_owned(),
        params,
        signed,
    })
    .map_err(anyhow::Error::new)?;
    ctx.eph
        .put(&key(ctx, &request_uri), &raw, Duration::from_secs(lifetime))
        .await?;
    Ok((request_uri, lifetime))
}

/// The parameters of the pushed request `request_uri`, and whether they came signed, when
/// it exists, is still fresh and belongs to `client_id`. Another client's URI is not even
/// acknowledged.
///
/// Reading it does not spend it: the URI is spent when a code is issued for it
/// (`authorize::issue_code`), so a browser that reloads the page before the user has signed
/// in is not turned away (FAPI 2.0 Security Profile §5.3.2.2, note 3), and still only one
/// code is ever issued for it.
pub async fn find(
    ctx: &Ctx,
    client_id: &str,
    request_uri: &str,
) -> OAuthResult<Option<(HashMap<String, String>, bool)>> {
    if !request_uri.starts_with(URN_PREFIX) || request_uri.len() > 200 {
        return Ok(None);
    }
    Ok(match ctx.eph.get(&key(ctx, request_uri)).await? {
        Some(raw) => serde_json::from_str::<Pushed>(&raw)
            .ok()
            .filter(|p| p.client_id == client_id)
            .map(|p| (p.params, p.signed)),
        None => None,
    })
}
