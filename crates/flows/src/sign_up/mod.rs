//! Progressive sign-up. A sign-up collects fields over any number of requests; when nothing
//! required is missing and every given email address and phone number is verified, it becomes
//! a user with an active session, written in one transaction.

mod complete;
mod fields;
pub mod next;
mod verify;

use crate::Context as _;
use complete::*;
pub(crate) use fields::*;
pub use next::Step;
pub use verify::*;

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::attempt;
use super::client::{self, ClientCtx};
use super::verification::{self, Channel, Purpose, Status, Verification, Wording};
use super::{ApiError, Ctx, ErrorCode, FlowError, FlowResult, Params, keys};
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
    /// The language of the person signing up (BCP 47, Clerk's `locale`), from the request;
    /// it becomes the user's.
    #[serde(default)]
    pub locale: Option<String>,
    /// What the operator's invitation gives the new user (`public_metadata`).
    #[serde(default)]
    pub public_metadata: Option<serde_json::Value>,
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

impl SignUp {
    /// A sign-up with none of its fields yet.
    pub fn new(id: String, client_id: &str, now: i64, abandon_at: i64) -> Self {
        SignUp {
            id,
            client_id: client_id.to_owned(),
            status: SignUpStatus::MissingRequirements,
            email_address: None,
            phone_number: None,
            username: None,
            first_name: None,
            last_name: None,
            password_hash: None,
            unsafe_metadata: serde_json::json!({}),
            locale: None,
            public_metadata: None,
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
            abandon_at,
            created_at: now,
            updated_at: now,
        }
    }
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

attempt::stored_attempt!(SignUp, "sign-up", keys::sign_up);

impl attempt::Transferable for SignUp {
    const INTO: &'static str = "sign-in";
    fn current(client: &clients::ClientRow) -> Option<&String> {
        client.sign_up_id.as_ref()
    }
    fn upstream(&self) -> (Option<&crate::federation::Identity>, Option<&Verification>) {
        (
            self.external_identity.as_ref(),
            self.external_verification.as_ref(),
        )
    }
}

#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn load(ctx: &Ctx, id: &str) -> FlowResult<Option<SignUp>> {
    attempt::load(ctx, id).await
}

async fn save(ctx: &Ctx, su: &SignUp) -> FlowResult<()> {
    attempt::save(ctx, su).await
}

/// The client's sign-up `id`; another client's is not found.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn get(ctx: &Ctx, cc: &ClientCtx, id: &str) -> FlowResult<SignUp> {
    attempt::get(ctx, cc, id).await
}

/// `POST /v1/client/sign_ups`: a new sign-up replacing the client's current one.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn create(ctx: &Ctx, cc: &mut ClientCtx, params: &Params) -> FlowResult<SignUp> {
    params.only(PARAMS)?;
    let transfer = params.bool("transfer")? == Some(true);
    let strategy = params.strategy()?;
    let provider = match strategy.as_deref() {
        Some(s) if s.starts_with("oauth_") => {
            Some(super::oauth::provider_for(ctx, s).ok_or_else(|| {
                ApiError::invalid_value(
                    "strategy",
                    format!("The strategy {s:?} is not enabled on this instance."),
                )
            })?)
        }
        // Enterprise SSO: the connection serving the email address's domain.
        Some("enterprise_sso") => {
            let email = params
                .text("email_address")?
                .ok_or_else(|| ApiError::missing("email_address"))?;
            Some(ctx.federation.for_email(&email).ok_or_else(|| {
                ApiError::invalid_value(
                    "email_address",
                    "No enterprise connection serves this email domain.",
                )
            })?)
        }
        _ => None,
    };
    // Checked with the rest of the input, before anything is written.
    let back = super::oauth::Back::read(ctx, params, cc.named_in_url)?;
    let back = if provider.is_some() {
        back.required()?
    } else {
        back
    };
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
        ctx.settings().auth.web3_wallet.enabled(),
    )?;
    super::limits::sign_up(ctx, cc.ip.as_deref()).await?;
    let from_sign_in = if transfer {
        Some(attempt::transferable::<super::sign_in::SignIn>(ctx, cc).await?)
    } else {
        None
    };
    let ticket_token = params.text("ticket")?;
    let client_id = client::ensure_for_new_attempt(ctx, cc).await?;
    let now = ctx.now();
    let mut su = SignUp::new(
        new_id("sua"),
        &client_id,
        now,
        now + ctx.settings().auth.attempt_lifetime_secs * 1000,
    );
    // The page's or the browser's language, unless the request names one (clerk-js sends
    // the browser's as `locale`).
    su.locale = cc.locale.map(|l| l.tag().to_owned());

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
        let spent = super::tickets::spend(ctx, &t, super::tickets::INVITATION).await?;
        su.public_metadata = super::tickets::invitation_metadata(&spent);
        su.email_address = Some(email);
        su.email_verification = Some(Verification::verified("ticket", now));
        su.taken.retain(|f| f != "email_address");
    }
    if let Some((identity, strategy)) = from_sign_in {
        apply_identity(ctx, &mut su, identity, &strategy).await?;
    }
    check_policy(ctx, &su, None, invited(&su)).await?;
    save(ctx, &su).await?;
    let attempts = clients::NewAttempts {
        sign_in_id: None,
        sign_up_id: Some(su.id.clone()),
    };
    client::attach(ctx, cc, attempts).await?;
    if let Some(provider) = provider {
        let v = super::oauth::start(
            ctx,
            &provider,
            &client_id,
            super::oauth::Owner::SignUp(su.id.clone()),
            back,
        )
        .await?;
        su.external_verification = Some(v);
        save(ctx, &su).await?;
        return Ok(su);
    }
    complete_if_ready(ctx, cc, &mut su).await?;
    Ok(su)
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
    let auth = &ctx.settings().auth;
    if let Some(email) = &identity.email
        && auth.email_address.enabled()
        && !users::identifier_taken(&ctx.db, IdentifierKind::Email, email)
            .await
            .context("users::identifier_taken")?
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
        && !users::identifier_taken(&ctx.db, IdentifierKind::Username, u.as_ref())
            .await
            .context("users::identifier_taken")?
    {
        su.username = Some(u.as_ref().to_owned());
    }
    su.external_identity = Some(identity);
    su.external_verification = Some(Verification::verified(strategy, ctx.now()));
    Ok(())
}

/// The provider's answer for a sign-up: an account that already exists makes the sign-up
/// `transferable` to a sign-in; otherwise its data fills the sign-up.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
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
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn update(
    ctx: &Ctx,
    cc: &mut ClientCtx,
    id: &str,
    params: &Params,
) -> FlowResult<SignUp> {
    params.only(PARAMS)?;
    refuse_unsupported(params, false, ctx.settings().auth.web3_wallet.enabled())?;
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

/// `GET …/sign_ups/{id}`: the sign-up as it is now; one verified by a link opened on another
/// device completes here.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn reload(ctx: &Ctx, cc: &mut ClientCtx, id: &str) -> FlowResult<SignUp> {
    let mut su = get(ctx, cc, id).await?;
    if su.status == SignUpStatus::MissingRequirements {
        complete_if_ready(ctx, cc, &mut su).await?;
    }
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
