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
    let token = crypto::random_token();
    let row = TicketRow {
        id: new_id("tkt"),
        token_hash: hasher.hash("ticket", &token),
        kind: kind.to_owned(),
        email_address,
        user_id,
        expires_at: now + lifetime_secs * 1000,
        used_at: None,
        revoked_at: None,
        created_at: now,
    };
    tickets::insert(db, row.clone()).await?;
    Ok((row, token))
}

fn invalid() -> ApiError {
    ApiError::invalid_value(
        "ticket",
        "This ticket is invalid, has expired, or was already used.",
    )
}

/// Spends the ticket `token` of `kind`.
#[tracing::instrument(level = "debug", skip_all, fields(kind = %kind), err(level = "debug"))]
pub async fn spend(ctx: &Ctx, token: &str, kind: &str) -> FlowResult<TicketRow> {
    if token.is_empty() || token.len() > 128 {
        return Err(invalid().into());
    }
    let hash = ctx.tokens.hash("ticket", token);
    match tickets::spend(&ctx.db, &hash, ctx.now())
        .await
        .context("tickets::spend")?
    {
        Some(t) if t.kind == kind => Ok(t),
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
