//! Abuse limits (`[limits]`): GCRA rate limits in the ephemeral store, so they hold across
//! every instance sharing one Redis. A refused request gets `429 too_many_requests` with
//! `Retry-After`.

use std::time::Duration;

use super::{ApiError, Ctx, ErrorCode, FlowResult};
use crate::config::Rate;
use crate::store::ephemeral::Limit;

fn too_many(wait_ms: i64) -> ApiError {
    let secs = ((wait_ms + 999) / 1000).max(1);
    ApiError::new(
        ErrorCode::TooManyRequests,
        "Too many requests",
        format!("Too many attempts in a short time. Try again in {secs} seconds."),
    )
    .retry_after(secs.unsigned_abs())
}

/// One hit against `rate` for `key`; refused with 429 once the rate is spent.
pub async fn hit(ctx: &Ctx, key: &str, rate: Rate) -> FlowResult<()> {
    hit_all(ctx, &[(key.to_owned(), rate)]).await
}

/// One hit against each `(key, rate)`, in one round trip to the store: refused with 429 by
/// the first that is spent, after the ones before it counted the hit (as separate hits in
/// the same order would).
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn hit_all(ctx: &Ctx, hits: &[(String, Rate)]) -> FlowResult<()> {
    if !ctx.settings().limits.enabled {
        return Ok(());
    }
    let keys: Vec<String> = hits.iter().map(|(key, _)| format!("rl:{key}")).collect();
    let limits: Vec<Limit<'_>> = hits
        .iter()
        .zip(&keys)
        .map(|((_, rate), key)| Limit {
            key,
            interval_ms: (rate.per_secs * 1000 / rate.burst.max(1)).max(1),
            burst: rate.burst,
        })
        .collect();
    match ctx.eph.gcra_all(&limits, ctx.now()).await? {
        None => Ok(()),
        Some((at, wait)) => {
            let key = hits.get(at).map_or("", |(key, _)| key.as_str());
            tracing::warn!(limit = %key.split(':').next().unwrap_or(""), "rate limit hit");
            Err(too_many(wait).into())
        }
    }
}

/// Sign-in creations and attempts: per address, and per identifier when there is one.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn sign_in(ctx: &Ctx, ip: Option<&str>, identifier: Option<&str>) -> FlowResult<()> {
    let l = &ctx.settings().limits;
    let mut hits = Vec::with_capacity(2);
    if let Some(ip) = ip {
        hits.push((format!("sign_in_ip:{ip}"), l.sign_in_per_ip));
    }
    if let Some(id) = identifier {
        let id = id.trim().to_lowercase();
        hits.push((format!("sign_in_id:{id}"), l.sign_in_per_identifier));
    }
    hit_all(ctx, &hits).await
}

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn sign_up(ctx: &Ctx, ip: Option<&str>) -> FlowResult<()> {
    match ip {
        Some(ip) => {
            hit(
                ctx,
                &format!("sign_up_ip:{ip}"),
                ctx.settings().limits.sign_up_per_ip,
            )
            .await
        }
        None => Ok(()),
    }
}

/// Codes and links to one destination: the rate, and a daily cap.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn send(ctx: &Ctx, destination: &str) -> FlowResult<()> {
    let l = &ctx.settings().limits;
    if !l.enabled {
        return Ok(());
    }
    let dest = destination.to_lowercase();
    hit(ctx, &format!("send:{dest}"), l.sends_per_destination).await?;
    let day = ctx.now().div_euclid(86_400_000);
    let n = ctx
        .eph
        .incr(
            &format!("rl:send_day:{day}:{dest}"),
            Duration::from_secs(86_400),
        )
        .await?;
    if n > l.sends_per_destination_per_day {
        let wait = (day + 1) * 86_400_000 - ctx.now();
        return Err(too_many(wait).into());
    }
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all, fields(client_id = %client_id), err(level = "debug"))]
pub async fn token(ctx: &Ctx, client_id: &str) -> FlowResult<()> {
    hit(
        ctx,
        &format!("token:{client_id}"),
        ctx.settings().limits.token_per_client,
    )
    .await
}

/// A user code typed on the device page (RFC 8628 §5.1): per address and per signed-in
/// user, right or wrong, so guessing one of the live codes stays out of reach.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn user_code(ctx: &Ctx, ip: Option<&str>, user_id: &str) -> FlowResult<()> {
    let l = &ctx.settings().limits;
    let mut hits = Vec::with_capacity(2);
    if let Some(ip) = ip {
        hits.push((format!("user_code_ip:{ip}"), l.user_code_per_ip));
    }
    hits.push((format!("user_code_user:{user_id}"), l.user_code_per_user));
    hit_all(ctx, &hits).await
}
