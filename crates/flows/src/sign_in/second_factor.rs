//! The second factor: the step after the first when the account has one (a TOTP app, backup
//! codes, or a code to a phone or address other than the first factor's).

use super::*;

pub(super) fn require_second_factor_step(si: &SignIn) -> Result<(), ApiError> {
    if si.supported_second_factors.is_empty() && si.status != SignInStatus::NeedsSecondFactor {
        return Err(ApiError::new(
            ErrorCode::NoSecondFactors,
            "No second factors",
            "This account has no second factor to verify.",
        ));
    }
    require_status(si, SignInStatus::NeedsSecondFactor)
}

pub(super) fn second_factor_unavailable(strategy: &str) -> ApiError {
    ApiError::new(
        ErrorCode::StrategyForUserInvalid,
        "is invalid",
        format!("The second factor {strategy:?} is not available for this account."),
    )
    .param("strategy")
}

/// What `prepare_second_factor` accepts.
pub const PREPARE_SECOND_PARAMS: &[&str] =
    &["strategy", "phone_number_id", "email_address_id", "locale"];

/// `POST …/prepare_second_factor`: sends the SMS or email code of a code-based second factor.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn prepare_second_factor(
    ctx: &Ctx,
    cc: &mut ClientCtx,
    id: &str,
    params: &Params,
) -> FlowResult<SignIn> {
    params.only(PREPARE_SECOND_PARAMS)?;
    let strategy = params.required("strategy")?;
    let mut si = get(ctx, cc, id).await?;
    require_second_factor_step(&si)?;
    let target = match strategy.as_str() {
        "phone_code" => params.text("phone_number_id")?,
        "email_code" => params.text("email_address_id")?,
        "totp" | "backup_code" => {
            return Err(ApiError::new(
                ErrorCode::VerificationStrategyInvalid,
                "is invalid",
                format!("The strategy {strategy:?} has no prepare step: attempt it directly."),
            )
            .param("strategy")
            .into());
        }
        other => return Err(second_factor_unavailable(other).into()),
    };
    let factor = si
        .supported_second_factors
        .iter()
        .filter(|f| f.strategy == strategy)
        .find(|f| target.is_none() || f.phone_number_id == target || f.email_address_id == target)
        .cloned()
        .ok_or_else(|| second_factor_unavailable(&strategy))?;
    let user_id = si.user_id.clone().unwrap_or_default();
    let user = users::get_user(&ctx.db, &user_id)
        .await?
        .ok_or_else(|| ApiError::state("The account of this sign-in no longer exists."))?;
    let (channel, destination, target_id) = if strategy == "phone_code" {
        let pid = factor.phone_number_id.clone().unwrap_or_default();
        let p = user
            .second_factor_phones()
            .into_iter()
            .find(|p| p.id == pid);
        (Channel::Sms, p.map(|p| p.phone_number.clone()), pid)
    } else {
        let eid = factor.email_address_id.clone().unwrap_or_default();
        let e = user.emails.iter().find(|e| e.id == eid && e.verified);
        (Channel::Email, e.map(|e| e.email_address.clone()), eid)
    };
    let destination = destination.ok_or_else(|| second_factor_unavailable(&strategy))?;
    // The cooldown is scoped apart from the first factor's, which may have used the same
    // address moments ago.
    let owner = format!("{}:2fa", si.id);
    let v = verification::send_code(
        ctx,
        &owner,
        &strategy,
        channel,
        &destination,
        Some(target_id),
        Wording {
            purpose: Purpose::SignIn,
            locale: verification::recipient_locale(user.user.locale.as_deref(), cc.locale),
        },
    )
    .await?;
    si.second_factor_verification = Some(v);
    save(ctx, &mut si).await?;
    Ok(si)
}

/// What `attempt_second_factor` accepts.
pub const ATTEMPT_SECOND_PARAMS: &[&str] = &["strategy", "code", "locale"];

/// `POST …/attempt_second_factor`: a TOTP, backup code, or the SMS / email code prepared.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn attempt_second_factor(
    ctx: &Ctx,
    cc: &mut ClientCtx,
    id: &str,
    params: &Params,
) -> FlowResult<SignIn> {
    params.only(ATTEMPT_SECOND_PARAMS)?;
    let strategy = params.required("strategy")?;
    let code = params.required("code")?;
    let mut si = get(ctx, cc, id).await?;
    require_second_factor_step(&si)?;
    crate::limits::sign_in(ctx, cc.ip.as_deref(), si.identifier.as_deref()).await?;
    if !si
        .supported_second_factors
        .iter()
        .any(|f| f.strategy == strategy)
    {
        return Err(second_factor_unavailable(&strategy).into());
    }
    let user_id = si.user_id.clone().unwrap_or_default();
    match strategy.as_str() {
        "totp" | "backup_code" => {
            let checked = crate::mfa::check_sign_in_code(ctx, &user_id, &strategy, &code).await;
            let mut v = si
                .second_factor_verification
                .take()
                .filter(|v| v.strategy == strategy)
                .unwrap_or_else(|| Verification {
                    status: Status::Unverified,
                    attempts: 0,
                    ..Verification::verified(&strategy, ctx.now())
                });
            v.attempts += 1;
            match &checked {
                Ok(()) => {
                    v.status = Status::Verified;
                    v.error = None;
                }
                Err(crate::FlowError::Api(e)) => {
                    v.status = Status::Unverified;
                    v.error = Some(e.clone());
                }
                Err(_) => {}
            }
            si.second_factor_verification = Some(v);
            save(ctx, &mut si).await?;
            if checked.is_err() {
                failed_attempt(ctx, cc, &si, &strategy);
            }
            checked?;
        }
        "phone_code" | "email_code" => {
            let v = verification::awaiting(&mut si.second_factor_verification, &strategy)?;
            crate::lockout::check(ctx, &user_id).await?;
            let checked = verification::check_code(ctx, v, &code).await;
            save(ctx, &mut si).await?;
            if checked.is_err() {
                failed_attempt(ctx, cc, &si, &strategy);
            }
            crate::lockout::second_factor_checked(ctx, &user_id, checked).await?;
        }
        other => return Err(second_factor_unavailable(other).into()),
    }
    advance(ctx, cc, &mut si).await?;
    Ok(si)
}
