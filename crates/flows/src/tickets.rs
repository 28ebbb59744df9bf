//! The `ticket` strategy: invitations (sign up with the invited email, which counts as
//! verified) and sign-in tokens (sign in as one user), made by an operator with
//! `portcullis users invite` / `portcullis users sign-in-token`. Single use, expiring; only
//! a keyed hash of the token is stored.

use crate::Context as _;
use sea_orm::ConnectionTrait;

use super::{ApiError, Ctx, FlowResult};
use crate::crypto::{self, KeyedHasher};
use crate::domain::new_id;
use crate::store::tickets::{self, TicketRow};

pub const INVITATION: &str = "invitation";
pub const SIGN_IN: &str = "sign_in";
/// An actor token: an operator signs in as the user (impersonation).
pub const ACTOR: &str = "actor";

/// Makes a ticket and returns its token (shown once).
#[tracing::instrument(level = "debug", skip_all, fields(kind = %kind), err(level = "debug"))]
pub async fn create(
    db: &impl ConnectionTrait,
    hasher: &KeyedHasher,
    kind: &str,
    email_address: Option<String>,
    user_id: Option<String>,
    lifetime_secs: i64,
    now: i64,
) -> Result<String, sea_orm::DbErr> {
    let (_, token) =
        create_row(db, hasher, kind, email_address, user_id, lifetime_secs, now).await?;
    Ok(token)
}

/// Makes a ticket; returns its row and its token (shown once).
#[tracing::instrument(level = "debug", skip_all, fields(kind = %kind), err(level = "debug"))]
pub async fn create_row(
    db: &impl ConnectionTrait,
    hasher: &KeyedHasher,
    kind: &str,
    email_address: Option<String>,
    user_id: Option<String>,
    lifetime_secs: i64,
    now: i64,
) -> Result<(TicketRow, String), sea_orm::DbErr> {
    let (mut row, token) = new_ticket(hasher, kind, lifetime_secs, now);
    row.email_address = email_address;
    row.user_id = user_id;
    tickets::insert(db, row.clone()).await?;
    Ok((row, token))
}

/// A ticket row of `kind` (for its caller to fill in and insert) and its token.
pub fn new_ticket(
    hasher: &KeyedHasher,
    kind: &str,
    lifetime_secs: i64,
    now: i64,
) -> (TicketRow, String) {
    let token = crypto::random_token();
    let row = TicketRow {
        id: new_id("tkt"),
        token_hash: hasher.hash("ticket", &token),
        kind: kind.to_owned(),
        email_address: None,
        user_id: None,
        expires_at: now + lifetime_secs * 1000,
        used_at: None,
        revoked_at: None,
        created_at: now,
        detail: None,
    };
    (row, token)
}

fn invalid() -> ApiError {
    ApiError::invalid_value(
        "ticket",
        "This ticket is invalid, has expired, or was already used.",
    )
}

/// Spends the ticket `token` of `kind`.
pub async fn spend(ctx: &Ctx, token: &str, kind: &str) -> FlowResult<TicketRow> {
    spend_any(ctx, token, &[kind]).await
}

/// Spends the ticket `token` when it is of one of `kinds`.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn spend_any(ctx: &Ctx, token: &str, kinds: &[&str]) -> FlowResult<TicketRow> {
    if token.is_empty() || token.len() > 128 {
        return Err(invalid().into());
    }
    let hash = ctx.tokens.hash("ticket", token);
    match tickets::spend(&ctx.db, &hash, ctx.now())
        .await
        .context("tickets::spend")?
    {
        Some(t) if kinds.contains(&t.kind.as_str()) => Ok(t),
        _ => Err(invalid().into()),
    }
}

/// The email address an unused, unexpired invitation is for (without spending it).
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn invitation_email(ctx: &Ctx, token: &str) -> FlowResult<String> {
    if token.is_empty() || token.len() > 128 {
        return Err(invalid().into());
    }
    let hash = ctx.tokens.hash("ticket", token);
    match tickets::find(&ctx.db, &hash)
        .await
        .context("tickets::find")?
    {
        Some(t)
            if t.kind == INVITATION
                && t.used_at.is_none()
                && t.revoked_at.is_none()
                && t.expires_at > ctx.now() =>
        {
            Ok(t.email_address.unwrap_or_default())
        }
        _ => Err(invalid().into()),
    }
}

/// Whom an unused, unexpired sign-in token signs in (their primary email address, else their
/// username or id), without spending it: the page that asks the visitor to continue.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn sign_in_user(ctx: &Ctx, token: &str) -> FlowResult<String> {
    if token.is_empty() || token.len() > 128 {
        return Err(invalid().into());
    }
    let hash = ctx.tokens.hash("ticket", token);
    let t = match tickets::find(&ctx.db, &hash)
        .await
        .context("tickets::find")?
    {
        Some(t)
            if (t.kind == SIGN_IN || t.kind == ACTOR)
                && t.used_at.is_none()
                && t.revoked_at.is_none()
                && t.expires_at > ctx.now() =>
        {
            t
        }
        _ => return Err(invalid().into()),
    };
    let user = crate::store::users::get_user(&ctx.db, &t.user_id.unwrap_or_default())
        .await
        .context("users::get_user")?
        .ok_or_else(invalid)?;
    Ok(user
        .primary_email()
        .map(|e| e.email_address.clone())
        .or(user.user.username.clone())
        .unwrap_or(user.user.id))
}

/// The public metadata an invitation gives the user it signs up, if the operator set any.
pub fn invitation_metadata(row: &TicketRow) -> Option<serde_json::Value> {
    row.detail
        .as_deref()
        .and_then(|d| serde_json::from_str::<serde_json::Value>(d).ok())
        .and_then(|d| d.get("public_metadata").cloned())
        .filter(serde_json::Value::is_object)
}
