//! The audit trail: every change to a user's password or factors is a row in `audit_events`
//! and a `tracing` event (target `portcullis::audit`), with the session and address it came
//! from; where `[auth] security_notices` is on, the user also gets an email about it.

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
}

/// Records `kind` (e.g. `totp.enabled`) for the actor. Runs on `db`, so a caller with a
/// transaction gets the event written with the change or not at all.
pub async fn record(
    ctx: &Ctx,
    db: &impl ConnectionTrait,
    actor: &Actor,
    kind: &str,
    detail: Value,
) -> FlowResult<()> {
    tracing::info!(
        target: "portcullis::audit",
        user_id = %actor.user_id,
        session_id = actor.session_id.as_deref().unwrap_or("-"),
        ip = actor.ip.as_deref().unwrap_or("-"),
        kind,
        %detail,
        "audit event"
    );
    factors::insert_audit(
        db,
        NewAuditEvent {
            id: new_id("aud"),
            user_id: Some(actor.user_id.clone()),
            session_id: actor.session_id.clone(),
            ip: actor.ip.clone(),
            kind: kind.to_owned(),
            detail: detail.to_string(),
            created_at: ctx.now(),
        },
    )
    .await?;
    Ok(())
}

/// Emails the user's primary address about a security change ("Your password was changed").
/// A failed send is logged, not returned: the change itself already happened.
pub async fn notify(ctx: &Ctx, user: &UserRecord, what: &str) {
    if !ctx.settings.auth.security_notices {
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
    if let Err(e) = ctx.delivery.send_security_notice(&to, what, &when).await {
        tracing::warn!(user_id = %user.user.id, error = %e, "security notice not sent");
    }
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
