//! The fields a sign-up collects: checked, normalised, and held against the accounts that
//! already exist (without telling a stranger which identifiers are taken).

use super::*;

/// Parameters the sign-up accepts on the wire but this instance cannot act on yet.
/// `external` is set when `strategy` / `transfer` were already handled.
pub(super) fn refuse_unsupported(params: &Params, external: bool, web3: bool) -> FlowResult<()> {
    if !external && params.bool("transfer")? == Some(true) {
        return Err(ApiError::new(
            ErrorCode::AccountTransferInvalid,
            "Invalid transfer",
            "There is no sign-in on this client to transfer into a sign-up.",
        )
        .into());
    }
    let names: &[&str] = if external {
        &["web3_wallet"]
    } else {
        &["strategy", "web3_wallet", "ticket"]
    };
    for &name in names.iter().filter(|n| !(web3 && **n == "web3_wallet")) {
        if let Some(value) = params.text(name)? {
            return Err(ApiError::invalid_value(
                name,
                format!("{name} {value:?} is not enabled on this instance."),
            )
            .into());
        }
    }
    Ok(())
}

/// Parses and records the given fields. Every value is checked before anything changes, so a
/// bad parameter leaves the sign-up as it was.
pub(super) async fn apply_fields(ctx: &Ctx, su: &mut SignUp, params: &Params) -> FlowResult<()> {
    let auth = &ctx.settings().auth;
    let enabled = |name: &str, mode: FieldMode| -> Result<(), ApiError> {
        if mode.enabled() {
            Ok(())
        } else {
            Err(ApiError::new(
                ErrorCode::FormParamUnknown,
                "is unknown",
                format!("{name} is not used for sign-up on this instance."),
            )
            .param(name))
        }
    };

    let mut taken_email = false;
    let mut taken_phone = false;
    let email = match params.text("email_address")? {
        Some(raw) => {
            enabled("email_address", auth.email_address)?;
            let e =
                EmailAddress::parse(&raw).map_err(|e| ApiError::from_parse("email_address", &e))?;
            taken_email =
                free_or_hidden(ctx, IdentifierKind::Email, e.as_ref(), "email_address").await?;
            Some(e)
        }
        None => None,
    };
    let phone = match params.text("phone_number")? {
        Some(raw) => {
            enabled("phone_number", auth.phone_number)?;
            let p =
                PhoneNumber::parse(&raw).map_err(|e| ApiError::from_parse("phone_number", &e))?;
            taken_phone =
                free_or_hidden(ctx, IdentifierKind::Phone, p.as_ref(), "phone_number").await?;
            Some(p)
        }
        None => None,
    };
    let wallet = match params.text("web3_wallet")? {
        Some(raw) if auth.web3_wallet.enabled() => {
            let a = crate::domain::web3::Address::parse(&raw)
                .map_err(|e| ApiError::from_parse("web3_wallet", &e))?;
            if users::wallet_taken(&ctx.db, a.as_ref()).await? {
                return Err(identifier_exists("web3_wallet").into());
            }
            Some(a)
        }
        _ => None,
    };
    let username = match params.text("username")? {
        Some(raw) => {
            enabled("username", auth.username)?;
            let u = Username::parse(&raw).map_err(|e| ApiError::from_parse("username", &e))?;
            ensure_free(ctx, IdentifierKind::Username, u.as_ref(), "username").await?;
            Some(u)
        }
        None => None,
    };
    let mut names = Vec::new();
    for (field, mode) in [
        ("first_name", auth.first_name),
        ("last_name", auth.last_name),
    ] {
        if let Some(v) = params.text(field)? {
            enabled(field, mode)?;
            check_name(field, &v)?;
            names.push((field, v));
        }
    }
    let legal = params.bool("legal_accepted")?;
    let locale = match params.text("locale")? {
        Some(raw) => Some(crate::i18n::canonical_tag(&raw).ok_or_else(|| {
            ApiError::new(
                ErrorCode::FormParamFormatInvalid,
                "is invalid",
                "locale must be a BCP 47 language tag, such as fr-CA.",
            )
            .param("locale")
        })?),
        None => None,
    };
    let metadata = params.json_object("unsafe_metadata")?;
    let password = match params.raw("password")? {
        Some(raw) => {
            enabled("password", auth.password)?;
            Some(crate::breach::accept_new_password(ctx, "password", &raw).await?)
        }
        None => None,
    };
    // The slow hash last, once everything else is known to be acceptable.
    let password_hash = match password {
        Some(p) => Some(
            ctx.passwords
                .hash(secrecy::SecretString::from(p.expose().to_owned()))
                .await?,
        ),
        None => None,
    };

    if let Some(w) = wallet
        && su.web3_wallet.as_deref() != Some(w.as_ref())
    {
        su.web3_wallet = Some(w.as_ref().to_owned());
        su.web3_verification = None;
    }
    // A changed address or number needs verifying afresh.
    if let Some(e) = email
        && su.email_address.as_deref() != Some(e.as_ref())
    {
        su.email_address = Some(e.as_ref().to_owned());
        su.email_verification = None;
        su.taken.retain(|f| f != "email_address");
        if taken_email {
            su.taken.push("email_address".into());
        }
    }
    if let Some(p) = phone
        && su.phone_number.as_deref() != Some(p.as_ref())
    {
        su.taken.retain(|f| f != "phone_number");
        if taken_phone {
            su.taken.push("phone_number".into());
        }
        su.phone_number = Some(p.as_ref().to_owned());
        su.phone_verification = None;
    }
    if let Some(u) = username {
        su.username = Some(u.as_ref().to_owned());
    }
    for (field, v) in names {
        if field == "first_name" {
            su.first_name = Some(v);
        } else {
            su.last_name = Some(v);
        }
    }
    match legal {
        Some(true) => su.legal_accepted_at = su.legal_accepted_at.or(Some(ctx.now())),
        Some(false) => su.legal_accepted_at = None,
        None => {}
    }
    if let Some(m) = metadata {
        su.unsafe_metadata = m;
    }
    if locale.is_some() {
        su.locale = locale;
    }
    if password_hash.is_some() {
        su.password_hash = password_hash;
    }
    Ok(())
}

/// A first or last name: at most 256 printable characters.
pub(crate) fn check_name(field: &str, v: &str) -> Result<(), ApiError> {
    if v.chars().count() > 256 || v.chars().any(char::is_control) {
        return Err(ApiError::new(
            ErrorCode::FormParamFormatInvalid,
            "is invalid",
            format!("{field} must be at most 256 printable characters."),
        )
        .param(field));
    }
    Ok(())
}

/// Whether an email or phone is taken: an error, or — with enumeration protection — a quiet
/// `true` the sign-up remembers.
pub(super) async fn free_or_hidden(
    ctx: &Ctx,
    kind: IdentifierKind,
    value: &str,
    param: &str,
) -> FlowResult<bool> {
    release_stale(ctx, kind, value).await?;
    if !users::identifier_taken(&ctx.db, kind, value).await? {
        return Ok(false);
    }
    if ctx.settings().auth.enumeration_protection {
        return Ok(true);
    }
    Err(identifier_exists(param).into())
}

/// An address or number another user added to their account but did not verify within a
/// day is theirs no longer.
pub(super) const UNVERIFIED_CLAIM_SECS: i64 = 24 * 3600;

pub(super) async fn release_stale(ctx: &Ctx, kind: IdentifierKind, value: &str) -> FlowResult<()> {
    let released = users::release_stale_claim(
        &ctx.db,
        kind,
        value,
        ctx.now() - UNVERIFIED_CLAIM_SECS * 1000,
    )
    .await?;
    if released > 0 {
        tracing::info!("a stale unverified claim on an identifier was released");
    }
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub(crate) async fn ensure_free(
    ctx: &Ctx,
    kind: IdentifierKind,
    value: &str,
    param: &str,
) -> FlowResult<()> {
    release_stale(ctx, kind, value).await?;
    if users::identifier_taken(&ctx.db, kind, value).await? {
        return Err(identifier_exists(param).into());
    }
    Ok(())
}

pub(crate) fn identifier_exists(param: &str) -> ApiError {
    ApiError::new(
        ErrorCode::FormIdentifierExists,
        "That identifier is taken. Please try another.",
        format!(
            "That {} is taken. Please try another, or sign in.",
            param.replace('_', " ")
        ),
    )
    .param(param)
}
