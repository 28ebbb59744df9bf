//! Second factors: authenticator apps (TOTP), backup codes, and SMS codes to a phone number
//! kept for it; which of them a sign-in asks for; checking a code at sign-in.

use crate::Context as _;
use serde_json::json;

use super::audit::{self, Actor};
use super::sign_in::Factor;
use super::verification::Verification;
use super::{ApiError, Ctx, ErrorCode, FlowError, FlowResult};
use crate::domain::{new_id, totp};
use crate::store::factors::{self, TotpRow};
use crate::store::users::UserRecord;

pub const BACKUP_CODE_COUNT: usize = 10;
const BACKUP_CODE_LEN: usize = 8;
/// Lowercase letters and digits without the look-alikes (0/o, 1/l/i).
const BACKUP_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// An authenticator as the account API shows it. `secret` and `uri` only while it is being
/// set up; `backup_codes` only in the answer that created them.
#[derive(Debug, Clone)]
pub struct TotpView {
    pub id: String,
    pub secret: Option<String>,
    pub uri: Option<String>,
    pub verified: bool,
    pub backup_codes: Option<Vec<String>>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl TotpView {
    /// An authenticator being set up: its secret, and the `otpauth://` URI the QR code
    /// carries, labelled with the instance and the user.
    fn pending(ctx: &Ctx, user: &UserRecord, row: &TotpRow, secret_b32: String) -> Self {
        TotpView {
            id: row.id.clone(),
            uri: Some(totp::uri(
                &ctx.settings().branding.app_name,
                &account_label(user),
                &secret_b32,
            )),
            secret: Some(secret_b32),
            verified: false,
            backup_codes: None,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

pub fn enabled(ctx: &Ctx, strategy: &str) -> bool {
    ctx.settings()
        .auth
        .second_factors
        .iter()
        .any(|s| s == strategy)
}

fn require_enabled(ctx: &Ctx, strategy: &str) -> Result<(), ApiError> {
    if enabled(ctx, strategy) {
        return Ok(());
    }
    Err(ApiError::new(
        ErrorCode::VerificationStrategyInvalid,
        "is invalid",
        format!("The second factor {strategy:?} is not enabled on this instance."),
    ))
}

fn seal(ctx: &Ctx, secret_b32: &str) -> FlowResult<String> {
    Ok(portcullis_core::keys::seal_if(
        ctx.sealer.as_ref(),
        secret_b32.to_owned(),
    )?)
}

fn unseal(ctx: &Ctx, stored: &str) -> FlowResult<Vec<u8>> {
    let plain =
        portcullis_core::keys::open_if_sealed(stored, ctx.sealer.as_ref(), "authenticator secrets")
            .map_err(FlowError::Unexpected)?;
    totp::decode_secret(&plain)
        .ok_or_else(|| FlowError::Unexpected(anyhow::anyhow!("stored TOTP secret unreadable")))
}

/// The name an authenticator app shows for the account.
fn account_label(user: &UserRecord) -> String {
    user.emails
        .iter()
        .find(|e| Some(&e.id) == user.user.primary_email_address_id.as_ref())
        .map(|e| e.email_address.clone())
        .or_else(|| user.user.username.clone())
        .or_else(|| user.phones.first().map(|p| p.phone_number.clone()))
        .unwrap_or_else(|| user.user.id.clone())
}

/// `POST /v1/me/totp`: a new secret, not yet in force. Replaces an unfinished set-up; an
/// authenticator already in use must be removed first.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn start_totp(ctx: &Ctx, user: &UserRecord) -> FlowResult<TotpView> {
    require_enabled(ctx, "totp")?;
    if user.totp {
        return Err(ApiError::new(
            ErrorCode::VerificationAlreadyVerified,
            "already enabled",
            "An authenticator app is already set up. Remove it first to set up another.",
        )
        .into());
    }
    let secret_b32 = totp::encode_secret(&totp::new_secret());
    let now = ctx.now();
    let row = TotpRow {
        id: new_id("totp"),
        user_id: user.user.id.clone(),
        secret: seal(ctx, &secret_b32)?,
        verified: false,
        last_used_step: None,
        created_at: now,
        updated_at: now,
    };
    let view = TotpView::pending(ctx, user, &row, secret_b32);
    factors::replace_totp(&ctx.db, row)
        .await
        .context("factors::replace_totp")?;
    Ok(view)
}

/// The authenticator being set up (not yet verified), with its secret, for the set-up page
/// to show again after a reload.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn pending_totp(ctx: &Ctx, user: &UserRecord) -> FlowResult<Option<TotpView>> {
    let Some(row) = factors::totp(&ctx.db, &user.user.id)
        .await
        .context("factors::totp")?
    else {
        return Ok(None);
    };
    if row.verified {
        return Ok(None);
    }
    let secret_b32 = totp::encode_secret(&unseal(ctx, &row.secret)?);
    Ok(Some(TotpView::pending(ctx, user, &row, secret_b32)))
}

fn code_incorrect() -> ApiError {
    ApiError::new(
        ErrorCode::FormCodeIncorrect,
        "Incorrect code",
        "The code you entered is incorrect. Check it and try again.",
    )
    .param("code")
}

/// Accepts `code` for the user's authenticator when it matches a step not used before; the
/// step is recorded so the same code never works twice.
async fn accept_totp(ctx: &Ctx, row: &TotpRow, code: &str) -> FlowResult<bool> {
    let secret = unseal(ctx, &row.secret)?;
    let Some(step) = totp::matching_step(&secret, code, ctx.now(), row.last_used_step) else {
        return Ok(false);
    };
    factors::use_totp_step(&ctx.db, &row.id, row.last_used_step, step, ctx.now())
        .await
        .context("factors::use_totp_step")
}

/// `POST /v1/me/totp/attempt_verification`: the first code from the app turns it on. When
/// backup codes are enabled and the user has none, a set comes with the answer.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn finish_totp(
    ctx: &Ctx,
    actor: &Actor,
    user: &UserRecord,
    code: &str,
) -> FlowResult<TotpView> {
    require_enabled(ctx, "totp")?;
    let row = factors::totp(&ctx.db, &user.user.id)
        .await
        .context("factors::totp")?
        .ok_or_else(|| ApiError::not_found("totp"))?;
    if row.verified {
        return Err(ApiError::new(
            ErrorCode::VerificationAlreadyVerified,
            "already verified",
            "This authenticator app is already set up.",
        )
        .into());
    }
    if !accept_totp(ctx, &row, code).await? {
        return Err(code_incorrect().into());
    }
    let backup_codes = if enabled(ctx, "backup_code") && user.backup_codes == 0 {
        Some(new_backup_codes(ctx, actor, user).await?)
    } else {
        None
    };
    audit::record(
        ctx,
        &ctx.db,
        actor,
        "totp.enabled",
        json!({ "totp_id": row.id }),
    )
    .await?;
    audit::notify(ctx, user, "notice-totp-enabled").await;
    Ok(TotpView {
        id: row.id,
        secret: None,
        uri: None,
        verified: true,
        backup_codes,
        created_at: row.created_at,
        updated_at: ctx.now(),
    })
}

/// `DELETE /v1/me/totp`.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn remove_totp(ctx: &Ctx, actor: &Actor, user: &UserRecord) -> FlowResult<()> {
    let txn = crate::store::begin(&ctx.db).await?;
    let removed = factors::delete_totp(&txn, &user.user.id)
        .await
        .context("factors::delete_totp")?;
    if removed == 0 {
        txn.rollback().await?;
        return Err(ApiError::not_found("totp").into());
    }
    audit::record(ctx, &txn, actor, "totp.disabled", json!({})).await?;
    txn.commit().await?;
    audit::notify(ctx, user, "notice-totp-removed").await;
    Ok(())
}

/// `POST /v1/me/backup_codes`: a new set of ten codes replacing any old set. They are shown
/// this once; only their keyed hashes are kept.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn regenerate_backup_codes(
    ctx: &Ctx,
    actor: &Actor,
    user: &UserRecord,
) -> FlowResult<Vec<String>> {
    require_enabled(ctx, "backup_code")?;
    let codes = new_backup_codes(ctx, actor, user).await?;
    audit::notify(ctx, user, "notice-backup-codes").await;
    Ok(codes)
}

async fn new_backup_codes(ctx: &Ctx, actor: &Actor, user: &UserRecord) -> FlowResult<Vec<String>> {
    use rand::Rng;
    let mut rng = rand::rngs::OsRng;
    let codes: Vec<String> = (0..BACKUP_CODE_COUNT)
        .map(|_| {
            (0..BACKUP_CODE_LEN)
                .map(|_| char::from(BACKUP_ALPHABET[rng.gen_range(0..BACKUP_ALPHABET.len())]))
                .collect()
        })
        .collect();
    let rows = codes
        .iter()
        .map(|c| (new_id("bc"), backup_hash(ctx, &user.user.id, c)))
        .collect();
    let txn = crate::store::begin(&ctx.db).await?;
    factors::replace_backup_codes(&txn, &user.user.id, rows, ctx.now())
        .await
        .context("factors::replace_backup_codes")?;
    audit::record(
        ctx,
        &txn,
        actor,
        "backup_codes.created",
        json!({ "count": BACKUP_CODE_COUNT }),
    )
    .await?;
    txn.commit().await?;
    Ok(codes)
}

fn backup_hash(ctx: &Ctx, user_id: &str, code: &str) -> String {
    ctx.tokens.hash("backup_code", &format!("{user_id}:{code}"))
}

/// Spends the backup code `code` of the user when it is one of theirs and unused.
async fn accept_backup_code(ctx: &Ctx, user_id: &str, code: &str) -> FlowResult<bool> {
    let normalised: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    if normalised.len() != BACKUP_CODE_LEN {
        return Ok(false);
    }
    let unused = factors::unused_backup_codes(&ctx.db, user_id)
        .await
        .context("factors::unused_backup_codes")?;
    let wanted = format!("{user_id}:{normalised}");
    // Every stored hash is compared (in constant time), whichever matches.
    let hit = unused.iter().fold(None, |hit, row| {
        let matches = ctx.tokens.verify("backup_code", &wanted, &row.code_hash);
        if matches { Some(row.id.clone()) } else { hit }
    });
    match hit {
        Some(id) => factors::spend_backup_code(&ctx.db, &id, ctx.now())
            .await
            .context("factors::spend_backup_code"),
        None => Ok(false),
    }
}

/// The second factors a sign-in asks this user for, the default first: an authenticator app,
/// then SMS, then backup codes; an email code beside them when enabled.
pub fn second_factors(ctx: &Ctx, user: &UserRecord) -> Vec<Factor> {
    let mut out = Vec::new();
    let plain = Factor::plain;
    if enabled(ctx, "totp") && user.totp {
        out.push(plain("totp"));
    }
    if enabled(ctx, "phone_code") {
        for p in user.second_factor_phones() {
            out.push(Factor {
                strategy: "phone_code".into(),
                safe_identifier: Some(crate::domain::mask_phone(&p.phone_number)),
                email_address_id: None,
                phone_number_id: Some(p.id.clone()),
                web3_wallet_id: None,
                primary: user.user.primary_phone_number_id.as_deref() == Some(&p.id),
                default: p.default_second_factor,
            });
        }
    }
    if enabled(ctx, "backup_code") && user.backup_codes > 0 {
        out.push(plain("backup_code"));
    }
    if !out.is_empty()
        && enabled(ctx, "email_code")
        && let Some(e) = user
            .emails
            .iter()
            .find(|e| e.verified && Some(&e.id) == user.user.primary_email_address_id.as_ref())
    {
        out.push(Factor {
            strategy: "email_code".into(),
            safe_identifier: Some(crate::domain::mask_email(&e.email_address)),
            email_address_id: Some(e.id.clone()),
            phone_number_id: None,
            web3_wallet_id: None,
            primary: true,
            default: false,
        });
    }
    if let Some(first) = out.first_mut() {
        first.default = true;
    }
    out
}

/// The second factors left once the first factor went through `first`'s channel: a code to the
/// inbox or number that just proved the first factor proves nothing more, so no sign-in
/// completes with one channel and destination for both factors.
pub fn distinct_from_first(second: Vec<Factor>, first: Option<&Verification>) -> Vec<Factor> {
    let Some(target) = first.and_then(|v| v.target_id.as_deref()) else {
        return second;
    };
    let mut out: Vec<Factor> = second
        .into_iter()
        .filter(|f| {
            f.email_address_id.as_deref() != Some(target)
                && f.phone_number_id.as_deref() != Some(target)
        })
        .collect();
    if !out.iter().any(|f| f.default)
        && let Some(first) = out.first_mut()
    {
        first.default = true;
    }
    out
}

/// Checks a TOTP or backup code at sign-in. A wrong code counts toward the lockout.
#[tracing::instrument(level = "debug", skip_all, fields(user_id = %user_id, strategy = %strategy), err(level = "debug"))]
pub async fn check_sign_in_code(
    ctx: &Ctx,
    user_id: &str,
    strategy: &str,
    code: &str,
) -> FlowResult<()> {
    super::lockout::check(ctx, user_id).await?;
    let ok = match strategy {
        "totp" => match factors::totp(&ctx.db, user_id)
            .await
            .context("factors::totp")?
        {
            Some(row) if row.verified => accept_totp(ctx, &row, code).await?,
            _ => false,
        },
        "backup_code" => accept_backup_code(ctx, user_id, code).await?,
        _ => false,
    };
    if ok {
        // The second-factor count is cleared by the completed sign-in, not here.
        if strategy == "backup_code" {
            let actor = Actor {
                user_id: user_id.to_owned(),
                ..Default::default()
            };
            audit::record(ctx, &ctx.db, &actor, "backup_code.used", json!({})).await?;
        }
        return Ok(());
    }
    super::lockout::second_factor_checked(ctx, user_id, Err(code_incorrect().into())).await
}

/// Checks an authenticator-app code, else a backup code (spent on success), for an app's
/// own screens through the Backend API: under the lockout, and a wrong code counts toward it.
/// Returns which kind matched (`totp` or `backup_code`).
#[tracing::instrument(level = "debug", skip_all, fields(user_id = %user_id), err(level = "debug"))]
pub async fn check_any_code(ctx: &Ctx, user_id: &str, code: &str) -> FlowResult<&'static str> {
    super::lockout::check(ctx, user_id).await?;
    if code.is_empty() || code.len() > 64 {
        return Err(code_incorrect().into());
    }
    if let Some(row) = factors::totp(&ctx.db, user_id)
        .await
        .context("factors::totp")?
        .filter(|r| r.verified)
        && accept_totp(ctx, &row, code).await?
    {
        super::lockout::succeeded(ctx, user_id, super::lockout::Counter::SecondFactor).await?;
        return Ok("totp");
    }
    if accept_backup_code(ctx, user_id, code).await? {
        super::lockout::succeeded(ctx, user_id, super::lockout::Counter::SecondFactor).await?;
        return Ok("backup_code");
    }
    super::lockout::second_factor_checked(ctx, user_id, Err(code_incorrect().into()))
        .await
        .map(|()| "totp")
}

/// Removes every second factor of a user in `db` (an operator's reset): the authenticator
/// app, backup codes, and phone numbers reserved for codes (they stay as identifications).
pub async fn remove_all_in(
    db: &impl sea_orm::ConnectionTrait,
    user_id: &str,
    now: i64,
) -> FlowResult<()> {
    factors::delete_totp(db, user_id)
        .await
        .context("factors::delete_totp")?;
    factors::delete_backup_codes(db, user_id)
        .await
        .context("factors::delete_backup_codes")?;
    factors::unreserve_phones(db, user_id, now)
        .await
        .context("factors::unreserve_phones")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn factor(strategy: &str, email: Option<&str>, phone: Option<&str>, default: bool) -> Factor {
        Factor {
            strategy: strategy.into(),
            safe_identifier: None,
            email_address_id: email.map(Into::into),
            phone_number_id: phone.map(Into::into),
            web3_wallet_id: None,
            primary: false,
            default,
        }
    }

    fn first(strategy: &str, target: Option<&str>) -> Verification {
        Verification {
            target_id: target.map(Into::into),
            ..Verification::verified(strategy, 0)
        }
    }

    #[test]
    fn an_email_code_to_the_first_factors_inbox_is_not_a_second_factor() {
        let second = vec![
            factor("totp", None, None, true),
            factor("email_code", Some("idn_a"), None, false),
        ];
        let left = distinct_from_first(second, Some(&first("email_code", Some("idn_a"))));
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].strategy, "totp");
    }

    #[test]
    fn the_first_factors_phone_is_not_a_second_factor_and_another_becomes_default() {
        let second = vec![
            factor("phone_code", None, Some("idn_p"), true),
            factor("phone_code", None, Some("idn_q"), false),
        ];
        let left = distinct_from_first(second, Some(&first("phone_code", Some("idn_p"))));
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].phone_number_id.as_deref(), Some("idn_q"));
        assert!(left[0].default);
    }

    #[test]
    fn a_password_first_factor_keeps_every_second_factor() {
        let second = vec![
            factor("totp", None, None, true),
            factor("email_code", Some("idn_a"), None, false),
        ];
        assert_eq!(
            distinct_from_first(second.clone(), Some(&first("password", None))),
            second
        );
        assert_eq!(distinct_from_first(second.clone(), None), second);
    }
}
