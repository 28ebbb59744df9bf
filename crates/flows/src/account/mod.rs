//! The account API (`/v1/me`): what a signed-in user can change about their own account.
//! Every call acts on one session of the client: the one the request names, or the client's
//! last active one. A pending session (a second factor still to set up) may only reach what
//! that set-up needs.

mod identifications;
use crate::Context as _;
pub use identifications::*;
use portcullis_core::events::SessionEnded;
use secrecy::SecretString;
use serde_json::json;

use super::audit::{self, Actor};
use super::client::ClientCtx;
use super::session::{self, LiveSession};
use super::verification::{self, Channel, Purpose, Verification, Wording};
use super::{ApiError, Ctx, ErrorCode, FlowResult, Params, keys, load_state, mfa, save_state};
use crate::domain::{EmailAddress, PhoneNumber, SessionId, Username, new_id};
use crate::store::users::{self, IdentifierKind, ProfileChange, UserRecord};
use crate::store::{factors, is_unique_violation, sessions};

/// At most this many email addresses (or phone numbers) per user.
const MAX_IDENTIFICATIONS: usize = 10;

/// Who is asking: the session, with its user, and the audit actor.
pub struct Me {
    pub session: LiveSession,
    pub actor: Actor,
    /// See `ClientCtx::named_in_url`.
    pub named_in_url: bool,
    /// See `ClientCtx::locale`.
    pub asked_locale: Option<crate::i18n::Locale>,
}

impl Me {
    pub fn user(&self) -> &UserRecord {
        &self.session.user
    }

    /// The language to write to this user in: their own, else the request's.
    pub fn locale(&self) -> crate::i18n::Locale {
        crate::verification::recipient_locale(self.user().user.locale.as_deref(), self.asked_locale)
    }
}

fn signed_out() -> ApiError {
    ApiError::new(
        ErrorCode::AuthenticationInvalid,
        "Signed out",
        "You are signed out. Sign in to manage your account.",
    )
}

/// Which calls a pending session may make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Only with an active session.
    Active,
    /// Also while the session waits for a second factor to be set up (or for any task).
    MfaSetup,
    /// Also while the session's one remaining task is choosing an organization: what it
    /// takes to find, create or join one.
    ChooseOrganization,
}

/// The session a call acts on: `session_id` when given (one of this client's), else the
/// client's last active session.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn me(
    ctx: &Ctx,
    cc: &ClientCtx,
    session_id: Option<&SessionId>,
    access: Access,
) -> FlowResult<Me> {
    let sid = session_id
        .cloned()
        .or_else(|| cc.last_active_session())
        .ok_or_else(signed_out)?;
    let live = session::get_for(ctx, cc, &sid)
        .await
        .map_err(|_| signed_out())?;
    let allowed = match access {
        Access::Active => live.is_active(),
        Access::MfaSetup => live.is_signed_in_or_pending(),
        Access::ChooseOrganization => live.is_active() || live.only_choosing_organization(),
    };
    if !allowed {
        return Err(signed_out().into());
    }
    Ok(Me {
        actor: Actor {
            user_id: live.row.user_id.clone(),
            session_id: Some(live.row.id.clone()),
            ip: cc.ip.clone(),
            user_agent: cc.user_agent.clone(),
        },
        session: live,
        named_in_url: cc.named_in_url,
        asked_locale: cc.locale,
    })
}

/// The user as it is now (after a change).
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn reload(ctx: &Ctx, me: &Me) -> FlowResult<UserRecord> {
    users::get_user(&ctx.db, &me.session.row.user_id)
        .await
        .context("users::get_user")?
        .ok_or_else(|| signed_out().into())
}

/// What `PATCH /v1/me` accepts.
pub const UPDATE_PARAMS: &[&str] = &[
    "first_name",
    "last_name",
    "username",
    "unsafe_metadata",
    "primary_email_address_id",
    "primary_phone_number_id",
    "locale",
];

/// `PATCH /v1/me`: names, username, unsafe metadata, language, primary email address /
/// phone number.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn update(ctx: &Ctx, me: &Me, params: &Params) -> FlowResult<UserRecord> {
    params.only(UPDATE_PARAMS)?;
    // Which address or number is primary decides where codes and notices go.
    if params.contains("primary_email_address_id") || params.contains("primary_phone_number_id") {
        super::reverification::require(ctx, me)?;
    }
    let auth = &ctx.settings().auth;
    let user = me.user();
    let mut change = ProfileChange::default();
    for (field, mode) in [
        ("first_name", auth.first_name),
        ("last_name", auth.last_name),
    ] {
        if params.contains(field) {
            if !mode.enabled() {
                return Err(ApiError::invalid_value(
                    field,
                    format!("{field} is not used on this instance."),
                )
                .into());
            }
            let v = params.text(field)?;
            if let Some(v) = &v {
                super::sign_up::check_name(field, v)?;
            }
            if field == "first_name" {
                change.first_name = Some(v);
            } else {
                change.last_name = Some(v);
            }
        }
    }
    if let Some(raw) = params.text("username")? {
        if !auth.username.enabled() {
            return Err(ApiError::invalid_value(
                "username",
                "Usernames are not used on this instance.",
            )
            .into());
        }
        let u = Username::parse(&raw).map_err(|e| ApiError::from_parse("username", &e))?;
        if user.user.username.as_deref() != Some(u.as_ref()) {
            super::sign_up::ensure_free(ctx, IdentifierKind::Username, u.as_ref(), "username")
                .await?;
            change.username = Some(Some(u.as_ref().to_owned()));
        }
    }
    if let Some(m) = params.json_object("unsafe_metadata")? {
        change.unsafe_metadata = Some(m.to_string());
    }
    // The language messages and pages use for this user; empty clears it.
    if params.contains("locale") {
        change.locale = Some(crate::admin::locale_tag(params.text("locale")?)?);
    }
    let primary_email = params.text("primary_email_address_id")?;
    if let Some(id) = &primary_email
        && !user.emails.iter().any(|e| &e.id == id && e.verified)
    {
        return Err(ApiError::invalid_value(
            "primary_email_address_id",
            "Only a verified email address of yours can be primary.",
        )
        .into());
    }
    let primary_phone = params.text("primary_phone_number_id")?;
    if let Some(id) = &primary_phone
        && !user.phones.iter().any(|p| &p.id == id && p.verified)
    {
        return Err(ApiError::invalid_value(
            "primary_phone_number_id",
            "Only a verified phone number of yours can be primary.",
        )
        .into());
    }
    let now = ctx.now();
    let txn = crate::store::begin(&ctx.db).await?;
    let result = async {
        users::update_profile(&txn, &user.user.id, change, now).await?;
        if let Some(id) = &primary_email {
            users::set_primary(&txn, &user.user.id, IdentifierKind::Email, Some(id), now).await?;
        }
        if let Some(id) = &primary_phone {
            users::set_primary(&txn, &user.user.id, IdentifierKind::Phone, Some(id), now).await?;
        }
        Ok::<_, sea_orm::DbErr>(())
    }
    .await;
    match result {
        Ok(()) => {
            if let Err(e) =
                super::webhooks::enqueue_user(ctx, &txn, "user.updated", &user.user.id).await
            {
                txn.rollback().await?;
                return Err(e);
            }
            txn.commit().await?
        }
        Err(e) if is_unique_violation(&e) => {
            txn.rollback().await?;
            return Err(super::sign_up::identifier_exists("username").into());
        }
        Err(e) => {
            txn.rollback().await?;
            return Err(e.into());
        }
    }
    reload(ctx, me).await
}

/// What `POST /v1/me/change_password` accepts.
pub const CHANGE_PASSWORD_PARAMS: &[&str] = &[
    "current_password",
    "new_password",
    "sign_out_of_other_sessions",
];

/// `POST /v1/me/change_password`: the current password (when there is one) and a new one;
/// other sessions end when asked.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn change_password(ctx: &Ctx, me: &Me, params: &Params) -> FlowResult<UserRecord> {
    params.only(CHANGE_PASSWORD_PARAMS)?;
    super::reverification::require(ctx, me)?;
    let user = me.user();
    let user_id = user.user.id.clone();
    let new_raw = params
        .raw("new_password")?
        .ok_or_else(|| ApiError::missing("new_password"))?;
    let sign_out_others = params.bool("sign_out_of_other_sessions")?.unwrap_or(false);
    if let Some(stored) = &user.user.password_hash {
        let current = params
            .raw("current_password")?
            .ok_or_else(|| ApiError::missing("current_password"))?;
        super::lockout::check_password(
            ctx,
            &user_id,
            Some(stored.clone()),
            current,
            "current_password",
        )
        .await?;
    }
    let new = super::breach::accept_new_password(ctx, "new_password", &new_raw).await?;
    let hash = ctx
        .passwords
        .hash(SecretString::from(new.expose().to_owned()))
        .await?;
    let now = ctx.now();
    let txn = crate::store::begin(&ctx.db).await?;
    users::set_password(&txn, &user_id, &hash, now)
        .await
        .context("users::set_password")?;
    let ended = if sign_out_others {
        let keep = Some(me.session.row.id.as_str());
        super::session::end_others_in(&txn, &user_id, keep, now).await?
    } else {
        Vec::new()
    };
    // Tokens relying parties hold from other sessions were granted under the old password.
    crate::store::oauth::revoke_families_of_user(&txn, &user_id, Some(&me.session.row.id), now)
        .await
        .context("oauth::revoke_families_of_user")?;
    audit::record(
        ctx,
        &txn,
        &me.actor,
        if user.user.password_hash.is_some() {
            "password.changed"
        } else {
            "password.set"
        },
        json!({ "signed_out_sessions": ended.len() }),
    )
    .await?;
    super::webhooks::enqueue_user(ctx, &txn, "user.updated", &user_id).await?;
    txn.commit().await?;
    crate::sessions_ended(ctx, ended).await;
    audit::notify(ctx, user, "notice-password-changed").await;
    reload(ctx, me).await
}

/// `GET /v1/me/sessions/active`: the user's sessions on every device.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn active_sessions(ctx: &Ctx, me: &Me) -> FlowResult<Vec<LiveSession>> {
    let rows = sessions::active_for_user(&ctx.db, &me.user().user.id)
        .await
        .context("sessions::active_for_user")?;
    Ok(rows
        .into_iter()
        .map(|row| LiveSession::new(ctx, row, me.user().clone()))
        .filter(|live| live.status.is_live())
        .collect())
}

/// `POST /v1/me/sessions/{id}/revoke`: ends one of the user's sessions on another device.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn revoke_session(ctx: &Ctx, me: &Me, id: &SessionId) -> FlowResult<LiveSession> {
    let id = id.as_str();
    let row = sessions::get(&ctx.db, id)
        .await
        .context("sessions::get")?
        .filter(|r| r.user_id == me.user().user.id)
        .ok_or_else(|| ApiError::not_found("session"))?;
    let now = ctx.now();
    let txn = crate::store::begin(&ctx.db).await?;
    super::session::revoke_in(&txn, id, now).await?;
    audit::record(
        ctx,
        &txn,
        &me.actor,
        "session.revoked",
        json!({ "revoked_session_id": id }),
    )
    .await?;
    txn.commit().await?;
    crate::sessions_ended(
        ctx,
        vec![SessionEnded::new(row.id.clone(), row.user_id.clone())],
    )
    .await;
    let row = sessions::get(&ctx.db, id)
        .await
        .context("sessions::get")?
        .ok_or_else(|| ApiError::not_found("session"))?;
    Ok(LiveSession::new(ctx, row, me.user().clone()))
}

// Second factors and passkeys: each change is sensitive, so a session whose proof is old
// verifies again first (see `reverification`). The work itself is `mfa`'s and `passkeys`'.

/// `POST /v1/me/totp`: a secret for a new authenticator app.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn start_totp(ctx: &Ctx, me: &Me) -> FlowResult<mfa::TotpView> {
    super::reverification::require(ctx, me)?;
    mfa::start_totp(ctx, me.user()).await
}

/// `DELETE /v1/me/totp`.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn remove_totp(ctx: &Ctx, me: &Me) -> FlowResult<()> {
    super::reverification::require(ctx, me)?;
    mfa::remove_totp(ctx, &me.actor, me.user()).await
}

/// `POST /v1/me/backup_codes`.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn regenerate_backup_codes(ctx: &Ctx, me: &Me) -> FlowResult<Vec<String>> {
    super::reverification::require(ctx, me)?;
    mfa::regenerate_backup_codes(ctx, &me.actor, me.user()).await
}

/// `POST /v1/me/passkeys`.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn start_passkey(ctx: &Ctx, me: &Me) -> FlowResult<super::passkeys::PendingPasskey> {
    super::reverification::require(ctx, me)?;
    super::passkeys::start_registration(ctx, me.user()).await
}

/// `DELETE /v1/me/passkeys/{id}`.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn remove_passkey(ctx: &Ctx, me: &Me, id: &str) -> FlowResult<()> {
    super::reverification::require(ctx, me)?;
    super::passkeys::remove(ctx, &me.actor, me.user(), id).await
}

/// What verifying a new authenticator app accepts.
pub const TOTP_ATTEMPT_PARAMS: &[&str] = &["code"];

/// `POST /v1/me/totp/attempt_verification`, then the pending session (if any) activates.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn finish_totp(ctx: &Ctx, me: &Me, params: &Params) -> FlowResult<mfa::TotpView> {
    params.only(TOTP_ATTEMPT_PARAMS)?;
    let code = params.required("code")?;
    let view = mfa::finish_totp(ctx, &me.actor, me.user(), &code).await?;
    session::activate_if_ready(ctx, &me.session).await?;
    Ok(view)
}

/// What connecting an account at another provider accepts.
pub const CONNECT_EXTERNAL_PARAMS: &[&str] = &["strategy", "redirect_url", "additional_scope"];

/// `POST /v1/me/external_accounts {strategy, redirect_url}`: starts connecting an upstream
/// account; the verification carries the provider URL.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn connect_external(ctx: &Ctx, me: &Me, params: &Params) -> FlowResult<Verification> {
    params.only(CONNECT_EXTERNAL_PARAMS)?;
    // A connected account is one more way in.
    super::reverification::require(ctx, me)?;
    let strategy = params.required("strategy")?;
    let provider = super::oauth::provider_for(ctx, &strategy).ok_or_else(|| {
        ApiError::invalid_value(
            "strategy",
            format!("The strategy {strategy:?} is not enabled on this instance."),
        )
    })?;
    let redirect_url = super::oauth::redirect_param(ctx, params, "redirect_url")?
        .ok_or_else(|| ApiError::missing("redirect_url"))?;
    super::oauth::start(
        ctx,
        &provider,
        &me.session.row.client_id,
        super::oauth::Owner::Link {
            user_id: me.user().user.id.clone(),
            session_id: me.session.row.id.clone(),
        },
        super::oauth::Back {
            redirect_url,
            action_complete_redirect_url: None,
            named_in_url: me.named_in_url,
            hints: crate::federation::Hints::default(),
        },
    )
    .await
}

/// `DELETE /v1/me/external_accounts/{id}`: refused when it would leave no way to sign in.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn disconnect_external(ctx: &Ctx, me: &Me, id: &str) -> FlowResult<()> {
    super::reverification::require(ctx, me)?;
    let user = me.user();
    let account = user
        .external
        .iter()
        .find(|x| x.id == id)
        .ok_or_else(|| ApiError::not_found("external_account"))?;
    let auth = &ctx.settings().auth;
    let by_code = |s: &str| auth.first_factors.iter().any(|f| f == s);
    let other_way = (user.user.password_hash.is_some() && by_code("password"))
        || (by_code("email_code") && user.emails.iter().any(|e| e.verified))
        || (by_code("phone_code") && !user.first_factor_phones().is_empty())
        || user.external.iter().any(|x| {
            x.id != id
                && super::oauth::provider_for(ctx, &format!("oauth_{}", x.provider)).is_some()
        });
    if !other_way {
        return Err(ApiError::new(
            ErrorCode::FormParamValueInvalid,
            "Last sign-in method",
            "This is your only way to sign in. Set a password or add another method first.",
        )
        .into());
    }
    let txn = crate::store::begin(&ctx.db).await?;
    crate::store::external::delete(&txn, &user.user.id, id)
        .await
        .context("external::delete")?;
    audit::record(
        ctx,
        &txn,
        &me.actor,
        "external_account.unlinked",
        json!({ "provider": account.provider }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// `DELETE /v1/me`: the user deletes their own account, after verifying again. Every session
/// ends (relying parties are told), the `user.deleted` webhook goes out, and the audit trail
/// keeps the deletion; all in one transaction with the deletion itself.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn delete_self(ctx: &Ctx, me: &Me) -> FlowResult<()> {
    super::reverification::require(ctx, me)?;
    let user_id = me.user().user.id.clone();
    let now = ctx.now();
    let live: Vec<SessionEnded> = sessions::active_for_user(&ctx.db, &user_id)
        .await
        .context("sessions::active_for_user")?
        .into_iter()
        .map(|s| SessionEnded::new(s.id, s.user_id))
        .collect();
    let txn = crate::store::begin(&ctx.db).await?;
    for e in &live {
        sessions::set_status(
            &txn,
            e.session.as_str(),
            crate::store::sessions::SessionStatus::Ended,
            now,
        )
        .await
        .context("sessions::set_status")?;
    }
    crate::store::oauth::revoke_families_of_user(&txn, &user_id, None, now)
        .await
        .context("oauth::revoke_families_of_user")?;
    super::webhooks::enqueue(
        ctx,
        &txn,
        "user.deleted",
        json!({ "object": "user", "id": user_id, "deleted": true }),
    )
    .await?;
    if !crate::store::admin::delete_user(&txn, &user_id)
        .await
        .context("admin::delete_user")?
    {
        txn.rollback().await?;
        return Err(signed_out().into());
    }
    audit::record(ctx, &txn, &me.actor, "user.deleted_self", json!({})).await?;
    txn.commit().await?;
    tracing::info!(%user_id, "user deleted their account");
    crate::sessions_ended(ctx, live).await;
    Ok(())
}
