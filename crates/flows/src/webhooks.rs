//! Webhooks: `user.created`, `user.updated`, `user.deleted`, `session.created`,
//! `session.ended`, `session.removed`, `session.revoked` (as Clerk names how a session
//! stopped), and the `organization.*`, `organizationMembership.*` and
//! `organizationInvitation.*` events, posted to each `[[webhooks.endpoints]]` that subscribes
//! to them.
//!
//! An event is written to `webhook_deliveries` in the transaction of the change it reports,
//! so it exists exactly when the change does and survives a restart. A worker in every
//! instance sends what is due; a delivery is claimed with a conditional update, so two
//! instances never send the same attempt. Failures are retried with exponential backoff up
//! to `[webhooks] max_attempts`.
//!
//! Signatures follow the Standard Webhooks scheme: `webhook-id`, `webhook-timestamp` (unix
//! seconds) and `webhook-signature: v1,<base64 HMAC-SHA256(secret, id "." timestamp "." body)>`,
//! where a `whsec_` secret is the base64 of the key. The same three go out again as `svix-id`,
//! `svix-timestamp` and `svix-signature`, and the body is Clerk's envelope
//! (`{data, object: "event", type, timestamp}`), so an app's Clerk webhook handler works as is.

use crate::Context as _;
use portcullis_core::events::{Event, Handled, Subscriber};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use sha2::Sha256;

use super::{Ctx, FlowResult};
use crate::config::WebhookEndpoint;
use crate::domain::new_id;
use crate::store::admin::{self as repo, Attempt, DeliveryRow};

pub const EVENTS: &[&str] = &[
    "user.created",
    "user.updated",
    "user.deleted",
    "session.created",
    "session.ended",
    "session.removed",
    "session.revoked",
    "organization.created",
    "organization.updated",
    "organization.deleted",
    "organizationMembership.created",
    "organizationMembership.updated",
    "organizationMembership.deleted",
    "organizationInvitation.created",
    "organizationInvitation.accepted",
    "organizationInvitation.revoked",
];

/// `[webhooks]` is file-only (its endpoints hold secrets), so it is read from the file.
fn subscribers<'a>(ctx: &'a Ctx, event: &str) -> impl Iterator<Item = &'a WebhookEndpoint> {
    ctx.live
        .file()
        .webhooks
        .endpoints
        .iter()
        .filter(move |e| e.events.is_empty() || e.events.iter().any(|x| x == event))
}

/// Whether any endpoint wants `event` (so callers can skip building its payload).
pub fn wanted(ctx: &Ctx, event: &str) -> bool {
    subscribers(ctx, event).next().is_some()
}

/// Queues `event` with `data` for every subscribed endpoint, on `db` (the caller's
/// transaction).
#[tracing::instrument(level = "debug", skip_all, fields(event = %event), err(level = "debug"))]
pub async fn enqueue(
    ctx: &Ctx,
    db: &impl ConnectionTrait,
    event: &str,
    data: Value,
) -> FlowResult<()> {
    let now = ctx.now();
    let rows: Vec<DeliveryRow> = subscribers(ctx, event)
        .map(|e| {
            let id = new_id("msg");
            DeliveryRow {
                payload: json!({
                    "object": "event",
                    "type": event,
                    "timestamp": now,
                    "data": data,
                })
                .to_string(),
                id,
                endpoint: e.url.clone(),
                event_type: event.to_owned(),
                attempts: 0,
                next_attempt_at: now,
                delivered_at: None,
                failed_at: None,
                last_error: None,
                created_at: now,
            }
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    repo::enqueue_deliveries(db, rows)
        .await
        .context("repo::enqueue_deliveries")?;
    ctx.webhooks_due.notify_one();
    Ok(())
}

/// Queues a user event with the user as the admin API renders it.
#[tracing::instrument(level = "debug", skip_all, fields(event = %event, user_id = %user_id), err(level = "debug"))]
pub async fn enqueue_user(
    ctx: &Ctx,
    db: &impl ConnectionTrait,
    event: &str,
    user_id: &str,
) -> FlowResult<()> {
    if !wanted(ctx, event) {
        return Ok(());
    }
    let data = match crate::store::users::load_user(db, user_id)
        .await
        .context("users::load_user")?
    {
        Some(u) => crate::wire::user(ctx, &u),
        None => json!({ "object": "user", "id": user_id, "deleted": true }),
    };
    enqueue(ctx, db, event, data).await
}

/// The signing key of an endpoint secret: `whsec_` + base64, or the raw string.
fn key_bytes(secret: &str) -> Vec<u8> {
    secret
        .strip_prefix("whsec_")
        .and_then(|b| STANDARD.decode(b).ok())
        .unwrap_or_else(|| secret.as_bytes().to_vec())
}

/// The `webhook-signature` header value for one message.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key_bytes(secret)) else {
        return String::new();
    };
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body.as_bytes());
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// Backoff before attempt `attempts + 1`: the first retry after `first_retry_ms`, each next
/// one four times later, never more than six hours.
fn backoff_ms(first_retry_ms: i64, attempts: i32) -> i64 {
    let factor = 4i64.saturating_pow(u32::try_from(attempts.max(1) - 1).unwrap_or(0));
    first_retry_ms.saturating_mul(factor).min(6 * 3_600_000)
}

/// Sends what is due; returns how many deliveries were attempted.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn deliver_due(ctx: &Ctx) -> FlowResult<usize> {
    let now = ctx.now();
    let due = repo::due_deliveries(&ctx.db, now, 50)
        .await
        .context("repo::due_deliveries")?;
    let mut attempted = 0;
    for d in due {
        // A lease: if this instance dies mid-attempt, another retries after it.
        let lease = now + 60_000;
        if !repo::claim_delivery(&ctx.db, &d.id, d.next_attempt_at, lease)
            .await
            .context("repo::claim_delivery")?
        {
            continue;
        }
        attempted += 1;
        let Some(endpoint) = ctx
            .live
            .file()
            .webhooks
            .endpoints
            .iter()
            .find(|e| e.url == d.endpoint)
        else {
            repo::record_attempt(
                &ctx.db,
                &d.id,
                d.attempts,
                Attempt::GaveUp {
                    at: now,
                    error: "the endpoint is no longer configured".into(),
                },
            )
            .await
            .context("repo::record_attempt")?;
            continue;
        };
        let result = send(ctx, endpoint, &d).await;
        let attempts = d.attempts + 1;
        let now = ctx.now();
        let outcome = match result {
            Ok(()) => Attempt::Delivered { at: now },
            Err(error) if attempts >= ctx.settings().webhooks.max_attempts => {
                tracing::warn!(delivery = %d.id, event = %d.event_type, %error, "webhook given up");
                Attempt::GaveUp { at: now, error }
            }
            Err(error) => {
                tracing::info!(delivery = %d.id, event = %d.event_type, %error, attempts, "webhook will be retried");
                Attempt::Retry {
                    next: now + backoff_ms(ctx.settings().webhooks.first_retry_ms, attempts),
                    error,
                }
            }
        };
        repo::record_attempt(&ctx.db, &d.id, attempts, outcome)
            .await
            .context("repo::record_attempt")?;
    }
    Ok(attempted)
}

async fn send(ctx: &Ctx, endpoint: &WebhookEndpoint, d: &DeliveryRow) -> Result<(), String> {
    use secrecy::ExposeSecret;
    let timestamp = ctx.now() / 1000;
    let signature = sign(
        endpoint.secret.expose_secret(),
        &d.id,
        timestamp,
        &d.payload,
    );
    let res = ctx
        .http
        .post(&endpoint.url)
        .header("content-type", "application/json")
        .header("webhook-id", &d.id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", &signature)
        // The same under the names Svix uses, which Clerk's webhooks carry: handlers that
        // verify with the `svix` package (or Clerk's `verifyWebhook`) work unchanged.
        .header("svix-id", &d.id)
        .header("svix-timestamp", timestamp.to_string())
        .header("svix-signature", &signature)
        .timeout(Duration::from_secs(10))
        .body(d.payload.clone())
        .send()
        .await
        .map_err(|e| format!("request failed: {e}"))?;
    if res.status().is_success() {
        Ok(())
    } else {
        Err(format!("endpoint answered {}", res.status()))
    }
}

/// Queues an event for each session that stopped, named as Clerk names how it stopped:
/// `session.revoked` (an operator, a ban, a password reset), `session.removed` (signed out
/// of one account), else `session.ended`; with the session as it is now.
pub struct SessionEndedHooks;

impl Subscriber<Ctx> for SessionEndedHooks {
    fn name(&self) -> &'static str {
        "webhooks"
    }

    fn handle<'a>(&'a self, ctx: &'a Ctx, event: &'a Event) -> Handled<'a> {
        Box::pin(async move {
            match event {
                Event::SessionsEnded(ended) => {
                    if !["session.ended", "session.removed", "session.revoked"]
                        .iter()
                        .any(|k| wanted(ctx, k))
                    {
                        return;
                    }
                    for e in ended {
                        // The row is gone when its user was deleted.
                        let row = crate::store::sessions::get(&ctx.db, e.session.as_str())
                            .await
                            .ok()
                            .flatten();
                        let (kind, data) = match &row {
                            Some(r) if r.status == "revoked" => {
                                ("session.revoked", crate::session::session_event(r))
                            }
                            Some(r) if r.status == "removed" => {
                                ("session.removed", crate::session::session_event(r))
                            }
                            Some(r) => ("session.ended", crate::session::session_event(r)),
                            None => (
                                "session.ended",
                                json!({ "object": "session", "id": e.session, "user_id": e.user }),
                            ),
                        };
                        if !wanted(ctx, kind) {
                            continue;
                        }
                        if let Err(e) = enqueue(ctx, &ctx.db, kind, data).await {
                            tracing::warn!(error = %e, event = kind, "session webhook not queued");
                        }
                    }
                }
            }
        })
    }
}

/// The delivery loop of one instance: wakes when this instance queues an event, and once a
/// second for events queued elsewhere and retries that fall due.
pub fn start_worker(ctx: std::sync::Arc<Ctx>) {
    if ctx.settings().webhooks.endpoints.is_empty() {
        return;
    }
    tokio::spawn(async move {
        loop {
            match deliver_due(&ctx).await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "webhook deliveries could not be read"),
            }
            let _ = tokio::time::timeout(Duration::from_secs(1), ctx.webhooks_due.notified()).await;
        }
    });
}

/// An operator's retry of a delivery that failed (or waits for its next attempt): sent again
/// now, with a fresh series of attempts, and written to the audit trail.
pub async fn retry(ctx: &Ctx, admin: &super::admin::Admin, id: &str) -> FlowResult<()> {
    let txn = crate::store::begin(&ctx.db).await.context("begin")?;
    if !crate::store::admin::retry_delivery(&txn, id, ctx.now())
        .await
        .context("admin::retry_delivery")?
    {
        return Err(super::ApiError::not_found("undelivered webhook delivery").into());
    }
    super::admin::record(
        ctx,
        &txn,
        admin,
        None,
        "admin.webhook.retried",
        serde_json::json!({ "delivery_id": id }),
    )
    .await?;
    txn.commit().await.context("commit")?;
    ctx.webhooks_due.notify_one();
    Ok(())
}

/// The latest deliveries, newest first, for the admin API and the dashboard.
pub async fn recent(ctx: &Ctx, limit: u64) -> FlowResult<Vec<DeliveryRow>> {
    repo::deliveries(&ctx.db, limit.clamp(1, 500))
        .await
        .context("admin::deliveries")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_follow_standard_webhooks() {
        // HMAC-SHA256 over "id.timestamp.body" with the base64-decoded whsec_ key.
        let secret = format!(
            "whsec_{}",
            STANDARD.encode(b"0123456789abcdef0123456789abcdef")
        );
        let sig = sign(&secret, "msg_1", 1_700_000_000, "{\"a\":1}");
        let mut mac = Hmac::<Sha256>::new_from_slice(b"0123456789abcdef0123456789abcdef").unwrap();
        mac.update(b"msg_1.1700000000.{\"a\":1}");
        assert_eq!(
            sig,
            format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
        );
        assert_ne!(sig, sign(&secret, "msg_2", 1_700_000_000, "{\"a\":1}"));
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff_ms(5000, 1), 5000);
        assert_eq!(backoff_ms(5000, 2), 20_000);
        assert_eq!(backoff_ms(5000, 3), 80_000);
        assert_eq!(backoff_ms(5000, 30), 6 * 3_600_000);
    }
}
