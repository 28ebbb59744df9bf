//! Sessions: created when a sign-in or sign-up completes, touched while in use, ended on
//! sign-out; and the short-lived session tokens an app's backend verifies with the JWKS.

use crate::Context as _;
use portcullis_core::events::SessionEnded;
use sea_orm::ConnectionTrait;
use serde::Serialize;

use super::client::ClientCtx;
use super::{ApiError, Ctx, ErrorCode, FlowResult};
use crate::crypto;
use crate::domain::{SessionId, new_id};
use crate::store::clients::{self, ClientChange};
use crate::store::sessions::{self, SessionRow, SessionStatus};
use crate::store::users::{self, UserRecord};

/// Revokes a session in the caller's transaction: its status, and the refresh tokens relying
/// parties hold from it, so neither outlives the other. Whoever revokes (the user, an
/// operator) records it and announces the end in the same transaction's wake.
pub(crate) async fn revoke_in(txn: &impl ConnectionTrait, id: &str, now: i64) -> FlowResult<()> {
    sessions::set_status(txn, id, SessionStatus::Revoked, now)
        .await
        .context("sessions::set_status")?;
    crate::store::oauth::revoke_families_of_sessions(txn, &[id.to_owned()], now)
        .await
        .context("oauth::revoke_families_of_sessions")?;
    Ok(())
}

/// Ends every active session of a user except `keep`, in the caller's transaction (a new
/// password signing out the other devices). Says which ended, to announce once the
/// transaction has committed.
pub(crate) async fn end_others_in(
    txn: &impl ConnectionTrait,
    user_id: &str,
    keep: Option<&str>,
    now: i64,
) -> FlowResult<Vec<SessionEnded>> {
    let mut ended = Vec::new();
    for s in sessions::active_for_user(txn, user_id)
        .await
        .context("sessions::active_for_user")?
    {
        if Some(s.id.as_str()) == keep {
            continue;
        }
        sessions::set_status(txn, &s.id, SessionStatus::Ended, now)
            .await
            .context("sessions::set_status")?;
        ended.push(SessionEnded::new(s.id, s.user_id));
    }
    Ok(ended)
}

/// Session tokens live one minute; the app refreshes them while the session lasts.
pub const TOKEN_LIFETIME_SECS: i64 = 60;

/// A session with its user and its status as of now.
#[derive(Debug, Clone)]
pub struct LiveSession {
    pub row: SessionRow,
    pub user: UserRecord,
    pub status: SessionStatus,
    /// The moment the session stops, counting the inactivity limit.
    pub expire_at: i64,
    /// What the user must do before a pending session counts, in order.
    tasks: Vec<&'static str>,
}

/// The task of a session still waiting for a second factor (`[auth] mfa_required`).
pub const TASK_SETUP_MFA: &str = "setup-mfa";
/// The task of a session that must act for an organization first
/// (`[organizations] force_organization_selection`).
pub const TASK_CHOOSE_ORGANIZATION: &str = "choose-organization";

impl LiveSession {
    /// The session as of now: its stored status, expiry, and the tasks still before it. A
    /// session that must choose an organization and has none of the user's is pending on it.
    pub fn new(ctx: &Ctx, row: SessionRow, user: UserRecord) -> Self {
        let (mut status, expire_at) = effective(ctx, &row);
        let mut tasks = Vec::new();
        if status == SessionStatus::Pending {
            tasks.push(TASK_SETUP_MFA);
        }
        if status.is_live() && super::organizations::must_choose(ctx, &row, &user) {
            tasks.push(TASK_CHOOSE_ORGANIZATION);
            status = SessionStatus::Pending;
        }
        Self {
            row,
            user,
            status,
            expire_at,
            tasks,
        }
    }

    pub fn id(&self) -> SessionId {
        SessionId::from_stored(self.row.id.clone())
    }

    pub fn is_active(&self) -> bool {
        self.status == SessionStatus::Active
    }

    pub fn is_signed_in_or_pending(&self) -> bool {
        self.status.is_live()
    }

    /// What the user must do before a pending session counts, first task first.
    pub fn tasks(&self) -> &[&'static str] {
        &self.tasks
    }

    /// Whether the only thing left before this session counts is choosing an organization.
    pub fn only_choosing_organization(&self) -> bool {
        self.tasks == [TASK_CHOOSE_ORGANIZATION]
    }
}

/// Turns a pending session active once its task is done (the user now has a second factor).
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn activate_if_ready(ctx: &Ctx, live: &LiveSession) -> FlowResult<()> {
    if live.tasks.first() != Some(&TASK_SETUP_MFA) {
        return Ok(());
    }
    let user = users::get_user(&ctx.db, &live.row.user_id)
        .await
        .context("users::get_user")?;
    if user.is_some_and(|u| u.two_factor_enabled()) {
        sessions::set_status(&ctx.db, &live.row.id, SessionStatus::Active, ctx.now())
            .await
            .context("sessions::set_status")?;
        tracing::info!(session_id = %live.row.id, "pending session activated after second-factor set-up");
    }
    Ok(())
}

/// `active`, `pending`, or `expired` once past its lifetime or inactivity limit, else the stored status.
pub fn effective(ctx: &Ctx, row: &SessionRow) -> (SessionStatus, i64) {
    let inactivity = ctx.settings().auth.session_inactivity_secs;
    let mut expire_at = row.expire_at;
    if inactivity > 0 {
        expire_at = expire_at.min(row.last_active_at + inactivity * 1000);
    }
    let status = match SessionStatus::from_stored(&row.status) {
        s if s.is_live() && expire_at <= ctx.now() => SessionStatus::Expired,
        s => s,
    };
    (status, expire_at)
}

/// The client's sessions that are still active or pending, with their users.
#[tracing::instrument(level = "debug", skip_all, fields(client_id = %client_id), err(level = "debug"))]
pub async fn live_for_client(ctx: &Ctx, client_id: &str) -> FlowResult<Vec<LiveSession>> {
    live_for_client_knowing(ctx, client_id, None).await
}

/// `live_for_client`, with one user record the caller already holds as stored.
#[tracing::instrument(level = "debug", skip_all, fields(client_id = %client_id), err(level = "debug"))]
pub async fn live_for_client_knowing(
    ctx: &Ctx,
    client_id: &str,
    known: Option<&UserRecord>,
) -> FlowResult<Vec<LiveSession>> {
    let rows: Vec<SessionRow> = sessions::active_for_client(&ctx.db, client_id)
        .await
        .context("sessions::active_for_client")?
        .into_iter()
        .filter(|r| effective(ctx, r).0.is_live())
        .collect();
    attach_users(ctx, rows, known).await
}

async fn attach_users(
    ctx: &Ctx,
    rows: Vec<SessionRow>,
    known: Option<&UserRecord>,
) -> FlowResult<Vec<LiveSession>> {
    let known = known.filter(|k| rows.iter().any(|r| r.user_id == k.user.id));
    let mut ids: Vec<String> = rows
        .iter()
        .map(|r| r.user_id.clone())
        .filter(|id| known.is_none_or(|k| k.user.id != *id))
        .collect();
    ids.sort();
    ids.dedup();
    let mut users = users::read_users(&ctx.db, &ids)
        .await
        .context("users::read_users")?;
    users.extend(known.cloned());
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let user = users.iter().find(|u| u.user.id == row.user_id)?.clone();
            Some(LiveSession::new(ctx, row, user))
        })
        .collect())
}

/// A session of this client, whatever its status; someone else's is not found.
#[tracing::instrument(level = "debug", skip_all, fields(client_id = %client_id, id = %id), err(level = "debug"))]
pub async fn get_for_client(ctx: &Ctx, client_id: &str, id: &SessionId) -> FlowResult<LiveSession> {
    session_of_client(ctx, client_id, id, None).await
}

/// [`get_for_client`] for the request's client: the row the client was resolved with when
/// `id` is its last active session and this is the request's first read of a session, else
/// read.
pub async fn get_for(ctx: &Ctx, cc: &ClientCtx, id: &SessionId) -> FlowResult<LiveSession> {
    let client_id = cc.id().ok_or_else(|| ApiError::not_found("session"))?;
    session_of_client(ctx, client_id, id, cc.session_as_resolved(id)).await
}

/// Session `id` of `client_id` with its user, from `resolved` when that is its row.
async fn session_of_client(
    ctx: &Ctx,
    client_id: &str,
    id: &SessionId,
    resolved: Option<SessionRow>,
) -> FlowResult<LiveSession> {
    let row = row_for_client(ctx, client_id, id, resolved)
        .await?
        .ok_or_else(|| ApiError::not_found("session"))?;
    attach_users(ctx, vec![row], None)
        .await?
        .pop()
        .ok_or_else(|| ApiError::not_found("session").into())
}

/// Session `id` when it belongs to `client_id`: `resolved` when that is its row, else read.
async fn row_for_client(
    ctx: &Ctx,
    client_id: &str,
    id: &SessionId,
    resolved: Option<SessionRow>,
) -> FlowResult<Option<SessionRow>> {
    let row = match resolved.filter(|r| r.id == id.as_str()) {
        Some(row) => Some(row),
        None => sessions::get(&ctx.db, id.as_str())
            .await
            .context("sessions::get")?,
    };
    Ok(row.filter(|r| r.client_id == client_id))
}

/// This client's session `id` when it is active as of now, without its user unless whether it
/// counts depends on the user: with `[organizations] force_organization_selection` a session
/// must act for one of the user's organizations first. The authorization endpoint's check,
/// one statement where `get_for_client` needs the user's record as well. A deleted user's
/// sessions go with it (the foreign key cascades) and a ban revokes them in the same
/// transaction, so the row alone tells both.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn active_row(
    ctx: &Ctx,
    cc: &ClientCtx,
    id: &SessionId,
) -> FlowResult<Option<SessionRow>> {
    let Some(client_id) = cc.id() else {
        return Ok(None);
    };
    let Some(row) = row_for_client(ctx, client_id, id, cc.session_as_resolved(id)).await? else {
        return Ok(None);
    };
    if effective(ctx, &row).0 != SessionStatus::Active {
        return Ok(None);
    }
    if !super::organizations::selection_forced(ctx) {
        return Ok(Some(row));
    }
    let live = attach_users(ctx, vec![row], None).await?.pop();
    Ok(live.filter(LiveSession::is_active).map(|l| l.row))
}

/// Any session, whatever its status and client (operators only).
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn get_any(ctx: &Ctx, id: &str) -> FlowResult<LiveSession> {
    let row = sessions::get(&ctx.db, id)
        .await
        .context("sessions::get")?
        .ok_or_else(|| ApiError::not_found("session"))?;
    attach_users(ctx, vec![row], None)
        .await?
        .pop()
        .ok_or_else(|| ApiError::not_found("session").into())
}

pub struct NewSession<'a> {
    pub client_id: &'a str,
    pub user_id: &'a str,
    /// Strategies verified, first factor first.
    pub factors: Vec<String>,
    pub first_factor_at: i64,
    pub second_factor_at: Option<i64>,
    /// Whether the sign-in (or sign-up) pointer of the client is cleared.
    pub clear_sign_in: bool,
    pub clear_sign_up: bool,
    /// Whether the client gets a new token. Only when the response cannot deliver one (see
    /// `ClientCtx::keep_token`) does the old one stay.
    pub rotate_token: bool,
    /// The organization the session acts for from the start (one whose enterprise
    /// connection signed the user in).
    pub organization_id: Option<String>,
    /// The operator acting as the user (an actor token's sign-in).
    pub actor: Option<Impersonation>,
    /// The audit event written with the session (its actor gets the new session's id).
    pub audit: Option<SessionAudit>,
}

/// An audit event that records how a session came to be, written in the same statement or
/// transaction as the session: one is never without the other, even across a crash.
pub struct SessionAudit {
    pub actor: super::audit::Actor,
    pub kind: &'static str,
    pub detail: serde_json::Value,
}

/// An operator signed in as a user by an actor token: who (`actor`, a JSON object with at
/// least `sub`), and for how long at most.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Impersonation {
    pub actor: String,
    pub max_secs: i64,
}

/// Whether [`create`] writes in one statement, atomic without a transaction around it:
/// where the store opens a session in one (`sessions::opens_alone`), unless a
/// `session.created` webhook is queued beside it.
pub fn creates_alone(ctx: &Ctx) -> bool {
    sessions::opens_alone(&ctx.db) && !super::webhooks::wanted(ctx, "session.created")
}

/// Creates the session, makes it the client's active one and rotates the client token (a
/// fixation defence: the token that existed before sign-in no longer works after it); the
/// new token, if any, is returned, with the client as the session left it.
/// Runs on `db`, which is a transaction when the caller has more to write atomically.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn create(
    ctx: &Ctx,
    db: &impl ConnectionTrait,
    new: NewSession<'_>,
) -> FlowResult<(SessionRow, Option<String>, Option<clients::ClientRow>)> {
    let now = ctx.now();
    let auth = &ctx.settings().auth;
    // With mfa_required, a user without a second factor gets a pending session: signed in
    // only to set one up.
    let status = if auth.mfa_required
        && !users::load_user(db, new.user_id)
            .await
            .context("users::load_user")?
            .is_some_and(|u| u.two_factor_enabled())
    {
        SessionStatus::Pending
    } else {
        SessionStatus::Active
    };
    let row = SessionRow {
        id: new_id("sess"),
        client_id: new.client_id.to_owned(),
        user_id: new.user_id.to_owned(),
        status: status.as_str().into(),
        factors: serde_json::to_string(&new.factors).map_err(anyhow::Error::new)?,
        first_factor_at: new.first_factor_at,
        second_factor_at: new.second_factor_at,
        last_active_at: now,
        // An impersonation ends after its own, shorter, limit.
        expire_at: now
            + new.actor.as_ref().map_or(auth.session_lifetime_secs, |i| {
                i.max_secs.min(auth.session_lifetime_secs)
            }) * 1000,
        abandon_at: now + auth.session_lifetime_secs * 1000 + 3 * 24 * 3600 * 1000,
        last_active_organization_id: new.organization_id,
        actor: new.actor.map(|i| i.actor),
        created_at: now,
        updated_at: now,
    };
    let token = new.rotate_token.then(crypto::random_token);
    let audit = new.audit.map(|a| {
        let actor = super::audit::Actor {
            session_id: Some(row.id.clone()),
            ..a.actor
        };
        super::audit::prepare(ctx, &actor, a.kind, &a.detail)
    });
    // An operator's ban or lock stops every way of signing in, here where they all meet:
    // the same write records the sign-in and holds the user's row against a ban until the
    // caller commits.
    let opened = sessions::open(
        db,
        sessions::Opening {
            session: row.clone(),
            client: ClientChange {
                sign_in_id: new.clear_sign_in.then_some(None),
                sign_up_id: new.clear_sign_up.then_some(None),
                last_active_session_id: Some(Some(row.id.clone())),
                token_hash: token.as_deref().map(|t| ctx.tokens.hash("client", t)),
            },
            audit,
        },
    )
    .await
    .context("sessions::open")?;
    let client = match opened {
        sessions::Opened::Open(client) => client,
        sessions::Opened::Refused { banned: true, .. } => {
            return Err(ApiError::new(
                ErrorCode::UserBanned,
                "Account banned",
                "This account has been banned. Contact the operator of this site.",
            )
            .into());
        }
        sessions::Opened::Refused { .. } => {
            return Err(ApiError::new(
                ErrorCode::UserLocked,
                "Account locked",
                "This account has been locked by an administrator.",
            )
            .into());
        }
        // Deleted since this flow read it.
        sessions::Opened::NoUser => return Err(ApiError::not_found("user").into()),
    };
    if super::webhooks::wanted(ctx, "session.created") {
        super::webhooks::enqueue(ctx, db, "session.created", session_event(&row)).await?;
    }
    Ok((row, token, client))
}

/// A session as webhooks report it.
pub fn session_event(row: &SessionRow) -> serde_json::Value {
    serde_json::json!({
        "object": "session",
        "id": row.id,
        "user_id": row.user_id,
        "client_id": row.client_id,
        "status": row.status,
        "expire_at": row.expire_at,
        "created_at": row.created_at,
    })
}

fn not_active() -> ApiError {
    ApiError::new(
        ErrorCode::AuthenticationInvalid,
        "Session is not active",
        "This session has ended or expired. Sign in again.",
    )
}

/// Marks the session as in use now and makes it the client's active session.
#[tracing::instrument(level = "debug", skip_all, fields(client_id = %client_id, id = %id), err(level = "debug"))]
pub async fn touch(
    ctx: &Ctx,
    client_id: &str,
    id: &SessionId,
    params: &super::Params,
) -> FlowResult<()> {
    params.only(super::organizations::TOUCH_PARAMS)?;
    let live = get_for_client(ctx, client_id, id).await?;
    if !live.is_signed_in_or_pending() {
        return Err(not_active().into());
    }
    // `active_organization_id` chooses the organization the session acts for (empty: the
    // personal account); absent, it stays as it is.
    if params.contains("active_organization_id") {
        let chosen = params.text("active_organization_id")?;
        super::organizations::activate(ctx, &live, chosen.as_deref()).await?;
    }
    let now = ctx.now();
    sessions::touch(&ctx.db, id.as_str(), now, live.row.expire_at)
        .await
        .context("sessions::touch")?;
    clients::update(
        &ctx.db,
        client_id,
        ClientChange {
            last_active_session_id: Some(Some(id.to_string())),
            ..Default::default()
        },
        now,
    )
    .await?;
    Ok(())
}

/// Ends (`ended`, the user signed out) or removes (`removed`) a session of this client.
#[tracing::instrument(level = "debug", skip_all, fields(client_id = %client_id, id = %id), err(level = "debug"))]
pub async fn finish(
    ctx: &Ctx,
    client_id: &str,
    id: &SessionId,
    status: SessionStatus,
) -> FlowResult<()> {
    let live = get_for_client(ctx, client_id, id).await?;
    if !live.is_signed_in_or_pending() {
        return Err(not_active().into());
    }
    let now = ctx.now();
    sessions::set_status(&ctx.db, id.as_str(), status, now)
        .await
        .context("sessions::set_status")?;
    super::audit::emit(
        ctx,
        &super::audit::Actor {
            user_id: live.row.user_id.clone(),
            session_id: Some(id.to_string()),
            ..Default::default()
        },
        &format!("session.{status}"),
        serde_json::json!({}),
    );
    crate::sessions_ended(
        ctx,
        vec![SessionEnded::new(
            live.row.id.clone(),
            live.row.user_id.clone(),
        )],
    )
    .await;
    // The client's active session moves to another live one, if any.
    let remaining = live_for_client(ctx, client_id).await?;
    clients::update(
        &ctx.db,
        client_id,
        ClientChange {
            last_active_session_id: Some(remaining.first().map(|s| s.row.id.clone())),
            ..Default::default()
        },
        now,
    )
    .await?;
    Ok(())
}

#[derive(Serialize)]
struct SessionClaims<'a> {
    sub: &'a str,
    sid: &'a str,
    iss: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    azp: Option<&'a str>,
    iat: i64,
    nbf: i64,
    exp: i64,
    jti: String,
    /// Minutes since the first and second factor were verified (-1: no second factor).
    fva: [i64; 2],
    v: u8,
    /// The operator acting as the user (RFC 8693 §4.1), in an impersonation session.
    #[serde(skip_serializing_if = "Option::is_none")]
    act: Option<serde_json::Value>,
    /// The instance's custom claims, then the active organization's
    /// (`organizations::token_claims`).
    #[serde(flatten)]
    org: serde_json::Map<String, serde_json::Value>,
}

/// Signs a session token for a live session. `origin` (the app's origin, when the request
/// came from a browser) becomes `azp`.
pub fn token(ctx: &Ctx, live: &LiveSession, origin: Option<&str>) -> FlowResult<String> {
    let now = ctx.now();
    let iat = now / 1000;
    let age = |t: i64| (now - t).max(0) / 60_000;
    let settings = ctx.settings();
    let custom = &settings.auth.session_token_claims;
    let mut extra = if custom.is_empty() {
        serde_json::Map::new()
    } else {
        super::jwt_templates::resolve_claims(ctx, live, &serde_json::Value::Object(custom.clone()))
    };
    // The organization's claims come last: a custom claim never replaces them.
    extra.extend(super::organizations::token_claims(ctx, live));
    let claims = SessionClaims {
        sub: &live.row.user_id,
        sid: &live.row.id,
        iss: settings.issuer(),
        azp: origin,
        iat,
        nbf: iat,
        exp: iat + TOKEN_LIFETIME_SECS,
        jti: crypto::random_token()[..20].to_owned(),
        fva: [
            age(live.row.first_factor_at),
            live.row.second_factor_at.map_or(-1, age),
        ],
        v: 2,
        act: live.row.actor.as_deref().map(crate::wire::metadata),
        org: extra,
    };
    Ok(ctx.keys.current().sign_session(&claims)?)
}

/// A token for the client's session `id`, which must be active.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn token_for(
    ctx: &Ctx,
    cc: &ClientCtx,
    id: &SessionId,
    origin: Option<&str>,
) -> FlowResult<String> {
    let live = get_for(ctx, cc, id).await?;
    if live.status != SessionStatus::Active {
        return Err(not_active().into());
    }
    token(ctx, &live, origin)
}

/// A token of JWT template `template` for the client's session `id`, which must be active
/// (the browser SDK's `session.getToken({ template })`).
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn template_token_for(
    ctx: &Ctx,
    cc: &ClientCtx,
    id: &SessionId,
    template: &str,
    origin: Option<&str>,
) -> FlowResult<String> {
    let live = get_for(ctx, cc, id).await?;
    if live.status != SessionStatus::Active {
        return Err(not_active().into());
    }
    super::jwt_templates::token(ctx, &live, template, origin).await
}
