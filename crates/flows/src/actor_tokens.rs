//! Actor tokens: an operator signs in *as* a user to see what they see (impersonation). The
//! token is a single-use ticket like a sign-in token; the session it makes carries the actor
//! (`{"sub": <operator>, …}`), so every session token says `act` (RFC 8693 §4.1), the user
//! sees the session marked in their list, it ends after its own short limit, and the audit
//! trail names the operator.

use crate::Context as _;
use serde_json::{Value, json};

use super::admin::{self, Admin};
use super::session::Impersonation;
use super::{ApiError, Ctx, FlowResult};
use crate::store::tickets::TicketRow;

/// The most an actor document may weigh, serialised.
const MAX_ACTOR_BYTES: usize = 1024;

fn invalid(param: &str, message: &str) -> ApiError {
    ApiError::invalid_value(param, message)
}

/// What a new actor token asks for.
#[derive(Debug)]
pub struct NewActorToken {
    pub user_id: String,
    /// A JSON object naming the operator in `sub`.
    pub actor: Value,
    /// How long the link works: 1 second to 30 days (an hour by default).
    pub expires_in_seconds: i64,
    /// How long the impersonation session lasts at most: 1 second to 1 day (30 minutes by
    /// default).
    pub session_max_duration_in_seconds: i64,
}

/// Makes an actor token; returns its row and token (shown once).
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn create(ctx: &Ctx, a: &Admin, new: NewActorToken) -> FlowResult<(TicketRow, String)> {
    let sub_ok = new
        .actor
        .get("sub")
        .and_then(Value::as_str)
        .is_some_and(|s| !s.trim().is_empty() && s.len() <= 255);
    if !new.actor.is_object() || !sub_ok {
        return Err(invalid(
            "actor",
            "A JSON object naming the operator in `sub` (1 to 255 characters).",
        )
        .into());
    }
    if new.actor.to_string().len() > MAX_ACTOR_BYTES {
        return Err(invalid("actor", "The actor is limited to 1 KiB.").into());
    }
    if !(1..=30 * 86_400).contains(&new.expires_in_seconds) {
        return Err(invalid("expires_in_seconds", "Between 1 second and 30 days.").into());
    }
    if !(1..=86_400).contains(&new.session_max_duration_in_seconds) {
        return Err(invalid(
            "session_max_duration_in_seconds",
            "Between 1 second and one day.",
        )
        .into());
    }
    let user = admin::get_user(
        ctx,
        &crate::domain::UserId::from_stored(new.user_id.as_str()),
    )
    .await?;
    if user.user.banned {
        return Err(invalid("user_id", "This user is banned.").into());
    }
    let now = ctx.now();
    let (mut row, token) = crate::tickets::new_ticket(
        &ctx.tokens,
        crate::tickets::ACTOR,
        new.expires_in_seconds,
        now,
    );
    row.user_id = Some(new.user_id.clone());
    row.detail = Some(
        json!({
            "actor": new.actor,
            "session_max_duration": new.session_max_duration_in_seconds,
        })
        .to_string(),
    );
    let txn = crate::store::begin(&ctx.db).await?;
    crate::store::tickets::insert(&txn, row.clone())
        .await
        .context("tickets::insert")?;
    admin::record(
        ctx,
        &txn,
        a,
        Some(&new.user_id),
        "admin.actor_token.created",
        json!({ "actor_token_id": row.id, "actor": new.actor }),
    )
    .await?;
    txn.commit().await?;
    Ok((row, token))
}

/// Revokes an unused actor token.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn revoke(ctx: &Ctx, a: &Admin, id: &str) -> FlowResult<TicketRow> {
    let txn = crate::store::begin(&ctx.db).await?;
    let Some(row) = crate::store::tickets::revoke(&txn, id, crate::tickets::ACTOR, ctx.now())
        .await
        .context("tickets::revoke")?
    else {
        txn.rollback().await?;
        return Err(ApiError::not_found("pending actor token").into());
    };
    admin::record(
        ctx,
        &txn,
        a,
        row.user_id.as_deref(),
        "admin.actor_token.revoked",
        json!({ "actor_token_id": id }),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// The actor a token names, as stored.
pub fn actor_of(row: &TicketRow) -> Value {
    row.detail
        .as_deref()
        .and_then(|d| serde_json::from_str::<Value>(d).ok())
        .and_then(|d| d.get("actor").cloned())
        .unwrap_or(Value::Null)
}

/// The impersonation a spent actor token starts.
pub fn impersonation(row: &TicketRow) -> FlowResult<Impersonation> {
    let detail: Value = row
        .detail
        .as_deref()
        .and_then(|d| serde_json::from_str(d).ok())
        .ok_or_else(|| anyhow::anyhow!("actor token {} without its detail", row.id))?;
    Ok(Impersonation {
        actor: detail
            .get("actor")
            .cloned()
            .unwrap_or(Value::Null)
            .to_string(),
        max_secs: detail
            .get("session_max_duration")
            .and_then(Value::as_i64)
            .unwrap_or(1800),
    })
}
