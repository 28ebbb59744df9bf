//! Account lockout: after `[auth] lockout_attempts` failed attempts an account is locked for
//! `[auth] lockout_secs`, and every attempt answers `user_locked` (even with the right password)
//! until then. Counters live in the ephemeral store, so every instance sees them.
//!
//! Passwords and second factors count apart. A right password clears only the password count;
//! the second-factor count is cleared only by a completed sign-in, so someone who knows the
//! password cannot reset the TOTP guess budget by signing in with it again and again.

use std::time::Duration;

use super::{ApiError, Ctx, ErrorCode, FlowResult, keys};

fn locked(seconds: i64) -> ApiError {
    let mut e = ApiError::new(
        ErrorCode::UserLocked,
        "Account locked",
        format!(
            "Too many failed attempts. This account is locked; try again in {} minutes.",
            (seconds + 59) / 60
        ),
    );
    e.lockout_expires_in_seconds = Some(seconds);
    e
}

/// Which failures a count is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter {
    /// Passwords, wherever one is checked (sign-in, change of password).
    Password,
    /// TOTP, backup codes and second-factor SMS / email codes at sign-in.
    SecondFactor,
}

fn counter_key(user_id: &str, counter: Counter) -> String {
    match counter {
        Counter::Password => keys::failed_passwords(user_id),
        Counter::SecondFactor => keys::failed_second_factors(user_id),
    }
}

fn enabled(ctx: &Ctx) -> bool {
    ctx.settings().auth.lockout_attempts > 0
}

/// Refuses an attempt on a locked account.
#[tracing::instrument(level = "debug", skip_all, fields(user_id = %user_id), err(level = "debug"))]
pub async fn check(ctx: &Ctx, user_id: &str) -> FlowResult<()> {
    if !enabled(ctx) {
        return Ok(());
    }
    let until: i64 = ctx
        .eph
        .get(&keys::locked_until(user_id))
        .await?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let now = ctx.now();
    if until > now {
        return Err(locked((until - now + 999) / 1000).into());
    }
    Ok(())
}

/// Counts a failed attempt; returns the lockout error when this one locked the account.
#[tracing::instrument(level = "debug", skip_all, fields(user_id = %user_id), err(level = "debug"))]
pub async fn failed(ctx: &Ctx, user_id: &str, counter: Counter) -> FlowResult<Option<ApiError>> {
    if !enabled(ctx) {
        return Ok(None);
    }
    let secs = ctx.settings().auth.lockout_secs;
    let window = Duration::from_secs(secs.unsigned_abs());
    let key = counter_key(user_id, counter);
    let n = ctx.eph.incr(&key, window).await?;
    if n < ctx.settings().auth.lockout_attempts {
        return Ok(None);
    }
    let until = ctx.now() + secs * 1000;
    ctx.eph
        .put(
            &keys::locked_until(user_id),
            &until.to_string(),
            window + Duration::from_secs(60),
        )
        .await?;
    ctx.eph.delete(&key).await?;
    tracing::warn!(%user_id, ?counter, "account locked after repeated failed attempts");
    if !user_id.starts_with("phantom:") {
        super::audit::emit(
            ctx,
            &super::audit::Actor {
                user_id: user_id.to_owned(),
                ..Default::default()
            },
            "user.locked",
            serde_json::json!({
                "seconds": secs,
                "factor": match counter {
                    Counter::Password => "password",
                    Counter::SecondFactor => "second_factor",
                },
            }),
        );
    }
    Ok(Some(locked(secs)))
}

/// A success clears that count of failures (and only that one).
#[tracing::instrument(level = "debug", skip_all, fields(user_id = %user_id), err(level = "debug"))]
pub async fn succeeded(ctx: &Ctx, user_id: &str, counter: Counter) -> FlowResult<()> {
    if enabled(ctx) {
        ctx.eph.delete(&counter_key(user_id, counter)).await?;
    }
    Ok(())
}

/// A completed sign-in clears the second-factor failures, and the password failures as well
/// when `password_proven` (the same request proved the password), in one round trip.
#[tracing::instrument(level = "debug", skip_all, fields(user_id = %user_id), err(level = "debug"))]
pub async fn signed_in(ctx: &Ctx, user_id: &str, password_proven: bool) -> FlowResult<()> {
    if !enabled(ctx) {
        return Ok(());
    }
    let second = keys::failed_second_factors(user_id);
    let password = keys::failed_passwords(user_id);
    let mut cleared = vec![second.as_str()];
    if password_proven {
        cleared.push(password.as_str());
    }
    ctx.eph.delete_all(&cleared).await?;
    Ok(())
}

/// Lifts a lockout and forgets past failures (an operator unlocking the account).
#[tracing::instrument(level = "debug", skip_all, fields(user_id = %user_id), err(level = "debug"))]
pub async fn clear(ctx: &Ctx, user_id: &str) -> FlowResult<()> {
    ctx.eph
        .delete_all(&[
            &keys::locked_until(user_id),
            &keys::failed_passwords(user_id),
            &keys::failed_second_factors(user_id),
        ])
        .await?;
    Ok(())
}

/// Checks a signed-in user's password (for a change of password, or to verify a session
/// again) under the lockout: a wrong one counts, and answers `form_password_incorrect` on
/// `param` unless it locked the account; a right one clears the password count.
#[tracing::instrument(level = "debug", skip_all, fields(user_id = %user_id), err(level = "debug"))]
pub async fn check_password(
    ctx: &Ctx,
    user_id: &str,
    stored: Option<String>,
    given: String,
    param: &str,
) -> FlowResult<()> {
    check(ctx, user_id).await?;
    let ok = ctx
        .passwords
        .verify(secrecy::SecretString::from(given), stored)
        .await?;
    if !ok {
        if let Some(locked) = failed(ctx, user_id, Counter::Password).await? {
            return Err(locked.into());
        }
        return Err(ApiError::new(
            ErrorCode::FormPasswordIncorrect,
            "Password is incorrect",
            "The password is incorrect. Try again, or use another method.",
        )
        .param(param)
        .into());
    }
    succeeded(ctx, user_id, Counter::Password).await
}

/// After a second-factor code was checked: a wrong one counts toward the lockout, and the
/// lockout error replaces the wrong-code one when it locked the account.
#[tracing::instrument(level = "debug", skip_all, fields(user_id = %user_id), err(level = "debug"))]
pub async fn second_factor_checked(
    ctx: &Ctx,
    user_id: &str,
    checked: FlowResult<()>,
) -> FlowResult<()> {
    if checked.is_err()
        && let Some(locked) = failed(ctx, user_id, Counter::SecondFactor).await?
    {
        return Err(locked.into());
    }
    checked
}
