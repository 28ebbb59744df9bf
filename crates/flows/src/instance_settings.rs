//! Instance settings changed at run time (`GET|PATCH /admin/v1/settings`, the dashboard's
//! settings pages). The changes are one versioned document in the database, which is the
//! truth; an instance that writes a version announces it on the ephemeral store's `changes`
//! channel (Redis pub/sub), and every instance also compares its version with the database's
//! each [`CHECK_EVERY`], so a lost announcement delays a change by at most that.

use crate::Context as _;
use std::time::Duration;

use serde_json::{Value, json};

use super::admin::Admin;
use super::{ApiError, Ctx, ErrorCode, FlowResult};
use crate::config::{FieldMode, Settings};
use crate::store::settings as repo;
use portcullis_core::settings::{self as live, OverlayError};

/// How often each instance compares its settings version with the database's.
pub const CHECK_EVERY: Duration = Duration::from_secs(1);

/// The ephemeral store channel on which instances announce changes to each other:
/// `settings <version>` and `connections`.
pub const CHANNEL: &str = "changes";

/// Puts the stored settings in effect at start-up. Stored changes that no longer fit the
/// file (a key the file now forbids) stop the start: serving with half of an operator's
/// security settings would be worse.
pub async fn load(ctx: &Ctx) -> anyhow::Result<()> {
    if let Some(row) = repo::current(&ctx.db).await? {
        let settings = effective(ctx, &row).map_err(|e| {
            anyhow::anyhow!("stored instance settings (version {}): {e}", row.version)
        })?;
        install(ctx, row.version, settings);
    }
    Ok(())
}

/// Puts `settings` in effect here, and what is derived from them (the name emails carry).
fn install(ctx: &Ctx, version: i64, settings: Settings) -> bool {
    let name = settings.branding.app_name.clone();
    let changed = ctx.live.install(version, settings);
    if changed {
        ctx.delivery.set_app_name(&name);
    }
    changed
}

fn effective(ctx: &Ctx, row: &repo::SettingsRow) -> Result<Settings, OverlayError> {
    let changes: Value = serde_json::from_str(&row.document)
        .map_err(|e| OverlayError::Invalid(format!("stored document: {e}")))?;
    live::apply(ctx.live.file(), &changes)
}

/// Catches up with the database when another instance wrote a newer version. True when the
/// settings in effect changed.
pub async fn sync(ctx: &Ctx) -> anyhow::Result<bool> {
    let stored = repo::version(&ctx.db).await?;
    if stored <= ctx.live.version() || ctx.live.refused(stored) {
        return Ok(false);
    }
    let Some(row) = repo::current(&ctx.db).await? else {
        return Ok(false);
    };
    match effective(ctx, &row) {
        Ok(settings) => {
            let changed = install(ctx, row.version, settings);
            if changed {
                tracing::info!(version = row.version, "instance settings changed");
            }
            Ok(changed)
        }
        Err(e) => {
            // Written by an instance with another config.toml: keep what is in effect, and
            // say so once rather than every second.
            if ctx.live.refuse(row.version) {
                anyhow::bail!(
                    "stored instance settings version {} do not apply here: {e}",
                    row.version
                )
            }
            Ok(false)
        }
    }
}

/// What `GET /admin/v1/settings` answers: the settings in effect, keyed like config.toml.
pub async fn get(ctx: &Ctx) -> FlowResult<Value> {
    let row = repo::current(&ctx.db).await.context("repo::current")?;
    Ok(describe(ctx, row.as_ref()))
}

fn describe(ctx: &Ctx, row: Option<&repo::SettingsRow>) -> Value {
    let settings = ctx.settings();
    let mut v = live::runtime_json(&settings);
    v["object"] = json!("instance_settings");
    v["version"] = json!(ctx.live.version());
    v["changes"] = row
        .and_then(|r| serde_json::from_str::<Value>(&r.document).ok())
        .unwrap_or_else(|| json!({}));
    v["updated_at"] = json!(row.map(|r| r.updated_at));
    v["updated_by"] = json!(row.map(|r| r.updated_by.clone()));
    v
}

fn overlay_error(e: OverlayError) -> ApiError {
    match e {
        OverlayError::FileOnly(path) => ApiError::invalid_value(
            &path,
            format!("{path} cannot be changed at run time; it is set in config.toml."),
        ),
        OverlayError::NotObject(path) => {
            ApiError::invalid_value(&path, format!("{path} must be a JSON object."))
        }
        OverlayError::Invalid(why) => ApiError::invalid_value("settings", format!("{why}.")),
    }
}

/// Rules a running instance must keep that the file's own check does not cover: someone must
/// still be able to sign in, and sign-up must not ask for what nobody can give.
pub fn check_usable(ctx: &Ctx, s: &Settings) -> Result<(), ApiError> {
    let a = &s.auth;
    let has = |f: &str| a.first_factors.iter().any(|x| x == f);
    let identifier = a.email_address.enabled() || a.phone_number.enabled() || a.username.enabled();
    let by_password = has("password") && a.password.enabled() && identifier;
    let by_email = (has("email_code") || has("email_link")) && a.email_address.enabled();
    let by_phone = has("phone_code") && a.phone_number.enabled();
    let by_wallet = a.web3_wallet.enabled();
    let social = ctx
        .federation
        .social()
        .iter()
        .any(|p| super::oauth::offered_under(s, p));
    let upstream = social || ctx.federation.has_enterprise();
    if !(by_password || by_email || by_phone || by_wallet || upstream) {
        return Err(ApiError::invalid_value(
            "auth.first_factors",
            "With these settings nobody could sign in: enable a first factor that an enabled \
             identifier can use (password with any identifier, email_code or email_link with \
             email_address, phone_code with phone_number), web3 wallets, or a social or \
             enterprise connection.",
        ));
    }
    if a.password == FieldMode::Required && !has("password") {
        return Err(ApiError::invalid_value(
            "auth.password",
            "Sign-up would require a password that no sign-in accepts: add password to \
             first_factors or make password optional.",
        ));
    }
    if a.username == FieldMode::Required && !by_password && !by_email && !by_phone {
        return Err(ApiError::invalid_value(
            "auth.username",
            "Sign-up would require a username, but no first factor signs in with one.",
        ));
    }
    if a.email_address_or_phone_number
        && (a.email_address != FieldMode::Optional || a.phone_number != FieldMode::Optional)
    {
        return Err(ApiError::invalid_value(
            "auth.email_address_or_phone_number",
            "email_address_or_phone_number needs both email_address and phone_number optional.",
        ));
    }
    if a.web3_wallet == FieldMode::Required
        && (a.email_address == FieldMode::Required || a.phone_number == FieldMode::Required)
        && !upstream
        && !by_password
    {
        return Err(ApiError::invalid_value(
            "auth.web3_wallet",
            "A sign-up with a wallet cannot also provide a required email address or phone \
             number here: make one of them optional.",
        ));
    }
    Ok(())
}

/// Applies a partial document (`{"auth": {"first_factors": ["password"]}}`; `null` takes a
/// key back to the file's value, RFC 7396), checked whole, written with its audit event in
/// one transaction, put in effect here and announced to the other instances.
pub async fn update(ctx: &Ctx, admin: &Admin, patch: Value) -> FlowResult<Value> {
    live::check_changes(&patch).map_err(overlay_error)?;
    // Another writer between our read and our write: read again (a few times at most).
    for _ in 0..5 {
        let row = repo::current(&ctx.db).await.context("repo::current")?;
        let expected = row.as_ref().map_or(0, |r| r.version);
        let mut changes: Value = match &row {
            Some(r) => serde_json::from_str(&r.document)
                .map_err(|e| anyhow::anyhow!("stored settings document: {e}"))?,
            None => json!({}),
        };
        let before = match &row {
            Some(r) => effective(ctx, r).map_err(overlay_error)?,
            None => (**ctx.live.file()).clone(),
        };
        live::merge_patch(&mut changes, &patch);
        // Sections emptied by nulls go, so the document holds changes only.
        if let Some(map) = changes.as_object_mut() {
            map.retain(|_, v| v.as_object().is_none_or(|o| !o.is_empty()));
        }
        let after = live::apply(ctx.live.file(), &changes).map_err(overlay_error)?;
        check_usable(ctx, &after)?;
        super::organizations::check_roles_kept(ctx, &before.organizations, &after.organizations)
            .await?;
        let diff = live::diff(&live::runtime_json(&before), &live::runtime_json(&after));
        if diff.as_object().is_some_and(|d| d.is_empty()) {
            // Nothing changes: no new version, no audit event.
            sync(ctx).await.ok();
            return Ok(describe(ctx, row.as_ref()));
        }
        let now = ctx.now();
        let tx = crate::store::begin(&ctx.db).await.context("begin")?;
        let written = repo::write(&tx, expected, &changes.to_string(), now, &admin.display())
            .await
            .context("repo::write")?;
        if !written {
            drop(tx);
            continue;
        }
        let version = expected + 1;
        super::admin::record(
            ctx,
            &tx,
            admin,
            None,
            "settings.updated",
            json!({ "version": version, "diff": diff }),
        )
        .await?;
        tx.commit().await.context("commit")?;
        install(ctx, version, after);
        announce(ctx, &format!("settings {version}")).await;
        let row = repo::current(&ctx.db).await.context("repo::current")?;
        return Ok(describe(ctx, row.as_ref()));
    }
    Err(ApiError::new(
        ErrorCode::ServiceUnavailable,
        "Busy",
        "The settings were changed by several operators at once; try again.",
    )
    .into())
}

/// Tells the other instances that something they cache changed. A failure only delays them
/// until their next check.
pub async fn announce(ctx: &Ctx, message: &str) {
    if let Err(e) = ctx.eph.publish(CHANNEL, message).await {
        tracing::warn!(error = %e, "announcing a change to the other instances failed");
    }
}
