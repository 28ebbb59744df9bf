//! The first factor: preparing a code or link to one of the account's identifiers, and
//! attempting a password, a code, a passkey or a wallet signature.

use super::*;

/// What `prepare_first_factor` accepts.
pub const PREPARE_FIRST_PARAMS: &[&str] = &[
    "strategy",
    "email_address_id",
    "phone_number_id",
    "web3_wallet_id",
    "passkey_id",
    "redirect_url",
    "action_complete_redirect_url",
    "locale",
    "proof_token",
    "oidc_login_hint",
    "oidc_prompt",
];

/// `POST …/prepare_first_factor`.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn prepare_first_factor(
    ctx: &Ctx,
    cc: &mut ClientCtx,
    id: &str,
    params: &Params,
) -> FlowResult<SignIn> {
    params.only(PREPARE_FIRST_PARAMS)?;
    let strategy = params
        .strategy()?
        .ok_or_else(|| ApiError::missing("strategy"))?;
    let mut si = get(ctx, cc, id).await?;
    check_strategy(ctx, &strategy)?;
    // Enterprise SSO identifies the user itself: a sign-in for an address no account has yet
    // may go to the connection of its domain (clerk-js prepares it right after creating it).
    let enterprise_ready = strategy == "enterprise_sso"
        && si.status == SignInStatus::NeedsIdentifier
        && si
            .identifier
            .as_deref()
            .is_some_and(|i| ctx.federation.for_email(i).is_some());
    if !enterprise_ready {
        require_status(&si, SignInStatus::NeedsFirstFactor)?;
    }
    match strategy.as_str() {
        s @ ("email_code" | "reset_password_email_code") => {
            let target = params.text("email_address_id")?;
            prepare_code(ctx, &mut si, s, target, cc.locale).await?;
        }
        s @ ("phone_code" | "reset_password_phone_code") => {
            let target = params.text("phone_number_id")?;
            prepare_code(ctx, &mut si, s, target, cc.locale).await?;
        }
        "passkey" => {
            si.first_factor_verification = Some(crate::passkeys::start_sign_in(ctx, &si.id).await?);
            save(ctx, &mut si).await?;
        }
        s if crate::web3::is_strategy(s) => {
            let target = params.text("web3_wallet_id")?;
            let factor = si
                .supported_first_factors
                .iter()
                .find(|f| f.strategy == s && (target.is_none() || f.web3_wallet_id == target))
                .cloned()
                .ok_or_else(|| {
                    ApiError::new(
                        ErrorCode::StrategyForUserInvalid,
                        "is invalid",
                        format!("The strategy {s:?} is not available for this account."),
                    )
                    .param("strategy")
                })?;
            let address = factor.safe_identifier.clone().unwrap_or_default();
            let mut v = crate::web3::challenge(ctx, s, &address)?;
            v.target_id = factor.web3_wallet_id.clone();
            si.first_factor_verification = Some(v);
            save(ctx, &mut si).await?;
        }
        "email_link" => {
            let target = params.text("email_address_id")?;
            let redirect_url = crate::oauth::redirect_param(ctx, params, "redirect_url")?
                .ok_or_else(|| ApiError::missing("redirect_url"))?;
            prepare_link(ctx, &mut si, target, redirect_url, cc.locale).await?;
        }
        s if s.starts_with("oauth_") || s == "enterprise_sso" => {
            let back = crate::oauth::Back::read(ctx, params, cc.named_in_url)?.required()?;
            start_external(ctx, &mut si, s, back).await?;
        }
        // Password needs no preparation (and any other enabled strategy is one of these).
        other => {
            return Err(ApiError::new(
                ErrorCode::VerificationStrategyInvalid,
                "is invalid",
                format!("The strategy {other:?} has no prepare step."),
            )
            .param("strategy")
            .into());
        }
    }
    Ok(si)
}

/// Sends a code to the chosen (or default) email address / phone number factor.
pub(super) async fn prepare_code(
    ctx: &Ctx,
    si: &mut SignIn,
    strategy: &str,
    target: Option<String>,
    asked: Option<crate::i18n::Locale>,
) -> FlowResult<()> {
    let factor = si
        .supported_first_factors
        .iter()
        .filter(|f| f.strategy == strategy)
        .find(|f| match &target {
            Some(t) => {
                f.email_address_id.as_ref() == Some(t) || f.phone_number_id.as_ref() == Some(t)
            }
            None => true,
        })
        .cloned()
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::StrategyForUserInvalid,
                "is invalid",
                format!("The strategy {strategy:?} is not available for this account."),
            )
            .param("strategy")
        })?;
    if si.phantom {
        // Nobody to send to: a verification that looks sent and can never be verified,
        // under the same cooldown and limits as a real one.
        let destination = si.identifier.clone().unwrap_or_default();
        let target = factor
            .email_address_id
            .clone()
            .or(factor.phone_number_id.clone());
        let v = verification::decoy(ctx, &si.id, strategy, &destination, target).await?;
        si.first_factor_verification = Some(v);
        return save(ctx, si).await;
    }
    let user_id = si.user_id.clone().unwrap_or_default();
    let user = users::get_user(&ctx.db, &user_id)
        .await?
        .ok_or_else(|| ApiError::state("The account of this sign-in no longer exists."))?;
    let (channel, destination, target_id) = if strategy.ends_with("email_code") {
        let id = factor.email_address_id.clone().unwrap_or_default();
        let e = user.emails.iter().find(|e| e.id == id && e.verified);
        (Channel::Email, e.map(|e| e.email_address.clone()), id)
    } else {
        let id = factor.phone_number_id.clone().unwrap_or_default();
        let p = user.first_factor_phones().into_iter().find(|p| p.id == id);
        (Channel::Sms, p.map(|p| p.phone_number.clone()), id)
    };
    let destination = destination
        .ok_or_else(|| ApiError::state("That identification no longer belongs to the account."))?;
    let v = verification::send_code(
        ctx,
        &si.id,
        strategy,
        channel,
        &destination,
        Some(target_id),
        Wording {
            purpose: if next::is_reset_strategy(strategy) {
                Purpose::ResetPassword
            } else {
                Purpose::SignIn
            },
            locale: verification::recipient_locale(user.user.locale.as_deref(), asked),
        },
    )
    .await?;
    si.first_factor_verification = Some(v);
    save(ctx, si).await
}

/// What `attempt_first_factor` accepts.
pub const ATTEMPT_FIRST_PARAMS: &[&str] = &[
    "strategy",
    "code",
    "password",
    "signature",
    "public_key_credential",
    "locale",
    // In the Frontend API description for `google_one_tap` and an old ticket flow; not used.
    "token",
    "ticket",
];

/// `POST …/attempt_first_factor`.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn attempt_first_factor(
    ctx: &Ctx,
    cc: &mut ClientCtx,
    id: &str,
    params: &Params,
) -> FlowResult<SignIn> {
    params.only(ATTEMPT_FIRST_PARAMS)?;
    let strategy = params.required("strategy")?;
    let mut si = get(ctx, cc, id).await?;
    check_strategy(ctx, &strategy)?;
    require_status(&si, SignInStatus::NeedsFirstFactor)?;
    crate::limits::sign_in(ctx, cc.ip.as_deref(), si.identifier.as_deref()).await?;
    match strategy.as_str() {
        "password" => {
            let pw = params
                .raw("password")?
                .ok_or_else(|| ApiError::missing("password"))?;
            attempt_password(ctx, cc, &mut si, pw).await?;
        }
        "email_code" | "phone_code" | "reset_password_email_code" | "reset_password_phone_code" => {
            let code = params.required("code")?;
            let v = verification::awaiting(&mut si.first_factor_verification, &strategy)?;
            let checked = verification::check_code(ctx, v, &code).await;
            // A reset code proves the user but first asks for a new password.
            let reset = next::is_reset_strategy(&strategy);
            si.status = next::status(&si);
            save(ctx, &mut si).await?;
            checked?;
            if !reset {
                first_factor_done(ctx, cc, &mut si).await?;
            }
        }
        "passkey" => {
            let raw = params
                .raw("public_key_credential")?
                .ok_or_else(|| ApiError::missing("public_key_credential"))?;
            let checked = crate::passkeys::finish_sign_in(ctx, &si.id, &raw).await;
            let user = match checked {
                Ok(user_id) if si.user_id.as_ref().is_none_or(|u| *u == user_id) => {
                    users::get_user(&ctx.db, &user_id).await?
                }
                Ok(_) => None,
                Err(e) => {
                    failed_attempt(ctx, cc, &si, "passkey");
                    return Err(e);
                }
            };
            let Some(user) = user else {
                failed_attempt(ctx, cc, &si, "passkey");
                return Err(ApiError::new(
                    ErrorCode::VerificationFailed,
                    "Passkey not accepted",
                    "This passkey belongs to another account.",
                )
                .into());
            };
            let identifier = si.identifier.clone().unwrap_or_else(|| {
                user.emails
                    .first()
                    .map(|e| e.email_address.clone())
                    .or(user.user.username.clone())
                    .unwrap_or_else(|| user.user.id.clone())
            });
            set_identified(ctx, &mut si, &identifier, &user);
            si.first_factor_verification = Some(Verification::verified("passkey", ctx.now()));
            first_factor_done(ctx, cc, &mut si).await?;
        }
        s if crate::web3::is_strategy(s) => {
            let signature = params
                .raw("signature")?
                .ok_or_else(|| ApiError::missing("signature"))?;
            let address = si
                .first_factor_verification
                .as_ref()
                .filter(|v| v.strategy == s)
                .and_then(|v| {
                    si.supported_first_factors
                        .iter()
                        .find(|f| f.web3_wallet_id == v.target_id && f.strategy == s)
                })
                .and_then(|f| f.safe_identifier.clone());
            let (Some(address), Some(v)) = (
                address,
                si.first_factor_verification
                    .as_mut()
                    .filter(|v| v.strategy == s),
            ) else {
                return Err(verification::not_sent().into());
            };
            let checked = crate::web3::check(ctx, v, &address, &signature).await;
            save(ctx, &mut si).await?;
            checked?;
            first_factor_done(ctx, cc, &mut si).await?;
        }
        other => {
            return Err(ApiError::new(
                ErrorCode::VerificationStrategyInvalid,
                "is invalid",
                format!("The strategy {other:?} cannot be attempted here."),
            )
            .param("strategy")
            .into());
        }
    }
    Ok(si)
}

pub(super) async fn attempt_password(
    ctx: &Ctx,
    cc: &mut ClientCtx,
    si: &mut SignIn,
    password: String,
) -> FlowResult<()> {
    require_status(si, SignInStatus::NeedsFirstFactor)?;
    if !si
        .supported_first_factors
        .iter()
        .any(|f| f.strategy == "password")
    {
        return Err(ApiError::new(
            ErrorCode::StrategyForUserInvalid,
            "is invalid",
            "This account has no password. Use another method to sign in.",
        )
        .param("strategy")
        .into());
    }
    let user_id = si.user_id.clone().unwrap_or_default();
    let lock = lockout_key(ctx, si);
    crate::lockout::check(ctx, &lock).await?;
    // The whole record: the hash now, the second factors right after.
    let user = users::get_user(&ctx.db, &user_id).await?;
    let stored = user.as_ref().and_then(|u| u.user.password_hash.clone());
    let rehash = stored
        .as_deref()
        .is_some_and(|h| ctx.passwords.needs_rehash(h));
    let ok = ctx
        .passwords
        .verify(SecretString::from(password.clone()), stored)
        .await?;
    if !ok {
        let mut v = si
            .first_factor_verification
            .take()
            .filter(|v| v.strategy == "password")
            .unwrap_or_else(|| Verification {
                status: Status::Unverified,
                ..Verification::verified("password", ctx.now())
            });
        v.status = Status::Unverified;
        v.attempts = if v.attempts == 0 { 1 } else { v.attempts + 1 };
        let err = ApiError::new(
            ErrorCode::FormPasswordIncorrect,
            "Password is incorrect. Try again, or use another method.",
            "Password is incorrect. Try again, or use another method.",
        )
        .param("password");
        v.error = Some(err.clone());
        si.first_factor_verification = Some(v);
        save(ctx, si).await?;
        failed_attempt(ctx, cc, si, "password");
        if let Some(locked) =
            crate::lockout::failed(ctx, &lock, crate::lockout::Counter::Password).await?
        {
            return Err(locked.into());
        }
        return Err(err.into());
    }
    if rehash {
        // An imported (or older) hash: now that the password is known, store it as argon2id.
        let fresh = ctx.passwords.hash(SecretString::from(password)).await?;
        users::set_password(&ctx.db, &user_id, &fresh, ctx.now()).await?;
        tracing::info!(%user_id, "password rehashed to argon2id");
    } else {
        // Still as stored: the response's client can show it without reading it again.
        cc.known_user = user.clone();
    }
    si.first_factor_verification = Some(Verification::verified("password", ctx.now()));
    si.password_proven_now = true;
    let done = first_factor_done_for(ctx, cc, si, user.as_ref()).await;
    if si.created_session_id.is_none() {
        // No session yet (a second factor is next, or the sign-in stopped): the right
        // password clears the password failures here, as a completed sign-in would have.
        crate::lockout::succeeded(ctx, &lock, crate::lockout::Counter::Password).await?;
    }
    done
}
