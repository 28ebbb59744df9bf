//! Signing in and up through an upstream provider (the `oauth_<provider>` and
//! `enterprise_sso` strategies), and linking one to a signed-in account. A round trip is one
//! state record in the ephemeral store: bound to the browser client that started it, single
//! use, gone after ten minutes.

use crate::Context as _;
use std::collections::HashMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::client::ClientCtx;
use super::verification::{Status, Verification};
use super::{ApiError, Ctx, ErrorCode, FlowResult, Params, keys};
use crate::crypto;
use crate::domain::new_id;
use crate::federation::{FederationError, Identity, Provider};
use crate::store::external::{self, ExternalAccountRow};
use crate::store::users::{self, IdentifierKind, UserRecord};

/// The largest `SAMLResponse` an assertion consumer service takes (base64).
pub const SAML_RESPONSE_LIMIT: usize = crate::federation::saml::MAX_RESPONSE_BYTES;

/// How long the browser has to come back from the provider.
pub const STATE_LIFETIME_SECS: i64 = 600;

/// What a round trip is for.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Owner {
    SignIn(String),
    SignUp(String),
    /// Linking to the signed-in user of this session.
    Link {
        user_id: String,
        session_id: String,
    },
    /// An identity provider's unsolicited answer (IdP-initiated SAML): a sign-in for
    /// whichever browser brings it to the callback.
    Unsolicited,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct RoundTrip {
    provider: String,
    client_id: String,
    nonce: String,
    verifier: String,
    owner: Owner,
    redirect_url: String,
    action_complete_redirect_url: Option<String>,
    expire_at: i64,
    /// Started by a client named in the URL: the callback may come without it.
    #[serde(default)]
    named_in_url: bool,
    /// A SAML connection's answer, verified at its assertion consumer service, waiting for
    /// the browser to bring its client cookie to the callback.
    #[serde(default)]
    saml: Option<Result<Identity, ApiError>>,
}

/// The callback every provider sends the browser back to; register it with the provider.
pub fn callback_url(ctx: &Ctx) -> String {
    format!("{}/v1/oauth_callback", ctx.settings().issuer())
}

/// The provider a strategy names, when configured and not switched off.
pub fn provider_for(ctx: &Ctx, strategy: &str) -> Option<std::sync::Arc<Provider>> {
    ctx.federation
        .by_strategy(strategy)
        .filter(|p| offered_under(&ctx.settings(), p))
}

/// The social providers offered now: those of config.toml that `[auth] disabled_providers`
/// does not switch off.
pub fn social(ctx: &Ctx) -> Vec<std::sync::Arc<Provider>> {
    let mut all = ctx.federation.social();
    let settings = ctx.settings();
    all.retain(|p| offered_under(&settings, p));
    all
}

/// Whether `settings` let a provider be used (enterprise connections are always on while they
/// exist).
pub fn offered_under(settings: &crate::config::Settings, p: &Provider) -> bool {
    !settings.auth.disabled_providers.contains(&p.key)
}

/// `oidc_login_hint` / `oidc_prompt` of an OAuth start, for the provider's sign-in page.
pub fn hints(params: &Params) -> FlowResult<crate::federation::Hints> {
    let login_hint = params.text("oidc_login_hint")?;
    if login_hint
        .as_ref()
        .is_some_and(|h| h.len() > 256 || h.chars().any(char::is_control))
    {
        return Err(ApiError::invalid_value(
            "oidc_login_hint",
            "oidc_login_hint must be at most 256 characters, without control characters.",
        )
        .into());
    }
    let mut prompt = Vec::new();
    for value in params.text("oidc_prompt")?.unwrap_or_default().split(' ') {
        match value {
            "" => {}
            "none" | "login" | "consent" | "select_account" => prompt.push(value.to_owned()),
            _ => {
                return Err(ApiError::invalid_value(
                    "oidc_prompt",
                    "oidc_prompt takes none, login, consent and select_account, space-separated.",
                )
                .into());
            }
        }
    }
    // OpenID Connect Core §3.1.2.1: `none` may not be combined with anything else.
    if prompt.len() > 1 && prompt.iter().any(|p| p == "none") {
        return Err(ApiError::invalid_value(
            "oidc_prompt",
            "oidc_prompt none cannot be combined with other values.",
        )
        .into());
    }
    Ok(crate::federation::Hints { login_hint, prompt })
}

/// `redirect_url` / `action_complete_redirect_url` of an OAuth start: required and allowed.
pub fn redirect_param(ctx: &Ctx, params: &Params, name: &str) -> FlowResult<Option<String>> {
    match params.text(name)? {
        None => Ok(None),
        Some(raw) => super::safe_redirect(ctx, &raw).map(Some).ok_or_else(|| {
            ApiError::invalid_value(
                name,
                format!(
                    "{name} must be a path here, an allowed origin or a registered redirect URI."
                ),
            )
            .into()
        }),
    }
}

fn provider_error(provider: &Provider, e: &FederationError) -> ApiError {
    tracing::warn!(provider = %provider.key, error = %e, "upstream sign-in failed");
    match e {
        FederationError::Unavailable(_) => ApiError::new(
            ErrorCode::OAuthProviderError,
            "Provider unavailable",
            format!("{} is not answering. Try again in a moment.", provider.name),
        ),
        FederationError::Invalid(_) => ApiError::new(
            ErrorCode::OAuthProviderError,
            "Provider error",
            format!(
                "{} sent an answer that could not be verified. Try again.",
                provider.name
            ),
        ),
        FederationError::Denied(status) => ApiError::new(
            ErrorCode::OAuthAccessDenied,
            "Access denied",
            format!(
                "{} did not sign you in ({}). Try again, or use another method.",
                provider.name,
                status
                    .rsplit(':')
                    .next()
                    .unwrap_or_default()
                    .chars()
                    .take(64)
                    .collect::<String>()
            ),
        ),
    }
}

/// How a round trip ends: where the browser goes back to, and what the provider's page is
/// told.
pub struct Back {
    pub redirect_url: String,
    pub action_complete_redirect_url: Option<String>,
    /// The client was named in the URL (see `ClientCtx::named_in_url`).
    pub named_in_url: bool,
    pub hints: crate::federation::Hints,
}

impl Back {
    /// The way back from a provider, as a request names it: `redirect_url` (empty when not
    /// given), `action_complete_redirect_url` and the provider hints, each checked before
    /// anything is written.
    pub fn read(ctx: &Ctx, params: &Params, named_in_url: bool) -> FlowResult<Back> {
        Ok(Back {
            redirect_url: redirect_param(ctx, params, "redirect_url")?.unwrap_or_default(),
            action_complete_redirect_url: redirect_param(
                ctx,
                params,
                "action_complete_redirect_url",
            )?,
            named_in_url,
            hints: hints(params)?,
        })
    }

    /// The same, refused without a `redirect_url`: the browser must have somewhere to land.
    pub fn required(self) -> FlowResult<Back> {
        if self.redirect_url.is_empty() {
            return Err(ApiError::missing("redirect_url").into());
        }
        Ok(self)
    }
}

/// Starts a round trip: the pending verification, carrying the provider URL to send the
/// browser to.
#[tracing::instrument(level = "debug", skip_all, fields(client_id = %client_id), err(level = "debug"))]
pub async fn start(
    ctx: &Ctx,
    provider: &Provider,
    client_id: &str,
    owner: Owner,
    back: Back,
) -> FlowResult<Verification> {
    let Back {
        redirect_url,
        action_complete_redirect_url,
        named_in_url,
        hints,
    } = back;
    let state = crypto::random_token();
    let now = ctx.now();
    let trip = RoundTrip {
        provider: provider.key.clone(),
        client_id: client_id.to_owned(),
        nonce: crypto::random_token(),
        // 43 characters of base64url: a valid PKCE verifier (RFC 7636 §4.1).
        verifier: crypto::random_token(),
        owner,
        redirect_url,
        action_complete_redirect_url,
        expire_at: now + STATE_LIFETIME_SECS * 1000,
        named_in_url,
        saml: None,
    };
    let url = ctx
        .federation
        .authorization_url(
            provider,
            &callback_url(ctx),
            &state,
            &trip.nonce,
            &trip.verifier,
            &hints,
        )
        .await
        .map_err(|e| provider_error(provider, &e))?;
    let raw = serde_json::to_string(&trip).map_err(anyhow::Error::new)?;
    ctx.eph
        .put(
            &keys::oauth_state(&state),
            &raw,
            Duration::from_secs(STATE_LIFETIME_SECS.unsigned_abs()),
        )
        .await?;
    Ok(Verification {
        status: Status::Unverified,
        strategy: provider.strategy.clone(),
        attempts: 0,
        expire_at: Some(trip.expire_at),
        error: None,
        nonce: crypto::random_token(),
        code_hash: None,
        target_id: None,
        external_url: Some(url),
        message: None,
        public_nonce: None,
    })
}

fn callback_invalid(long: &str) -> ApiError {
    ApiError::new(
        ErrorCode::OAuthCallbackInvalid,
        "Invalid sign-in link",
        long.to_owned(),
    )
}

/// `GET /v1/oauth_callback`: finishes the round trip and returns where to send the browser.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn callback(
    ctx: &Ctx,
    cc: &mut ClientCtx,
    query: &HashMap<String, String>,
) -> FlowResult<String> {
    let state = query
        .get("state")
        .filter(|s| !s.is_empty() && s.len() <= 128)
        .ok_or_else(|| callback_invalid("The provider's answer carries no state."))?;
    // Single use: taken, not read.
    let raw = ctx
        .eph
        .take(&keys::oauth_state(state))
        .await?
        .ok_or_else(|| {
            callback_invalid(
                "This sign-in has expired or was already used. Start again from the sign-in page.",
            )
        })?;
    let mut trip: RoundTrip = serde_json::from_str(&raw).map_err(anyhow::Error::new)?;
    let unsolicited = matches!(trip.owner, Owner::Unsolicited);
    if trip.named_in_url && cc.id() != Some(trip.client_id.as_str()) {
        // A development browser SDK names its client in its requests' URLs, and the
        // provider's redirect back carries none of them. The state is single-use, random and
        // bound to the client server-side, so it stands for the client: the round trip
        // finishes on the client that started it (not on whatever this browser has), and the
        // redirect hands out no token, so nobody's browser is signed in to another's client.
        cc.row = crate::store::clients::get(&ctx.db, &trip.client_id)
            .await
            .context("clients::get")?;
        cc.keep_token = true;
    }
    if !unsolicited && cc.id() != Some(trip.client_id.as_str()) {
        return Err(callback_invalid(
            "This sign-in was started in another browser. Start again from the sign-in page.",
        )
        .into());
    }
    if trip.expire_at <= ctx.now() {
        return Err(callback_invalid(
            "This sign-in has expired. Start again from the sign-in page.",
        )
        .into());
    }
    let provider = ctx
        .federation
        .by_key(&trip.provider)
        .filter(|p| offered_under(&ctx.settings(), p))
        .ok_or_else(|| callback_invalid("That provider is no longer configured."))?;
    let outcome = match (query.get("error"), query.get("code")) {
        // A SAML connection answered at its assertion consumer service.
        _ if provider.saml.is_some() => trip.saml.take().unwrap_or_else(|| {
            Err(callback_invalid(
                "The identity provider's answer is missing. Start again from the sign-in page.",
            ))
        }),
        (Some(error), _) => {
            let detail = query
                .get("error_description")
                .map(|d| d.chars().take(200).collect::<String>())
                .unwrap_or_default();
            tracing::info!(provider = %provider.key, %error, %detail, "upstream sign-in not granted");
            Err(ApiError::new(
                ErrorCode::OAuthAccessDenied,
                "Access denied",
                format!(
                    "{} did not grant access ({}). Try again, or use another method.",
                    provider.name,
                    error.chars().take(64).collect::<String>()
                ),
            ))
        }
        (None, Some(code)) => ctx
            .federation
            .identity(
                &provider,
                &callback_url(ctx),
                code,
                &trip.nonce,
                &trip.verifier,
            )
            .await
            .map_err(|e| provider_error(&provider, &e)),
        (None, None) => Err(callback_invalid("The provider's answer carries no code.")),
    };
    let outcome = outcome.and_then(|id| check_enterprise_domain(&provider, id));
    match trip.owner {
        Owner::SignIn(id) => {
            let si = super::sign_in::oauth_result(ctx, cc, &id, &provider, outcome).await?;
            let complete = si.status == super::sign_in::SignInStatus::Complete;
            Ok(match trip.action_complete_redirect_url {
                Some(u) if complete => u,
                _ => trip.redirect_url,
            })
        }
        Owner::SignUp(id) => {
            let su = super::sign_up::oauth_result(ctx, cc, &id, &provider, outcome).await?;
            let complete = su.status == super::sign_up::SignUpStatus::Complete;
            Ok(match trip.action_complete_redirect_url {
                Some(u) if complete => u,
                _ => trip.redirect_url,
            })
        }
        Owner::Unsolicited => {
            super::sign_in::unsolicited(ctx, cc, &provider, outcome).await?;
            Ok(trip.redirect_url)
        }
        Owner::Link {
            user_id,
            session_id,
        } => {
            let actor = super::audit::Actor {
                user_id,
                session_id: Some(session_id),
                ip: cc.ip.clone(),
                user_agent: cc.user_agent.clone(),
            };
            let result = match outcome {
                Ok(identity) => link(ctx, &actor, &identity).await,
                Err(e) => Err(e.into()),
            };
            Ok(match result {
                Ok(()) => trip.redirect_url,
                Err(super::FlowError::Api(e)) => with_error(&trip.redirect_url, e.code.as_str()),
                Err(other) => return Err(other),
            })
        }
    }
}

/// `POST /saml/{id}/acs`: a SAML identity provider's answer (HTTP-POST binding, SAML Bindings
/// §3.5). The browser posts it from the IdP's site, so it carries no client cookie
/// (`SameSite=Lax`); the answer is verified here, against the `AuthnRequest` that its
/// `RelayState` names, and parked on a fresh single-use state for `/v1/oauth_callback`,
/// where the browser, now on a top-level GET, brings its cookie and the round trip ends on the
/// client that started it. Returns that callback URL.
#[tracing::instrument(level = "debug", skip_all, fields(connection = %connection), err(level = "debug"))]
pub async fn saml_acs(
    ctx: &Ctx,
    connection: &str,
    ip: Option<&str>,
    saml_response: Option<&str>,
    relay_state: Option<&str>,
) -> FlowResult<String> {
    // Each answer costs a signature check: counted against the address's sign-in budget.
    super::limits::sign_in(ctx, ip, None).await?;
    let provider = ctx
        .federation
        .saml_connection(connection)
        .ok_or_else(|| callback_invalid("There is no such SAML connection."))?;
    let saml_response = saml_response.filter(|r| !r.is_empty()).ok_or_else(|| {
        callback_invalid("The identity provider's answer carries no SAMLResponse.")
    })?;
    if saml_response.len() > SAML_RESPONSE_LIMIT {
        return Err(callback_invalid("The identity provider's answer is too large.").into());
    }
    // Single use: taken, not read. An answer for another connection spends it too.
    let trip = match relay_state.filter(|s| !s.is_empty() && s.len() <= 128) {
        Some(state) => ctx.eph.take(&keys::oauth_state(state)).await?,
        None => None,
    };
    let allow_unsolicited = provider
        .saml
        .as_ref()
        .is_some_and(|c| c.allow_idp_initiated);
    let mut trip = match trip {
        Some(raw) => serde_json::from_str::<RoundTrip>(&raw).map_err(anyhow::Error::new)?,
        None if allow_unsolicited => RoundTrip {
            provider: provider.key.clone(),
            client_id: String::new(),
            nonce: String::new(),
            verifier: String::new(),
            owner: Owner::Unsolicited,
            redirect_url: "/sso-callback?flow=sign_in".into(),
            action_complete_redirect_url: None,
            expire_at: ctx.now() + STATE_LIFETIME_SECS * 1000,
            named_in_url: false,
            saml: None,
        },
        None => {
            saml_outcome(
                &provider,
                Err("no round trip: unsolicited, expired or used"),
            );
            return Err(callback_invalid(
                "This sign-in was not started here, has expired or was already used. Start \
                 again from the sign-in page.",
            )
            .into());
        }
    };
    if trip.provider != provider.key {
        return Err(callback_invalid("This answer is for another connection.").into());
    }
    if trip.expire_at <= ctx.now() {
        return Err(callback_invalid(
            "This sign-in has expired. Start again from the sign-in page.",
        )
        .into());
    }
    let unsolicited = matches!(trip.owner, Owner::Unsolicited);
    let request_id = (!unsolicited).then(|| crate::federation::saml_request_id(&trip.nonce));
    let answer = match ctx
        .federation
        .verify_saml(&provider, saml_response, request_id.as_deref())
        .await
    {
        Ok(v) => {
            // Each assertion is taken once, for as long as it could be presented.
            let ttl_ms = (v.replayable_until - ctx.now()).max(1000);
            let fresh = ctx
                .eph
                .put_if_absent(
                    &keys::saml_assertion(connection, &v.assertion_id),
                    "1",
                    Duration::from_millis(ttl_ms.unsigned_abs()),
                )
                .await?;
            if fresh {
                Ok(v.identity)
            } else {
                tracing::warn!(connection, "a SAML assertion was presented again");
                Err(ApiError::new(
                    ErrorCode::OAuthProviderError,
                    "Provider error",
                    format!(
                        "{} sent an answer that was already used. Start again.",
                        provider.name
                    ),
                ))
            }
        }
        Err(e) => Err(provider_error(&provider, &e)),
    };
    let answer = answer.and_then(|id| check_enterprise_domain(&provider, id));
    saml_outcome(
        &provider,
        answer
            .as_ref()
            .map(|_| ())
            .map_err(|e| e.long_message.as_str()),
    );
    // An unsolicited answer belongs to no sign-in: refused, it ends here.
    if unsolicited && let Err(e) = answer {
        return Err(e.into());
    }
    trip.saml = Some(answer);
    let state = crypto::random_token();
    let raw = serde_json::to_string(&trip).map_err(anyhow::Error::new)?;
    let left = (trip.expire_at - ctx.now()).max(1000);
    ctx.eph
        .put(
            &keys::oauth_state(&state),
            &raw,
            Duration::from_millis(left.unsigned_abs()),
        )
        .await?;
    Ok(format!("{}?state={state}", callback_url(ctx)))
}

/// A SAML answer taken or refused: the `saml.verified` / `saml.refused` counters of
/// `/metrics`, and an audit log line (the user, if any, is recorded by the sign-in itself).
fn saml_outcome(provider: &Provider, outcome: Result<(), &str>) {
    let kind = if outcome.is_ok() {
        "saml.verified"
    } else {
        "saml.refused"
    };
    crate::metrics::global().event(kind);
    tracing::info!(
        target: "portcullis::audit",
        connection = %provider.key,
        kind,
        reason = outcome.err().unwrap_or("-"),
        "SAML answer"
    );
}

/// `url` with `error=CODE` added to its query.
fn with_error(url: &str, code: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}error={code}")
}

/// An enterprise connection vouches only for its own domains.
fn check_enterprise_domain(provider: &Provider, id: Identity) -> Result<Identity, ApiError> {
    if provider.strategy != "enterprise_sso" {
        return Ok(id);
    }
    let domain = id
        .email
        .as_deref()
        .and_then(|e| e.rsplit_once('@'))
        .map(|(_, d)| d.to_lowercase());
    match domain {
        Some(d) if provider.domains.contains(&d) => Ok(id),
        _ => Err(ApiError::new(
            ErrorCode::OAuthProviderError,
            "Wrong domain",
            format!(
                "{} answered for an email address outside its domains.",
                provider.name
            ),
        )),
    }
}

/// The user an upstream identity belongs to: the one it is linked to, or — when allowed and
/// the provider says the email is verified — the user with that verified email (linked now
/// when `link` is set).
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub(crate) async fn account_for(
    ctx: &Ctx,
    identity: &Identity,
    link: bool,
) -> FlowResult<Option<UserRecord>> {
    if let Some(row) = external::find(&ctx.db, &identity.provider, &identity.subject)
        .await
        .context("external::find")?
    {
        return users::get_user(&ctx.db, &row.user_id)
            .await
            .context("users::get_user");
    }
    let by_email = match (&identity.email, identity.email_verified) {
        (Some(email), true) if ctx.settings().federation.link_by_verified_email => {
            users::find_user_id_by_identifier(&ctx.db, IdentifierKind::Email, email)
                .await
                .context("users::find_user_id_by_identifier")?
        }
        _ => None,
    };
    let Some(user_id) = by_email else {
        return Ok(None);
    };
    if link {
        let actor = super::audit::Actor {
            user_id: user_id.clone(),
            ..Default::default()
        };
        match insert_link(ctx, &actor, identity).await {
            Ok(()) => {}
            // Another request linked it first: fine, it is the same user.
            Err(super::FlowError::Api(e)) if e.code == ErrorCode::ExternalAccountExists => {}
            Err(e) => return Err(e),
        }
    }
    users::get_user(&ctx.db, &user_id)
        .await
        .context("users::get_user")
}

/// The organization of the enterprise connection that vouched for `identity`, if it has one.
pub(crate) fn connection_organization(ctx: &Ctx, identity: &Identity) -> Option<String> {
    ctx.federation
        .by_key(&identity.provider)
        .filter(|p| p.strategy == "enterprise_sso")
        .and_then(|p| p.organization_id.clone())
}

pub(crate) fn external_row(user_id: &str, identity: &Identity, now: i64) -> ExternalAccountRow {
    ExternalAccountRow {
        id: new_id("eac"),
        user_id: user_id.to_owned(),
        provider: identity.provider.clone(),
        provider_user_id: identity.subject.clone(),
        email_address: identity.email.clone(),
        email_verified: identity.email_verified,
        first_name: identity.first_name.clone(),
        last_name: identity.last_name.clone(),
        username: identity.username.clone(),
        image_url: identity.image_url.clone(),
        created_at: now,
        updated_at: now,
    }
}

fn exists() -> ApiError {
    ApiError::new(
        ErrorCode::ExternalAccountExists,
        "Already connected",
        "That account is already connected to another user.",
    )
}

async fn insert_link(
    ctx: &Ctx,
    actor: &super::audit::Actor,
    identity: &Identity,
) -> FlowResult<()> {
    let txn = crate::store::begin(&ctx.db).await?;
    match external::insert(&txn, external_row(&actor.user_id, identity, ctx.now())).await {
        Ok(()) => {}
        Err(e) if crate::store::is_unique_violation(&e) => {
            txn.rollback().await?;
            return Err(exists().into());
        }
        Err(e) => {
            txn.rollback().await?;
            return Err(e.into());
        }
    }
    super::audit::record(
        ctx,
        &txn,
        actor,
        "external_account.linked",
        json!({ "provider": identity.provider }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Links an upstream account to a signed-in user (from the account page).
async fn link(ctx: &Ctx, actor: &super::audit::Actor, identity: &Identity) -> FlowResult<()> {
    match external::find(&ctx.db, &identity.provider, &identity.subject)
        .await
        .context("external::find")?
    {
        Some(row) if row.user_id == actor.user_id => Ok(()),
        Some(_) => Err(exists().into()),
        None => insert_link(ctx, actor, identity).await,
    }
}

/// A failed upstream verification, with its error.
pub(crate) fn fail(v: &mut Verification, e: ApiError) {
    v.status = Status::Failed;
    v.error = Some(e);
    v.external_url = None;
}

/// A verification for `strategy` that the provider completed.
pub(crate) fn verified(ctx: &Ctx, strategy: &str) -> Verification {
    Verification::verified(strategy, ctx.now())
}

pub(crate) fn not_found() -> ApiError {
    ApiError::new(
        ErrorCode::ExternalAccountNotFound,
        "External account not found",
        "No account here is connected to that provider account yet.",
    )
}

pub(crate) fn mismatch() -> ApiError {
    ApiError::new(
        ErrorCode::ExternalAccountNotFound,
        "Different account",
        "That provider account belongs to a different user than the one signing in.",
    )
}
