//! The device authorization grant (RFC 8628), for devices that cannot show a browser: a CLI,
//! a TV. The device asks `POST /oauth/device_authorization` for a pair of codes, shows the
//! user the short `user_code` and the address of the `/device` page, and polls the token
//! endpoint with the long `device_code` until the user has approved or denied it there.
//!
//! Everything lives in the ephemeral store, so it holds across instances on Redis, and
//! neither code is kept as it was issued (only keyed hashes):
//! - `device:<ref>`: the request and its state (pending, approved, denied), where `<ref>` is
//!   the keyed hash of the device code;
//! - `device_user:<hash of the user code>`: the `<ref>` a user code stands for, spent when
//!   the user answers;
//! - `device_poll:<ref>`: present while the device must wait before polling again (§3.5).

use std::collections::HashMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::claims::AuthFacts;
use crate::clients::{DEVICE_CODE_GRANT, OAuthClient};
use crate::crypto;
use crate::error::{OAuthError, OAuthResult};
use crate::flows::Ctx;

/// §6.1: user codes from consonants only: no vowels (so no words), and none of the letters
/// that read as digits. 20 letters to the power 8 is about 2^34.6 codes, against guesses
/// held to `[limits] user_code_per_*`.
const USER_CODE_ALPHABET: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";
const USER_CODE_LEN: usize = 8;

#[derive(Serialize, Deserialize, Clone, Debug)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Decision {
    Pending,
    Approved { auth: AuthFacts },
    Denied,
}

/// A device's request, as stored while the user answers and the device polls.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct DeviceRequest {
    pub client_id: String,
    pub scopes: Vec<String>,
    /// Milliseconds since the epoch.
    pub expire_at: i64,
    pub decision: Decision,
}

/// What `/oauth/device_authorization` answers (§3.2).
#[derive(Serialize, Debug)]
pub struct DeviceAuthorization {
    pub device_code: String,
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: String,
    pub expires_in: u64,
    pub interval: u64,
}

fn lifetime_secs(ctx: &Ctx) -> u64 {
    ctx.settings()
        .oidc
        .device_code_lifetime_secs
        .clamp(60, 1800)
}

/// The least time between two polls (§3.2 `interval`).
pub fn interval_secs(ctx: &Ctx) -> u64 {
    ctx.settings().oidc.device_poll_interval_secs.clamp(1, 60)
}

/// The name a device code is stored under: its keyed hash.
fn device_ref(ctx: &Ctx, device_code: &str) -> String {
    ctx.tokens.hash("device_code", device_code)
}

fn request_key(reference: &str) -> String {
    format!("device:{reference}")
}

fn poll_key(reference: &str) -> String {
    format!("device_poll:{reference}")
}

fn user_key(ctx: &Ctx, normalized_user_code: &str) -> String {
    format!(
        "device_user:{}",
        ctx.tokens.hash("user_code", normalized_user_code)
    )
}

fn new_user_code() -> String {
    let letters = crypto::random_from(USER_CODE_ALPHABET, USER_CODE_LEN);
    format!("{}-{}", &letters[..4], &letters[4..])
}

/// A user code as typed: case, spaces and dashes do not matter (§6.1). `None` when it cannot
/// be one of ours, so a typo costs no lookup.
pub fn normalize_user_code(typed: &str) -> Option<String> {
    let letters: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (letters.len() == USER_CODE_LEN && letters.bytes().all(|b| USER_CODE_ALPHABET.contains(&b)))
        .then_some(letters)
}

/// A normalized user code as the page shows it: `BCDF-GHJK`.
pub fn display_user_code(normalized: &str) -> String {
    match (normalized.get(..4), normalized.get(4..)) {
        (Some(a), Some(b)) => format!("{a}-{b}"),
        _ => normalized.to_owned(),
    }
}

fn parse(raw: &str) -> OAuthResult<DeviceRequest> {
    serde_json::from_str(raw)
        .map_err(|e| anyhow::anyhow!("stored device request unreadable: {e}").into())
}

fn encode(request: &DeviceRequest) -> OAuthResult<String> {
    serde_json::to_string(request).map_err(|e| anyhow::Error::new(e).into())
}

/// `POST /oauth/device_authorization` (§3.1, §3.2) for an authenticated `client`.
pub async fn authorize(
    ctx: &Ctx,
    client: &OAuthClient,
    params: &HashMap<String, String>,
) -> OAuthResult<DeviceAuthorization> {
    if !client.allows_grant(DEVICE_CODE_GRANT) {
        return Err(OAuthError::new(
            "unauthorized_client",
            "This client may not use the device authorization grant.",
        ));
    }
    // RFC 6749 §3.3, as at the authorization endpoint.
    let scopes: Vec<String> = params
        .get("scope")
        .map(|s| {
            s.split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if scopes.is_empty() {
        return Err(OAuthError::new("invalid_scope", "scope is missing."));
    }
    if let Some(s) = scopes.iter().find(|s| !client.allows_scope(s)) {
        return Err(OAuthError::new(
            "invalid_scope",
            format!("The scope {s:?} is not allowed for this client."),
        ));
    }
    let lifetime = lifetime_secs(ctx);
    let ttl = Duration::from_secs(lifetime);
    let device_code = crypto::random_token();
    let reference = device_ref(ctx, &device_code);
    let request = DeviceRequest {
        client_id: client.id().to_owned(),
        scopes,
        expire_at: ctx.now() + i64::try_from(lifetime * 1000).unwrap_or(i64::MAX),
        decision: Decision::Pending,
    };
    ctx.eph
        .put(&request_key(&reference), &encode(&request)?, ttl)
        .await?;
    // A user code names one live request: on the rare clash with another, draw again.
    for _ in 0..5 {
        let user_code = new_user_code();
        let normalized = normalize_user_code(&user_code).unwrap_or_default();
        if ctx
            .eph
            .put_if_absent(&user_key(ctx, &normalized), &reference, ttl)
            .await?
        {
            let iss = ctx.settings().issuer().to_owned();
            return Ok(DeviceAuthorization {
                verification_uri_complete: format!("{iss}/device?user_code={user_code}"),
                verification_uri: format!("{iss}/device"),
                device_code,
                user_code,
                expires_in: lifetime,
                interval: interval_secs(ctx),
            });
        }
    }
    ctx.eph.delete(&request_key(&reference)).await?;
    Err(anyhow::anyhow!("no free user code after five draws").into())
}

/// The pending request a user code stands for, if it is live.
pub async fn find(ctx: &Ctx, normalized: &str) -> OAuthResult<Option<DeviceRequest>> {
    let Some(reference) = ctx.eph.get(&user_key(ctx, normalized)).await? else {
        return Ok(None);
    };
    let Some(raw) = ctx.eph.get(&request_key(&reference)).await? else {
        return Ok(None);
    };
    let request = parse(&raw)?;
    let live = matches!(request.decision, Decision::Pending) && request.expire_at > ctx.now();
    Ok(live.then_some(request))
}

/// The user's answer on the `/device` page: `Some(auth)` approves with the facts of the
/// user's session, `None` denies. The user code is spent first, atomically, so a request is
/// answered once, by one person. `false` when the code is not (or no longer) live.
pub async fn decide(ctx: &Ctx, normalized: &str, approve: Option<AuthFacts>) -> OAuthResult<bool> {
    let Some(reference) = ctx.eph.take(&user_key(ctx, normalized)).await? else {
        return Ok(false);
    };
    let key = request_key(&reference);
    let Some(raw) = ctx.eph.get(&key).await? else {
        return Ok(false);
    };
    let mut request = parse(&raw)?;
    let left_ms = request.expire_at - ctx.now();
    if !matches!(request.decision, Decision::Pending) || left_ms <= 0 {
        return Ok(false);
    }
    let approved = approve.is_some();
    if let Some(auth) = &approve {
        // The user saw what the application asks for and agreed: remembered as consent,
        // which the account page lists and can withdraw.
        crate::store::oauth::save_consent(
            &ctx.db,
            &auth.user_id,
            &request.client_id,
            &request.scopes,
            ctx.now(),
        )
        .await?;
    }
    request.decision = match approve {
        Some(auth) => Decision::Approved { auth },
        None => Decision::Denied,
    };
    ctx.eph
        .put(
            &key,
            &encode(&request)?,
            Duration::from_millis(left_ms.unsigned_abs()),
        )
        .await?;
    tracing::info!(client_id = %request.client_id, approved, "device request answered");
    Ok(true)
}

/// RFC 8628 §3.5 errors are RFC 6749 §5.2 errors: a 400 each, `access_denied` included.
fn poll_error(error: &'static str, description: impl Into<String>) -> OAuthError {
    OAuthError {
        status: 400,
        ..OAuthError::new(error, description)
    }
}

/// The token endpoint's side (§3.4, §3.5): what a poll with `device_code` gets. An approved
/// request is taken, so exactly one poll receives the tokens: the user's sign-in facts and
/// the scopes approved.
pub async fn poll(
    ctx: &Ctx,
    client: &OAuthClient,
    device_code: Option<&str>,
) -> OAuthResult<(AuthFacts, Vec<String>)> {
    let device_code =
        device_code.ok_or_else(|| OAuthError::invalid_request("device_code is missing."))?;
    let reference = device_ref(ctx, device_code);
    let key = request_key(&reference);
    let Some(raw) = ctx.eph.get(&key).await? else {
        return Err(poll_error(
            "expired_token",
            "The device code has expired, was used, or was never issued.",
        ));
    };
    let request = parse(&raw)?;
    // Another client's device code is refused, and left as it was for its own client.
    if request.client_id != client.id() {
        return Err(OAuthError::invalid_grant(
            "The device code was issued to another client.",
        ));
    }
    if request.expire_at <= ctx.now() {
        return Err(poll_error("expired_token", "The device code has expired."));
    }
    match request.decision {
        Decision::Pending => {
            // §3.5: a poll sooner than `interval` after the last one is answered slow_down.
            let interval = interval_secs(ctx);
            let in_time = ctx
                .eph
                .put_if_absent(&poll_key(&reference), "1", Duration::from_secs(interval))
                .await?;
            if in_time {
                Err(poll_error(
                    "authorization_pending",
                    "The user has not answered yet.",
                ))
            } else {
                Err(poll_error(
                    "slow_down",
                    format!("Poll at most every {interval} seconds."),
                ))
            }
        }
        Decision::Denied => {
            ctx.eph.delete(&key).await?;
            Err(poll_error("access_denied", "The user denied the request."))
        }
        Decision::Approved { .. } => {
            // Of any number of concurrent polls, exactly one takes the approval.
            let taken = match ctx.eph.take(&key).await? {
                Some(raw) => parse(&raw)?,
                None => {
                    return Err(poll_error(
                        "expired_token",
                        "The device code was already used.",
                    ));
                }
            };
            match taken.decision {
                Decision::Approved { auth } => Ok((auth, taken.scopes)),
                _ => Err(poll_error(
                    "expired_token",
                    "The device code was already used.",
                )),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_codes_are_eight_consonants_in_two_groups() {
        for _ in 0..200 {
            let code = new_user_code();
            assert_eq!(code.len(), 9);
            assert_eq!(&code[4..5], "-");
            let normalized = normalize_user_code(&code);
            assert_eq!(normalized.as_ref().map(String::len), Some(8));
            assert_eq!(display_user_code(&normalized.unwrap_or_default()), code);
        }
    }

    #[test]
    fn typed_codes_forgive_case_spaces_and_dashes_only() {
        assert_eq!(
            normalize_user_code("bcdf-ghjk").as_deref(),
            Some("BCDFGHJK")
        );
        assert_eq!(
            normalize_user_code(" BCDF GHJK ").as_deref(),
            Some("BCDFGHJK")
        );
        assert_eq!(normalize_user_code("BCDF-GHJ"), None, "one short");
        assert_eq!(normalize_user_code("BCDF-GHJKL"), None, "one over");
        assert_eq!(
            normalize_user_code("ABCD-EFGH"),
            None,
            "vowels are never drawn"
        );
        assert_eq!(normalize_user_code("BCDF-GHJ1"), None);
        assert_eq!(normalize_user_code("BCDF_GHJK"), None);
    }
}
