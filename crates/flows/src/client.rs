//! The client: one browser or native app. Identified by an opaque random token (cookie or
//! Bearer), of which only the keyed hash is stored.

use super::session::{self, LiveSession};
use super::sign_in::SignIn;
use super::sign_up::SignUp;
use super::{ApiError, Ctx, ErrorCode, FlowResult};
use crate::Context as _;
use crate::crypto;
use crate::domain::{SessionId, new_id};
use crate::store::clients::{self, ClientChange, ClientRow};
use crate::store::sessions;
use crate::store::users::UserRecord;
use portcullis_core::events::SessionEnded;

/// The client of the current request, and the token to hand back when it was created or
/// rotated during the request.
#[derive(Debug, Default)]
pub struct ClientCtx {
    pub row: Option<ClientRow>,
    pub new_token: Option<String>,
    /// The address the request came from, for the audit trail and rate limits.
    pub ip: Option<String>,
    /// The request's `User-Agent`, for the audit trail.
    pub user_agent: Option<String>,
    /// The request named its client in the URL (a development browser SDK, `[server]
    /// dev_browser`), not in a cookie: an upstream provider's redirect back then carries no
    /// client, and the round trip's single-use state has to stand for it.
    pub named_in_url: bool,
    /// The response cannot hand this client a new token: an upstream provider's redirect
    /// back, finishing a round trip a client named in the URL started. Its sign-in then
    /// keeps the token the SDK already holds.
    pub keep_token: bool,
    /// A user record this request read whole and keeps as stored: a password attempt sets
    /// it once the password is proven (not after a rehash, which writes more), and a
    /// completed sign-in applies the one later write, the last sign-in time. The client's
    /// render uses it instead of reading the user again (two to ten statements).
    pub known_user: Option<UserRecord>,
    /// The language the request asked for (the page's, or `Accept-Language` / `locale` on
    /// the Frontend API), if it named one Portcullis ships. Messages to a known user go in
    /// the user's own language first.
    pub locale: Option<crate::i18n::Locale>,
}

impl ClientCtx {
    pub fn id(&self) -> Option<&str> {
        self.row.as_ref().map(|r| r.id.as_str())
    }

    /// The session the client last made active, if any.
    pub fn last_active_session(&self) -> Option<SessionId> {
        let id = self.row.as_ref()?.last_active_session_id.clone()?;
        Some(SessionId::from_stored(id))
    }
}

/// Finds the client for `token`; an unknown or malformed token is simply no client.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn resolve(ctx: &Ctx, token: Option<&str>) -> FlowResult<ClientCtx> {
    let Some(token) = token.filter(|t| !t.is_empty() && t.len() <= 128) else {
        return Ok(ClientCtx::default());
    };
    let hash = ctx.tokens.hash("client", token);
    let row = clients::find_by_token_hash(&ctx.db, &hash)
        .await
        .context("clients::find_by_token_hash")?;
    Ok(ClientCtx {
        row,
        ..ClientCtx::default()
    })
}

/// The request's client, created (with a fresh token) when it has none.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn ensure(ctx: &Ctx, cc: &mut ClientCtx) -> FlowResult<ClientRow> {
    if let Some(row) = &cc.row {
        return Ok(row.clone());
    }
    let token = crypto::random_token();
    let row = clients::insert(
        &ctx.db,
        &new_id("client"),
        &ctx.tokens.hash("client", &token),
        ctx.now(),
    )
    .await
    .context("clients::insert")?;
    cc.row = Some(row.clone());
    cc.new_token = Some(token);
    Ok(row)
}

/// The client for a new sign-in or sign-up: created when missing, and refused in
/// single-session mode while it is signed in.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn ensure_for_new_attempt(ctx: &Ctx, cc: &mut ClientCtx) -> FlowResult<ClientRow> {
    // A client made by this very request has no session yet: nothing to look up.
    let created = cc.row.is_none();
    let client = ensure(ctx, cc).await?;
    if !created
        && !ctx.settings().auth.multi_session
        && !session::live_for_client(ctx, &client.id).await?.is_empty()
    {
        return Err(ApiError::new(
            ErrorCode::SessionExists,
            "You're already signed in",
            "This client already has an active session; sign out first.",
        )
        .into());
    }
    Ok(client)
}

/// Everything the Frontend API shows of a client: the current sign-in and sign-up and the
/// live sessions with their users.
pub struct ClientSnapshot {
    pub row: ClientRow,
    pub sign_in: Option<SignIn>,
    pub sign_up: Option<SignUp>,
    pub sessions: Vec<LiveSession>,
}

/// Re-reads the client from storage (after a flow changed it). `known` is a user record
/// the request already holds as stored (`ClientCtx::known_user`), not read again.
#[tracing::instrument(level = "debug", skip_all, fields(client_id = %client_id), err(level = "debug"))]
pub async fn snapshot(
    ctx: &Ctx,
    client_id: &str,
    known: Option<&UserRecord>,
) -> FlowResult<Option<ClientSnapshot>> {
    let Some(row) = clients::get(&ctx.db, client_id)
        .await
        .context("clients::get")?
    else {
        return Ok(None);
    };
    let sign_in = match &row.sign_in_id {
        Some(id) => super::sign_in::load(ctx, id)
            .await?
            .filter(|s| s.client_id == row.id),
        None => None,
    };
    let sign_up = match &row.sign_up_id {
        Some(id) => super::sign_up::load(ctx, id)
            .await?
            .filter(|s| s.client_id == row.id),
        None => None,
    };
    let sessions = session::live_for_client_knowing(ctx, &row.id, known).await?;
    Ok(Some(ClientSnapshot {
        row,
        sign_in,
        sign_up,
        sessions,
    }))
}

/// Signs out every session of the client and forgets its sign-in and sign-up.
#[tracing::instrument(level = "debug", skip_all, fields(client_id = %client_id), err(level = "debug"))]
pub async fn sign_out_everywhere(ctx: &Ctx, client_id: &str) -> FlowResult<()> {
    let now = ctx.now();
    let live: Vec<SessionEnded> = session::live_for_client(ctx, client_id)
        .await?
        .into_iter()
        .map(|s| SessionEnded::new(s.row.id, s.row.user_id))
        .collect();
    sessions::end_all_for_client(
        &ctx.db,
        client_id,
        crate::store::sessions::SessionStatus::Ended,
        now,
    )
    .await
    .context("sessions::end_all_for_client")?;
    crate::sessions_ended(ctx, live).await;
    clients::update(
        &ctx.db,
        client_id,
        ClientChange {
            sign_in_id: Some(None),
            sign_up_id: Some(None),
            last_active_session_id: Some(None),
            token_hash: None,
        },
        now,
    )
    .await
    .context("clients::update")?;
    Ok(())
}
