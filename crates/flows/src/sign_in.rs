//! Sign-in: identify, prove the first factor, then a second one when the user has any. The
//! one place that decides a sign-in's next status is `advance`.

use portcullis_core::events::SessionEnded;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::client::{self, ClientCtx};
use super::verification::{self, Channel, Purpose, Status, Verification};
use super::{ApiError, Ctx, ErrorCode, FlowResult, Params, keys, load_state, save_state};
use crate::domain::{EmailAddress, PhoneNumber, Username, new_id};
use crate::store::clients;
use crate::store::users::{self, IdentifierKind, UserRecord};

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SignInStatus {
    NeedsIdentifier,
    NeedsFirstFactor,
    NeedsSecondFactor,
    NeedsNewPassword,
    Complete,
    Abandoned,
}

impl SignInStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SignInStatus::NeedsIdentifier => "needs_identifier",
            SignInStatus::NeedsFirstFactor => "needs_first_factor",
            SignInStatus::NeedsSecondFactor => "needs_second_factor",
            SignInStatus::NeedsNewPassword => "needs_new_password",
            SignInStatus::Complete => "complete",
            SignInStatus::Abandoned => "abandoned",
        }
    }
}

/// A way the identified user can prove who they are.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Factor {
    pub strategy: String,
    pub safe_identifier: Option<String>,
    pub email_address_id: Option<String>,
    pub phone_number_id: Option<String>,
    #[serde(default)]
    pub web3_wallet_id: Option<String>,
    pub primary: bool,
    pub default: bool,
}

impl Factor {
    /// A factor that names no address, number or wallet (a password, an app, a passkey).
    pub fn plain(strategy: &str) -> Self {
        Self {
            strategy: strategy.into(),
            safe_identifier: None,
            email_address_id: None,
            phone_number_id: None,
            web3_wallet_id: None,
            primary: false,
            default: false,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct UserData {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignIn {
    pub id: String,
    pub client_id: String,
    pub status: SignInStatus,
    pub identifier: Option<String>,
    pub user_id: Option<String>,
    pub supported_first_factors: Vec<Factor>,
    pub supported_second_factors: Vec<Factor>,
    pub first_factor_verification: Option<Verification>,
    pub second_factor_verification: Option<Verification>,
    pub user_data: Option<UserData>,
    pub created_session_id: Option<String>,
    pub first_factor_at: Option<i64>,
    /// What an upstream provider said, kept while the sign-in is `transferable` to a sign-up.
    #[serde(default)]
    pub external_identity: Option<crate::federation::Identity>,
    /// A stand-in sign-in for an identifier nobody has (enumeration protection): it looks
    /// like any other and can never complete.
    #[serde(default)]
    pub phantom: bool,
    pub abandon_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// First-factor strategies the wire knows of. Those not enabled here are refused by name, so
/// an app learns the instance does not offer them rather than that the request is malformed.
const KNOWN_STRATEGIES: &[&str] = &[
    "password",
    "email_code",
    "phone_code",
    "email_link",
    "passkey",
    "ticket",
    "enterprise_sso",
    "saml",
    "reset_password_email_code",
    "reset_password_phone_code",
    "web3_metamask_signature",
    "web3_coinbase_wallet_signature",
    "web3_okx_wallet_signature",
];

pub const CREATE_PARAMS: &[&str] = &super::params::join::<7, 10, 17>(
    [
        "identifier",
        "strategy",
        "password",
        "redirect_url",
        "action_complete_redirect_url",
        "transfer",
        "ticket",
    ],
    super::params::CREATION_EXTRAS,
);

pub async fn load(ctx: &Ctx, id: &str) -> FlowResult<Option<SignIn>> {
    load_state(ctx, &keys::sign_in(id)).await
}

async fn save(ctx: &Ctx, si: &mut SignIn) -> FlowResult<()> {
    si.updated_at = ctx.now();
    save_state(ctx, &keys::sign_in(&si.id), si, si.abandon_at).await
}

/// The client's sign-in `id`; another client's is not found.
pub async fn get(ctx: &Ctx, cc: &ClientCtx, id: &str) -> FlowResult<SignIn> {
    let client_id = cc.id().ok_or_else(|| ApiError::not_found("sign-in"))?;
    load(ctx, id)
        .await?
        .filter(|s| s.client_id == client_id)
        .ok_or_else(|| ApiError::not_found("sign-in").into())
}

/// Whether a first-factor strategy is offered. Password reset comes with passwords; upstream
/// providers with their configuration.
fn enabled(ctx: &Ctx, strategy: &str) -> bool {
    if strategy.starts_with("oauth_") {
        return super::oauth::provider_for(ctx, strategy).is_some();
    }
    if strategy == "enterprise_sso" {
        return ctx.federation.has_enterprise();
    }
    if super::web3::is_strategy(strategy) {
        return ctx.settings.auth.web3_wallet.enabled();
    }
    let strategy = match strategy {
        "reset_password_email_code" | "reset_password_phone_code" => "password",
        s => s,
    };
    ctx.settings
        .auth
        .first_factors
        .iter()
        .any(|s| s == strategy)
}

fn strategy_not_enabled(strategy: &str) -> ApiError {
    ApiError::invalid_value(
        "strategy",
        format!("The strategy {strategy:?} is not enabled on this instance."),
    )
}

fn check_strategy(ctx: &Ctx, strategy: &str) -> Result<(), ApiError> {
    let known = KNOWN_STRATEGIES.contains(&strategy) || strategy.starts_with("oauth_");
    if known && enabled(ctx, strategy) {
        Ok(())
    } else {
        Err(strategy_not_enabled(strategy))
    }
}

/// `POST /v1/client/sign_ins`: a new sign-in replacing the client's current one, identified
/// and with its first factor prepared or attempted when the parameters say so.
pub async fn create(ctx: &Ctx, cc: &mut ClientCtx, params: &Params) -> FlowResult<SignIn> {
    params.only(CREATE_PARAMS)?;
    let identifier = params.text("identifier")?;
    let strategy = params.text("strategy")?;
    let password = params.raw("password")?;
    if params.bool("transfer")? == Some(true) {
        return transfer_from_sign_up(ctx, cc).await;
    }
    if let Some(ticket) = params.text("ticket")? {
        return sign_in_with_ticket(ctx, cc, &ticket).await;
    }
    let external = strategy
        .as_deref()
        .is_some_and(|s| s.starts_with("oauth_") || s == "enterprise_sso");
    let redirect_url = super::oauth::redirect_param(ctx, params, "redirect_url")?;
    let action_complete =
        super::oauth::redirect_param(ctx, params, "action_complete_redirect_url")?;
    // Checked with the rest of the input, before anything is written.
    let hints = super::oauth::hints(params)?;
    if external && redirect_url.is_none() {
        return Err(ApiError::missing("redirect_url").into());
    }
    if let Some(s) = &strategy {
        check_strategy(ctx, s)?;
        // An upstream provider identifies the user itself; enterprise SSO picks the
        // connection from the identifier's domain.
        if identifier.is_none() && !s.starts_with("oauth_") && s != "passkey" {
            return Err(ApiError::missing("identifier").into());
        }
        if s == "password" && password.is_none() {
            return Err(ApiError::missing("password").into());
        }
    }
    if password.is_some() && identifier.is_none() {
        return Err(ApiError::missing("identifier").into());
    }

    super::limits::sign_in(ctx, cc.ip.as_deref(), identifier.as_deref()).await?;
    let client = client::ensure_for_new_attempt(ctx, cc).await?;
    let now = ctx.now();
    let mut si = new_sign_in(ctx, &client.id);

    if let Some(raw) = identifier
        .as_ref()
        .filter(|_| strategy.as_deref() == Some("enterprise_sso"))
    {
        // Enterprise SSO: the connection serving the identifier's domain, whether or not an
        // account exists yet (the first sign-in creates it).
        let provider = ctx.federation.for_email(raw).ok_or_else(|| {
            ApiError::invalid_value(
                "identifier",
                "No enterprise connection serves this email domain.",
            )
        })?;
        if let Some(user) = identify(ctx, raw).await? {
            set_identified(ctx, &mut si, raw, &user);
        } else {
            si.identifier = Some(raw.clone());
        }
        save(ctx, &mut si).await?;
        point_client_at(ctx, &client.id, &si.id, now).await?;
        let v = super::oauth::start(
            ctx,
            &provider,
            &client.id,
            super::oauth::Owner::SignIn(si.id.clone()),
            super::oauth::Back {
                redirect_url: redirect_url.unwrap_or_default(),
                action_complete_redirect_url: action_complete,
                named_in_url: cc.named_in_url,
                hints,
            },
        )
        .await?;
        si.first_factor_verification = Some(v);
        save(ctx, &mut si).await?;
        return Ok(si);
    }

    if let Some(raw) = &identifier {
        let user = match identify(ctx, raw).await? {
            Some(u) => Some(u),
            None if ctx.settings.auth.enumeration_protection => {
                set_phantom(ctx, &mut si, raw);
                None
            }
            None => {
                // Spend a password check's time even so: how long the answer takes must not
                // be what tells an attacker the account exists.
                if let Some(p) = &password {
                    let _ = ctx
                        .passwords
                        .verify(SecretString::from(p.clone()), None)
                        .await?;
                }
                return Err(ApiError::new(
                    ErrorCode::FormIdentifierNotFound,
                    "Couldn't find your account.",
                    "No account matches that identifier.",
                )
                .param("identifier")
                .into());
            }
        };
        if let Some(user) = user {
            set_identified(ctx, &mut si, raw, &user);
        }
    }
    // Record the sign-in on the client before any factor work, so a failed password attempt
    // still leaves the client pointing at it.
    save(ctx, &mut si).await?;
    point_client_at(ctx, &client.id, &si.id, now).await?;

    match (strategy.as_deref(), password) {
        (Some("password") | None, Some(pw)) => attempt_password(ctx, cc, &mut si, pw).await?,
        (
            Some(
                s @ ("email_code"
                | "phone_code"
                | "reset_password_email_code"
                | "reset_password_phone_code"),
            ),
            _,
        ) => {
            prepare_code(ctx, &mut si, s, None).await?;
        }
        (Some(s), _) if s.starts_with("oauth_") => {
            let back = super::oauth::Back {
                redirect_url: redirect_url.unwrap_or_default(),
                action_complete_redirect_url: action_complete,
                named_in_url: cc.named_in_url,
                hints,
            };
            start_external(ctx, &mut si, s, back).await?;
        }
        (Some("email_link"), _) => {
            let redirect_url = redirect_url.ok_or_else(|| ApiError::missing("redirect_url"))?;
            prepare_link(ctx, &mut si, None, redirect_url).await?;
        }
        (Some("passkey"), _) => {
            // No identifier needed: the passkey names its user.
            if si.user_id.is_none() {
                si.status = SignInStatus::NeedsFirstFactor;
                si.supported_first_factors = vec![passkey_factor()];
            }
            si.first_factor_verification = Some(super::passkeys::start_sign_in(ctx, &si.id).await?);
            save(ctx, &mut si).await?;
        }
        _ => {}
    }
    Ok(si)
}

async fn point_client_at(ctx: &Ctx, client_id: &str, sign_in_id: &str, now: i64) -> FlowResult<()> {
    clients::update(
        &ctx.db,
        client_id,
        clients::ClientChange {
            sign_in_id: Some(Some(sign_in_id.to_owned())),
            ..Default::default()
        },
        now,
    )
    .await?;
    Ok(())
}

/// Emails a sign-in link to the chosen (or first) email address of the account.
async fn prepare_link(
    ctx: &Ctx,
    si: &mut SignIn,
    target: Option<String>,
    redirect_url: String,
) -> FlowResult<()> {
    let factor = si
        .supported_first_factors
        .iter()
        .filter(|f| f.strategy == "email_link")
        .find(|f| target.is_none() || f.email_address_id == target)
        .cloned()
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::StrategyForUserInvalid,
                "is invalid",
                "The strategy \"email_link\" is not available for this account.",
            )
            .param("strategy")
        })?;
    let target_id = factor.email_address_id.clone().unwrap_or_default();
    if si.phantom {
        let destination = si.identifier.clone().unwrap_or_default();
        let v =
            verification::decoy(ctx, &si.id, "email_link", &destination, Some(target_id)).await?;
        si.first_factor_verification = Some(v);
        return save(ctx, si).await;
    }
    let user = users::get_user(&ctx.db, &si.user_id.clone().unwrap_or_default())
        .await?
        .ok_or_else(|| ApiError::state("The account of this sign-in no longer exists."))?;
    let email = user
        .emails
        .iter()
        .find(|e| e.id == target_id && e.verified)
        .map(|e| e.email_address.clone())
        .ok_or_else(|| ApiError::state("That address no longer belongs to the account."))?;
    let v = super::email_link::send(
        ctx,
        super::email_link::LinkOwner::SignIn(si.id.clone()),
        &si.client_id,
        &email,
        Some(target_id),
        redirect_url,
        Purpose::SignIn,
    )
    .await?;
    si.first_factor_verification = Some(v);
    save(ctx, si).await
}

/// The email link of sign-in `id` (of client `client_id`) was opened; in the browser that
/// asked for it (`here`) the sign-in goes on at once. True when it did.
pub(crate) async fn link_opened(
    ctx: &Ctx,
    cc: &mut ClientCtx,
    client_id: &str,
    id: &str,
    here: bool,
) -> FlowResult<bool> {
    let mut si = load(ctx, id)
        .await?
        .filter(|s| s.client_id == client_id && !s.phantom)
        .ok_or_else(|| ApiError::state("This sign-in is no longer waiting for the link."))?;
    let Some(v) = si
        .first_factor_verification
        .as_mut()
        .filter(|v| v.strategy == "email_link" && v.status == Status::Unverified)
    else {
        return Err(ApiError::state("This sign-in is no longer waiting for the link.").into());
    };
    v.status = Status::Verified;
    v.error = None;
    if here {
        first_factor_done(ctx, cc, &mut si).await?;
        Ok(true)
    } else {
        save(ctx, &mut si).await?;
        Ok(false)
    }
}

/// `GET …/sign_ins/{id}`: the sign-in as it is now; one whose email link was opened on
/// another device goes on here.
pub async fn reload(ctx: &Ctx, cc: &mut ClientCtx, id: &str) -> FlowResult<SignIn> {
    let mut si = get(ctx, cc, id).await?;
    let link_verified = si
        .first_factor_verification
        .as_ref()
        .is_some_and(|v| v.strategy == "email_link" && v.status == Status::Verified);
    if si.status == SignInStatus::NeedsFirstFactor && link_verified {
        first_factor_done(ctx, cc, &mut si).await?;
    }
    Ok(si)
}

/// Sends the sign-in to an upstream provider: the verification carries the URL.
async fn start_external(
    ctx: &Ctx,
    si: &mut SignIn,
    strategy: &str,
    back: super::oauth::Back,
) -> FlowResult<()> {
    let provider = if strategy == "enterprise_sso" {
        si.identifier
            .as_deref()
            .and_then(|i| ctx.federation.for_email(i))
    } else {
        super::oauth::provider_for(ctx, strategy)
    }
    .ok_or_else(|| strategy_not_enabled(strategy))?;
    let v = super::oauth::start(
        ctx,
        &provider,
        &si.client_id,
        super::oauth::Owner::SignIn(si.id.clone()),
        back,
    )
    .await?;
    si.first_factor_verification = Some(v);
    save(ctx, si).await
}

/// The provider's answer for a sign-in: the linked user signs in (or goes on to a second
/// factor); a user that does not exist yet leaves the sign-in `transferable` to a sign-up.
pub(crate) async fn oauth_result(
    ctx: &Ctx,
    cc: &mut ClientCtx,
    id: &str,
    provider: &crate::federation::Provider,
    outcome: Result<crate::federation::Identity, ApiError>,
) -> FlowResult<SignIn> {
    let mut si = get(ctx, cc, id).await?;
    let strategy = provider.strategy.clone();
    let mut v = si
        .first_factor_verification
        .take()
        .filter(|v| v.strategy == strategy)
        .unwrap_or_else(|| Verification {
            status: Status::Unverified,
            ..Verification::verified(&strategy, ctx.now())
        });
    v.external_url = None;
    v.attempts += 1;
    let identity = match outcome {
        Ok(identity) => identity,
        Err(e) => {
            super::oauth::fail(&mut v, e);
            si.first_factor_verification = Some(v);
            save(ctx, &mut si).await?;
            return Ok(si);
        }
    };
    match super::oauth::account_for(ctx, &identity, true).await? {
        Some(user) if si.user_id.as_ref().is_some_and(|u| u != &user.user.id) => {
            super::oauth::fail(&mut v, super::oauth::mismatch());
            si.first_factor_verification = Some(v);
            save(ctx, &mut si).await?;
        }
        Some(user) => {
            let identifier = si
                .identifier
                .clone()
                .or(identity.email.clone())
                .unwrap_or_else(|| identity.subject.clone());
            set_identified(ctx, &mut si, &identifier, &user);
            si.first_factor_verification = Some(super::oauth::verified(ctx, &strategy));
            first_factor_done(ctx, cc, &mut si).await?;
        }
        None if si.user_id.is_some() => {
            super::oauth::fail(&mut v, super::oauth::not_found());
            si.first_factor_verification = Some(v);
            save(ctx, &mut si).await?;
        }
        None => {
            v.status = Status::Transferable;
            v.error = Some(super::oauth::not_found());
            si.first_factor_verification = Some(v);
            si.external_identity = Some(identity);
            save(ctx, &mut si).await?;
        }
    }
    Ok(si)
}

/// `POST /v1/client/sign_ins {strategy: "ticket", ticket}`: a sign-in token made by an
/// operator signs its user in (or on to their second factor).
async fn sign_in_with_ticket(ctx: &Ctx, cc: &mut ClientCtx, ticket: &str) -> FlowResult<SignIn> {
    super::limits::sign_in(ctx, cc.ip.as_deref(), None).await?;
    let t = super::tickets::spend(ctx, ticket, super::tickets::SIGN_IN).await?;
    let user = users::get_user(&ctx.db, &t.user_id.unwrap_or_default())
        .await?
        .ok_or_else(|| {
            ApiError::invalid_value("ticket", "The user of this ticket no longer exists.")
        })?;
    let identifier = user
        .emails
        .first()
        .map(|e| e.email_address.clone())
        .or(user.user.username.clone())
        .unwrap_or_else(|| user.user.id.clone());
    sign_in_as(ctx, cc, &user, &identifier, "ticket").await
}

/// A new, empty sign-in for `client_id`.
fn new_sign_in(ctx: &Ctx, client_id: &str) -> SignIn {
    let now = ctx.now();
    SignIn {
        id: new_id("sia"),
        client_id: client_id.to_owned(),
        status: SignInStatus::NeedsIdentifier,
        identifier: None,
        user_id: None,
        supported_first_factors: Vec::new(),
        supported_second_factors: Vec::new(),
        first_factor_verification: None,
        second_factor_verification: None,
        user_data: None,
        created_session_id: None,
        first_factor_at: None,
        external_identity: None,
        phantom: false,
        abandon_at: now + ctx.settings.auth.attempt_lifetime_secs * 1000,
        created_at: now,
        updated_at: now,
    }
}

/// A sign-in of `user` whose first factor (`strategy`) is already proven: on to the second
/// factor or a session.
async fn sign_in_as(
    ctx: &Ctx,
    cc: &mut ClientCtx,
    user: &UserRecord,
    identifier: &str,
    strategy: &str,
) -> FlowResult<SignIn> {
    let client = client::ensure_for_new_attempt(ctx, cc).await?;
    let mut si = new_sign_in(ctx, &client.id);
    set_identified(ctx, &mut si, identifier, user);
    si.first_factor_verification = Some(Verification::verified(strategy, ctx.now()));
    save(ctx, &mut si).await?;
    point_client_at(ctx, &client.id, &si.id, ctx.now()).await?;
    first_factor_done(ctx, cc, &mut si).await?;
    Ok(si)
}

/// `POST /v1/client/sign_ins {transfer: true}`: the client's sign-up found an upstream
/// account that already belongs to a user; sign that user in.
async fn transfer_from_sign_up(ctx: &Ctx, cc: &mut ClientCtx) -> FlowResult<SignIn> {
    let invalid = || {
        ApiError::new(
            ErrorCode::AccountTransferInvalid,
            "Invalid transfer",
            "There is no sign-up on this client to transfer into a sign-in.",
        )
    };
    let su_id = cc
        .row
        .as_ref()
        .and_then(|r| r.sign_up_id.clone())
        .ok_or_else(invalid)?;
    let su = super::sign_up::get(ctx, cc, &su_id).await?;
    let (Some(identity), Some(v)) = (&su.external_identity, &su.external_verification) else {
        return Err(invalid().into());
    };
    if v.status != Status::Transferable {
        return Err(invalid().into());
    }
    let user = super::oauth::account_for(ctx, identity, true)
        .await?
        .ok_or_else(invalid)?;
    let identifier = identity
        .email
        .clone()
        .unwrap_or_else(|| identity.subject.clone());
    sign_in_as(ctx, cc, &user, &identifier, &v.strategy.clone()).await
}

/// Finds the user an identifier names: an email address, an E.164 phone number, or a
/// username, as far as each is enabled.
async fn identify(ctx: &Ctx, raw: &str) -> FlowResult<Option<UserRecord>> {
    let auth = &ctx.settings.auth;
    let found = if raw.contains('@') {
        match EmailAddress::parse(raw) {
            Ok(e) if auth.email_address.enabled() => {
                users::find_user_id_by_identifier(&ctx.db, IdentifierKind::Email, e.as_ref())
                    .await?
            }
            _ => None,
        }
    } else if raw.starts_with("0x") && auth.web3_wallet.enabled() {
        match crate::domain::web3::Address::parse(raw) {
            Ok(a) => users::find_user_id_by_wallet(&ctx.db, a.as_ref()).await?,
            Err(_) => None,
        }
    } else if raw.starts_with('+') {
        match PhoneNumber::parse(raw) {
            Ok(p) if auth.phone_number.enabled() => {
                users::find_user_id_by_identifier(&ctx.db, IdentifierKind::Phone, p.as_ref())
                    .await?
            }
            _ => None,
        }
    } else {
        match Username::parse(raw) {
            Ok(u) if auth.username.enabled() => {
                users::find_user_id_by_identifier(&ctx.db, IdentifierKind::Username, u.as_ref())
                    .await?
            }
            _ => None,
        }
    };
    match found {
        Some(id) => Ok(users::get_user(&ctx.db, &id).await?),
        None => Ok(None),
    }
}

fn set_identified(ctx: &Ctx, si: &mut SignIn, identifier: &str, user: &UserRecord) {
    si.identifier = Some(identifier.to_owned());
    si.user_id = Some(user.user.id.clone());
    si.user_data = Some(UserData {
        first_name: user.user.first_name.clone(),
        last_name: user.user.last_name.clone(),
    });
    si.supported_first_factors = first_factors(ctx, user);
    si.status = SignInStatus::NeedsFirstFactor;
}

/// A sign-in for an identifier nobody has, shaped like a real one: the factors an account with
/// a password and that address would have, with stable made-up ids.
fn set_phantom(ctx: &Ctx, si: &mut SignIn, identifier: &str) {
    let digest = ctx
        .tokens
        .hash("phantom", &identifier.trim().to_lowercase());
    let fake_id = crate::domain::derived_id("idn", &digest);
    let mut factors = Vec::new();
    let factor = |strategy: &str, masked: Option<String>, email: bool| Factor {
        strategy: strategy.into(),
        safe_identifier: masked,
        email_address_id: email.then(|| fake_id.clone()),
        phone_number_id: (!email).then(|| fake_id.clone()),
        web3_wallet_id: None,
        primary: true,
        default: false,
    };
    let has_password = enabled(ctx, "password");
    if has_password {
        factors.push(Factor::plain("password"));
    }
    if let Ok(e) = EmailAddress::parse(identifier) {
        let masked = Some(crate::domain::mask_email(e.as_ref()));
        if enabled(ctx, "email_code") {
            factors.push(factor("email_code", masked.clone(), true));
        }
        if has_password {
            factors.push(factor("reset_password_email_code", masked, true));
        }
    } else if let Ok(p) = PhoneNumber::parse(identifier) {
        let masked = Some(crate::domain::mask_phone(p.as_ref()));
        if enabled(ctx, "phone_code") {
            factors.push(factor("phone_code", masked.clone(), false));
        }
        if has_password {
            factors.push(factor("reset_password_phone_code", masked, false));
        }
    }
    if let Some(first) = factors.first_mut() {
        first.default = true;
    }
    si.identifier = Some(identifier.to_owned());
    si.user_id = None;
    si.phantom = true;
    si.user_data = Some(UserData::default());
    si.supported_first_factors = factors;
    si.status = SignInStatus::NeedsFirstFactor;
}

/// A wrong password or code, in the audit trail (for the account, when there is one).
fn failed_attempt(ctx: &Ctx, cc: &ClientCtx, si: &SignIn, strategy: &str) {
    super::audit::emit(
        ctx,
        &super::audit::Actor {
            user_id: si.user_id.clone().unwrap_or_default(),
            session_id: None,
            ip: cc.ip.clone(),
            user_agent: cc.user_agent.clone(),
        },
        "sign_in.failed",
        serde_json::json!({ "strategy": strategy, "sign_in_id": si.id }),
    );
}

fn passkey_factor() -> Factor {
    Factor::plain("passkey")
}

/// Whose failures a sign-in counts for the lockout: the user's, or a phantom's own.
fn lockout_key(ctx: &Ctx, si: &SignIn) -> String {
    match &si.user_id {
        Some(id) => id.clone(),
        None => format!(
            "phantom:{}",
            ctx.tokens.hash(
                "phantom",
                &si.identifier.clone().unwrap_or_default().to_lowercase()
            )
        ),
    }
}

/// A factor that sends a code to one of the user's email addresses.
fn email_factor(
    strategy: &str,
    e: &crate::store::entities::email_address::Model,
    user: &UserRecord,
) -> Factor {
    Factor {
        strategy: strategy.into(),
        safe_identifier: Some(crate::domain::mask_email(&e.email_address)),
        email_address_id: Some(e.id.clone()),
        phone_number_id: None,
        web3_wallet_id: None,
        primary: user.user.primary_email_address_id.as_deref() == Some(&e.id),
        default: false,
    }
}

/// A factor that texts a code to one of the user's phone numbers.
fn phone_factor(
    strategy: &str,
    p: &crate::store::entities::phone_number::Model,
    user: &UserRecord,
) -> Factor {
    Factor {
        strategy: strategy.into(),
        safe_identifier: Some(crate::domain::mask_phone(&p.phone_number)),
        email_address_id: None,
        phone_number_id: Some(p.id.clone()),
        web3_wallet_id: None,
        primary: user.user.primary_phone_number_id.as_deref() == Some(&p.id),
        default: false,
    }
}

/// The user's first factors, in the order a page offers them; the first is the default.
fn first_factors(ctx: &Ctx, user: &UserRecord) -> Vec<Factor> {
    let mut factors = Vec::new();
    let has_password = enabled(ctx, "password") && user.user.password_hash.is_some();
    if has_password {
        factors.push(Factor::plain("password"));
    }
    let emails: Vec<_> = user.emails.iter().filter(|e| e.verified).collect();
    // A number kept for the second factor never serves the first (nor a reset): with both
    // factors on one SIM, a SIM swap would be the whole account.
    let phones = user.first_factor_phones();
    if enabled(ctx, "email_code") {
        factors.extend(emails.iter().map(|e| email_factor("email_code", e, user)));
    }
    if enabled(ctx, "email_link") {
        factors.extend(emails.iter().map(|e| email_factor("email_link", e, user)));
    }
    if enabled(ctx, "phone_code") {
        factors.extend(phones.iter().map(|p| phone_factor("phone_code", p, user)));
    }
    if enabled(ctx, "passkey") && !user.passkeys.is_empty() {
        factors.push(passkey_factor());
    }
    // Each verified wallet, by any of the wallet strategies.
    if ctx.settings.auth.web3_wallet.enabled() {
        for w in user.wallets.iter().filter(|w| w.verified) {
            for strategy in super::web3::STRATEGIES {
                factors.push(Factor {
                    strategy: strategy.into(),
                    safe_identifier: Some(w.web3_wallet.clone()),
                    email_address_id: None,
                    phone_number_id: None,
                    web3_wallet_id: Some(w.id.clone()),
                    primary: false,
                    default: false,
                });
            }
        }
    }
    // Upstream accounts the user has connected, and the enterprise connection of their domain.
    for x in &user.external {
        let strategy = format!("oauth_{}", x.provider);
        if enabled(ctx, &strategy) && !factors.iter().any(|f: &Factor| f.strategy == strategy) {
            factors.push(Factor {
                strategy,
                safe_identifier: x.email_address.as_deref().map(crate::domain::mask_email),
                email_address_id: None,
                phone_number_id: None,
                web3_wallet_id: None,
                primary: false,
                default: false,
            });
        }
    }
    if let Some(e) = emails.first()
        && ctx.federation.for_email(&e.email_address).is_some()
    {
        factors.push(email_factor("enterprise_sso", e, user));
    }
    // A forgotten password is reset with a code to a verified address or number.
    if has_password {
        factors.extend(
            emails
                .iter()
                .map(|e| email_factor("reset_password_email_code", e, user)),
        );
        factors.extend(
            phones
                .iter()
                .map(|p| phone_factor("reset_password_phone_code", p, user)),
        );
    }
    if let Some(first) = factors.first_mut() {
        first.default = true;
    }
    factors
}

fn require_status(si: &SignIn, status: SignInStatus) -> Result<(), ApiError> {
    if si.status == status {
        return Ok(());
    }
    let long = match si.status {
        SignInStatus::NeedsIdentifier => "Identify the account first.".to_owned(),
        SignInStatus::Complete => "This sign-in is already complete.".to_owned(),
        other => format!(
            "This sign-in is at {}, not {}.",
            other.as_str(),
            status.as_str()
        ),
    };
    Err(ApiError::state(long))
}

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
pub async fn prepare_first_factor(
    ctx: &Ctx,
    cc: &mut ClientCtx,
    id: &str,
    params: &Params,
) -> FlowResult<SignIn> {
    params.only(PREPARE_FIRST_PARAMS)?;
    let strategy = params.required("strategy")?;
    let mut si = get(ctx, cc, id).await?;
    check_strategy(ctx, &strategy)?;
    require_status(&si, SignInStatus::NeedsFirstFactor)?;
    match strategy.as_str() {
        s @ ("email_code" | "reset_password_email_code") => {
            let target = params.text("email_address_id")?;
            prepare_code(ctx, &mut si, s, target).await?;
        }
        s @ ("phone_code" | "reset_password_phone_code") => {
            let target = params.text("phone_number_id")?;
            prepare_code(ctx, &mut si, s, target).await?;
        }
        "passkey" => {
            si.first_factor_verification = Some(super::passkeys::start_sign_in(ctx, &si.id).await?);
            save(ctx, &mut si).await?;
        }
        s if super::web3::is_strategy(s) => {
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
            let mut v = super::web3::challenge(ctx, s, &address)?;
            v.target_id = factor.web3_wallet_id.clone();
            si.first_factor_verification = Some(v);
            save(ctx, &mut si).await?;
        }
        "email_link" => {
            let target = params.text("email_address_id")?;
            let redirect_url = super::oauth::redirect_param(ctx, params, "redirect_url")?
                .ok_or_else(|| ApiError::missing("redirect_url"))?;
            prepare_link(ctx, &mut si, target, redirect_url).await?;
        }
        s if s.starts_with("oauth_") || s == "enterprise_sso" => {
            let redirect_url = super::oauth::redirect_param(ctx, params, "redirect_url")?
                .ok_or_else(|| ApiError::missing("redirect_url"))?;
            let action_complete =
                super::oauth::redirect_param(ctx, params, "action_complete_redirect_url")?;
            let back = super::oauth::Back {
                redirect_url,
                action_complete_redirect_url: action_complete,
                named_in_url: cc.named_in_url,
                hints: super::oauth::hints(params)?,
            };
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
async fn prepare_code(
    ctx: &Ctx,
    si: &mut SignIn,
    strategy: &str,
    target: Option<String>,
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
        if strategy.starts_with("reset_password") {
            Purpose::ResetPassword
        } else {
            Purpose::SignIn
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
    super::limits::sign_in(ctx, cc.ip.as_deref(), si.identifier.as_deref()).await?;
    match strategy.as_str() {
        "password" => {
            let pw = params
                .raw("password")?
                .ok_or_else(|| ApiError::missing("password"))?;
            attempt_password(ctx, cc, &mut si, pw).await?;
        }
        "email_code" | "phone_code" | "reset_password_email_code" | "reset_password_phone_code" => {
            let code = params.required("code")?;
            let Some(v) = si
                .first_factor_verification
                .as_mut()
                .filter(|v| v.strategy == strategy)
            else {
                return Err(verification::not_sent().into());
            };
            let checked = verification::check_code(ctx, v, &code).await;
            // A reset code proves the user but first asks for a new password.
            let reset = strategy.starts_with("reset_password");
            if checked.is_ok() && reset {
                si.status = SignInStatus::NeedsNewPassword;
            }
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
            let checked = super::passkeys::finish_sign_in(ctx, &si.id, &raw).await;
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
        s if super::web3::is_strategy(s) => {
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
            let checked = super::web3::check(ctx, v, &address, &signature).await;
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

async fn attempt_password(
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
    super::lockout::check(ctx, &lock).await?;
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
            super::lockout::failed(ctx, &lock, super::lockout::Counter::Password).await?
        {
            return Err(locked.into());
        }
        return Err(err.into());
    }
    super::lockout::succeeded(ctx, &lock, super::lockout::Counter::Password).await?;
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
    first_factor_done_for(ctx, cc, si, user.as_ref()).await
}

/// After the first factor: a second factor when the user has one, else a session. A passkey
/// is possession and presence in one, so it needs no second step.
async fn first_factor_done(ctx: &Ctx, cc: &mut ClientCtx, si: &mut SignIn) -> FlowResult<()> {
    let passkey = si
        .first_factor_verification
        .as_ref()
        .is_some_and(|v| v.strategy == "passkey");
    let user = if passkey || si.phantom {
        None
    } else {
        users::get_user(&ctx.db, &si.user_id.clone().unwrap_or_default()).await?
    };
    first_factor_done_for(ctx, cc, si, user.as_ref()).await
}

/// `first_factor_done` with the user already read (the password check reads it whole).
async fn first_factor_done_for(
    ctx: &Ctx,
    cc: &mut ClientCtx,
    si: &mut SignIn,
    user: Option<&UserRecord>,
) -> FlowResult<()> {
    if si.phantom {
        // Unreachable by design (nothing of a phantom verifies); never a session either way.
        return Err(ApiError::state("This sign-in cannot complete.").into());
    }
    si.first_factor_at = Some(ctx.now());
    let passkey = si
        .first_factor_verification
        .as_ref()
        .is_some_and(|v| v.strategy == "passkey");
    si.supported_second_factors = match user {
        Some(user) if !passkey => super::mfa::distinct_from_first(
            super::mfa::second_factors(ctx, user),
            si.first_factor_verification.as_ref(),
        ),
        _ => Vec::new(),
    };
    advance(ctx, cc, si).await
}

/// The one place that decides where a sign-in goes next.
async fn advance(ctx: &Ctx, cc: &mut ClientCtx, si: &mut SignIn) -> FlowResult<()> {
    let first_done = si
        .first_factor_verification
        .as_ref()
        .is_some_and(|v| v.status == Status::Verified);
    let second_done = si
        .second_factor_verification
        .as_ref()
        .is_some_and(|v| v.status == Status::Verified);
    si.status = if si.user_id.is_none() {
        SignInStatus::NeedsIdentifier
    } else if !first_done {
        SignInStatus::NeedsFirstFactor
    } else if !si.supported_second_factors.is_empty() && !second_done {
        SignInStatus::NeedsSecondFactor
    } else {
        complete(ctx, cc, si).await?;
        SignInStatus::Complete
    };
    save(ctx, si).await
}

/// Creates the session (and rotates the client token) in one transaction.
async fn complete(ctx: &Ctx, cc: &mut ClientCtx, si: &mut SignIn) -> FlowResult<()> {
    let user_id = si.user_id.clone().unwrap_or_default();
    let mut factors = Vec::new();
    if let Some(v) = &si.first_factor_verification {
        factors.push(v.strategy.clone());
    }
    let second_at = match &si.second_factor_verification {
        Some(v) if v.status == Status::Verified => {
            factors.push(v.strategy.clone());
            Some(ctx.now())
        }
        _ => None,
    };
    let factors_used = factors.clone();
    let txn = crate::store::begin(&ctx.db).await?;
    let created = super::session::create(
        ctx,
        &txn,
        super::session::NewSession {
            client_id: &si.client_id,
            user_id: &user_id,
            factors,
            first_factor_at: si.first_factor_at.unwrap_or_else(|| ctx.now()),
            second_factor_at: second_at,
            clear_sign_in: true,
            clear_sign_up: false,
            rotate_token: !cc.keep_token,
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
    txn.commit().await?;
    tracing::info!(user_id = %user_id, session_id = %session.id, "sign-in complete");
    // Only a completed sign-in clears the second-factor failures.
    super::lockout::succeeded(ctx, &user_id, super::lockout::Counter::SecondFactor).await?;
    super::audit::emit(
        ctx,
        &super::audit::Actor {
            user_id: user_id.clone(),
            session_id: Some(session.id.clone()),
            ip: cc.ip.clone(),
            user_agent: cc.user_agent.clone(),
        },
        "sign_in.succeeded",
        serde_json::json!({ "factors": factors_used }),
    );
    // The session wrote the user's last sign-in time, at the session's creation.
    if let Some(u) = cc.known_user.as_mut().filter(|u| u.user.id == user_id) {
        u.user.last_sign_in_at = Some(session.created_at);
    }
    si.created_session_id = Some(session.id);
    cc.new_token = token;
    cc.row = clients::get(&ctx.db, &si.client_id).await?;
    Ok(())
}

fn require_second_factor_step(si: &SignIn) -> Result<(), ApiError> {
    if si.supported_second_factors.is_empty() && si.status != SignInStatus::NeedsSecondFactor {
        return Err(ApiError::new(
            ErrorCode::NoSecondFactors,
            "No second factors",
            "This account has no second factor to verify.",
        ));
    }
    require_status(si, SignInStatus::NeedsSecondFactor)
}

fn second_factor_unavailable(strategy: &str) -> ApiError {
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
        Purpose::SignIn,
    )
    .await?;
    si.second_factor_verification = Some(v);
    save(ctx, &mut si).await?;
    Ok(si)
}

/// What `attempt_second_factor` accepts.
pub const ATTEMPT_SECOND_PARAMS: &[&str] = &["strategy", "code", "locale"];

/// `POST …/attempt_second_factor`: a TOTP, backup code, or the SMS / email code prepared.
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
    super::limits::sign_in(ctx, cc.ip.as_deref(), si.identifier.as_deref()).await?;
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
            let checked = super::mfa::check_sign_in_code(ctx, &user_id, &strategy, &code).await;
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
                Err(super::FlowError::Api(e)) => {
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
            let Some(v) = si
                .second_factor_verification
                .as_mut()
                .filter(|v| v.strategy == strategy)
            else {
                return Err(verification::not_sent().into());
            };
            super::lockout::check(ctx, &user_id).await?;
            let checked = verification::check_code(ctx, v, &code).await;
            save(ctx, &mut si).await?;
            if checked.is_err() {
                failed_attempt(ctx, cc, &si, &strategy);
            }
            super::lockout::second_factor_checked(ctx, &user_id, checked).await?;
        }
        other => return Err(second_factor_unavailable(other).into()),
    }
    advance(ctx, cc, &mut si).await?;
    Ok(si)
}

/// What `reset_password` accepts.
pub const RESET_PASSWORD_PARAMS: &[&str] = &["password", "sign_out_of_other_sessions", "locale"];

/// `POST …/reset_password`: only after a reset-password first factor.
pub async fn reset_password(
    ctx: &Ctx,
    cc: &mut ClientCtx,
    id: &str,
    params: &Params,
) -> FlowResult<SignIn> {
    params.only(RESET_PASSWORD_PARAMS)?;
    let mut si = get(ctx, cc, id).await?;
    require_status(&si, SignInStatus::NeedsNewPassword)?;
    let raw = params
        .raw("password")?
        .ok_or_else(|| ApiError::missing("password"))?;
    let password = super::breach::accept_new_password(ctx, "password", &raw).await?;
    let sign_out_others = params.bool("sign_out_of_other_sessions")?.unwrap_or(false);
    let user_id = si.user_id.clone().unwrap_or_default();
    let hash = ctx
        .passwords
        .hash(SecretString::from(password.expose().to_owned()))
        .await?;
    let now = ctx.now();
    let txn = crate::store::begin(&ctx.db).await?;
    users::set_password(&txn, &user_id, &hash, now).await?;
    // A reset means the old password may be known to someone else: whatever relying parties
    // hold from before it stops refreshing.
    crate::store::oauth::revoke_families_of_user(&txn, &user_id, None, now).await?;
    let mut ended: Vec<SessionEnded> = Vec::new();
    if sign_out_others {
        for s in crate::store::sessions::active_for_user(&txn, &user_id).await? {
            crate::store::sessions::set_status(&txn, &s.id, "ended", now).await?;
            ended.push(SessionEnded::new(s.id, s.user_id));
        }
    }
    let actor = super::audit::Actor {
        user_id: user_id.clone(),
        session_id: None,
        ip: cc.ip.clone(),
        user_agent: cc.user_agent.clone(),
    };
    let strategy = si
        .first_factor_verification
        .as_ref()
        .map(|v| v.strategy.clone())
        .unwrap_or_default();
    super::audit::record(
        ctx,
        &txn,
        &actor,
        "password.reset",
        serde_json::json!({ "strategy": strategy, "signed_out_sessions": ended.len() }),
    )
    .await?;
    txn.commit().await?;
    crate::sessions_ended(ctx, ended).await;
    if let Some(user) = users::get_user(&ctx.db, &user_id).await? {
        super::audit::notify(ctx, &user, "Your password was reset").await;
    }
    super::lockout::succeeded(ctx, &user_id, super::lockout::Counter::Password).await?;
    tracing::info!(%user_id, sign_out_others, "password reset");
    // The reset code proved the first factor; on to the second factor or a session.
    first_factor_done(ctx, cc, &mut si).await?;
    Ok(si)
}
