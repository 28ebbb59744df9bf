//! Dynamic client registration (RFC 7591) and its management protocol (RFC 7592). Off unless
//! `[oidc] dynamic_registration = true`, and then it needs an initial access token unless
//! `open_registration` says otherwise. Registered clients are always third-party (users see
//! the consent screen for them), get grant types and scopes only from the operator's lists,
//! and are never given a URI into Portcullis's own network to call.

use serde_json::{Value, json};

use super::clients::{OAuthClient, check_settings};
use super::error::{OAuthError, OAuthResult};
use crate::config::ClientSettings;
use crate::crypto;
use crate::flows::Ctx;
use crate::store::oauth::{self as repo, ClientRow};

fn metadata_error(description: impl Into<String>) -> OAuthError {
    OAuthError::new("invalid_client_metadata", description)
}

fn invalid_token() -> OAuthError {
    OAuthError::new("invalid_token", "The registration access token is invalid.")
}

/// Client metadata (RFC 7591 §2) to settings. Unknown members are ignored, as §2 asks.
/// Grant types and scopes come only from `[oidc] registration_grant_types` and
/// `registration_scopes`: a client that registers itself gets no more than the operator
/// allows anyone (§2: the server may reject or replace requested values).
fn settings_from(ctx: &Ctx, client_id: &str, m: &Value) -> OAuthResult<(ClientSettings, bool)> {
    let oidc = &ctx.settings().oidc;
    let strings = |k: &str| -> OAuthResult<Vec<String>> {
        match m.get(k) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(a)) => a
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| metadata_error(format!("{k} must be an array of strings.")))
                })
                .collect(),
            Some(_) => Err(metadata_error(format!("{k} must be an array of strings."))),
        }
    };
    let string = |k: &str| m.get(k).and_then(Value::as_str).map(str::to_owned);
    let method =
        string("token_endpoint_auth_method").unwrap_or_else(|| "client_secret_basic".into());
    let confidential = match method.as_str() {
        "client_secret_basic" | "client_secret_post" => true,
        "none" | "private_key_jwt" => false,
        other => {
            return Err(metadata_error(format!(
                "token_endpoint_auth_method {other:?} is not supported."
            )));
        }
    };
    // Metadata Portcullis does not implement is refused, not ignored, so a client never
    // believes it got what it asked for (discovery says the same).
    if m.get("sector_identifier_uri").is_some_and(|v| !v.is_null()) {
        return Err(metadata_error(
            "sector_identifier_uri is not supported: pairwise subjects are computed for the host of the redirect URIs.",
        ));
    }
    if string("userinfo_signed_response_alg").is_some_and(|a| a != "none") {
        return Err(metadata_error(
            "Signed userinfo responses are not supported.",
        ));
    }
    for k in [
        "id_token_encrypted_response_alg",
        "id_token_encrypted_response_enc",
        "userinfo_encrypted_response_alg",
        "userinfo_encrypted_response_enc",
        "request_object_encryption_alg",
        "request_object_encryption_enc",
    ] {
        if m.get(k).is_some_and(|v| !v.is_null()) {
            return Err(metadata_error(format!(
                "{k}: encrypted tokens are not supported."
            )));
        }
    }
    let mut grant_types = strings("grant_types")?;
    if grant_types.is_empty() {
        grant_types.push("authorization_code".into());
    }
    let response_types = strings("response_types")?;
    if response_types.iter().any(|r| r != "code") {
        return Err(metadata_error("Only the code response type is supported."));
    }
    let scopes: Vec<String> = string("scope")
        .unwrap_or_else(|| "openid profile email".into())
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if let Some(g) = grant_types
        .iter()
        .find(|g| !oidc.registration_grant_types.contains(g))
    {
        return Err(metadata_error(format!(
            "The grant type {g:?} is not available to registered clients."
        )));
    }
    if let Some(s) = scopes
        .iter()
        .find(|s| !oidc.registration_scopes.contains(s))
    {
        return Err(metadata_error(format!(
            "The scope {s:?} is not available to registered clients."
        )));
    }
    if let Some(uri) = string("backchannel_logout_uri") {
        super::clients::check_outbound_uri(&uri)
            .map_err(|e| metadata_error(format!("backchannel_logout_uri {e}.")))?;
    }
    if let Some(uri) = string("jwks_uri") {
        super::clients::check_outbound_uri(&uri)
            .map_err(|e| metadata_error(format!("jwks_uri {e}.")))?;
    }
    if let Some(uri) = string("frontchannel_logout_uri") {
        super::clients::check_frontchannel_uri(&uri).map_err(metadata_error)?;
    }
    let redirect_uris = strings("redirect_uris")?;
    for uri in &redirect_uris {
        super::clients::check_redirect_uri(uri)
            .map_err(|e| OAuthError::new("invalid_redirect_uri", e))?;
    }
    let mut settings: ClientSettings = serde_json::from_value(json!({
        "client_id": client_id,
        "name": string("client_name"),
        "logo_uri": string("logo_uri"),
        "redirect_uris": redirect_uris,
        "post_logout_redirect_uris": strings("post_logout_redirect_uris")?,
        "grant_types": grant_types,
        "scopes": scopes,
        "first_party": false,
        "id_token_signed_response_alg": string("id_token_signed_response_alg").unwrap_or_else(|| "ES256".into()),
        "subject_type": string("subject_type").unwrap_or_else(|| "public".into()),
        "jwks": m.get("jwks").filter(|v| !v.is_null()),
        "jwks_uri": string("jwks_uri"),
        // RFC 9101 §10.2, §10.5.
        "request_object_signing_alg": string("request_object_signing_alg"),
        "token_endpoint_auth_signing_alg": string("token_endpoint_auth_signing_alg"),
        "require_signed_request_object": m
            .get("require_signed_request_object")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        "backchannel_logout_uri": string("backchannel_logout_uri"),
        "frontchannel_logout_uri": string("frontchannel_logout_uri"),
        "frontchannel_logout_session_required": m
            .get("frontchannel_logout_session_required")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        // RFC 9126 §6: a client may bind itself to pushed requests.
        "require_pushed_authorization_requests": m
            .get("require_pushed_authorization_requests")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        // RFC 9449 §5.2: a client may bind itself to DPoP.
        "dpop_bound_access_tokens": m
            .get("dpop_bound_access_tokens")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    }))
    .map_err(|e| metadata_error(e.to_string()))?;
    if method == "private_key_jwt" && settings.jwks.is_none() && settings.jwks_uri.is_none() {
        return Err(metadata_error("private_key_jwt needs jwks or jwks_uri."));
    }
    if method != "private_key_jwt" {
        settings.jwks = None;
        settings.jwks_uri = None;
    }
    // Checked as a confidential client would be when it gets a secret.
    if confidential {
        settings.client_secret = Some("placeholder".to_string().into());
    }
    check_settings(&settings).map_err(|e| {
        if e.contains("redirect URI") {
            OAuthError::new("invalid_redirect_uri", e)
        } else {
            metadata_error(e)
        }
    })?;
    settings.client_secret = None;
    Ok((settings, confidential))
}

/// What a client's registration says about it (RFC 7591 §3.2.1).
fn metadata(ctx: &Ctx, c: &OAuthClient) -> Value {
    let s = &c.settings;
    let method = if c.has_keys() {
        "private_key_jwt"
    } else if c.secret_hash.is_some() {
        "client_secret_basic"
    } else {
        "none"
    };
    json!({
        "client_id": s.client_id,
        "client_name": s.name,
        "logo_uri": s.logo_uri,
        "require_pushed_authorization_requests": s.require_pushed_authorization_requests,
        "dpop_bound_access_tokens": s.dpop_bound_access_tokens,
        "redirect_uris": s.redirect_uris,
        "post_logout_redirect_uris": s.post_logout_redirect_uris,
        "grant_types": s.grant_types,
        "response_types": ["code"],
        "scope": s.scopes.join(" "),
        "token_endpoint_auth_method": method,
        "id_token_signed_response_alg": s.id_token_signed_response_alg,
        "subject_type": s.subject_type,
        "jwks": s.jwks,
        "jwks_uri": s.jwks_uri,
        "request_object_signing_alg": s.request_object_signing_alg,
        "token_endpoint_auth_signing_alg": s.token_endpoint_auth_signing_alg,
        "require_signed_request_object": s.require_signed_request_object,
        "backchannel_logout_uri": s.backchannel_logout_uri,
        "frontchannel_logout_uri": s.frontchannel_logout_uri,
        "frontchannel_logout_session_required": s.frontchannel_logout_session_required,
        "registration_client_uri": format!("{}/oauth/register/{}", ctx.settings().issuer(), s.client_id),
    })
}

fn enabled(ctx: &Ctx) -> OAuthResult<()> {
    if ctx.settings().oidc.dynamic_registration {
        Ok(())
    } else {
        Err(OAuthError::new(
            "access_denied",
            "Dynamic client registration is not enabled.",
        ))
    }
}

/// `POST /oauth/register`.
pub async fn register(ctx: &Ctx, bearer: Option<&str>, m: &Value) -> OAuthResult<Value> {
    enabled(ctx)?;
    // RFC 7591 §3: an initial access token, unless the operator opened registration to all.
    match &ctx.settings().oidc.registration_token {
        Some(required) => {
            use secrecy::ExposeSecret;
            use subtle::ConstantTimeEq;
            let given = bearer.unwrap_or("");
            if !bool::from(given.as_bytes().ct_eq(required.expose_secret().as_bytes())) {
                return Err(invalid_token());
            }
        }
        None if ctx.settings().oidc.open_registration => {}
        None => {
            return Err(OAuthError::new(
                "invalid_token",
                "Registration needs an initial access token.",
            ));
        }
    }
    let client_id = crate::domain::new_id(super::clients::REGISTERED_PREFIX);
    let (settings, confidential) = settings_from(ctx, &client_id, m)?;
    let secret = confidential.then(crypto::random_token);
    let registration_token = crypto::random_token();
    let now = ctx.now();
    let row = ClientRow {
        client_id: client_id.clone(),
        settings: serde_json::to_string(&settings).map_err(anyhow::Error::new)?,
        secret_hash: secret.as_ref().map(|s| ctx.tokens.hash("client_secret", s)),
        registration_token_hash: Some(ctx.tokens.hash("registration_token", &registration_token)),
        created_at: now,
        updated_at: now,
    };
    let txn = crate::store::begin(&ctx.db).await?;
    repo::insert_client(&txn, row).await?;
    txn.commit().await?;
    ctx.keys
        .ensure(
            &ctx.db,
            now,
            &[settings.id_token_signed_response_alg.as_str()],
        )
        .await?;
    let client = OAuthClient {
        secret_hash: secret.as_ref().map(|_| String::new()),
        settings,
    };
    let mut out = metadata(ctx, &client);
    if let Some(map) = out.as_object_mut() {
        map.insert("client_id_issued_at".into(), json!(now / 1000));
        map.insert(
            "registration_access_token".into(),
            json!(registration_token),
        );
        if let Some(s) = secret {
            map.insert("client_secret".into(), json!(s));
            map.insert("client_secret_expires_at".into(), json!(0));
        }
    }
    tracing::info!(%client_id, "client registered dynamically");
    Ok(out)
}

/// The stored client behind a registration access token.
async fn authorized(
    ctx: &Ctx,
    client_id: &str,
    token: Option<&str>,
) -> OAuthResult<(ClientRow, OAuthClient)> {
    enabled(ctx)?;
    let token = token.ok_or_else(invalid_token)?;
    let row = repo::get_client(&ctx.db, client_id)
        .await?
        .ok_or_else(invalid_token)?;
    let stored = row
        .registration_token_hash
        .as_deref()
        .ok_or_else(invalid_token)?;
    if !ctx.tokens.verify("registration_token", token, stored) {
        return Err(invalid_token());
    }
    let settings: ClientSettings =
        serde_json::from_str(&row.settings).map_err(anyhow::Error::new)?;
    let client = OAuthClient {
        settings,
        secret_hash: row.secret_hash.clone(),
    };
    Ok((row, client))
}

/// `GET /oauth/register/{id}` (RFC 7592 §2.1).
pub async fn read(ctx: &Ctx, client_id: &str, token: Option<&str>) -> OAuthResult<Value> {
    let (_, client) = authorized(ctx, client_id, token).await?;
    Ok(metadata(ctx, &client))
}

/// `PUT /oauth/register/{id}` (RFC 7592 §2.2): replaces the metadata; the secret stays.
pub async fn update(
    ctx: &Ctx,
    client_id: &str,
    token: Option<&str>,
    m: &Value,
) -> OAuthResult<Value> {
    let (row, _) = authorized(ctx, client_id, token).await?;
    if m.get("client_id").and_then(Value::as_str) != Some(client_id) {
        return Err(OAuthError::invalid_request(
            "client_id must be the client being updated.",
        ));
    }
    let (settings, confidential) = settings_from(ctx, client_id, m)?;
    if confidential != row.secret_hash.is_some() {
        return Err(metadata_error(
            "token_endpoint_auth_method cannot switch between secret and no secret.",
        ));
    }
    let txn = crate::store::begin(&ctx.db).await?;
    repo::update_client(
        &txn,
        client_id,
        &serde_json::to_string(&settings).map_err(anyhow::Error::new)?,
        ctx.now(),
    )
    .await?;
    txn.commit().await?;
    crate::flows::admin_clients::changed(ctx).await;
    ctx.keys
        .ensure(
            &ctx.db,
            ctx.now(),
            &[settings.id_token_signed_response_alg.as_str()],
        )
        .await?;
    Ok(metadata(
        ctx,
        &OAuthClient {
            settings,
            secret_hash: row.secret_hash,
        },
    ))
}

/// `DELETE /oauth/register/{id}` (RFC 7592 §2.3).
pub async fn delete(ctx: &Ctx, client_id: &str, token: Option<&str>) -> OAuthResult<()> {
    authorized(ctx, client_id, token).await?;
    let txn = crate::store::begin(&ctx.db).await?;
    repo::delete_client(&txn, client_id).await?;
    txn.commit().await?;
    crate::flows::admin_clients::changed(ctx).await;
    Ok(())
}
