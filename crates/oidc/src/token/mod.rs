//! The token endpoint (RFC 6749 §3.2), one module per grant (`authorization_code`,
//! `refresh_token`, `client_credentials`, `device_code`, `token_exchange`) around what they share: issuing tokens and checking
//! access tokens. Also revocation (RFC 7009), introspection (RFC 7662) and userinfo (OIDC Core
//! §5.3).

mod authorization_code;
mod client_credentials;
mod device_code;
mod refresh_token;
mod token_exchange;

use std::collections::HashMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use subtle::ConstantTimeEq;

use super::authorize::{CodeGrant, code_key};
use super::claims::{self, AuthFacts, IdTokenInput};
use super::clients::OAuthClient;
use super::error::{OAuthError, OAuthResult};
use crate::crypto;
use crate::domain::new_id;
use crate::flows::Ctx;
use crate::store::oauth::{self as repo, RefreshRow};
use crate::store::sessions::SessionStatus;
use crate::store::users::{self, UserRecord};

#[derive(Debug, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// RFC 8693 §2.2.1: what a token exchange issued.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued_token_type: Option<&'static str>,
}

/// What a redeemed code left behind, so a replay can revoke it (RFC 6749 §4.1.2).
#[derive(Debug, Serialize, Deserialize)]
struct Redeemed {
    family_id: Option<String>,
    access_jti: String,
    access_exp: i64,
}

fn redeemed_key(ctx: &Ctx, code: &str) -> String {
    format!("authz_code_used:{}", ctx.tokens.hash("authz_code", code))
}

fn access_context_key(jti: &str) -> String {
    format!("access_context:{jti}")
}

fn revoked_jti_key(jti: &str) -> String {
    format!("revoked_jti:{jti}")
}

async fn deny_access_token(ctx: &Ctx, jti: &str, exp: i64) -> OAuthResult<()> {
    let ttl = (exp - ctx.now() / 1000).max(1);
    ctx.eph
        .put(
            &revoked_jti_key(jti),
            "1",
            Duration::from_secs(ttl.unsigned_abs() + 5),
        )
        .await?;
    Ok(())
}

/// The grants Portcullis issues tokens for, by their `grant_type` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantType {
    AuthorizationCode,
    RefreshToken,
    ClientCredentials,
    DeviceCode,
    TokenExchange,
}

impl GrantType {
    pub fn from_wire(s: &str) -> Option<Self> {
        match s {
            "authorization_code" => Some(Self::AuthorizationCode),
            "refresh_token" => Some(Self::RefreshToken),
            "client_credentials" => Some(Self::ClientCredentials),
            super::clients::DEVICE_CODE_GRANT => Some(Self::DeviceCode),
            super::clients::TOKEN_EXCHANGE_GRANT => Some(Self::TokenExchange),
            _ => None,
        }
    }
}

/// The token endpoint after client authentication: checks the grant type against the client
/// and hands the request to its grant.
///
/// `dpop_jkt` is the thumbprint of the key of the request's DPoP proof, already verified
/// (RFC 9449 §5): the tokens issued are bound to it.
pub async fn grant(
    ctx: &Ctx,
    client: &OAuthClient,
    p: &HashMap<String, String>,
    dpop_jkt: Option<&str>,
) -> OAuthResult<TokenResponse> {
    let get = |k: &str| p.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let grant_type =
        get("grant_type").ok_or_else(|| OAuthError::invalid_request("grant_type is missing."))?;
    if !super::clients::GRANT_TYPES.contains(&grant_type) {
        return Err(OAuthError::new(
            "unsupported_grant_type",
            format!("{grant_type:?} is not supported."),
        ));
    }
    if !client.allows_grant(grant_type) {
        return Err(OAuthError::new(
            "unauthorized_client",
            format!("This client may not use {grant_type}."),
        ));
    }
    if client.settings.dpop_bound_access_tokens && dpop_jkt.is_none() {
        return Err(OAuthError::new(
            "invalid_dpop_proof",
            "This client's token requests must carry a DPoP proof.",
        ));
    }
    match GrantType::from_wire(grant_type) {
        Some(GrantType::AuthorizationCode) => {
            authorization_code::grant(
                ctx,
                client,
                get("code"),
                get("redirect_uri"),
                get("code_verifier"),
                dpop_jkt,
            )
            .await
        }
        Some(GrantType::RefreshToken) => {
            refresh_token::grant(ctx, client, get("refresh_token"), get("scope"), dpop_jkt).await
        }
        Some(GrantType::ClientCredentials) => {
            client_credentials::grant(ctx, client, get("scope"), dpop_jkt)
        }
        Some(GrantType::DeviceCode) => {
            device_code::grant(ctx, client, get("device_code"), dpop_jkt).await
        }
        Some(GrantType::TokenExchange) => token_exchange::grant(ctx, client, p, dpop_jkt).await,
        None => Err(OAuthError::new(
            "unsupported_grant_type",
            format!("{grant_type:?} is not supported."),
        )),
    }
}

/// What a token response calls its access token: `DPoP` when bound to a key (RFC 9449 §5).
/// Records that `client_id` got tokens within session `sid`, for logout (back-channel logout
/// tells every such client). A pair this instance has already recorded is not written again.
async fn record_session_client(ctx: &Ctx, sid: &str, client_id: &str) -> OAuthResult<()> {
    if !ctx.session_clients.contains(sid, client_id) {
        repo::record_session_client(&ctx.db, sid, client_id, ctx.now()).await?;
        ctx.session_clients.remember(sid, client_id);
    }
    Ok(())
}

fn token_type(dpop_jkt: Option<&str>) -> &'static str {
    if dpop_jkt.is_some() { "DPoP" } else { "Bearer" }
}

/// Issues the access token, the ID token (with `openid`) and a refresh token (with
/// `offline_access` and the grant allowed). `family` continues a refresh-token family;
/// `dpop_jkt` binds the access token, and a public client's refresh token, to a key.
#[expect(clippy::too_many_arguments, reason = "each is one fact of the grant")]
async fn issue(
    ctx: &Ctx,
    client: &OAuthClient,
    auth: &AuthFacts,
    scopes: &[String],
    nonce: Option<&str>,
    claims_request: Option<&Value>,
    family: Option<String>,
    dpop_jkt: Option<&str>,
) -> OAuthResult<(TokenResponse, (Option<String>, String, i64))> {
    let user = users::get_user(&ctx.db, &auth.user_id)
        .await?
        .ok_or_else(|| OAuthError::invalid_grant("The user no longer exists."))?;
    // A lock leaves the user's browser sessions alive (as a ban does not), so a session may
    // still get a code at the authorization endpoint, which reads the session row alone. The
    // user's tokens, though, stop at a lock: userinfo and introspection refuse those already
    // issued, and none are issued here, whatever the grant (RFC 6749 §5.2 `invalid_grant`:
    // the grant's resource owner may not be served).
    if user.user.banned || user.user.locked {
        return Err(OAuthError::invalid_grant(
            "The user may not sign in at present.",
        ));
    }
    let subject = claims::subject(ctx, client, &auth.user_id);
    let access = claims::access_token(ctx, client.id(), &subject, scopes, Some(auth), dpop_jkt)?;
    remember_user_behind(ctx, &access, &subject, &auth.user_id).await?;
    let id_token = if scopes.iter().any(|s| s == "openid") {
        let organization =
            claims::organization_claims(ctx, &user, auth.session_id.as_deref(), scopes).await?;
        Some(claims::id_token(
            ctx,
            IdTokenInput {
                client_id: client.id(),
                subject: &subject,
                alg: &client.settings.id_token_signed_response_alg,
                auth,
                nonce,
                access_token: Some(&access.token),
                user: &user,
                scopes,
                organization,
            },
        )?)
    } else {
        None
    };
    let wants_refresh =
        scopes.iter().any(|s| s == "offline_access") && client.allows_grant("refresh_token");
    let (refresh_token, family_id) = if wants_refresh || family.is_some() {
        let token = crypto::random_token();
        let family_id = family.unwrap_or_else(|| new_id("rtf"));
        let now = ctx.now();
        repo::insert_refresh(
            &ctx.db,
            RefreshRow {
                token_hash: ctx.tokens.hash("refresh_token", &token),
                family_id: family_id.clone(),
                client_id: client.id().to_owned(),
                user_id: auth.user_id.clone(),
                session_id: auth.session_id.clone(),
                scopes: serde_json::to_string(scopes).map_err(anyhow::Error::new)?,
                auth: serde_json::to_string(&(auth, claims_request)).map_err(anyhow::Error::new)?,
                created_at: now,
                expire_at: (now + ctx.settings().oidc.refresh_token_lifetime_secs * 1000)
                    .min(family_end(ctx, auth)),
                used_at: None,
                revoked_at: None,
                // RFC 9449 §5: a public client's refresh token works only with its key (a
                // confidential client's is already bound to its credentials).
                dpop_jkt: dpop_jkt.filter(|_| client.is_public()).map(str::to_owned),
            },
        )
        .await?;
        (Some(token), Some(family_id))
    } else {
        (None, None)
    };
    tracing::info!(client_id = %client.id(), user_id = %auth.user_id, refresh = refresh_token.is_some(), "tokens issued");
    Ok((
        TokenResponse {
            access_token: access.token,
            token_type: token_type(dpop_jkt),
            expires_in: access.expires_in,
            scope: scopes.join(" "),
            id_token,
            refresh_token,
            issued_token_type: None,
        },
        (family_id, access.jti, access.exp),
    ))
}

/// When a refresh-token family stops working, in milliseconds: its absolute lifetime counted
/// from the sign-in that granted it, however often it was rotated.
fn family_end(ctx: &Ctx, auth: &AuthFacts) -> i64 {
    auth.auth_time
        .saturating_add(ctx.settings().oidc.refresh_token_absolute_lifetime_secs)
        .saturating_mul(1000)
}

/// An access token we issued, still valid and not revoked.
pub async fn check_access_token(ctx: &Ctx, token: &str) -> OAuthResult<Option<Map<String, Value>>> {
    Ok(check_access_token_reading(ctx, token, false)
        .await?
        .map(|(claims, _)| claims))
}

/// `check_access_token`, and with `whole_user` the user behind a token issued for one, read
/// whole: userinfo wants the record anyway, and its flags then cost no statement of their own.
async fn check_access_token_reading(
    ctx: &Ctx,
    token: &str,
    whole_user: bool,
) -> OAuthResult<Option<(Map<String, Value>, Option<UserRecord>)>> {
    let Some(claims) = ctx
        .keys
        .current()
        .verify(token, ctx.settings().issuer(), "at+jwt", true)
    else {
        return Ok(None);
    };
    let jti = claims.get("jti").and_then(Value::as_str).unwrap_or("");
    // A token issued for a user (it carries `auth_time`; a client's own has none) names the
    // user, or stands for one kept beside it: both looked up with the revocation.
    let for_user = claims.contains_key("auth_time");
    let (revoked, kept_behind) = if for_user {
        ctx.eph
            .get_two(&revoked_jti_key(jti), &access_context_key(jti))
            .await?
    } else {
        (ctx.eph.get(&revoked_jti_key(jti)).await?, None)
    };
    if revoked.is_some() {
        return Ok(None);
    }
    // A token issued for a user (it carries `auth_time`; a client's own has none) is only as
    // good as the user and session behind it: a ban, lock or deletion ends it before it
    // expires, and so does the end of the session it was issued in, however it ended (signed
    // out, removed from the browser, revoked). The session's status comes in the statement
    // that reads the user (a token without a session asks about none).
    let mut behind = None;
    if for_user {
        let user_id = user_id_behind(&claims, kept_behind.as_deref());
        let sid = claims.get("sid").and_then(Value::as_str);
        let (flags, session_status) = if whole_user {
            let (user, status) = users::get_user_and_session_status(&ctx.db, &user_id, sid).await?;
            behind = user;
            (
                behind.as_ref().map(|u| (u.user.banned, u.user.locked)),
                status,
            )
        } else {
            match users::flags_and_session_status(&ctx.db, &user_id, sid).await? {
                Some((banned, locked, status)) => (Some((banned, locked)), status),
                None => (None, None),
            }
        };
        if !matches!(flags, Some((false, false))) {
            return Ok(None);
        }
        if sid.is_some()
            && !session_status.is_some_and(|s| SessionStatus::from_stored(&s).is_live())
        {
            return Ok(None);
        }
    }
    Ok(Some((claims, behind)))
}

/// Userinfo must find the user behind a pairwise `sub`: kept beside the token for as long
/// as it lives, never inside it. Nothing to keep when `subject` is the user's id.
async fn remember_user_behind(
    ctx: &Ctx,
    access: &claims::AccessToken,
    subject: &str,
    user_id: &str,
) -> OAuthResult<()> {
    if subject == user_id {
        return Ok(());
    }
    let behind = json!({ "user_id": user_id });
    let ttl = Duration::from_secs(access.expires_in.unsigned_abs() + 5);
    ctx.eph
        .put(&access_context_key(&access.jti), &behind.to_string(), ttl)
        .await?;
    Ok(())
}

/// The user behind an access token: its `sub`, or the user a pairwise `sub` stands for.
async fn token_user_id(ctx: &Ctx, claims: &Map<String, Value>) -> OAuthResult<String> {
    let jti = claims.get("jti").and_then(Value::as_str).unwrap_or("");
    let kept = ctx.eph.get(&access_context_key(jti)).await?;
    Ok(user_id_behind(claims, kept.as_deref()))
}

/// `token_user_id`, given what was kept beside the token (`remember_user_behind`).
fn user_id_behind(claims: &Map<String, Value>, kept: Option<&str>) -> String {
    let sub = claims.get("sub").and_then(Value::as_str).unwrap_or("");
    let behind: Option<Value> = kept.and_then(|raw| serde_json::from_str(raw).ok());
    behind
        .as_ref()
        .and_then(|b| b["user_id"].as_str())
        .unwrap_or(sub)
        .to_owned()
}

/// RFC 7009: revokes a refresh token (with its family) or an access token of this client.
/// Unknown tokens are not an error (§2.2).
pub async fn revoke(ctx: &Ctx, client: &OAuthClient, token: &str) -> OAuthResult<()> {
    if let Some(row) = repo::get_refresh(&ctx.db, &ctx.tokens.hash("refresh_token", token)).await? {
        if row.client_id == client.id() {
            repo::revoke_family(&ctx.db, &row.family_id, ctx.now()).await?;
        }
        return Ok(());
    }
    if let Some(claims) = check_access_token(ctx, token).await? {
        let owner = claims.get("client_id").and_then(Value::as_str);
        if owner == Some(client.id()) {
            let jti = claims.get("jti").and_then(Value::as_str).unwrap_or("");
            let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
            deny_access_token(ctx, jti, exp).await?;
        }
    }
    Ok(())
}

/// RFC 7662 §2.2.
pub async fn introspect(ctx: &Ctx, client: &OAuthClient, token: &str) -> OAuthResult<Value> {
    let inactive = json!({ "active": false });
    if let Some(c) = check_access_token(ctx, token).await? {
        // A client may introspect tokens issued to it (§4: no scanning of others' tokens).
        if c.get("client_id").and_then(Value::as_str) != Some(client.id()) {
            return Ok(inactive);
        }
        let mut out = Map::new();
        out.insert("active".into(), json!(true));
        // RFC 9449 §6.2: the resource server learns the binding and enforces it.
        let bound = bound_jkt(&c).is_some();
        out.insert("token_type".into(), json!(token_type(bound.then_some(""))));
        for k in [
            "cnf",
            "scope",
            "client_id",
            "sub",
            "exp",
            "iat",
            "iss",
            "aud",
            "jti",
            "sid",
            "auth_time",
            "acr",
            "act",
        ] {
            if let Some(v) = c.get(k) {
                out.insert(k.into(), v.clone());
            }
        }
        return Ok(Value::Object(out));
    }
    let Some(row) = repo::get_refresh(&ctx.db, &ctx.tokens.hash("refresh_token", token)).await?
    else {
        return Ok(inactive);
    };
    let active = row.client_id == client.id()
        && row.revoked_at.is_none()
        && row.used_at.is_none()
        && row.expire_at > ctx.now();
    if !active {
        return Ok(inactive);
    }
    let scopes: Vec<String> = serde_json::from_str(&row.scopes).unwrap_or_default();
    Ok(json!({
        "active": true,
        "token_type": "refresh_token",
        "scope": scopes.join(" "),
        "client_id": row.client_id,
        "sub": claims::subject(ctx, client, &row.user_id),
        "iat": row.created_at / 1000,
        "exp": row.expire_at / 1000,
        "iss": ctx.settings().issuer(),
    }))
}

/// The key an access token is bound to (its `cnf.jkt`), if any.
fn bound_jkt(claims: &Map<String, Value>) -> Option<&str> {
    claims.get("cnf")?.get("jkt")?.as_str()
}

/// An access token as a resource request presented it: under the `Bearer` or `DPoP` scheme
/// (RFC 6750 §2, RFC 9449 §7.1), with the request's proof if it carried one.
#[derive(Debug, Clone, Copy)]
pub struct PresentedToken<'a> {
    pub token: &'a str,
    pub dpop_scheme: bool,
    pub proof: Option<super::dpop::Presented<'a>>,
}

/// A presented access token, valid, and presented the way it was issued: a DPoP-bound one
/// only under the DPoP scheme with a fresh proof by its key and for this request (RFC 9449
/// §7.1), so a stolen one is useless; a bearer one never under the DPoP scheme. With the
/// claims comes the user behind a token issued for one, read whole (userinfo's answer).
async fn check_presented(
    ctx: &Ctx,
    p: PresentedToken<'_>,
) -> OAuthResult<(Map<String, Value>, Option<UserRecord>)> {
    let (claims, behind) = check_access_token_reading(ctx, p.token, true)
        .await?
        .ok_or_else(|| {
            OAuthError::new(
                "invalid_token",
                "The access token is invalid, expired or revoked.",
            )
        })?;
    match (bound_jkt(&claims), p.dpop_scheme) {
        (Some(_), false) => Err(OAuthError::new(
            "invalid_token",
            "This access token is bound to a DPoP key: present it with the DPoP scheme and a proof.",
        )),
        (None, true) => Err(OAuthError::new(
            "invalid_token",
            "This access token is not bound to a key: present it as a Bearer token.",
        )),
        (None, false) => Ok((claims, behind)),
        (Some(jkt), true) => {
            let proof = p.proof.ok_or_else(|| {
                OAuthError::new("invalid_dpop_proof", "The request carries no DPoP proof.")
            })?;
            let proven = super::dpop::verify(ctx, proof, Some(p.token)).await?;
            if !bool::from(proven.as_bytes().ct_eq(jkt.as_bytes())) {
                return Err(OAuthError::new(
                    "invalid_dpop_proof",
                    "The DPoP proof was made with another key than the token is bound to.",
                ));
            }
            Ok((claims, behind))
        }
    }
}

/// OIDC Core §5.3: the user's claims for the token's scopes.
pub async fn userinfo(ctx: &Ctx, presented: PresentedToken<'_>) -> OAuthResult<Value> {
    let (claims, behind) = check_presented(ctx, presented).await?;
    let scopes: Vec<String> = claims
        .get("scope")
        .and_then(Value::as_str)
        .unwrap_or("")
        .split(' ')
        .map(str::to_owned)
        .collect();
    if !scopes.iter().any(|s| s == "openid") {
        return Err(OAuthError::new(
            "insufficient_scope",
            "The access token lacks the openid scope.",
        ));
    }
    let sub = claims.get("sub").and_then(Value::as_str).unwrap_or("");
    // A token issued for a user brought its user along; a client's own token names none.
    let user = match behind {
        Some(user) => user,
        None => {
            let user_id = token_user_id(ctx, &claims).await?;
            users::get_user(&ctx.db, &user_id)
                .await?
                .ok_or_else(|| OAuthError::new("invalid_token", "The user no longer exists."))?
        }
    };
    let mut out = claims::user_claims(&user, &scopes);
    let sid = claims.get("sid").and_then(Value::as_str);
    out.extend(claims::organization_claims(ctx, &user, sid, &scopes).await?);
    out.insert("sub".into(), json!(sub));
    Ok(Value::Object(out))
}
