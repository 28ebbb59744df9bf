//! Enterprise connections in the admin API. Connections in config.toml are listed but can
//! only be changed there; those added here are stored (their secrets sealed when
//! `[server] key_encryption_key` is set), checked exactly as `config check` checks the others
//! (SAML metadata fetched and read), and installed at once. Other instances hear of a change
//! on the changes channel at once, and pick it up within [`SYNC_EVERY`] through [`sync`]
//! should the announcement be lost.

use crate::Context as _;
use std::time::Duration;

use serde_json::{Value, json};

use super::admin::Admin;
use super::{ApiError, Ctx, ErrorCode, FlowResult};
use crate::config::EnterpriseConnectionSettings;
use crate::federation::Provider;
use crate::store::connections::{self, ConnectionRow};
use portcullis_core::keys::{open_if_sealed, seal_if};

/// How often each instance reads the stored connections again.
pub const SYNC_EVERY: Duration = Duration::from_secs(10);

/// Fields that hold secrets: never shown, sealed at rest.
const SECRETS: [&str; 2] = ["client_secret", "sp_private_key"];

fn connection_json(ctx: &Ctx, p: &Provider) -> Value {
    let id = p.connection_id().unwrap_or_default();
    let mut v = json!({
        "object": "enterprise_connection",
        "id": id,
        "name": p.name,
        "domains": p.domains,
        "source": if ctx.federation.is_configured(&p.key) { "config" } else { "stored" },
        "provider": p.key,
        "organization_id": p.organization_id,
    });
    match &p.saml {
        Some(conn) => {
            v["protocol"] = json!("saml");
            v["saml"] = conn.describe();
        }
        None => {
            v["protocol"] = json!("oidc");
            v["oidc"] = json!({ "issuer": p.issuer, "client_id": p.client_id });
        }
    }
    v
}

fn not_found() -> ApiError {
    ApiError::new(
        ErrorCode::ResourceNotFound,
        "Connection not found",
        "No enterprise connection with this id.",
    )
}

fn invalid(e: impl std::fmt::Display) -> ApiError {
    ApiError::invalid_value("connection", e.to_string())
}

/// Settings as stored: the public fields, and the secrets sealed.
fn to_stored(ctx: &Ctx, c: &EnterpriseConnectionSettings) -> FlowResult<String> {
    let mut v = serde_json::to_value(c).map_err(anyhow::Error::new)?;
    let secrets = [
        ("client_secret", c.client_secret.as_ref()),
        ("sp_private_key", c.sp_private_key.as_ref()),
    ];
    for (name, secret) in secrets {
        if let Some(s) = secret {
            use secrecy::ExposeSecret as _;
            let sealed = seal_if(ctx.sealer.as_ref(), s.expose_secret().to_owned())?;
            v[name] = json!(sealed);
        }
    }
    Ok(v.to_string())
}

/// A stored row's settings as JSON, with the secrets opened.
fn from_stored(ctx: &Ctx, row: &ConnectionRow) -> FlowResult<Value> {
    let mut v: Value = serde_json::from_str(&row.settings)
        .map_err(|e| anyhow::anyhow!("stored connection {}: {e}", row.id))?;
    for name in SECRETS {
        if let Some(sealed) = v.get(name).and_then(Value::as_str) {
            let plain = open_if_sealed(sealed, ctx.sealer.as_ref(), "connection secrets")?;
            v[name] = json!(plain);
        }
    }
    Ok(v)
}

fn parse(value: Value) -> FlowResult<EnterpriseConnectionSettings> {
    serde_json::from_value(value).map_err(|e| {
        ApiError::new(
            ErrorCode::FormParamFormatInvalid,
            "Invalid connection",
            format!("The connection settings are not valid: {e}."),
        )
        .into()
    })
}

/// The checks of `config check`, plus: the id and the domains are not another connection's.
async fn check(
    ctx: &Ctx,
    c: &EnterpriseConnectionSettings,
    version: i64,
) -> FlowResult<crate::federation::Provider> {
    c.check().map_err(|e| invalid(format!("{e:#}")))?;
    if let Some(org) = &c.organization_id {
        super::organizations::domains::check_connection(ctx, org, &c.domains).await?;
    }
    let id = c.stable_id();
    for other in ctx.federation.enterprise_connections() {
        if other.connection_id() == Some(id.as_str()) {
            continue;
        }
        if let Some(d) = c
            .domains
            .iter()
            .find(|d| other.domains.contains(&d.to_lowercase()))
        {
            return Err(ApiError::invalid_value(
                "domains",
                format!(
                    "The domain {d} is served by the connection {:?}.",
                    other.name
                ),
            )
            .into());
        }
    }
    ctx.federation
        .prepare_enterprise(c, version)
        .await
        .map_err(|e| invalid(e).into())
}

async fn record(
    ctx: &Ctx,
    db: &impl sea_orm::ConnectionTrait,
    admin: &Admin,
    kind: &str,
    id: &str,
) -> FlowResult<()> {
    super::admin::record(ctx, db, admin, None, kind, json!({ "connection_id": id })).await
}

fn from_config(ctx: &Ctx, id: &str) -> FlowResult<()> {
    if ctx.federation.is_configured(&format!("enterprise_{id}")) {
        return Err(ApiError::invalid_value(
            "id",
            "This connection is declared in the config file; change it there.",
        )
        .into());
    }
    Ok(())
}

pub fn list(ctx: &Ctx) -> Vec<Value> {
    ctx.federation
        .enterprise_connections()
        .iter()
        .map(|p| connection_json(ctx, p))
        .collect()
}

pub fn get(ctx: &Ctx, id: &str) -> FlowResult<Value> {
    let p = ctx
        .federation
        .enterprise_connection(id)
        .ok_or_else(not_found)?;
    Ok(connection_json(ctx, &p))
}

/// Creates a connection from settings JSON, the shape of `[[enterprise_connections]]`.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn create(ctx: &Ctx, admin: &Admin, input: Value) -> FlowResult<Value> {
    let c = parse(input)?;
    let id = c.stable_id();
    from_config(ctx, &id)?;
    if ctx.federation.enterprise_connection(&id).is_some() {
        return Err(ApiError::invalid_value("id", "A connection with this id exists.").into());
    }
    let now = ctx.now();
    let provider = check(ctx, &c, now).await?;
    let row = ConnectionRow {
        id: id.clone(),
        settings: to_stored(ctx, &c)?,
        created_at: now,
        updated_at: now,
    };
    let txn = crate::store::begin(&ctx.db).await?;
    if let Err(e) = connections::insert(&txn, row).await {
        txn.rollback().await?;
        if crate::store::is_unique_violation(&e) {
            return Err(ApiError::invalid_value("id", "A connection with this id exists.").into());
        }
        return Err(e.into());
    }
    record(ctx, &txn, admin, "admin.enterprise_connection.created", &id).await?;
    txn.commit().await?;
    ctx.federation.install(provider);
    super::instance_settings::announce(ctx, "connections").await;
    get(ctx, &id)
}

/// Changes a stored connection: the given fields replace the stored ones (secrets left out
/// are kept).
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn update(ctx: &Ctx, admin: &Admin, id: &str, input: Value) -> FlowResult<Value> {
    from_config(ctx, id)?;
    let row = connections::get(&ctx.db, id)
        .await
        .context("connections::get")?
        .ok_or_else(not_found)?;
    let Value::Object(changes) = input else {
        return Err(ApiError::invalid_value("body", "A JSON object of connection fields.").into());
    };
    if changes.get("id").is_some_and(|v| v.as_str() != Some(id)) {
        return Err(ApiError::invalid_value("id", "A connection's id cannot change.").into());
    }
    let mut merged = from_stored(ctx, &row)?;
    if let Some(m) = merged.as_object_mut() {
        m.extend(changes);
    }
    let c = parse(merged)?;
    let now = ctx.now().max(row.updated_at + 1);
    let provider = check(ctx, &c, now).await?;
    let txn = crate::store::begin(&ctx.db).await?;
    if !connections::update(&txn, id, &to_stored(ctx, &c)?, now)
        .await
        .context("connections::update")?
    {
        txn.rollback().await?;
        return Err(not_found().into());
    }
    record(ctx, &txn, admin, "admin.enterprise_connection.updated", id).await?;
    txn.commit().await?;
    ctx.federation.install(provider);
    super::instance_settings::announce(ctx, "connections").await;
    get(ctx, id)
}

#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn delete(ctx: &Ctx, admin: &Admin, id: &str) -> FlowResult<()> {
    from_config(ctx, id)?;
    let txn = crate::store::begin(&ctx.db).await?;
    if !connections::delete(&txn, id)
        .await
        .context("connections::delete")?
    {
        txn.rollback().await?;
        return Err(not_found().into());
    }
    record(ctx, &txn, admin, "admin.enterprise_connection.deleted", id).await?;
    txn.commit().await?;
    ctx.federation.remove(&format!("enterprise_{id}"));
    super::instance_settings::announce(ctx, "connections").await;
    Ok(())
}

/// Brings this instance's run-time connections in line with the stored ones: new and changed
/// ones built (their metadata fetched on first use), removed ones dropped. One that no longer
/// builds is dropped and logged.
pub async fn sync(ctx: &Ctx) -> anyhow::Result<()> {
    let rows = connections::list(&ctx.db).await?;
    let installed = ctx.federation.installed_versions();
    let mut keep = std::collections::BTreeSet::new();
    for row in &rows {
        let key = format!("enterprise_{}", row.id);
        keep.insert(key.clone());
        if installed.get(&key) == Some(&row.updated_at) {
            continue;
        }
        let built = from_stored(ctx, row)
            .map_err(|e| e.to_string())
            .and_then(|v| {
                serde_json::from_value::<EnterpriseConnectionSettings>(v).map_err(|e| e.to_string())
            })
            .and_then(|c| ctx.federation.build_enterprise(&c, row.updated_at));
        match built {
            Ok(p) => {
                ctx.federation.install(p);
            }
            Err(e) => {
                tracing::error!(connection = %row.id, error = %e, "a stored enterprise connection does not build");
                ctx.federation.remove(&key);
            }
        }
    }
    for key in installed.keys().filter(|k| !keep.contains(*k)) {
        ctx.federation.remove(key);
    }
    Ok(())
}
