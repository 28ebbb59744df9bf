//! Email links ("magic links") for sign-in and for sign-up email verification. The link
//! carries a random token, of which only a keyed hash is stored; it works once, for ten
//! minutes, for the one sign-in or sign-up that asked for it. Opened in the browser that
//! asked, it finishes the flow there; opened on another device it verifies, and the first
//! browser finishes on its next poll (unless `[auth] email_link_same_device`).

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::client::ClientCtx;
use super::verification::{CODE_LIFETIME_SECS, Status, Verification, Wording};
use super::{ApiError, Ctx, ErrorCode, FlowResult, keys};
use crate::crypto;

pub const STRATEGY: &str = "email_link";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum LinkOwner {
    SignIn(String),
    SignUp(String),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct LinkRecord {
    owner: LinkOwner,
    client_id: String,
    redirect_url: String,
    expire_at: i64,
}

/// What opening a link did.
#[derive(Debug)]
pub enum Opened {
    /// Finished in this browser: go on to here.
    Here(String),
    /// Verified for the browser that asked; it finishes there.
    Elsewhere,
}

/// Emails a link for `owner` and returns the pending verification.
#[tracing::instrument(level = "debug", skip_all, fields(client_id = %client_id), err(level = "debug"))]
pub async fn send(
    ctx: &Ctx,
    owner: LinkOwner,
    client_id: &str,
    email: &str,
    target_id: Option<String>,
    redirect_url: String,
    wording: Wording,
) -> FlowResult<Verification> {
    let Wording { purpose, locale } = wording;
    let owner_id = match &owner {
        LinkOwner::SignIn(id) | LinkOwner::SignUp(id) => id.clone(),
    };
    let now = ctx.now();
    super::verification::check_cooldown(ctx, &owner_id, email, now).await?;
    super::limits::send(ctx, email).await?;
    let token = crypto::random_token();
    let expire_at = now + CODE_LIFETIME_SECS * 1000;
    let record = LinkRecord {
        owner,
        client_id: client_id.to_owned(),
        redirect_url,
        expire_at,
    };
    let raw = serde_json::to_string(&record).map_err(anyhow::Error::new)?;
    ctx.eph
        .put(
            &keys::email_link(&ctx.tokens.hash("email_link", &token)),
            &raw,
            Duration::from_secs(CODE_LIFETIME_SECS.unsigned_abs()),
        )
        .await?;
    let link = format!("{}/v1/verify?token={token}", ctx.settings().issuer());
    if let Err(e) = ctx
        .delivery
        .send_email_link(
            email,
            locale,
            &link,
            CODE_LIFETIME_SECS / 60,
            purpose.message_id(),
        )
        .await
    {
        ctx.eph.delete(&keys::cooldown(&owner_id, email)).await?;
        return Err(e.into());
    }
    Ok(Verification {
        status: Status::Unverified,
        strategy: STRATEGY.into(),
        attempts: 0,
        expire_at: Some(expire_at),
        error: None,
        nonce: crypto::random_token(),
        code_hash: None,
        target_id,
        external_url: None,
        message: None,
        public_nonce: None,
    })
}

fn invalid() -> ApiError {
    ApiError::new(
        ErrorCode::VerificationExpired,
        "Link expired",
        "This link has expired or was already used. Ask for a new one on the page you came from.",
    )
}

/// `GET /v1/verify?token=…`: the link was opened in browser `cc`.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn open(ctx: &Ctx, cc: &mut ClientCtx, token: &str) -> FlowResult<Opened> {
    if token.is_empty() || token.len() > 128 {
        return Err(invalid().into());
    }
    let key = keys::email_link(&ctx.tokens.hash("email_link", token));
    let raw = ctx.eph.take(&key).await?.ok_or_else(invalid)?;
    let record: LinkRecord = serde_json::from_str(&raw).map_err(anyhow::Error::new)?;
    if record.expire_at <= ctx.now() {
        return Err(invalid().into());
    }
    let here = cc.id() == Some(record.client_id.as_str());
    if !here && ctx.settings().auth.email_link_same_device {
        return Err(ApiError::new(
            ErrorCode::ClientMismatch,
            "Different browser",
            "Open this link in the browser where you asked for it.",
        )
        .into());
    }
    let done = match record.owner {
        LinkOwner::SignIn(id) => {
            super::sign_in::link_opened(ctx, cc, &record.client_id, &id, here).await?
        }
        LinkOwner::SignUp(id) => {
            super::sign_up::link_opened(ctx, cc, &record.client_id, &id, here).await?
        }
    };
    Ok(if here && done {
        Opened::Here(record.redirect_url)
    } else {
        Opened::Elsewhere
    })
}
