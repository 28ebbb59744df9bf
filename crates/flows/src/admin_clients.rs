//! The admin API's OAuth clients and signing keys. Clients declared in config.toml are
//! listed but can only be changed there; stored clients are created, changed, deleted and
//! given new secrets here (the secret is shown once, only its keyed hash is kept).

use crate::Context as _;
use serde_json::{Value, json};

use super::admin::Admin;
use super::{ApiError, Ctx, ErrorCode, FlowResult};
use crate::config::ClientSettings;
use crate::store::oauth::{self, ClientRow};
use portcullis_core::clients::check_settings;

fn client_json(c: &ClientSettings, source: &str, confidential: bool) -> Value {
    let mut v = serde_json::to_value(c).unwrap_or_else(|_| json!({}));
    if let Some(map) = v.as_object_mut() {
        map.insert("object".into(), json!("oauth_client"));
        map.insert("id".into(), json!(c.client_id));
        map.insert("source".into(), json!(source));
        let keys = c.jwks.is_some() || c.jwks_uri.is_some();
        map.insert("public".into(), json!(!confidential && !keys));
    }
    v
}

fn not_found() -> ApiError {
    ApiError::new(
        ErrorCode::ResourceNotFound,
        "Client not found",
        "No stored OAuth client with this id.",
    )
}

fn from_config(ctx: &Ctx, id: &str) -> FlowResult<()> {
    if ctx.clients.is_configured(id) {
        return Err(ApiError::invalid_value(
            "client_id",
            "This client is declared in the config file; change it there.",
        )
        .into());
    }
    Ok(())
}

fn parse_settings(value: Value) -> FlowResult<ClientSettings> {
    let c: ClientSettings = serde_json::from_value(value).map_err(|e| {
        ApiError::new(
            ErrorCode::FormParamFormatInvalid,
            "Invalid client",
            format!("The client settings are not valid: {e}."),
        )
    })?;
    Ok(c)
}

async fn record(
    ctx: &Ctx,
    db: &impl sea_orm::ConnectionTrait,
    admin: &Admin,
    kind: &str,
    client_id: &str,
) -> FlowResult<()> {
    super::admin::record(
        ctx,
        db,
        admin,
        None,
        kind,
        json!({ "client_id": client_id }),
    )
    .await
}

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn list(ctx: &Ctx) -> FlowResult<Vec<Value>> {
    let mut out: Vec<Value> = ctx
        .settings()
        .clients
        .iter()
        .map(|c| client_json(c, "config", c.client_secret.is_some()))
        .collect();
    for row in oauth::list_clients(&ctx.db)
        .await
        .context("oauth::list_clients")?
    {
        if let Ok(c) = serde_json::from_str::<ClientSettings>(&row.settings) {
            out.push(client_json(&c, "stored", row.secret_hash.is_some()));
        }
    }
    Ok(out)
}

#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn get(ctx: &Ctx, id: &str) -> FlowResult<Value> {
    if let Some(c) = ctx.settings().clients.iter().find(|c| c.client_id == id) {
        return Ok(client_json(c, "config", c.client_secret.is_some()));
    }
    let row = oauth::get_client(&ctx.db, id)
        .await
        .context("oauth::get_client")?
        .ok_or_else(not_found)?;
    let c: ClientSettings =
        serde_json::from_str(&row.settings).map_err(|e| anyhow::anyhow!("stored client: {e}"))?;
    Ok(client_json(&c, "stored", row.secret_hash.is_some()))
}

/// Creates a client from settings JSON (`client_id`, `redirect_uris`, …) plus `public`:
/// true for a client without a secret. Returns it with `client_secret`, shown this once.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn create(ctx: &Ctx, admin: &Admin, mut input: Value) -> FlowResult<Value> {
    let public = input
        .as_object_mut()
        .and_then(|m| m.remove("public"))
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    if input.get("client_secret").is_some() {
        return Err(ApiError::unknown("client_secret").into());
    }
    let mut c = parse_settings(input)?;
    from_config(ctx, &c.client_id)?;
    let keys = c.jwks.is_some() || c.jwks_uri.is_some();
    let secret = (!public && !keys).then(crate::crypto::random_token);
    c.client_secret = secret.clone().map(Into::into);
    check_settings(&c).map_err(|e| ApiError::invalid_value("client", e))?;
    let now = ctx.now();
    let row = ClientRow {
        client_id: c.client_id.clone(),
        settings: serde_json::to_string(&c).map_err(anyhow::Error::new)?,
        secret_hash: secret.as_ref().map(|s| ctx.tokens.hash("client_secret", s)),
        registration_token_hash: None,
        created_at: now,
        updated_at: now,
    };
    let txn = crate::store::begin(&ctx.db).await?;
    if let Err(e) = oauth::insert_client(&txn, row).await {
        txn.rollback().await?;
        if crate::store::is_unique_violation(&e) {
            return Err(
                ApiError::invalid_value("client_id", "A client with this id exists.").into(),
            );
        }
        return Err(e.into());
    }
    record(ctx, &txn, admin, "admin.client.created", &c.client_id).await?;
    txn.commit().await?;
    changed(ctx).await;
    let mut body = client_json(&c, "stored", secret.is_some());
    body["client_secret"] = json!(secret);
    Ok(body)
}

/// Changes a stored client: the given fields replace the stored ones.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn update(ctx: &Ctx, admin: &Admin, id: &str, input: Value) -> FlowResult<Value> {
    from_config(ctx, id)?;
    let row = oauth::get_client(&ctx.db, id)
        .await
        .context("oauth::get_client")?
        .ok_or_else(not_found)?;
    let Value::Object(changes) = input else {
        return Err(ApiError::invalid_value("body", "A JSON object of client fields.").into());
    };
    for k in ["client_id", "client_secret", "public"] {
        if changes.contains_key(k) {
            return Err(ApiError::unknown(k).into());
        }
    }
    let mut merged: Value =
        serde_json::from_str(&row.settings).map_err(|e| anyhow::anyhow!("stored client: {e}"))?;
    if let Some(m) = merged.as_object_mut() {
        m.extend(changes);
    }
    let mut c = parse_settings(merged)?;
    // The rules look at whether a secret exists; its value is never stored in settings.
    c.client_secret = row.secret_hash.as_ref().map(|_| "stored".to_owned().into());
    check_settings(&c).map_err(|e| ApiError::invalid_value("client", e))?;
    c.client_secret = None;
    let txn = crate::store::begin(&ctx.db).await?;
    oauth::update_client(
        &txn,
        id,
        &serde_json::to_string(&c).map_err(anyhow::Error::new)?,
        ctx.now(),
    )
    .await
    .context("oauth::update_client")?;
    record(ctx, &txn, admin, "admin.client.updated", id).await?;
    txn.commit().await?;
    changed(ctx).await;
    Ok(client_json(&c, "stored", row.secret_hash.is_some()))
}

#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn delete(ctx: &Ctx, admin: &Admin, id: &str) -> FlowResult<()> {
    from_config(ctx, id)?;
    let txn = crate::store::begin(&ctx.db).await?;
    if !oauth::delete_client(&txn, id)
        .await
        .context("oauth::delete_client")?
    {
        txn.rollback().await?;
        return Err(not_found().into());
    }
    record(ctx, &txn, admin, "admin.client.deleted", id).await?;
    txn.commit().await?;
    changed(ctx).await;
    Ok(())
}

/// A new secret for a confidential client; the old one stops working at once.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn rotate_secret(ctx: &Ctx, admin: &Admin, id: &str) -> FlowResult<Value> {
    from_config(ctx, id)?;
    let row = oauth::get_client(&ctx.db, id)
        .await
        .context("oauth::get_client")?
        .ok_or_else(not_found)?;
    if row.secret_hash.is_none() {
        return Err(ApiError::invalid_value("client_id", "A public client has no secret.").into());
    }
    let c: ClientSettings =
        serde_json::from_str(&row.settings).map_err(|e| anyhow::anyhow!("stored client: {e}"))?;
    let secret = crate::crypto::random_token();
    let txn = crate::store::begin(&ctx.db).await?;
    crate::store::admin::set_client_secret(
        &txn,
        id,
        &ctx.tokens.hash("client_secret", &secret),
        ctx.now(),
    )
    .await
    .context("admin::set_client_secret")?;
    record(ctx, &txn, admin, "admin.client.secret_rotated", id).await?;
    txn.commit().await?;
    changed(ctx).await;
    let mut body = client_json(&c, "stored", true);
    body["client_secret"] = json!(secret);
    Ok(body)
}

/// A stored client changed (its row and the change count are committed): this instance
/// forgets the stored clients it remembered, and tells the others to compare the count now
/// rather than at their next check.
pub async fn changed(ctx: &Ctx) {
    ctx.clients.stored.forget_all();
    super::instance_settings::announce(ctx, CHANGED).await;
}

/// How often each instance compares the stored clients' change count with the database's.
pub const CHECK_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

/// What [`changed`] announces on the changes channel.
pub const CHANGED: &str = "clients";

/// Compares the stored clients' change count with the one this instance last saw, and
/// forgets the clients it remembered when another instance (or `portcullis clients`)
/// changed one. Every instance runs it every [`CHECK_EVERY`].
pub async fn sync(ctx: &Ctx) -> anyhow::Result<()> {
    let generation = oauth::clients_generation(&ctx.db).await?;
    if ctx.clients.stored.compare(generation) {
        tracing::debug!(generation, "stored clients changed elsewhere");
    }
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn keys(ctx: &Ctx) -> FlowResult<Vec<Value>> {
    let now = ctx.now();
    Ok(crate::store::keys::keys_in_use(&ctx.db, 0)
        .await
        .context("keys::keys_in_use")?
        .into_iter()
        .map(|r| {
            let state = match r.retired_at {
                Some(t) if t <= now => "retired",
                Some(_) => "retiring",
                None if r.activates_at > now => "published",
                None => "signing",
            };
            json!({
                "object": "signing_key",
                "kid": r.kid,
                "alg": r.alg,
                "state": state,
                "activates_at": r.activates_at,
                "retired_at": r.retired_at,
                "created_at": r.created_at,
            })
        })
        .collect())
}

/// Rotates every signing algorithm in use; the new keys sign after `publish_delay_secs`.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn rotate_keys(
    ctx: &Ctx,
    admin: &Admin,
    publish_delay_secs: i64,
) -> FlowResult<Vec<String>> {
    if !(0..=7 * 86_400).contains(&publish_delay_secs) {
        return Err(
            ApiError::invalid_value("publish_delay_secs", "Between 0 and 604800 seconds.").into(),
        );
    }
    let now = ctx.now();
    let txn = crate::store::begin(&ctx.db).await?;
    let kids =
        portcullis_core::keys::rotate(&txn, now, publish_delay_secs, ctx.sealer.as_ref()).await?;
    super::audit::record(
        ctx,
        &txn,
        &super::audit::Actor {
            user_id: String::new(),
            session_id: None,
            ip: admin.ip.clone(),
            user_agent: admin.user_agent.clone(),
        },
        "admin.keys.rotated",
        json!({ "kids": kids, "admin_key_id": admin.key_id, "admin_key_name": admin.key_name }),
    )
    .await?;
    txn.commit().await?;
    ctx.keys.reload(&ctx.db, now).await?;
    Ok(kids)
}
