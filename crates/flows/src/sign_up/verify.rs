//! Verifying what a sign-up was given: a code to the email address or phone number, an email
//! link, or a wallet signature.

use super::*;

/// What `prepare_verification` accepts.
pub const PREPARE_PARAMS: &[&str] = &[
    "strategy",
    "redirect_url",
    "action_complete_redirect_url",
    "locale",
];

/// `POST …/prepare_verification`: sends a code to the sign-up's email address or phone.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn prepare_verification(
    ctx: &Ctx,
    cc: &mut ClientCtx,
    id: &str,
    params: &Params,
) -> FlowResult<SignUp> {
    params.only(PREPARE_PARAMS)?;
    let strategy = params.required("strategy")?;
    let mut su = get(ctx, cc, id).await?;
    ensure_open(&su)?;
    // The message goes in the language the request or the sign-up names, else the browser's.
    let asked = params.text("locale")?;
    let locale =
        verification::recipient_locale(asked.as_deref().or(su.locale.as_deref()), cc.locale);
    if strategy == "email_link" {
        return prepare_link(ctx, su, params, locale).await;
    }
    if crate::web3::is_strategy(&strategy) {
        let address = su
            .web3_wallet
            .clone()
            .ok_or_else(|| ApiError::missing("web3_wallet"))?;
        if su
            .web3_verification
            .as_ref()
            .is_some_and(|v| v.status == Status::Verified)
        {
            return Err(already_verified().into());
        }
        su.web3_verification = Some(crate::web3::challenge(ctx, &strategy, &address)?);
        su.updated_at = ctx.now();
        save(ctx, &su).await?;
        return Ok(su);
    }
    let (channel, destination, current) = match strategy.as_str() {
        "email_code" => (
            Channel::Email,
            su.email_address.clone(),
            &su.email_verification,
        ),
        "phone_code" => (
            Channel::Sms,
            su.phone_number.clone(),
            &su.phone_verification,
        ),
        other => return Err(strategy_not_enabled(other).into()),
    };
    let field = if channel == Channel::Email {
        "email_address"
    } else {
        "phone_number"
    };
    let Some(destination) = destination else {
        return Err(ApiError::new(
            ErrorCode::FormParamMissing,
            format!("{field} is missing"),
            format!("Add {field} to the sign-up before verifying it."),
        )
        .param(field)
        .into());
    };
    if current
        .as_ref()
        .is_some_and(|v| v.status == Status::Verified)
    {
        return Err(already_verified().into());
    }
    if su.taken.iter().any(|f| f == field) {
        // Someone else's address: tell its owner, and hand back a verification that looks
        // like any other and never succeeds.
        let v = verification::decoy(ctx, &su.id, &strategy, &destination, None).await?;
        if channel == Channel::Email
            && !verification::is_test_destination(ctx, channel, &destination)
            && let Err(e) = ctx
                .delivery
                .send_security_notice(
                    &destination,
                    locale,
                    "notice-sign-up-attempt",
                    &crate::audit::utc_minute(ctx.now()),
                )
                .await
        {
            tracing::warn!(error = %e, "sign-up notice not sent");
        }
        match channel {
            Channel::Email => su.email_verification = Some(v),
            Channel::Sms => su.phone_verification = Some(v),
        }
        su.updated_at = ctx.now();
        save(ctx, &su).await?;
        return Ok(su);
    }
    let v = verification::send_code(
        ctx,
        &su.id,
        &strategy,
        channel,
        &destination,
        None,
        Wording {
            purpose: Purpose::SignUp,
            locale,
        },
    )
    .await?;
    match channel {
        Channel::Email => su.email_verification = Some(v),
        Channel::Sms => su.phone_verification = Some(v),
    }
    su.updated_at = ctx.now();
    save(ctx, &su).await?;
    Ok(su)
}

/// Emails a verification link to the sign-up's address.
pub(super) async fn prepare_link(
    ctx: &Ctx,
    mut su: SignUp,
    params: &Params,
    locale: crate::i18n::Locale,
) -> FlowResult<SignUp> {
    if !ctx
        .settings()
        .auth
        .first_factors
        .iter()
        .any(|f| f == "email_link")
    {
        return Err(strategy_not_enabled("email_link").into());
    }
    let redirect_url = crate::oauth::redirect_param(ctx, params, "redirect_url")?
        .ok_or_else(|| ApiError::missing("redirect_url"))?;
    let Some(email) = su.email_address.clone() else {
        return Err(ApiError::new(
            ErrorCode::FormParamMissing,
            "email_address is missing",
            "Add email_address to the sign-up before verifying it.",
        )
        .param("email_address")
        .into());
    };
    if su
        .email_verification
        .as_ref()
        .is_some_and(|v| v.status == Status::Verified)
    {
        return Err(already_verified().into());
    }
    let v = if su.taken.iter().any(|f| f == "email_address") {
        verification::decoy(ctx, &su.id, "email_link", &email, None).await?
    } else {
        crate::email_link::send(
            ctx,
            crate::email_link::LinkOwner::SignUp(su.id.clone()),
            &su.client_id,
            &email,
            None,
            redirect_url,
            Wording {
                purpose: Purpose::SignUp,
                locale,
            },
        )
        .await?
    };
    su.email_verification = Some(v);
    su.updated_at = ctx.now();
    save(ctx, &su).await?;
    Ok(su)
}

/// The email link of sign-up `id` was opened: the address is verified; in the browser that
/// asked for it (`here`) the sign-up completes at once when nothing else is missing.
#[tracing::instrument(level = "debug", skip_all, fields(client_id = %client_id, id = %id), err(level = "debug"))]
pub(crate) async fn link_opened(
    ctx: &Ctx,
    cc: &mut ClientCtx,
    client_id: &str,
    id: &str,
    here: bool,
) -> FlowResult<bool> {
    let mut su = load(ctx, id)
        .await?
        .filter(|s| s.client_id == client_id && s.status == SignUpStatus::MissingRequirements)
        .ok_or_else(|| ApiError::state("This sign-up is no longer waiting for the link."))?;
    let Some(v) = su
        .email_verification
        .as_mut()
        .filter(|v| v.strategy == "email_link" && v.status == Status::Unverified)
    else {
        return Err(ApiError::state("This sign-up is no longer waiting for the link.").into());
    };
    v.status = Status::Verified;
    su.updated_at = ctx.now();
    save(ctx, &su).await?;
    if here {
        complete_if_ready(ctx, cc, &mut su).await?;
        return Ok(true);
    }
    Ok(false)
}

/// What `attempt_verification` accepts.
pub const ATTEMPT_PARAMS: &[&str] = &["strategy", "code", "signature", "locale"];

/// `POST …/attempt_verification`: checks the code; completes the sign-up when that was the
/// last thing it lacked.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn attempt_verification(
    ctx: &Ctx,
    cc: &mut ClientCtx,
    id: &str,
    params: &Params,
) -> FlowResult<SignUp> {
    params.only(ATTEMPT_PARAMS)?;
    let strategy = params.required("strategy")?;
    if crate::web3::is_strategy(&strategy) {
        let signature = params.required("signature")?;
        let mut su = get(ctx, cc, id).await?;
        ensure_open(&su)?;
        let address = su.web3_wallet.clone().unwrap_or_default();
        let Some(v) = su
            .web3_verification
            .as_mut()
            .filter(|v| v.strategy == strategy)
        else {
            return Err(verification::not_sent().into());
        };
        let checked = crate::web3::check(ctx, v, &address, &signature).await;
        su.updated_at = ctx.now();
        save(ctx, &su).await?;
        checked?;
        complete_if_ready(ctx, cc, &mut su).await?;
        return Ok(su);
    }
    let code = params.required("code")?;
    let mut su = get(ctx, cc, id).await?;
    ensure_open(&su)?;
    let slot = match strategy.as_str() {
        "email_code" => &mut su.email_verification,
        "phone_code" => &mut su.phone_verification,
        other => return Err(strategy_not_enabled(other).into()),
    };
    let Some(v) = slot.as_mut().filter(|v| v.strategy == strategy) else {
        return Err(verification::not_sent().into());
    };
    let checked = verification::check_code(ctx, v, &code).await;
    su.updated_at = ctx.now();
    save(ctx, &su).await?;
    checked?;
    complete_if_ready(ctx, cc, &mut su).await?;
    Ok(su)
}
