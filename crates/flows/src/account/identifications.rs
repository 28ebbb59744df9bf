//! The account's email addresses and phone numbers: added, verified by a code or link,
//! reserved for the second factor, and removed.

use super::*;

/// An email address or phone number of the user's, with its pending verification if any.
pub struct Identification {
    pub kind: IdentifierKind,
    pub id: String,
    pub value: String,
    pub verified: bool,
    pub strategy: Option<String>,
    pub reserved_for_second_factor: bool,
    pub default_second_factor: bool,
    pub verification: Option<Verification>,
    pub created_at: i64,
    pub updated_at: i64,
}

pub(super) fn param_of(kind: IdentifierKind) -> &'static str {
    match kind {
        IdentifierKind::Email => "email_address",
        _ => "phone_number",
    }
}

pub(super) fn code_strategy(kind: IdentifierKind) -> &'static str {
    match kind {
        IdentifierKind::Email => "email_code",
        _ => "phone_code",
    }
}

/// One of the user's identifications; another user's is not found.
pub(super) async fn identification(
    ctx: &Ctx,
    user: &UserRecord,
    kind: IdentifierKind,
    id: &str,
) -> FlowResult<Identification> {
    let pending: Option<Verification> =
        load_state(ctx, &keys::identification_verification(id)).await?;
    let found = match kind {
        IdentifierKind::Email => user
            .emails
            .iter()
            .find(|e| e.id == id)
            .map(|e| Identification {
                kind,
                id: e.id.clone(),
                value: e.email_address.clone(),
                verified: e.verified,
                strategy: e.verification_strategy.clone(),
                reserved_for_second_factor: false,
                default_second_factor: false,
                verification: pending,
                created_at: e.created_at,
                updated_at: e.updated_at,
            }),
        _ => user
            .phones
            .iter()
            .find(|p| p.id == id)
            .map(|p| Identification {
                kind,
                id: p.id.clone(),
                value: p.phone_number.clone(),
                verified: p.verified,
                strategy: p.verification_strategy.clone(),
                reserved_for_second_factor: p.reserved_for_second_factor,
                default_second_factor: p.default_second_factor,
                verification: pending,
                created_at: p.created_at,
                updated_at: p.updated_at,
            }),
    };
    found.ok_or_else(|| ApiError::not_found(param_of(kind)).into())
}

/// What `POST /v1/me/email_addresses` accepts.
pub const ADD_EMAIL_PARAMS: &[&str] = &["email_address"];

/// What `POST /v1/me/phone_numbers` accepts.
pub const ADD_PHONE_PARAMS: &[&str] = &["phone_number"];

/// `POST /v1/me/email_addresses` / `phone_numbers`: adds an unverified one.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn add_identification(
    ctx: &Ctx,
    me: &Me,
    kind: IdentifierKind,
    params: &Params,
) -> FlowResult<Identification> {
    let param = param_of(kind);
    params.only(match kind {
        IdentifierKind::Email => ADD_EMAIL_PARAMS,
        _ => ADD_PHONE_PARAMS,
    })?;
    crate::reverification::require(ctx, me)?;
    let raw = params.required(param)?;
    let auth = &ctx.settings().auth;
    let (value, enabled, count) = match kind {
        IdentifierKind::Email => (
            EmailAddress::parse(&raw)
                .map_err(|e| ApiError::from_parse(param, &e))?
                .as_ref()
                .to_owned(),
            auth.email_address.enabled(),
            me.user().emails.len(),
        ),
        _ => (
            PhoneNumber::parse(&raw)
                .map_err(|e| ApiError::from_parse(param, &e))?
                .as_ref()
                .to_owned(),
            auth.phone_number.enabled() || mfa::enabled(ctx, "phone_code"),
            me.user().phones.len(),
        ),
    };
    if !enabled {
        return Err(ApiError::invalid_value(
            param,
            format!("{} are not used on this instance.", param.replace('_', " ")),
        )
        .into());
    }
    if count >= MAX_IDENTIFICATIONS {
        return Err(ApiError::invalid_value(
            param,
            format!("An account can hold at most {MAX_IDENTIFICATIONS} of these."),
        )
        .into());
    }
    crate::sign_up::ensure_free(ctx, kind, &value, param).await?;
    let id = new_id(match kind {
        IdentifierKind::Email => "idn_email",
        _ => "idn_phone",
    });
    let now = ctx.now();
    let user_id = me.user().user.id.clone();
    let txn = crate::store::begin(&ctx.db).await?;
    let inserted = match kind {
        IdentifierKind::Email => users::add_email(&txn, &user_id, &id, &value, now).await,
        _ => users::add_phone(&txn, &user_id, &id, &value, now).await,
    };
    match inserted {
        Ok(()) => {}
        Err(e) if is_unique_violation(&e) => {
            txn.rollback().await?;
            return Err(crate::sign_up::identifier_exists(param).into());
        }
        Err(e) => {
            txn.rollback().await?;
            return Err(e.into());
        }
    }
    audit::record(
        ctx,
        &txn,
        &me.actor,
        &format!("{param}.added"),
        json!({ "id": id }),
    )
    .await?;
    txn.commit().await?;
    let user = reload(ctx, me).await?;
    identification(ctx, &user, kind, &id).await
}

/// What preparing an address's verification accepts.
pub const PREPARE_PARAMS: &[&str] = &["strategy", "redirect_url", "locale"];

/// `POST …/{id}/prepare_verification`: sends a code to the address or number.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn prepare_identification(
    ctx: &Ctx,
    me: &Me,
    kind: IdentifierKind,
    id: &str,
    params: &Params,
) -> FlowResult<Identification> {
    params.only(PREPARE_PARAMS)?;
    let strategy = params.required("strategy")?;
    if strategy != code_strategy(kind) {
        return Err(ApiError::new(
            ErrorCode::VerificationStrategyInvalid,
            "is invalid",
            format!("Use {} to verify this.", code_strategy(kind)),
        )
        .param("strategy")
        .into());
    }
    let mut ident = identification(ctx, me.user(), kind, id).await?;
    if ident.verified {
        return Err(ApiError::new(
            ErrorCode::VerificationAlreadyVerified,
            "already verified",
            "This is already verified.",
        )
        .into());
    }
    let channel = match kind {
        IdentifierKind::Email => Channel::Email,
        _ => Channel::Sms,
    };
    let v = verification::send_code(
        ctx,
        id,
        &strategy,
        channel,
        &ident.value,
        Some(id.to_owned()),
        Wording {
            purpose: Purpose::AddToAccount,
            locale: me.locale(),
        },
    )
    .await?;
    let until = v.expire_at.unwrap_or_else(|| ctx.now()) + 60_000;
    save_state(ctx, &keys::identification_verification(id), &v, until).await?;
    ident.verification = Some(v);
    Ok(ident)
}

/// What attempting an address's verification accepts.
pub const ATTEMPT_PARAMS: &[&str] = &["code", "locale"];

/// `POST …/{id}/attempt_verification`: the code makes the address or number verified (and
/// primary when the user had none).
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn attempt_identification(
    ctx: &Ctx,
    me: &Me,
    kind: IdentifierKind,
    id: &str,
    params: &Params,
) -> FlowResult<Identification> {
    params.only(ATTEMPT_PARAMS)?;
    let code = params.required("code")?;
    let ident = identification(ctx, me.user(), kind, id).await?;
    if ident.verified {
        return Err(ApiError::new(
            ErrorCode::VerificationAlreadyVerified,
            "already verified",
            "This is already verified.",
        )
        .into());
    }
    let Some(mut v) = ident.verification else {
        return Err(verification::not_sent().into());
    };
    let checked = verification::check_code(ctx, &mut v, &code).await;
    let until = v.expire_at.unwrap_or_else(|| ctx.now()) + 60_000;
    save_state(ctx, &keys::identification_verification(id), &v, until).await?;
    checked?;
    let user_id = me.user().user.id.clone();
    let txn = crate::store::begin(&ctx.db).await?;
    users::mark_verified(&txn, &user_id, kind, id, code_strategy(kind), ctx.now()).await?;
    audit::record(
        ctx,
        &txn,
        &me.actor,
        &format!("{}.verified", param_of(kind)),
        json!({ "id": id }),
    )
    .await?;
    crate::webhooks::enqueue_user(ctx, &txn, "user.updated", &user_id).await?;
    txn.commit().await?;
    ctx.eph
        .delete(&keys::identification_verification(id))
        .await?;
    let user = reload(ctx, me).await?;
    identification(ctx, &user, kind, id).await
}

/// What `PATCH /v1/me/phone_numbers/{id}` accepts.
pub const PHONE_UPDATE_PARAMS: &[&str] = &["reserved_for_second_factor", "default_second_factor"];

/// `PATCH /v1/me/phone_numbers/{id}`: keep (or stop keeping) a verified number for SMS
/// second factors.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn update_phone(
    ctx: &Ctx,
    me: &Me,
    id: &str,
    params: &Params,
) -> FlowResult<Identification> {
    params.only(PHONE_UPDATE_PARAMS)?;
    crate::reverification::require(ctx, me)?;
    let ident = identification(ctx, me.user(), IdentifierKind::Phone, id).await?;
    let reserve = params.bool("reserved_for_second_factor")?;
    let make_default = params.bool("default_second_factor")?;
    let Some(reserve) = reserve.or(make_default.filter(|d| *d)) else {
        return Ok(ident);
    };
    if reserve && !mfa::enabled(ctx, "phone_code") {
        return Err(ApiError::invalid_value(
            "reserved_for_second_factor",
            "SMS second factors are not enabled on this instance.",
        )
        .into());
    }
    if reserve && !ident.verified {
        return Err(ApiError::invalid_value(
            "reserved_for_second_factor",
            "Verify this phone number before using it as a second factor.",
        )
        .into());
    }
    // A number kept for the second factor no longer identifies the account: another way to
    // name it must remain.
    let user = me.user();
    let other_identifier = user.emails.iter().any(|e| e.verified)
        || user.user.username.is_some()
        || user.wallets.iter().any(|w| w.verified)
        || !user.external.is_empty()
        || user.first_factor_phones().iter().any(|p| p.id != id);
    if reserve && !ident.reserved_for_second_factor && !other_identifier {
        return Err(ApiError::invalid_value(
            "reserved_for_second_factor",
            "This number is how you sign in. Add and verify an email address first, then use \
             the number for two-step verification.",
        )
        .into());
    }
    if reserve != ident.reserved_for_second_factor || make_default == Some(true) {
        let user_id = me.user().user.id.clone();
        let txn = crate::store::begin(&ctx.db).await?;
        factors::reserve_phone(&txn, &user_id, id, reserve, ctx.now()).await?;
        audit::record(
            ctx,
            &txn,
            &me.actor,
            if reserve {
                "phone_code.enabled"
            } else {
                "phone_code.disabled"
            },
            json!({ "phone_number_id": id }),
        )
        .await?;
        txn.commit().await?;
        if reserve != ident.reserved_for_second_factor {
            let what = if reserve {
                "notice-phone-2fa-on"
            } else {
                "notice-phone-2fa-off"
            };
            audit::notify(ctx, me.user(), what).await;
        }
    }
    session::activate_if_ready(ctx, &me.session).await?;
    let user = reload(ctx, me).await?;
    identification(ctx, &user, IdentifierKind::Phone, id).await
}

/// `DELETE /v1/me/email_addresses/{id}` (or phone number). The primary one of a kind that
/// sign-up requires stays until another is made primary.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn remove_identification(
    ctx: &Ctx,
    me: &Me,
    kind: IdentifierKind,
    id: &str,
) -> FlowResult<()> {
    crate::reverification::require(ctx, me)?;
    let user = me.user();
    let ident = identification(ctx, user, kind, id).await?;
    let (primary, required) = match kind {
        IdentifierKind::Email => (
            user.user.primary_email_address_id.as_deref() == Some(id),
            ctx.settings().auth.email_address == crate::config::FieldMode::Required,
        ),
        _ => (
            user.user.primary_phone_number_id.as_deref() == Some(id),
            ctx.settings().auth.phone_number == crate::config::FieldMode::Required,
        ),
    };
    if primary && required {
        return Err(ApiError::new(
            ErrorCode::FormParamValueInvalid,
            "is primary",
            "This is your primary one. Make another primary before removing it.",
        )
        .into());
    }
    let txn = crate::store::begin(&ctx.db).await?;
    users::remove_identification(&txn, &user.user.id, kind, id).await?;
    if primary {
        let next = match kind {
            IdentifierKind::Email => user
                .emails
                .iter()
                .find(|e| e.id != id && e.verified)
                .map(|e| e.id.clone()),
            _ => user
                .phones
                .iter()
                .find(|p| p.id != id && p.verified)
                .map(|p| p.id.clone()),
        };
        users::set_primary(&txn, &user.user.id, kind, next.as_deref(), ctx.now()).await?;
    }
    audit::record(
        ctx,
        &txn,
        &me.actor,
        &format!("{}.removed", param_of(kind)),
        json!({ "id": id, "was_second_factor": ident.reserved_for_second_factor }),
    )
    .await?;
    crate::webhooks::enqueue_user(ctx, &txn, "user.updated", &user.user.id).await?;
    txn.commit().await?;
    ctx.eph
        .delete(&keys::identification_verification(id))
        .await?;
    if ident.reserved_for_second_factor {
        audit::notify(
            ctx,
            user,
            "A phone number used for two-step verification was removed",
        )
        .await;
    }
    Ok(())
}

/// `GET …/{id}` of an email address or phone number.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn get_identification(
    ctx: &Ctx,
    me: &Me,
    kind: IdentifierKind,
    id: &str,
) -> FlowResult<Identification> {
    identification(ctx, me.user(), kind, id).await
}
