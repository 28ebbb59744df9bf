//! The token endpoint (RFC 6749 §4.1.3, §6, §4.4), revocation (RFC 7009), introspection
//! (RFC 7662) and userinfo (OIDC Core §5.3).

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
use crate::store::users;

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

pub async fn grant(
    ctx: &Ctx,
    client: &OAuthClient,
    p: &HashMap<String, String>,
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
    match grant_type {
        "authorization_code" => {
            authorization_code(
                ctx,
                client,
                get("code"),
                get("redirect_uri"),
                get("code_verifier"),
            )
            .await
        }
        "refresh_token" => refresh(ctx, client, get("refresh_token"), get("scope")).await,
        _ => client_credentials(ctx, client, get("scope")),
    }
}

async fn authorization_code(
    ctx: &Ctx,
    client: &OAuthClient,
    code: Option<&str>,
    redirect_uri: Option<&str>,
    verifier: Option<&str>,
) -> OAuthResult<TokenResponse> {
    let code = code.ok_or_else(|| OAuthError::invalid_request("code is missing."))?;
    // Single use: of any number of concurrent redemptions exactly one takes the code.
    let Some(raw) = ctx.eph.take(&code_key(ctx, code)).await? else {
        if let Some(used) = ctx.eph.get(&redeemed_key(ctx, code)).await? {
            // A replayed code: revoke what its first use issued (RFC 6749 §4.1.2).
            if let Ok(r) = serde_json::from_str::<Redeemed>(&used) {
                if let Some(family) = &r.family_id {
                    repo::revoke_family(&ctx.db, family, ctx.now()).await?;
                }
                deny_access_token(ctx, &r.access_jti, r.access_exp).await?;
            }
            tracing::warn!(client_id = %client.id(), "authorization code replayed; its tokens are revoked");
        }
        return Err(OAuthError::invalid_grant(
            "The code is invalid, expired or already used.",
        ));
    };
    let grant: CodeGrant =
        serde_json::from_str(&raw).map_err(|e| anyhow::anyhow!("stored code unreadable: {e}"))?;
    if grant.client_id != client.id() {
        return Err(OAuthError::invalid_grant(
            "The code was issued to another client.",
        ));
    }
    if grant.expire_at <= ctx.now() {
        return Err(OAuthError::invalid_grant("The code has expired."));
    }
    // RFC 6749 §4.1.3: the same redirect_uri as the authorization request.
    if redirect_uri != Some(grant.redirect_uri.as_str()) {
        return Err(OAuthError::invalid_grant(
            "redirect_uri does not match the authorization request.",
        ));
    }
    // RFC 7636 §4.6.
    match (&grant.code_challenge, verifier) {
        (Some(challenge), Some(v)) => {
            let valid = (43..=128).contains(&v.len())
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
            let computed = crate::crypto::pkce_s256(v);
            if !valid || !bool::from(computed.as_bytes().ct_eq(challenge.as_bytes())) {
                return Err(OAuthError::invalid_grant(
                    "code_verifier does not match the code_challenge.",
                ));
            }
        }
        (Some(_), None) => return Err(OAuthError::invalid_grant("code_verifier is missing.")),
        (None, Some(_)) => {
            return Err(OAuthError::invalid_grant(
                "No code_challenge was sent with the authorization request.",
            ));
        }
        (None, None) if client.is_public() => {
            return Err(OAuthError::invalid_grant("Public clients must use PKCE."));
        }
        (None, None) => {}
    }
    // Remember the client got tokens in this session, for back-channel logout.
    if let Some(sid) = &grant.auth.session_id {
        repo::record_session_client(&ctx.db, sid, client.id(), ctx.now()).await?;
    }
    let response = issue(
        ctx,
        client,
        &grant.auth,
        &grant.scopes,
        grant.nonce.as_deref(),
        grant.claims.as_ref(),
        None,
    )
    .await?;
    let (family_id, access_jti, access_exp) = response.1;
    let redeemed = Redeemed {
        family_id,
        access_jti,
        access_exp,
    };
    let ttl = Duration::from_secs(
        ctx.settings
            .oidc
            .access_token_lifetime_secs
            .unsigned_abs()
            .max(600),
    );
    ctx.eph
        .put(
            &redeemed_key(ctx, code),
            &serde_json::to_string(&redeemed).map_err(anyhow::Error::new)?,
            ttl,
        )
        .await?;
    Ok(response.0)
}

/// Issues the access token, the ID token (with `openid`) and a refresh token (with
/// `offline_access` and the grant allowed). `family` continues a refresh-token family.
async fn issue(
    ctx: &Ctx,
    client: &OAuthClient,
    auth: &AuthFacts,
    scopes: &[String],
    nonce: Option<&str>,
    claims_request: Option<&Value>,
    family: Option<String>,
) -> OAuthResult<(TokenResponse, (Option<String>, String, i64))> {
    let user = users::get_user(&ctx.db, &auth.user_id)
        .await?
        .ok_or_else(|| OAuthError::invalid_grant("The user no longer exists."))?;
    let subject = claims::subject(ctx, client, &auth.user_id);
    let access = claims::access_token(ctx, client.id(), &subject, scopes, Some(auth))?;
    // Userinfo must find the user behind a pairwise `sub`; kept beside the token for as long
    // as it lives, never inside it.
    if subject != auth.user_id {
        let behind = json!({ "user_id": auth.user_id });
        let ttl = Duration::from_secs(access.expires_in.unsigned_abs() + 5);
        ctx.eph
            .put(&access_context_key(&access.jti), &behind.to_string(), ttl)
            .await?;
    }
    let id_token = if scopes.iter().any(|s| s == "openid") {
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
                expire_at: (now + ctx.settings.oidc.refresh_token_lifetime_secs * 1000)
                    .min(family_end(ctx, auth)),
                used_at: None,
                revoked_at: None,
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
            token_type: "Bearer",
            expires_in: access.expires_in,
            scope: scopes.join(" "),
            id_token,
            refresh_token,
        },
        (family_id, access.jti, access.exp),
    ))
}

/// When a refresh-token family stops working, in milliseconds: its absolute lifetime counted
/// from the sign-in that granted it, however often it was rotated.
fn family_end(ctx: &Ctx, auth: &AuthFacts) -> i64 {
    auth.auth_time
        .saturating_add(ctx.settings.oidc.refresh_token_absolute_lifetime_secs)
        .saturating_mul(1000)
}

/// RFC 6749 §6 with rotation: each refresh token works once; presenting a used one revokes
/// its whole family (OAuth 2.0 Security BCP §4.14.2).
async fn refresh(
    ctx: &Ctx,
    client: &OAuthClient,
    token: Option<&str>,
    scope: Option<&str>,
) -> OAuthResult<TokenResponse> {
    let token = token.ok_or_else(|| OAuthError::invalid_request("refresh_token is missing."))?;
    let hash = ctx.tokens.hash("refresh_token", token);
    let now = ctx.now();
    let row = repo::get_refresh(&ctx.db, &hash)
        .await?
        .ok_or_else(|| OAuthError::invalid_grant("The refresh token is invalid."))?;
    if row.client_id != client.id() {
        return Err(OAuthError::invalid_grant(
            "The refresh token was issued to another client.",
        ));
    }
    if row.revoked_at.is_some() || row.expire_at <= now {
        return Err(OAuthError::invalid_grant(
            "The refresh token is revoked or expired.",
        ));
    }
    let (auth, claims_request): (AuthFacts, Option<Value>) = serde_json::from_str(&row.auth)
        .map_err(|e| anyhow::anyhow!("stored refresh facts unreadable: {e}"))?;
    if now >= family_end(ctx, &auth) {
        return Err(OAuthError::invalid_grant(
            "The refresh token is past its absolute lifetime: sign in again.",
        ));
    }
    // A banned, locked or deleted user, or a session an operator or the user revoked, mints
    // nothing more (the events that do so also revoke the family; this holds regardless).
    match users::flags(&ctx.db, &row.user_id).await? {
        Some((false, false)) => {}
        Some(_) => {
            return Err(OAuthError::invalid_grant(
                "The user may not sign in at present.",
            ));
        }
        None => return Err(OAuthError::invalid_grant("The user no longer exists.")),
    }
    if let Some(sid) = &row.session_id
        && crate::store::sessions::get(&ctx.db, sid)
            .await?
            .is_some_and(|s| s.status == "revoked")
    {
        return Err(OAuthError::invalid_grant(
            "The session this refresh token belongs to was revoked.",
        ));
    }
    if row.used_at.is_some() || !repo::mark_refresh_used(&ctx.db, &hash, now).await? {
        repo::revoke_family(&ctx.db, &row.family_id, now).await?;
        tracing::warn!(client_id = %client.id(), family = %row.family_id, "refresh token reused; family revoked");
        return Err(OAuthError::invalid_grant(
            "The refresh token was already used.",
        ));
    }
    let granted: Vec<String> = serde_json::from_str(&row.scopes).unwrap_or_default();
    // RFC 6749 §6: a narrower scope may be asked for, never a wider one.
    let scopes = match scope {
        None => granted,
        Some(s) => {
            let asked: Vec<String> = s
                .split(' ')
                .filter(|x| !x.is_empty())
                .map(str::to_owned)
                .collect();
            if let Some(x) = asked.iter().find(|x| !granted.contains(x)) {
                return Err(OAuthError::new(
                    "invalid_scope",
                    format!("{x:?} was not granted."),
                ));
            }
            asked
        }
    };
    let (response, _) = issue(
        ctx,
        client,
        &auth,
        &scopes,
        None,
        claims_request.as_ref(),
        Some(row.family_id.clone()),
    )
    .await?;
    Ok(response)
}

/// RFC 6749 §4.4: the client acting for itself; no user, no ID token, no refresh token.
fn client_credentials(
    ctx: &Ctx,
    client: &OAuthClient,
    scope: Option<&str>,
) -> OAuthResult<TokenResponse> {
    if client.is_public() {
        return Err(OAuthError::new(
            "unauthorized_client",
            "Public clients cannot use client_credentials.",
        ));
    }
    let scopes: Vec<String> = scope
        .unwrap_or("")
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if let Some(s) = scopes
        .iter()
        .find(|s| !client.allows_scope(s) || ["openid", "offline_access"].contains(&s.as_str()))
    {
        return Err(OAuthError::new(
            "invalid_scope",
            format!("{s:?} cannot be granted to the client itself."),
        ));
    }
    let access = claims::access_token(ctx, client.id(), client.id(), &scopes, None)?;
    Ok(TokenResponse {
        access_token: access.token,
        token_type: "Bearer",
        expires_in: access.expires_in,
        scope: scopes.join(" "),
        id_token: None,
        refresh_token: None,
    })
}

/// An access token we issued, still valid and not revoked.
pub async fn check_access_token(ctx: &Ctx, token: &str) -> OAuthResult<Option<Map<String, Value>>> {
    let Some(claims) = ctx
        .keys
        .current()
        .verify(token, ctx.settings.issuer(), "at+jwt", true)
    else {
        return Ok(None);
    };
    let jti = claims.get("jti").and_then(Value::as_str).unwrap_or("");
    if ctx.eph.get(&revoked_jti_key(jti)).await?.is_some() {
        return Ok(None);
    }
    // A token issued for a user (it carries `auth_time`; a client's own has none) is only as
    // good as the user and session behind it: a ban, lock, deletion or revoked session ends
    // it before it expires.
    if claims.contains_key("auth_time") {
        let user_id = token_user_id(ctx, &claims).await?;
        if !matches!(users::flags(&ctx.db, &user_id).await?, Some((false, false))) {
            return Ok(None);
        }
        if let Some(sid) = claims.get("sid").and_then(Value::as_str)
            && crate::store::sessions::get(&ctx.db, sid)
                .await?
                .is_some_and(|s| s.status == "revoked")
        {
            return Ok(None);
        }
    }
    Ok(Some(claims))
}

/// The user behind an access token: its `sub`, or the user a pairwise `sub` stands for.
async fn token_user_id(ctx: &Ctx, claims: &Map<String, Value>) -> OAuthResult<String> {
    let sub = claims.get("sub").and_then(Value::as_str).unwrap_or("");
    let jti = claims.get("jti").and_then(Value::as_str).unwrap_or("");
    let behind: Option<Value> = ctx
        .eph
        .get(&access_context_key(jti))
        .await?
        .and_then(|raw| serde_json::from_str(&raw).ok());
    Ok(behind
        .as_ref()
        .and_then(|b| b["user_id"].as_str())
        .unwrap_or(sub)
        .to_owned())
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
        out.insert("token_type".into(), json!("Bearer"));
        for k in [
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
        "iss": ctx.settings.issuer(),
    }))
}

/// OIDC Core §5.3: the user's claims for the token's scopes.
pub async fn userinfo(ctx: &Ctx, token: &str) -> OAuthResult<Value> {
    let claims = check_access_token(ctx, token).await?.ok_or_else(|| {
        OAuthError::new(
            "invalid_token",
            "The access token is invalid, expired or revoked.",
        )
    })?;
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
    let user_id = token_user_id(ctx, &claims).await?;
    let user = users::get_user(&ctx.db, &user_id)
        .await?
        .ok_or_else(|| OAuthError::new("invalid_token", "The user no longer exists."))?;
    let mut out = claims::user_claims(&user, &scopes);
    out.insert("sub".into(), json!(sub));
    Ok(Value::Object(out))
}
