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
    /// The client's last active session as it was when the request began, read with the
    /// client in one statement; taken by the request's first read of a session
    /// ([`ClientCtx::session_as_resolved`]).
    resolved_session: std::sync::Mutex<Option<sessions::SessionRow>>,
    /// `row` is the client as this request's last write of it left it: the insert, or the
    /// `RETURNING` of the statement that changed it ([`ClientCtx::wrote`]). The client's
    /// render then uses it instead of reading the client again. A flow that changes the
    /// client must hand the row back here; the writes that don't (signing out, touching a
    /// session) happen on requests that never set this.
    written: bool,
    /// The client was made by this request: nobody else holds its token yet, so its only
    /// session can be one this request made.
    created: bool,
    /// The sign-in and sign-up the request's flow returned, as it last saved them
    /// ([`ClientCtx::returned`]): the client's render shows them instead of reading them
    /// back from the ephemeral store.
    returned_sign_in: Option<SignIn>,
    returned_sign_up: Option<SignUp>,
    /// A client this request is making for a new attempt, not written yet: its id and
    /// token. [`attach`] writes it with the attempt, in one statement; [`ensure`] writes it
    /// bare. Until then the response hands out no token, so a request that fails before
    /// leaves no client behind.
    unwritten: Option<(String, String)>,
}

/// A sign-in or sign-up a flow returns, which it has saved as returned.
pub trait Returned {
    fn keep_in(&self, cc: &mut ClientCtx);
}

impl Returned for SignIn {
    fn keep_in(&self, cc: &mut ClientCtx) {
        cc.returned_sign_in = Some(self.clone());
    }
}

impl Returned for SignUp {
    fn keep_in(&self, cc: &mut ClientCtx) {
        cc.returned_sign_up = Some(self.clone());
    }
}

impl ClientCtx {
    pub fn id(&self) -> Option<&str> {
        self.row.as_ref().map(|r| r.id.as_str())
    }

    /// The sign-in or sign-up the request's flow returned, as the flow last saved it (every
    /// flow saves what it returns): the client's render uses it for the client's current
    /// one instead of reading it again.
    pub fn returned(&mut self, attempt: &impl Returned) {
        attempt.keep_in(self);
    }

    /// The client as a write of this request left it (`None`: it is gone).
    pub fn wrote(&mut self, row: Option<ClientRow>) {
        self.row = row;
        self.written = true;
    }

    /// The client as this request's last write left it, when the request wrote it.
    fn written_row(&self) -> Option<&ClientRow> {
        self.row.as_ref().filter(|_| self.written)
    }

    /// The session the client last made active, if any.
    pub fn last_active_session(&self) -> Option<SessionId> {
        let id = self.row.as_ref()?.last_active_session_id.clone()?;
        Some(SessionId::from_stored(id))
    }

    /// Session `id` of this client as it was when the request began, when it is the one the
    /// client last made active: a request that starts by reading that session (most do) has
    /// it without another statement. Only the first call can answer, whatever session it
    /// asks for: a later read may follow a change this request made (a task finished, a
    /// factor verified), and must see it.
    pub fn session_as_resolved(&self, id: &SessionId) -> Option<sessions::SessionRow> {
        let resolved = self
            .resolved_session
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()?;
        let client = self.row.as_ref()?;
        (resolved.id == id.as_str()
            && resolved.client_id == client.id
            && client.last_active_session_id.as_deref() == Some(id.as_str()))
        .then_some(resolved)
    }
}

/// Finds the client for `token`; an unknown or malformed token is simply no client.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn resolve(ctx: &Ctx, token: Option<&str>) -> FlowResult<ClientCtx> {
    let Some(token) = token.filter(|t| !t.is_empty() && t.len() <= 128) else {
        return Ok(ClientCtx::default());
    };
    let hash = ctx.tokens.hash("client", token);
    let found = clients::find_by_token_hash(&ctx.db, &hash)
        .await
        .context("clients::find_by_token_hash")?;
    let (row, resolved_session) = match found {
        Some((row, session)) => (Some(row), session),
        None => (None, None),
    };
    Ok(ClientCtx {
        row,
        resolved_session: std::sync::Mutex::new(resolved_session),
        ..ClientCtx::default()
    })
}

/// The request's client, created (with a fresh token) when it has none.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn ensure(ctx: &Ctx, cc: &mut ClientCtx) -> FlowResult<ClientRow> {
    if let Some(row) = &cc.row {
        return Ok(row.clone());
    }
    write_new(ctx, cc, clients::NewAttempts::default()).await
}

/// Writes the client this request makes (the one [`ensure_for_new_attempt`] named, or a
/// fresh one), starting with `attempts`, and hands its token to the response.
async fn write_new(
    ctx: &Ctx,
    cc: &mut ClientCtx,
    attempts: clients::NewAttempts,
) -> FlowResult<ClientRow> {
    let (id, token) = cc
        .unwritten
        .take()
        .unwrap_or_else(|| (new_id("client"), crypto::random_token()));
    let row = clients::insert(
        &ctx.db,
        &id,
        &ctx.tokens.hash("client", &token),
        attempts,
        ctx.now(),
    )
    .await
    .context("clients::insert")?;
    cc.wrote(Some(row.clone()));
    cc.created = true;
    cc.new_token = Some(token);
    Ok(row)
}

/// The id of the client for a new sign-in or sign-up: the request's own, refused in
/// single-session mode while it is signed in; or, when the request has none, a new one
/// that [`attach`] writes together with the attempt it points at (one statement, not two).
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn ensure_for_new_attempt(ctx: &Ctx, cc: &mut ClientCtx) -> FlowResult<String> {
    let Some(client) = &cc.row else {
        // A client made by this very request has no session yet: nothing to look up.
        let (id, _) = cc
            .unwritten
            .get_or_insert_with(|| (new_id("client"), crypto::random_token()));
        return Ok(id.clone());
    };
    if !ctx.settings().auth.multi_session
        && !session::live_for_client(ctx, &client.id).await?.is_empty()
    {
        return Err(ApiError::new(
            ErrorCode::SessionExists,
            "You're already signed in",
            "This client already has an active session; sign out first.",
        )
        .into());
    }
    Ok(client.id.clone())
}

/// Makes `attempts` (a sign-in, a sign-up) the client's current ones: the client this
/// request makes is written with them, an existing one is changed.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn attach(
    ctx: &Ctx,
    cc: &mut ClientCtx,
    attempts: clients::NewAttempts,
) -> FlowResult<()> {
    if cc.unwritten.is_some() {
        write_new(ctx, cc, attempts).await?;
        return Ok(());
    }
    let Some(client_id) = cc.id().map(str::to_owned) else {
        return Err(anyhow::anyhow!("an attempt is attached to no client").into());
    };
    let change = ClientChange {
        sign_in_id: attempts.sign_in_id.map(Some),
        sign_up_id: attempts.sign_up_id.map(Some),
        ..ClientChange::default()
    };
    let row = clients::update_returning(&ctx.db, &client_id, change, ctx.now()).await?;
    cc.wrote(row);
    Ok(())
}

/// Everything the Frontend API shows of a client: the current sign-in and sign-up and the
/// live sessions with their users.
pub struct ClientSnapshot {
    pub row: ClientRow,
    pub sign_in: Option<SignIn>,
    pub sign_up: Option<SignUp>,
    pub sessions: Vec<LiveSession>,
}

/// The client after the request's flow ran: as the flow's last write left it, or read again
/// when the request did not write it. `cc.known_user` is a user record the request already
/// holds as stored, not read again.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn snapshot(ctx: &Ctx, cc: &ClientCtx) -> FlowResult<Option<ClientSnapshot>> {
    let row = match (cc.written_row(), cc.id()) {
        (Some(row), _) => row.clone(),
        (None, Some(id)) => match clients::get(&ctx.db, id).await.context("clients::get")? {
            Some(row) => row,
            None => return Ok(None),
        },
        (None, None) => return Ok(None),
    };
    let sign_in = match (&row.sign_in_id, &cc.returned_sign_in) {
        (Some(id), Some(si)) if si.id == *id => Some(si.clone()),
        (Some(id), _) => super::sign_in::load(ctx, id).await?,
        (None, _) => None,
    }
    .filter(|s| s.client_id == row.id);
    let sign_up = match (&row.sign_up_id, &cc.returned_sign_up) {
        (Some(id), Some(su)) if su.id == *id => Some(su.clone()),
        (Some(id), _) => super::sign_up::load(ctx, id).await?,
        (None, _) => None,
    }
    .filter(|s| s.client_id == row.id);
    // A session this request made is the client's active one; a client made by this request
    // without one has none.
    let sessions = if cc.created && row.last_active_session_id.is_none() {
        Vec::new()
    } else {
        session::live_for_client_knowing(ctx, &row.id, cc.known_user.as_ref()).await?
    };
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

#[cfg(test)]
mod tests {
    use super::*;

    fn session(id: &str, client_id: &str) -> sessions::SessionRow {
        sessions::SessionRow {
            id: id.into(),
            client_id: client_id.into(),
            user_id: "user_1".into(),
            status: "active".into(),
            factors: "[]".into(),
            first_factor_at: 0,
            second_factor_at: None,
            last_active_at: 0,
            expire_at: 0,
            abandon_at: 0,
            last_active_organization_id: None,
            actor: None,
            created_at: 0,
            updated_at: 0,
        }
    }

    fn resolved(last_active: &str, row: sessions::SessionRow) -> ClientCtx {
        ClientCtx {
            row: Some(ClientRow {
                id: "client_1".into(),
                token_hash: String::new(),
                sign_in_id: None,
                sign_up_id: None,
                last_active_session_id: Some(last_active.into()),
                created_at: 0,
                updated_at: 0,
            }),
            resolved_session: std::sync::Mutex::new(Some(row)),
            ..ClientCtx::default()
        }
    }

    #[test]
    fn the_resolved_session_answers_the_first_read_of_it_only() {
        let id = SessionId::from_stored("sess_1");
        let cc = resolved("sess_1", session("sess_1", "client_1"));
        assert_eq!(
            cc.session_as_resolved(&id).map(|s| s.id),
            Some("sess_1".into())
        );
        // A second read may follow a change the request made: it goes to the database.
        assert!(cc.session_as_resolved(&id).is_none());
    }

    #[test]
    fn a_read_of_another_session_spends_the_resolved_one() {
        let cc = resolved("sess_1", session("sess_1", "client_1"));
        assert!(
            cc.session_as_resolved(&SessionId::from_stored("sess_2"))
                .is_none()
        );
        assert!(
            cc.session_as_resolved(&SessionId::from_stored("sess_1"))
                .is_none()
        );
    }

    #[test]
    fn a_session_of_another_client_or_no_longer_last_active_is_not_answered() {
        let id = SessionId::from_stored("sess_1");
        // Another client's session, however it came to be joined.
        let cc = resolved("sess_1", session("sess_1", "client_2"));
        assert!(cc.session_as_resolved(&id).is_none());
        // The client row now names another session (a sign-in during the request).
        let cc = resolved("sess_9", session("sess_1", "client_1"));
        assert!(cc.session_as_resolved(&id).is_none());
    }
}
