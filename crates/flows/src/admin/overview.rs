//! The dashboard's overview: how many users and live sessions, and what happened each day.

use crate::Context as _;

use super::super::{Ctx, FlowResult};
use crate::store::admin as repo;

/// One day of the overview's chart.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Day {
    /// `YYYY-MM-DD`, UTC.
    pub date: String,
    pub sign_ins: i64,
    pub sign_ups: i64,
    pub failed_sign_ins: i64,
    pub lockouts: i64,
}

#[derive(Debug, Clone)]
pub struct Overview {
    pub users: u64,
    pub active_sessions: u64,
    /// Oldest first, today last.
    pub days: Vec<Day>,
}

const DAY_MS: i64 = 86_400_000;

/// The last `days` days (today included).
pub async fn overview(ctx: &Ctx, days: i64) -> FlowResult<Overview> {
    let now = ctx.now();
    let today = now.div_euclid(DAY_MS);
    let first = today - days.clamp(1, 90) + 1;
    let tx = crate::store::begin_read(&ctx.db)
        .await
        .context("begin_read")?;
    let users = repo::count_users(&tx).await.context("count_users")?;
    let active_sessions = repo::count_active_sessions(&tx, now)
        .await
        .context("count_active_sessions")?;
    let counts = repo::audit_daily_counts(
        &tx,
        &[
            "sign_in.succeeded",
            "user.created",
            "sign_in.failed",
            "user.locked",
        ],
        first * DAY_MS,
    )
    .await
    .context("audit_daily_counts")?;
    drop(tx);
    let mut out: Vec<Day> = (first..=today)
        .map(|d| Day {
            date: date_of(d),
            ..Default::default()
        })
        .collect();
    for (kind, day, n) in counts {
        let Some(slot) = usize::try_from(day - first)
            .ok()
            .and_then(|i| out.get_mut(i))
        else {
            continue;
        };
        match kind.as_str() {
            "sign_in.succeeded" => slot.sign_ins += n,
            "user.created" => slot.sign_ups += n,
            "sign_in.failed" => slot.failed_sign_ins += n,
            "user.locked" => slot.lockouts += n,
            _ => {}
        }
    }
    Ok(Overview {
        users,
        active_sessions,
        days: out,
    })
}

/// A Unix-ms instant as `YYYY-MM-DD HH:MM UTC`, for operators' pages.
pub fn timestamp(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (day, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    format!(
        "{} {:02}:{:02} UTC",
        date_of(day),
        rest / 3600,
        rest % 3600 / 60
    )
}

/// `YYYY-MM-DD` of a day counted from the Unix epoch (the civil-from-days algorithm of
/// H. Hinnant's date library, proleptic Gregorian).
fn date_of(day: i64) -> String {
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::{date_of, timestamp};

    #[test]
    fn days_become_dates() {
        assert_eq!(date_of(0), "1970-01-01");
        assert_eq!(date_of(59), "1970-03-01");
        assert_eq!(date_of(11_016), "2000-02-29");
        assert_eq!(date_of(20_790), "2026-12-03");
        assert_eq!(date_of(-1), "1969-12-31");
        assert_eq!(
            timestamp(1_796_256_000_000 + 3_723_000),
            "2026-12-03 01:02 UTC"
        );
    }
}
