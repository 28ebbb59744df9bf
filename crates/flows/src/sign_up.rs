//! Progressive sign-up. A sign-up collects fields over any number of requests; when nothing
//! required is missing and every given email address and phone number is verified, it becomes
//! a user with an active session, written in one transaction.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::client::{self, ClientCtx};
use super::verification::{self, Channel, Purpose, Status, Verification};
use super::{
    ApiError, Ctx, ErrorCode, FlowError, FlowResult, Params, keys, load_state, save_state,
};
use crate::config::{AuthSettings, FieldMode};
use crate::domain::{EmailAddress, PhoneNumber, Username, new_id};
use crate::store::users::{self, IdentifierKind, NewUser};
use crate::store::{clients, is_unique_violation};

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SignUpStatus {
    MissingRequirements,
    Complete,
    Abandoned,
}

impl SignUpStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SignUpStatus::MissingRequirements => "missing_requirements",
            SignUpStatus::Complete => "complete",
            SignUpStatus::Abandoned => "abandoned",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignUp {
    pub id: String,
    pub client_id: String,
    pub status: SignUpStatus,
    pub email_address: Option<String>,
    pub phone_number: Option<String>,
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// argon2id of the chosen password; the password itself is never kept.
    pub password_hash: Option<String>,
    pub unsafe_metadata: serde_json::Value,
    pub legal_accepted_at: Option<i64>,
    pub email_verification: Option<Verification>,
    pub phone_verification: Option<Verification>,
    pub created_session_id: Option<String>,
    pub created_user_id: Option<String>,
    /// The upstream account the sign-up is made from, if any, and its verification.
    #[serde(default)]
    pub external_identity: Option<crate::federation::Identity>,
    #[serde(default)]
    pub external_verification: Option<Verification>,
    /// Fields whose value belongs to another account (enumeration protection): they verify
    /// by telling the owner, and never complete.
    #[serde(default)]
    pub taken: Vec<String>,
    /// An Ethereum wallet (EIP-55) and its signature verification.
    #[serde(default)]
    pub web3_wallet: Option<String>,
    #[serde(default)]
    pub web3_verification: Option<Verification>,
    pub abandon_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The parameters `POST /v1/client/sign_ups` and `PATCH …/sign_ups/{id}` accept. The last
/// few are sent by browser SDKs and ignored.
pub const PARAMS: &[&str] = &super::params::join::<14, 10, 24>(
    [
        "email_address",
        "phone_number",
        "username",
        "password",
        "first_name",
        "last_name",
        "strategy",
        "redirect_url",
        "action_complete_redirect_url",
        "transfer",
        "legal_accepted",
        "unsafe_metadata",
        "web3_wallet",
        "ticket",
    ],
    super::params::CREATION_EXTRAS,
);

/// Which fields sign-up asks for, from `[auth]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirements {
    pub required: Vec<&'static str>,
    pub optional: Vec<&'static str>,
    pub missing: Vec<&'static str>,
    pub unverified: Vec<&'static str>,
}

fn field_modes(auth: &AuthSettings) -> [(&'static str, FieldMode); 7] {
    [
        ("email_address", auth.email_address),
        ("phone_number", auth.phone_number),
        ("username", auth.username),
        ("web3_wallet", auth.web3_wallet),
        ("password", auth.password),
        ("first_name", auth.first_name),
        ("last_name", auth.last_name),
    ]
}

/// The required and optional fields of the instance, as `/v1/environment` and every
/// sign-up show them.
pub fn configured_fields(auth: &AuthSettings) -> (Vec<&'static str>, Vec<&'static str>) {
    let mut required = Vec::new();
    let mut optional = Vec::new();
    for (name, mode) in field_modes(auth) {
        match mode {
            FieldMode::Required => required.push(name),
            FieldMode::Optional => optional.push(name),
            FieldMode::Off => {}
        }
    }
    if auth.email_address_or_phone_number
        && auth.email_address == FieldMode::Optional
        && auth.phone_number == FieldMode::Optional
    {
        required.push("email_address_or_phone_number");
    }
    if auth.legal_consent {
        required.push("legal_accepted");
    }
    (required, optional)
}

/// The one place that decides what a sign-up still lacks.
pub fn requirements(auth: &AuthSettings, su: &SignUp) -> Requirements {
    let (required, optional) = configured_fields(auth);
    let has = |f: &str| match f {
        "email_address" => su.email_address.is_some(),
        "phone_number" => su.phone_number.is_some(),
        "username" => su.username.is_some(),
        "web3_wallet" => su.web3_wallet.is_some(),
        "password" => su.password_hash.is_some(),
        "first_name" => su.first_name.is_some(),
        "last_name" => su.last_name.is_some(),
        "legal_accepted" => su.legal_accepted_at.is_some(),
        "email_address_or_phone_number" => su.email_address.is_some() || su.phone_number.is_some(),
        _ => false,
    };
    // An upstream account or a wallet is the way in: no password needed.
    let external = su
        .external_verification
        .as_ref()
        .is_some_and(|v| v.status == Status::Verified)
        || su.web3_wallet.is_some();
    let missing = required
        .iter()
        .copied()
        .filter(|f| !(has(f) || (external && *f == "password")))
        .collect();
    let verified =
        |v: &Option<Verification>| v.as_ref().is_some_and(|v| v.status == Status::Verified);
    let mut unverified = Vec::new();
    if su.email_address.is_some() && !verified(&su.email_verification) {
        unverified.push("email_address");
    }
    if su.phone_number.is_some() && !verified(&su.phone_verification) {
        unverified.push("phone_number");
    }
    if su.web3_wallet.is_some() && !verified(&su.web3_verification) {
        unverified.push("web3_wallet");
    }
    Requirements {
        required,
        optional,
        missing,
        unverified,
    }
}

pub async fn load(ctx: &Ctx, id: &str) -> FlowResult<Option<SignUp>> {
    load_state(ctx, &keys::sign_up(id)).await
}

async fn save(ctx: &Ctx, su: &SignUp) -> FlowResult<()> {
    save_state(ctx, &keys::sign_up(&su.id), su, su.abandon_at).await
}

/// The client's sign-up `id`; another client's is not found.
pub async fn get(ctx: &Ctx, cc: &ClientCtx, id: &str) -> FlowResult<SignUp> {
    let client_id = cc.id().ok_or_else(|| ApiError::not_found("sign-up"))?;
    load(ctx, id)
        .await?
        .filter(|s| s.client_id == client_id)
        .ok_or_else(|| ApiError::not_found("sign-up").into())
}

/// `POST /v1/client/sign_ups`: a new sign-up replacing the client's current one.
pub async fn create(ctx: &Ctx, cc: &mut ClientCtx, params: &Params) -> FlowResult<SignUp> {
    params.only(PARAMS)?;
    let transfer = params.bool("transfer")? == Some(true);
    let strategy = params.text("strategy")?;
    let provider = match strategy.as_deref() {
        Some(s) if s.starts_with("oauth_") => {
            Some(super::oauth::provider_for(ctx, s).ok_or_else(|| {
                ApiError::invalid_value(
                    "strategy",
                    format!("The strategy {s:?} is not enabled on this instance."),
                )
            })?)
        }
        _ => None,
    };
    let redirect_url = super::oauth::redirect_param(ctx, params, "redirect_url")?;
    let action_complete =
        super::oauth::redirect_param(ctx, params, "action_complete_redirect_url")?;
    // Checked with the rest of the input, before anything is written.
    let hints = super::oauth::hints(params)?;
    if provider.is_some() && redirect_url.is_none() {
        return Err(ApiError::missing("redirect_url").into());
    }
    let ticket = params.text("ticket")?.is_some();
    if ticket && params.text("strategy")?.is_some_and(|s| s != "ticket") {
        return Err(ApiError::invalid_value(
            "strategy",
            "A ticket sign-up takes strategy \"ticket\".",
        )
        .into());
    }
    refuse_unsupported(
        params,
        transfer || provider.is_some() || ticket,
        ctx.settings.auth.web3_wallet.enabled(),
    )?;
    super::limits::sign_up(ctx, cc.ip.as_deref()).await?;
    let from_sign_in = if transfer {
        Some(transferable_identity(ctx, cc).await?)
    } else {
        None
    };
    let ticket_token = params.text("ticket")?;
    let client = client::ensure_for_new_attempt(ctx, cc).await?;
    let now = ctx.now();
    let mut su = SignUp {
        id: new_id("sua"),
        client_id: client.id.clone(),
        status: SignUpStatus::MissingRequirements,
        email_address: None,
        phone_number: None,
        username: None,
        first_name: None,
        last_name: None,
        password_hash: None,
        unsafe_metadata: serde_json::json!({}),
        legal_accepted_at: None,
        email_verification: None,
        phone_verification: None,
        created_session_id: None,
        created_user_id: None,
        external_identity: None,
        external_verification: None,
        taken: Vec::new(),
        web3_wallet: None,
        web3_verification: None,
        abandon_at: now + ctx.settings.auth.attempt_lifetime_secs * 1000,
        created_at: now,
        updated_at: now,
    };
    apply_fields(ctx, &mut su, params).await?;
    // An invitation: its email address, verified by the invitation itself. Spent only once
    // every other field was accepted.
    if let Some(t) = ticket_token {
        let email = super::tickets::invitation_email(ctx, &t).await?;
        if su
            .email_address
            .as_ref()
            .is_some_and(|given| !given.eq_ignore_ascii_case(&email))
        {
            return Err(ApiError::invalid_value(
                "email_address",
                "This invitation is for another email address.",
            )
            .into());
        }
        check_policy(ctx, &su, Some(&email), true).await?;
        super::tickets::spend(ctx, &t, super::tickets::INVITATION).await?;
        su.email_address = Some(email);
        su.email_verification = Some(Verification::verified("ticket", now));
        su.taken.retain(|f| f != "email_address");
    }
    if let Some((identity, strategy)) = from_sign_in {
        apply_identity(ctx, &mut su, identity, &strategy).await?;
    }
    check_policy(ctx, &su, None, invited(&su)).await?;
    save(ctx, &su).await?;
    clients::update(
        &ctx.db,
        &client.id,
        clients::ClientChange {
            sign_up_id: Some(Some(su.id.clone())),
            ..Default::default()
        },
        now,
    )
    .await?;
    if let Some(provider) = provider {
        let v = super::oauth::start(
            ctx,
            &provider,
            &client.id,
            super::oauth::Owner::SignUp(su.id.clone()),
            super::oauth::Back {
                redirect_url: redirect_url.unwrap_or_default(),
                action_complete_redirect_url: action_complete,
                named_in_url: cc.named_in_url,
                hints,
            },
        )
        .await?;
        su.external_verification = Some(v);
        save(ctx, &su).await?;
        return Ok(su);
    }
    complete_if_ready(ctx, cc, &mut su).await?;
    Ok(su)
}

/// The upstream identity of the client's `transferable` sign-in, and its strategy.
async fn transferable_identity(
    ctx: &Ctx,
    cc: &ClientCtx,
) -> FlowResult<(crate::federation::Identity, String)> {
    let invalid = || {
        ApiError::new(
            ErrorCode::AccountTransferInvalid,
            "Invalid transfer",
            "There is no sign-in on this client to transfer into a sign-up.",
        )
    };
    let si_id = cc
        .row
        .as_ref()
        .and_then(|r| r.sign_in_id.clone())
        .ok_or_else(invalid)?;
    let si = super::sign_in::get(ctx, cc, &si_id).await?;
    match (&si.external_identity, &si.first_factor_verification) {
        (Some(identity), Some(v)) if v.status == Status::Transferable => {
            Ok((identity.clone(), v.strategy.clone()))
        }
        _ => Err(invalid().into()),
    }
}

/// Fills a sign-up from an upstream identity: a verified email counts as verified, names
/// and username where the instance uses them and they are free. What the provider did not
/// give stays missing, for the user to add.
async fn apply_identity(
    ctx: &Ctx,
    su: &mut SignUp,
    identity: crate::federation::Identity,
    strategy: &str,
) -> FlowResult<()> {
    let auth = &ctx.settings.auth;
    if let Some(email) = &identity.email
        && auth.email_address.enabled()
        && !users::identifier_taken(&ctx.db, IdentifierKind::Email, email).await?
    {
        su.email_address = Some(email.clone());
        su.email_verification = identity
            .email_verified
            .then(|| Verification::verified(&format!("from_{strategy}"), ctx.now()));
    }
    if auth.first_name.enabled() && su.first_name.is_none() {
        su.first_name = identity.first_name.clone();
    }
    if auth.last_name.enabled() && su.last_name.is_none() {
        su.last_name = identity.last_name.clone();
    }
    if auth.username.enabled()
        && su.username.is_none()
        && let Some(u) = identity
            .username
            .as_deref()
            .and_then(|u| Username::parse(u).ok())
        && !users::identifier_taken(&ctx.db, IdentifierKind::Username, u.as_ref()).await?
    {
        su.username = Some(u.as_ref().to_owned());
    }
    su.external_identity = Some(identity);
    su.external_verification = Some(Verification::verified(strategy, ctx.now()));
    Ok(())
}

/// The provider's answer for a sign-up: an account that already exists makes the sign-up
/// `transferable` to a sign-in; otherwise its data fills the sign-up.
pub(crate) async fn oauth_result(
    ctx: &Ctx,
    cc: &mut ClientCtx,
    id: &str,
    provider: &crate::federation::Provider,
    outcome: Result<crate::federation::Identity, ApiError>,
) -> FlowResult<SignUp> {
    let mut su = get(ctx, cc, id).await?;
    ensure_open(&su)?;
    let strategy = provider.strategy.clone();
    let mut v = su
        .external_verification
        .take()
        .unwrap_or_else(|| Verification::verified(&strategy, ctx.now()));
    v.external_url = None;
    v.attempts += 1;
    match outcome {
        Err(e) => {
            super::oauth::fail(&mut v, e);
            su.external_verification = Some(v);
        }
        Ok(identity) => {
            if super::oauth::account_for(ctx, &identity, false)
                .await?
                .is_some()
            {
                v.status = Status::Transferable;
                v.error = Some(ApiError::new(
                    ErrorCode::ExternalAccountExists,
                    "Account exists",
                    "An account is already connected to that provider account. Sign in instead.",
                ));
                su.external_identity = Some(identity);
                su.external_verification = Some(v);
            } else {
                apply_identity(ctx, &mut su, identity, &strategy).await?;
            }
        }
    }
    su.updated_at = ctx.now();
    save(ctx, &su).await?;
    complete_if_ready(ctx, cc, &mut su).await?;
    Ok(su)
}

/// `PATCH /v1/client/sign_ups/{id}`: adds or changes fields.
pub async fn update(
    ctx: &Ctx,
    cc: &mut ClientCtx,
    id: &str,
    params: &Params,
) -> FlowResult<SignUp> {
    params.only(PARAMS)?;
    refuse_unsupported(params, false, ctx.settings.auth.web3_wallet.enabled())?;
    let mut su = get(ctx, cc, id).await?;
    ensure_open(&su)?;
    apply_fields(ctx, &mut su, params).await?;
    check_policy(ctx, &su, None, invited(&su)).await?;
    su.updated_at = ctx.now();
    save(ctx, &su).await?;
    complete_if_ready(ctx, cc, &mut su).await?;
    Ok(su)
}

/// Whether the sign-up came with an invitation (its email verified by the ticket).
fn invited(su: &SignUp) -> bool {
    su.email_verification
        .as_ref()
        .is_some_and(|v| v.strategy == "ticket" && v.status == Status::Verified)
}

/// The instance's sign-up policy (mode, allowlist, blocklist) against the sign-up's
/// identifiers; `email` stands in for the sign-up's address when given.
async fn check_policy(
    ctx: &Ctx,
    su: &SignUp,
    email: Option<&str>,
    invited: bool,
) -> FlowResult<()> {
    let external_email = su
        .external_identity
        .as_ref()
        .and_then(|i| i.email.as_deref());
    super::policy::check_sign_up(
        ctx,
        &super::policy::Identifiers {
            email_address: email.or(su.email_address.as_deref()).or(external_email),
            phone_number: su.phone_number.as_deref(),
            username: su.username.as_deref(),
            web3_wallet: su.web3_wallet.as_deref(),
        },
        invited,
    )
    .await
}

/// What `prepare_verification` accepts.
pub const PREPARE_PARAMS: &[&str] = &[
    "strategy",
    "redirect_url",
    "action_complete_redirect_url",
    "locale",
];

/// `POST …/prepare_verification`: sends a code to the sign-up's email address or phone.
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
    if strategy == "email_link" {
        return prepare_link(ctx, su, params).await;
    }
    if super::web3::is_strategy(&strategy) {
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
        su.web3_verification = Some(super::web3::challenge(ctx, &strategy, &address)?);
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
                    "Someone tried to sign up with this email address",
                    &super::audit::utc_minute(ctx.now()),
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
        Purpose::SignUp,
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
async fn prepare_link(ctx: &Ctx, mut su: SignUp, params: &Params) -> FlowResult<SignUp> {
    if !ctx
        .settings
        .auth
        .first_factors
        .iter()
        .any(|f| f == "email_link")
    {
        return Err(strategy_not_enabled("email_link").into());
    }
    let redirect_url = super::oauth::redirect_param(ctx, params, "redirect_url")?
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
        super::email_link::send(
            ctx,
            super::email_link::LinkOwner::SignUp(su.id.clone()),
            &su.client_id,
            &email,
            None,
            redirect_url,
            Purpose::SignUp,
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

/// `GET …/sign_ups/{id}`: the sign-up as it is now; one verified by a link opened on another
/// device completes here.
pub async fn reload(ctx: &Ctx, cc: &mut ClientCtx, id: &str) -> FlowResult<SignUp> {
    let mut su = get(ctx, cc, id).await?;
    if su.status == SignUpStatus::MissingRequirements {
        complete_if_ready(ctx, cc, &mut su).await?;
    }
    Ok(su)
}

/// What `attempt_verification` accepts.
pub const ATTEMPT_PARAMS: &[&str] = &["strategy", "code", "signature", "locale"];

/// `POST …/attempt_verification`: checks the code; completes the sign-up when that was the
/// last thing it lacked.
pub async fn attempt_verification(
    ctx: &Ctx,
    cc: &mut ClientCtx,
    id: &str,
    params: &Params,
) -> FlowResult<SignUp> {
    params.only(ATTEMPT_PARAMS)?;
    let strategy = params.required("strategy")?;
    if super::web3::is_strategy(&strategy) {
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
        let checked = super::web3::check(ctx, v, &address, &signature).await;
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

fn ensure_open(su: &SignUp) -> FlowResult<()> {
    if su.status != SignUpStatus::MissingRequirements {
        return Err(ApiError::state("This sign-up is already complete.").into());
    }
    Ok(())
}

fn already_verified() -> ApiError {
    ApiError::new(
        ErrorCode::VerificationAlreadyVerified,
        "already verified",
        "This has already been verified.",
    )
}

fn strategy_not_enabled(strategy: &str) -> ApiError {
    ApiError::new(
        ErrorCode::VerificationStrategyInvalid,
        "is invalid",
        format!("The verification strategy {strategy:?} is not enabled for sign-up."),
    )
    .param("strategy")
}

/// Parameters the sign-up accepts on the wire but this instance cannot act on yet.
/// `external` is set when `strategy` / `transfer` were already handled.
fn refuse_unsupported(params: &Params, external: bool, web3: bool) -> FlowResult<()> {
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
async fn apply_fields(ctx: &Ctx, su: &mut SignUp, params: &Params) -> FlowResult<()> {
    let auth = &ctx.settings.auth;
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
    let metadata = params.json_object("unsafe_metadata")?;
    let password = match params.raw("password")? {
        Some(raw) => {
            enabled("password", auth.password)?;
            Some(super::breach::accept_new_password(ctx, "password", &raw).await?)
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
async fn free_or_hidden(
    ctx: &Ctx,
    kind: IdentifierKind,
    value: &str,
    param: &str,
) -> FlowResult<bool> {
    release_stale(ctx, kind, value).await?;
    if !users::identifier_taken(&ctx.db, kind, value).await? {
        return Ok(false);
    }
    if ctx.settings.auth.enumeration_protection {
        return Ok(true);
    }
    Err(identifier_exists(param).into())
}

/// An address or number another user added to their account but did not verify within a
/// day is theirs no longer.
const UNVERIFIED_CLAIM_SECS: i64 = 24 * 3600;

async fn release_stale(ctx: &Ctx, kind: IdentifierKind, value: &str) -> FlowResult<()> {
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

/// Turns a sign-up with nothing missing and nothing unverified into a user and a session,
/// in one transaction.
async fn complete_if_ready(ctx: &Ctx, cc: &mut ClientCtx, su: &mut SignUp) -> FlowResult<()> {
    let req = requirements(&ctx.settings.auth, su);
    if !req.missing.is_empty() || !req.unverified.is_empty() {
        return Ok(());
    }
    // Again here, where every path to a new user meets.
    check_policy(ctx, su, None, invited(su)).await?;
    // Two requests finishing the same sign-up at once: only one writes.
    let lock = keys::completing(&su.id);
    if !ctx
        .eph
        .put_if_absent(&lock, "1", Duration::from_secs(30))
        .await?
    {
        return Err(ApiError::state("This sign-up is being completed by another request.").into());
    }
    let result = write_user(ctx, su, !cc.keep_token).await;
    ctx.eph.delete(&lock).await?;
    let (user_id, session_id, token) = result?;
    super::audit::emit(
        ctx,
        &super::audit::Actor {
            user_id: user_id.clone(),
            session_id: Some(session_id.clone()),
            ip: cc.ip.clone(),
            user_agent: cc.user_agent.clone(),
        },
        "user.created",
        serde_json::json!({}),
    );
    su.status = SignUpStatus::Complete;
    su.created_user_id = Some(user_id);
    su.created_session_id = Some(session_id);
    su.updated_at = ctx.now();
    save(ctx, su).await?;
    cc.new_token = token;
    cc.row = clients::get(&ctx.db, &su.client_id).await?;
    Ok(())
}

async fn write_user(
    ctx: &Ctx,
    su: &SignUp,
    rotate_token: bool,
) -> FlowResult<(String, String, Option<String>)> {
    let now = ctx.now();
    let user_id = new_id("user");
    let strategy = |v: &Option<Verification>| {
        v.as_ref()
            .map(|v| v.strategy.clone())
            .unwrap_or_else(|| "admin".into())
    };
    let new = NewUser {
        id: user_id.clone(),
        username: su.username.clone(),
        first_name: su.first_name.clone(),
        last_name: su.last_name.clone(),
        password_hash: su.password_hash.clone(),
        unsafe_metadata: su.unsafe_metadata.to_string(),
        public_metadata: "{}".into(),
        legal_accepted_at: su.legal_accepted_at,
        signed_in: true,
        emails: su
            .email_address
            .iter()
            .map(|e| (new_id("idn"), e.clone(), strategy(&su.email_verification)))
            .collect(),
        phones: su
            .phone_number
            .iter()
            .map(|p| (new_id("idn"), p.clone(), strategy(&su.phone_verification)))
            .collect(),
        wallets: su
            .web3_wallet
            .iter()
            .map(|w| {
                (
                    new_id("idn_web3"),
                    w.clone(),
                    strategy(&su.web3_verification),
                )
            })
            .collect(),
        now,
    };
    let external = su
        .external_identity
        .as_ref()
        .zip(su.external_verification.as_ref())
        .filter(|(_, v)| v.status == Status::Verified);
    let factors = session_factor(
        external.map(|(_, v)| v.strategy.as_str()),
        su.password_hash.is_some(),
        [
            &su.email_verification,
            &su.phone_verification,
            &su.web3_verification,
        ]
        .into_iter()
        .flatten()
        .map(|v| v.strategy.as_str())
        .next(),
    );

    let txn = crate::store::begin(&ctx.db).await?;
    let inserted = match users::insert_user(&txn, new).await {
        Ok(()) => match external {
            Some((identity, _)) => {
                crate::store::external::insert(
                    &txn,
                    super::oauth::external_row(&user_id, identity, now),
                )
                .await
            }
            None => Ok(()),
        },
        Err(e) => Err(e),
    };
    if let Err(e) = inserted {
        txn.rollback().await?;
        if is_unique_violation(&e) {
            return Err(which_identifier_exists(ctx, su).await);
        }
        return Err(e.into());
    }
    let created = super::session::create(
        ctx,
        &txn,
        super::session::NewSession {
            client_id: &su.client_id,
            user_id: &user_id,
            factors,
            first_factor_at: now,
            second_factor_at: None,
            clear_sign_in: false,
            clear_sign_up: true,
            rotate_token,
        },
    )
    .await;
    let (session, token) = match created {
        Ok(v) => v,
        Err(e) => {
            txn.rollback().await?;
            return Err(e);
        }
    };
    if let Err(e) = super::webhooks::enqueue_user(ctx, &txn, "user.created", &user_id).await {
        txn.rollback().await?;
        return Err(e);
    }
    txn.commit().await?;
    tracing::info!(user_id = %user_id, session_id = %session.id, "sign-up complete");
    Ok((user_id, session.id, token))
}

/// After a unique violation: name the identifier another sign-up took first.
async fn which_identifier_exists(ctx: &Ctx, su: &SignUp) -> FlowError {
    let checks = [
        (
            IdentifierKind::Email,
            su.email_address.as_deref(),
            "email_address",
        ),
        (
            IdentifierKind::Phone,
            su.phone_number.as_deref(),
            "phone_number",
        ),
        (IdentifierKind::Username, su.username.as_deref(), "username"),
    ];
    for (kind, value, param) in checks {
        if let Some(v) = value {
            match users::identifier_taken(&ctx.db, kind, v).await {
                Ok(true) => return identifier_exists(param).into(),
                Ok(false) => {}
                Err(e) => return e.into(),
            }
        }
    }
    identifier_exists("identifier").into()
}

/// What a new account's first session records as its authentication: one factor. Proving an
/// address at sign-up and choosing a password in the same breath is one event, not two
/// independent factors, so it must not read as `mfa` to relying parties (RFC 8176). The
/// upstream provider's sign-in counts first, then the password the user will sign in with,
/// then the verification of the address or wallet.
fn session_factor(external: Option<&str>, password: bool, verified: Option<&str>) -> Vec<String> {
    external
        .or(password.then_some("password"))
        .or(verified)
        .map(|s| vec![s.to_owned()])
        .unwrap_or_default()
}

#[cfg(test)]
mod factor_tests {
    use super::session_factor;

    #[test]
    fn a_sign_up_records_one_factor() {
        assert_eq!(session_factor(None, true, Some("email_code")), ["password"]);
        assert_eq!(
            session_factor(None, false, Some("email_code")),
            ["email_code"]
        );
        assert_eq!(
            session_factor(Some("oauth_google"), true, None),
            ["oauth_google"]
        );
        assert!(session_factor(None, false, None).is_empty());
    }
}
