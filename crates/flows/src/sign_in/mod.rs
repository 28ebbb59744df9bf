//! Sign-in: identify, prove the first factor, then a second one when the user has any. The
//! one place that decides a sign-in's next status is `next::status`, a pure function; the code
//! here gathers what it needs and writes what it decides.

mod external;
mod factors;
mod first_factor;
pub mod next;
mod reset;
mod second_factor;

use crate::Context as _;
pub(crate) use external::*;
use factors::*;
pub use first_factor::*;
pub use next::Step;
pub use reset::*;
pub use second_factor::*;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::attempt;
use super::client::{self, ClientCtx};
use super::verification::{self, Channel, Purpose, Status, Verification, Wording};
use super::{ApiError, Ctx, ErrorCode, FlowResult, Params, keys};
use crate::domain::{EmailAddress, PhoneNumber, Strategy, Username, new_id};
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
    /// The first factor was an enterprise connection that asserted multi-factor
    /// authentication: no second step here.
    #[serde(default)]
    pub upstream_mfa: bool,
    /// The organization whose enterprise connection proved the first factor: the user joins
    /// it and the session acts for it.
    #[serde(default)]
    pub connection_organization_id: Option<String>,
    /// The operator an actor token signs in as this user: the session is an impersonation
    /// and its tokens say so in `act`.
    #[serde(default)]
    pub actor: Option<super::session::Impersonation>,
    /// This request proved the password (never stored): a sign-in it completes clears the
    /// password failures with the second-factor ones, in one round trip. One completed
    /// later must not: failures counted since the password step are someone else's guesses.
    #[serde(skip)]
    pub password_proven_now: bool,
    pub abandon_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl SignIn {
    /// A sign-in that has not been given an identifier yet.
    pub fn new(id: String, client_id: &str, now: i64, abandon_at: i64) -> Self {
        SignIn {
            id,
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
            upstream_mfa: false,
            connection_organization_id: None,
            actor: None,
            password_proven_now: false,
            abandon_at,
            created_at: now,
            updated_at: now,
        }
    }
}

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

attempt::stored_attempt!(SignIn, "sign-in", keys::sign_in);

impl attempt::Transferable for SignIn {
    const INTO: &'static str = "sign-up";
    fn current(client: &crate::store::clients::ClientRow) -> Option<&String> {
        client.sign_in_id.as_ref()
    }
    fn upstream(&self) -> (Option<&crate::federation::Identity>, Option<&Verification>) {
        (
            self.external_identity.as_ref(),
            self.first_factor_verification.as_ref(),
        )
    }
}

#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn load(ctx: &Ctx, id: &str) -> FlowResult<Option<SignIn>> {
    attempt::load(ctx, id).await
}

async fn save(ctx: &Ctx, si: &mut SignIn) -> FlowResult<()> {
    si.updated_at = ctx.now();
    attempt::save(ctx, si).await
}

/// The client's sign-in `id`; another client's is not found.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn get(ctx: &Ctx, cc: &ClientCtx, id: &str) -> FlowResult<SignIn> {
    attempt::get(ctx, cc, id).await
}

/// Whether a first-factor strategy is offered. Password reset comes with passwords; upstream
/// providers with their configuration.
fn enabled(ctx: &Ctx, strategy: &str) -> bool {
    let Some(parsed) = Strategy::parse(strategy) else {
        return false;
    };
    let first_factors = &ctx.settings().auth.first_factors;
    match parsed {
        Strategy::OAuth(_) => super::oauth::provider_for(ctx, strategy).is_some(),
        Strategy::EnterpriseSso => ctx.federation.has_enterprise(),
        s if s.is_web3() => ctx.settings().auth.web3_wallet.enabled(),
        s if s.is_password_reset() => first_factors.iter().any(|f| f == "password"),
        _ => first_factors.iter().any(|f| f == strategy),
    }
}

fn strategy_not_enabled(strategy: &str) -> ApiError {
    ApiError::invalid_value(
        "strategy",
        format!("The strategy {strategy:?} is not enabled on this instance."),
    )
}

fn check_strategy(ctx: &Ctx, strategy: &str) -> Result<(), ApiError> {
    // First-factor strategies the wire knows of. Those not enabled here are refused by name,
    // so an app learns the instance does not offer them rather than that the request is
    // malformed.
    let known = Strategy::parse(strategy).is_some_and(|s| s.is_first_factor());
    if known && enabled(ctx, strategy) {
        Ok(())
    } else {
        Err(strategy_not_enabled(strategy))
    }
}

/// `POST /v1/client/sign_ins`: a new sign-in replacing the client's current one, identified
/// and with its first factor prepared or attempted when the parameters say so.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn create(ctx: &Ctx, cc: &mut ClientCtx, params: &Params) -> FlowResult<SignIn> {
    params.only(CREATE_PARAMS)?;
    let identifier = params.text("identifier")?;
    let strategy = params.strategy()?;
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
    // Checked with the rest of the input, before anything is written.
    let back = super::oauth::Back::read(ctx, params, cc.named_in_url)?;
    let back = if external { back.required()? } else { back };
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
    let client_id = client::ensure_for_new_attempt(ctx, cc).await?;
    let mut si = new_sign_in(ctx, &client_id);

    if let Some(raw) = identifier
        .as_ref()
        .filter(|_| strategy.as_deref() == Some("enterprise_sso"))
    {
        // Enterprise SSO: the connection serving the identifier's domain, whether or not an
        // account exists yet (the first sign-in creates it).
        if ctx.federation.for_email(raw).is_none() {
            return Err(ApiError::invalid_value(
                "identifier",
                "No enterprise connection serves this email domain.",
            )
            .into());
        }
        if let Some(user) = identify(ctx, raw).await? {
            set_identified(ctx, &mut si, raw, &user);
        } else {
            si.identifier = Some(raw.clone());
        }
        save(ctx, &mut si).await?;
        point_client_at(ctx, cc, &si.id).await?;
        start_external(ctx, &mut si, "enterprise_sso", back).await?;
        return Ok(si);
    }

    if let Some(raw) = &identifier {
        let user = match identify(ctx, raw).await? {
            Some(u) => Some(u),
            None if ctx.settings().auth.enumeration_protection => {
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
    point_client_at(ctx, cc, &si.id).await?;

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
            prepare_code(ctx, &mut si, s, None, cc.locale).await?;
        }
        (Some(s), _) if s.starts_with("oauth_") => {
            start_external(ctx, &mut si, s, back).await?;
        }
        (Some("email_link"), _) => {
            let redirect_url = back.required()?.redirect_url;
            prepare_link(ctx, &mut si, None, redirect_url, cc.locale).await?;
        }
        (Some("passkey"), _) => {
            // No identifier needed: the passkey names its user.
            if si.user_id.is_none() {
                si.supported_first_factors = vec![passkey_factor()];
                si.status = next::status(&si);
            }
            si.first_factor_verification = Some(super::passkeys::start_sign_in(ctx, &si.id).await?);
            save(ctx, &mut si).await?;
        }
        _ => {}
    }
    Ok(si)
}

/// Makes `si` the client's current sign-in (writing the client, when this request makes it).
async fn point_client_at(ctx: &Ctx, cc: &mut ClientCtx, sign_in_id: &str) -> FlowResult<()> {
    let attempts = clients::NewAttempts {
        sign_in_id: Some(sign_in_id.to_owned()),
        sign_up_id: None,
    };
    client::attach(ctx, cc, attempts).await
}

/// `GET …/sign_ins/{id}`: the sign-in as it is now; one whose email link was opened on
/// another device goes on here.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
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

/// A new, empty sign-in for `client_id`.
fn new_sign_in(ctx: &Ctx, client_id: &str) -> SignIn {
    let now = ctx.now();
    SignIn::new(
        new_id("sia"),
        client_id,
        now,
        now + ctx.settings().auth.attempt_lifetime_secs * 1000,
    )
}

/// A sign-in of `user` whose first factor (`strategy`) is already proven: on to the second
/// factor or a session.
async fn sign_in_as(
    ctx: &Ctx,
    cc: &mut ClientCtx,
    user: &UserRecord,
    identifier: &str,
    strategy: &str,
    connection_organization_id: Option<String>,
    actor: Option<super::session::Impersonation>,
) -> FlowResult<SignIn> {
    let client_id = client::ensure_for_new_attempt(ctx, cc).await?;
    let mut si = new_sign_in(ctx, &client_id);
    set_identified(ctx, &mut si, identifier, user);
    si.connection_organization_id = connection_organization_id;
    si.actor = actor;
    si.first_factor_verification = Some(Verification::verified(strategy, ctx.now()));
    save(ctx, &mut si).await?;
    point_client_at(ctx, cc, &si.id).await?;
    first_factor_done(ctx, cc, &mut si).await?;
    Ok(si)
}

/// Finds the user an identifier names: an email address, an E.164 phone number, or a
/// username, as far as each is enabled.
async fn identify(ctx: &Ctx, raw: &str) -> FlowResult<Option<UserRecord>> {
    let auth = &ctx.settings().auth;
    if raw.starts_with("0x") && !raw.contains('@') && auth.web3_wallet.enabled() {
        let Ok(a) = crate::domain::web3::Address::parse(raw) else {
            return Ok(None);
        };
        let found = users::find_user_id_by_wallet(&ctx.db, a.as_ref())
            .await
            .context("users::find_user_id_by_wallet")?;
        return match found {
            Some(id) => users::get_user(&ctx.db, &id)
                .await
                .context("users::get_user"),
            None => Ok(None),
        };
    }
    let named = if raw.contains('@') {
        EmailAddress::parse(raw)
            .ok()
            .filter(|_| auth.email_address.enabled())
            .map(|e| (IdentifierKind::Email, e.as_ref().to_owned()))
    } else if raw.starts_with('+') {
        PhoneNumber::parse(raw)
            .ok()
            .filter(|_| auth.phone_number.enabled())
            .map(|p| (IdentifierKind::Phone, p.as_ref().to_owned()))
    } else {
        Username::parse(raw)
            .ok()
            .filter(|_| auth.username.enabled())
            .map(|u| (IdentifierKind::Username, u.as_ref().to_owned()))
    };
    let Some((kind, value)) = named else {
        return Ok(None);
    };
    users::get_user_by_identifier(&ctx.db, kind, &value)
        .await
        .context("users::get_user_by_identifier")
}

fn set_identified(ctx: &Ctx, si: &mut SignIn, identifier: &str, user: &UserRecord) {
    si.identifier = Some(identifier.to_owned());
    si.user_id = Some(user.user.id.clone());
    si.user_data = Some(UserData {
        first_name: user.user.first_name.clone(),
        last_name: user.user.last_name.clone(),
    });
    si.supported_first_factors = first_factors(ctx, user);
    si.status = next::status(si);
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

/// After the first factor: a second factor when the user has one, else a session. A passkey
/// is possession and presence in one, and an enterprise IdP that asserted MFA checked two
/// factors itself, so neither needs a second step.
async fn first_factor_done(ctx: &Ctx, cc: &mut ClientCtx, si: &mut SignIn) -> FlowResult<()> {
    let passkey = si
        .first_factor_verification
        .as_ref()
        .is_some_and(|v| v.strategy == "passkey");
    let user = if passkey || si.phantom {
        None
    } else {
        users::get_user(&ctx.db, &si.user_id.clone().unwrap_or_default())
            .await
            .context("users::get_user")?
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
        // An operator's actor token stands for the whole sign-in: the user's second
        // factor is theirs, not the operator's, and is not asked.
        Some(user) if !passkey && !si.upstream_mfa && si.actor.is_none() => {
            super::mfa::distinct_from_first(
                super::mfa::second_factors(ctx, user),
                si.first_factor_verification.as_ref(),
            )
        }
        _ => Vec::new(),
    };
    advance(ctx, cc, si).await
}

/// Settles the sign-in's status (`next::status`), creating the session first when it is
/// complete, and saves it.
async fn advance(ctx: &Ctx, cc: &mut ClientCtx, si: &mut SignIn) -> FlowResult<()> {
    let status = next::status(si);
    if status == SignInStatus::Complete && si.created_session_id.is_none() {
        complete(ctx, cc, si).await?;
    }
    si.status = status;
    save(ctx, si).await
}

/// Creates the session (and rotates the client token) with its `sign_in.succeeded` audit
/// event, atomically: in one transaction, or in one statement where that is atomic alone.
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
    let actor = super::audit::Actor {
        user_id: user_id.clone(),
        session_id: None,
        ip: cc.ip.clone(),
        user_agent: cc.user_agent.clone(),
    };
    let audit = super::session::SessionAudit {
        actor: actor.clone(),
        kind: "sign_in.succeeded",
        detail: serde_json::json!({
            "factors": factors,
            "actor": si.actor.as_ref().map(|i| crate::wire::metadata(&i.actor)),
        }),
    };
    let new = |organization_id| super::session::NewSession {
        client_id: &si.client_id,
        user_id: &user_id,
        factors: factors.clone(),
        first_factor_at: si.first_factor_at.unwrap_or_else(|| ctx.now()),
        second_factor_at: second_at,
        clear_sign_in: true,
        clear_sign_up: false,
        rotate_token: !cc.keep_token,
        organization_id,
        actor: si.actor.clone(),
        audit: Some(audit),
    };
    let (session, token, client) = match &si.connection_organization_id {
        // Nothing to write but the session: on PostgreSQL that is one statement, which needs
        // no transaction around it (two round trips fewer).
        None if super::session::creates_alone(ctx) => {
            super::session::create(ctx, &ctx.db, new(None)).await?
        }
        org => {
            let txn = crate::store::begin(&ctx.db).await?;
            let organization_id = match org {
                Some(org) => {
                    match crate::organizations::join_by_connection_in(ctx, &txn, &actor, org).await
                    {
                        Ok(v) => v,
                        Err(e) => {
                            txn.rollback().await?;
                            return Err(e);
                        }
                    }
                }
                None => None,
            };
            let created = super::session::create(ctx, &txn, new(organization_id)).await;
            match created {
                Ok(v) => {
                    txn.commit().await?;
                    v
                }
                Err(e) => {
                    txn.rollback().await?;
                    return Err(e);
                }
            }
        }
    };
    tracing::info!(user_id = %user_id, session_id = %session.id, "sign-in complete");
    // Only a completed sign-in clears the second-factor failures (and the password ones,
    // when this request proved the password).
    super::lockout::signed_in(ctx, &user_id, si.password_proven_now).await?;
    // The session wrote the user's last sign-in time, at the session's creation.
    if let Some(u) = cc.known_user.as_mut().filter(|u| u.user.id == user_id) {
        u.user.last_sign_in_at = Some(session.created_at);
    }
    si.created_session_id = Some(session.id);
    cc.new_token = token;
    // The client as the new session left it (the same statement that changed it).
    cc.wrote(client);
    Ok(())
}
