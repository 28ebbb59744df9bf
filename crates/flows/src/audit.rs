//! The audit trail: every change to a user's password or factors is a row in `audit_events`
//! and a `tracing` event (target `portcullis::audit`), with the session, address and user
//! agent it came from; where `[auth] security_notices` is on, the user also gets an email.
//! Changes are recorded in the transaction that makes them. Frequent events (sign-ins,
//! token issuance) go through [`Sink`], which writes them in batches off the request path.

use crate::Context as _;
use sea_orm::ConnectionTrait;
use serde_json::Value;

use super::{Ctx, FlowResult};
use crate::domain::new_id;
use crate::store::factors::{self, NewAuditEvent};
use crate::store::users::UserRecord;

/// Who made a change.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub user_id: String,
    pub session_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// An event as written, for a caller that writes it with its own change (see
/// [`crate::session::SessionAudit`]); logged and counted as it is made.
pub fn prepare(ctx: &Ctx, actor: &Actor, kind: &str, detail: &Value) -> NewAuditEvent {
    crate::metrics::global().event(kind);
    tracing::info!(
        target: "portcullis::audit",
        user_id = %actor.user_id,
        session_id = actor.session_id.as_deref().unwrap_or("-"),
        ip = actor.ip.as_deref().unwrap_or("-"),
        kind,
        %detail,
        "audit event"
    );
    NewAuditEvent {
        id: new_id("aud"),
        user_id: (!actor.user_id.is_empty()).then(|| actor.user_id.clone()),
        session_id: actor.session_id.clone(),
        ip: actor.ip.clone(),
        user_agent: actor
            .user_agent
            .as_ref()
            .map(|u| u.chars().take(256).collect()),
        client_id: None,
        kind: kind.to_owned(),
        detail: detail.to_string(),
        created_at: ctx.now(),
    }
}

/// Batches frequent audit events to the database: at most 500 per statement, each written
/// within about 10 ms of coming. A full buffer drops events (and says so in the log) rather
/// than slowing requests.
///
/// Tokens a client gets for itself (`client_credentials`) have no user to attribute, and a
/// busy service asks for thousands a second: they are tallied per client and grant type and
/// written as one `token.issued` event with a `count` every ten seconds.
#[derive(Clone)]
pub struct Sink {
    tx: tokio::sync::mpsc::Sender<NewAuditEvent>,
    tallies: std::sync::Arc<std::sync::Mutex<Tallies>>,
}

type Tallies = std::collections::HashMap<(String, &'static str), u64>;

/// How long the writer waits for more events to insert with the first of a batch.
const GATHER: std::time::Duration = std::time::Duration::from_millis(10);

/// How often tallied token issuance is written.
const TALLY_SECS: u64 = 10;

impl Sink {
    /// The sink and the tasks that write its events.
    pub fn start(
        db: sea_orm::DatabaseConnection,
        clock: std::sync::Arc<dyn crate::clock::Clock>,
    ) -> Self {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<NewAuditEvent>(10_000);
        let tallies: std::sync::Arc<std::sync::Mutex<Tallies>> = std::sync::Arc::default();
        {
            let (tx, tallies) = (tx.clone(), tallies.clone());
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(std::time::Duration::from_secs(TALLY_SECS));
                let mut since = clock.now_ms();
                loop {
                    tick.tick().await;
                    let taken = std::mem::take(
                        &mut *tallies
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner),
                    );
                    let now = clock.now_ms();
                    for ((client_id, grant_type), count) in taken {
                        let e = NewAuditEvent {
                            id: new_id("aud"),
                            user_id: None,
                            session_id: None,
                            ip: None,
                            user_agent: None,
                            client_id: Some(client_id),
                            kind: "token.issued".into(),
                            detail: serde_json::json!({
                                "grant_type": grant_type,
                                "count": count,
                                "since": since,
                            })
                            .to_string(),
                            created_at: now,
                        };
                        if tx.send(e).await.is_err() {
                            return;
                        }
                    }
                    since = now;
                }
            });
        }
        tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let mut batch = vec![first];
                // The events that come within a moment of the first share its statement: a
                // busy server writes one insert for dozens of requests, where it wrote one
                // per request when inserts kept up with them.
                let until = tokio::time::Instant::now() + GATHER;
                while batch.len() < 500 {
                    match tokio::time::timeout_at(until, rx.recv()).await {
                        Ok(Some(e)) => batch.push(e),
                        Ok(None) | Err(_) => break,
                    }
                }
                let n = batch.len();
                if let Err(e) = factors::insert_audit_many(&db, batch).await {
                    tracing::error!(error = %e, events = n, "audit events not written");
                }
            }
        });
        Self { tx, tallies }
    }

    /// Counts a token a client got for itself; written in the next tally.
    pub fn tally_client_token(&self, client_id: &str, grant_type: &'static str) {
        crate::metrics::global().event("token.issued");
        let mut t = self
            .tallies
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match t.get_mut(&(client_id.to_owned(), grant_type)) {
            Some(n) => *n += 1,
            None => {
                t.insert((client_id.to_owned(), grant_type), 1);
            }
        }
    }

    fn send(&self, e: NewAuditEvent) {
        if self.tx.try_send(e).is_err() {
            crate::metrics::global().audit_dropped();
            tracing::error!("audit buffer full: an audit event was dropped");
        }
    }
}

/// Records a frequent event (sign-in, token issuance) through the batching sink.
pub fn emit(ctx: &Ctx, actor: &Actor, kind: &str, detail: Value) {
    ctx.audit.send(prepare(ctx, actor, kind, &detail));
}

/// Records token issuance for an OAuth client.
pub fn emit_for_client(
    ctx: &Ctx,
    client_id: &str,
    user_id: Option<&str>,
    kind: &str,
    detail: Value,
) {
    let actor = Actor {
        user_id: user_id.unwrap_or_default().to_owned(),
        ..Default::default()
    };
    let mut e = prepare(ctx, &actor, kind, &detail);
    e.client_id = Some(client_id.to_owned());
    ctx.audit.send(e);
}

/// Deletes events past `[audit] retention_days`.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn prune(ctx: &Ctx) -> FlowResult<u64> {
    let days = ctx.settings().audit.retention_days;
    if days <= 0 {
        return Ok(0);
    }
    factors::prune_audit(&ctx.db, ctx.now() - days * 86_400_000)
        .await
        .context("factors::prune_audit")
}

/// Records `kind` (e.g. `totp.enabled`) for the actor. Runs on `db`, so a caller with a
/// transaction gets the event written with the change or not at all.
#[tracing::instrument(level = "debug", skip_all, fields(kind = %kind), err(level = "debug"))]
pub async fn record(
    ctx: &Ctx,
    db: &impl ConnectionTrait,
    actor: &Actor,
    kind: &str,
    detail: Value,
) -> FlowResult<()> {
    factors::insert_audit(db, prepare(ctx, actor, kind, &detail))
        .await
        .context("factors::insert_audit")?;
    Ok(())
}

/// Emails the user's primary address about a security change, in the user's language.
/// `notice` is the id of what happened (`notice-password-changed`, see `locales/en.ftl`).
/// A failed send is logged, not returned: the change itself already happened.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn notify(ctx: &Ctx, user: &UserRecord, notice: &str) {
    if !ctx.settings().auth.security_notices {
        return;
    }
    let Some(to) = user
        .emails
        .iter()
        .find(|e| Some(&e.id) == user.user.primary_email_address_id.as_ref() && e.verified)
        .map(|e| e.email_address.clone())
    else {
        return;
    };
    if super::verification::is_test_destination(ctx, super::verification::Channel::Email, &to) {
        return;
    }
    let when = utc_minute(ctx.now());
    let locale = crate::verification::recipient_locale(user.user.locale.as_deref(), None);
    if let Err(e) = ctx
        .delivery
        .send_security_notice(&to, locale, notice, &when)
        .await
    {
        tracing::warn!(user_id = %user.user.id, error = %e, "security notice not sent");
    }
}

/// RFC 3339 in UTC, to the second (`2026-11-22T02:00:00Z`).
pub fn rfc3339(unix_ms: i64) -> String {
    let secs = unix_ms.div_euclid(1000).rem_euclid(60);
    format!("{}:{secs:02}Z", utc_minute(unix_ms).replace(' ', "T"))
}

/// `YYYY-MM-DD HH:MM` in UTC (civil-from-days, proleptic Gregorian).
pub fn utc_minute(unix_ms: i64) -> String {
    let secs = unix_ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_minute_formats_known_instants() {
        assert_eq!(super::utc_minute(0), "1970-01-01 00:00");
        assert_eq!(super::utc_minute(951_782_400_000), "2000-02-29 00:00");
        assert_eq!(super::utc_minute(1_795_312_800_000), "2026-11-22 02:00");
    }
}
