//! What Clerk's Backend API asks of an operator beyond the admin API: users found by any
//! identifier and counted, metadata merged, a password or code checked for the app's own
//! screens, MFA turned off, identifications added and changed, sessions and clients listed,
//! sign-in tokens, and a fresh session token for a session. Every change is one transaction
//! with its audit event and webhook, as in the rest of this module.

use super::*;
use crate::session::{self, LiveSession};
use crate::store::admin::{UserFilter, UserOrder};
use crate::store::clients::ClientRow;
use crate::store::sessions::SessionRow;
use crate::store::tickets::{TicketRow, TicketState};
use crate::store::users::IdentifierKind;

/// The most rows one Backend API page holds (Clerk's limit).
pub const MAX_PAGE: u64 = 500;

/// A page of users matching `filter`, in `order`.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn find_users(
    ctx: &Ctx,
    filter: &UserFilter,
    order: (UserOrder, bool),
    limit: u64,
    offset: u64,
) -> FlowResult<Vec<UserRecord>> {
    let tx = crate::store::begin_search(&ctx.db).await?;
    let ids = repo::user_ids_filtered(&tx, filter, order, limit.clamp(1, MAX_PAGE), offset)
        .await
        .context("repo::user_ids_filtered")?;
    tx.commit().await?;
    users::read_users(&ctx.db, &ids)
        .await
        .context("users::read_users")
}

/// How many users match `filter`.
pub async fn count_users(ctx: &Ctx, filter: &UserFilter) -> FlowResult<u64> {
    let tx = crate::store::begin_search(&ctx.db).await?;
    let n = repo::count_filtered(&tx, filter)
        .await
        .context("repo::count_filtered")?;
    tx.commit().await?;
    Ok(n)
}

/// A change of metadata: each present document replaces the stored one (`merge: false`) or
/// is merged into it by JSON Merge Patch (RFC 7396: a null member removes that key).
#[derive(Debug, Default)]
pub struct MetadataChange {
    pub public: Option<Value>,
    pub private: Option<Value>,
    pub unsafe_: Option<Value>,
}

/// Merges or replaces a user's metadata, each document still an object of at most 8 KiB.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn set_metadata(
    ctx: &Ctx,
    admin: &Admin,
    id: &UserId,
    change: MetadataChange,
    merge: bool,
) -> FlowResult<UserRecord> {
    let id = id.as_str();
    // The merge reads and writes under the user's row lock, so two merges at once cannot
    // lose one another's keys. A failure below drops (rolls back) the transaction.
    let txn = crate::store::begin(&ctx.db).await?;
    users::lock_user(&txn, id)
        .await
        .context("users::lock_user")?;
    let current = users::load_user(&txn, id)
        .await
        .context("users::load_user")?
        .ok_or_else(|| not_found("user"))?;
    let next = |param: &str, stored: &str, given: Option<Value>| -> FlowResult<Option<String>> {
        let Some(given) = given else {
            return Ok(None);
        };
        if !given.is_object() {
            return Err(invalid(param, "Metadata must be a JSON object.").into());
        }
        let doc = if merge {
            let mut doc = crate::wire::metadata(stored);
            portcullis_core::settings::merge_patch(&mut doc, &given);
            doc
        } else {
            given
        };
        metadata(param, Some(doc))
    };
    let m = &current.user;
    let public = next("public_metadata", &m.public_metadata, change.public)?;
    let private = next("private_metadata", &m.private_metadata, change.private)?;
    let unsafe_ = next("unsafe_metadata", &m.unsafe_metadata, change.unsafe_)?;
    let fields: Vec<&str> = [
        ("public_metadata", public.is_some()),
        ("private_metadata", private.is_some()),
        ("unsafe_metadata", unsafe_.is_some()),
    ]
    .into_iter()
    .filter_map(|(f, set)| set.then_some(f))
    .collect();
    users::update_profile(
        &txn,
        id,
        ProfileChange {
            public_metadata: public,
            private_metadata: private,
            unsafe_metadata: unsafe_,
            ..Default::default()
        },
        ctx.now(),
    )
    .await
    .context("users::update_profile")?;
    finish_user_change(ctx, txn, admin, id, &fields).await
}

fn not_set(what: &str) -> ApiError {
    ApiError::new(
        ErrorCode::StrategyForUserInvalid,
        format!("No {what} set"),
        format!("This user has no {what}."),
    )
}

/// Checks a user's password for the app's own screens. A wrong one counts toward the
/// lockout exactly as at sign-in, so this cannot be used to guess passwords faster.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn verify_password(ctx: &Ctx, id: &UserId, password: String) -> FlowResult<()> {
    let user = load_user(ctx, id.as_str()).await?;
    let Some(stored) = user.user.password_hash.clone() else {
        return Err(not_set("password").into());
    };
    if password.is_empty() || password.len() > 1024 {
        return Err(invalid("password", "A password of 1 to 1024 characters.").into());
    }
    crate::lockout::check_password(ctx, id.as_str(), Some(stored), password, "password").await
}

/// Checks an authenticator-app code, or else a backup code (which is spent), for the app's
/// own screens; a wrong code counts toward the lockout. Returns which kind matched.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn verify_totp(ctx: &Ctx, id: &UserId, code: &str) -> FlowResult<&'static str> {
    let user = load_user(ctx, id.as_str()).await?;
    if !user.totp && user.backup_codes == 0 {
        return Err(not_set("authenticator app or backup code").into());
    }
    crate::mfa::check_any_code(ctx, id.as_str(), code).await
}

/// Turns off every second factor of a user: the authenticator app, backup codes, and
/// phone numbers reserved for codes.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn disable_mfa(ctx: &Ctx, admin: &Admin, id: &UserId) -> FlowResult<()> {
    load_user(ctx, id.as_str()).await?;
    let txn = crate::store::begin(&ctx.db).await?;
    crate::mfa::remove_all_in(&txn, id.as_str(), ctx.now()).await?;
    record(
        ctx,
        &txn,
        admin,
        Some(id.as_str()),
        "admin.user.mfa_disabled",
        json!({}),
    )
    .await?;
    crate::webhooks::enqueue_user(ctx, &txn, "user.updated", id.as_str()).await?;
    txn.commit().await?;
    Ok(())
}

/// An email address or phone number an operator adds to a user.
#[derive(Debug)]
pub struct NewIdentification {
    pub user_id: String,
    pub kind: IdentifierKind,
    pub value: String,
    /// Whether it counts as verified at once (the default: the operator vouches for it).
    pub verified: bool,
    pub primary: bool,
    pub reserved_for_second_factor: bool,
}

/// The user owning identification `id`, and its kind.
async fn owner_of(ctx: &Ctx, id: &str) -> FlowResult<(UserRecord, IdentifierKind)> {
    let user_id = users::identification_owner(&ctx.db, id)
        .await
        .context("users::identification_owner")?
        .ok_or_else(|| not_found("identification"))?;
    let user = load_user(ctx, &user_id.0).await?;
    Ok((user, user_id.1))
}

/// Adds an email address or phone number to a user.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn add_identification(
    ctx: &Ctx,
    admin: &Admin,
    new: NewIdentification,
) -> FlowResult<(UserRecord, String)> {
    let user = load_user(ctx, &new.user_id).await?;
    let value = match new.kind {
        IdentifierKind::Email => EmailAddress::parse(&new.value)
            .map_err(|e| ApiError::from_parse("email_address", &e))?
            .as_ref()
            .to_owned(),
        _ => PhoneNumber::parse(&new.value)
            .map_err(|e| ApiError::from_parse("phone_number", &e))?
            .as_ref()
            .to_owned(),
    };
    if new.primary && !new.verified {
        return Err(invalid("primary", "Only a verified identification can be primary.").into());
    }
    let id = new_id("idn");
    let now = ctx.now();
    let txn = crate::store::begin(&ctx.db).await?;
    let added = match new.kind {
        IdentifierKind::Email => users::add_email(&txn, &user.user.id, &id, &value, now).await,
        _ => users::add_phone(&txn, &user.user.id, &id, &value, now).await,
    };
    if let Err(e) = added {
        txn.rollback().await?;
        if crate::store::is_unique_violation(&e) {
            return Err(ApiError::new(
                ErrorCode::FormIdentifierExists,
                "That identifier is taken",
                "Another user already has this identifier.",
            )
            .into());
        }
        return Err(e.into());
    }
    if new.verified {
        users::mark_verified(&txn, &user.user.id, new.kind, &id, "admin", now)
            .await
            .context("users::mark_verified")?;
    }
    if new.primary {
        users::set_primary(&txn, &user.user.id, new.kind, Some(&id), now)
            .await
            .context("users::set_primary")?;
    }
    if new.reserved_for_second_factor && new.kind == IdentifierKind::Phone {
        crate::store::factors::reserve_phone(&txn, &user.user.id, &id, true, now)
            .await
            .context("factors::reserve_phone")?;
    }
    record(
        ctx,
        &txn,
        admin,
        Some(&user.user.id),
        "admin.identification.added",
        json!({ "identification_id": id, "verified": new.verified }),
    )
    .await?;
    crate::webhooks::enqueue_user(ctx, &txn, "user.updated", &user.user.id).await?;
    txn.commit().await?;
    Ok((load_user(ctx, &user.user.id).await?, id))
}

/// An identification with its owner.
pub async fn get_identification(ctx: &Ctx, id: &str) -> FlowResult<UserRecord> {
    Ok(owner_of(ctx, id).await?.0)
}

/// Marks an identification verified (or not), primary, or reserved for second-factor codes.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn update_identification(
    ctx: &Ctx,
    admin: &Admin,
    id: &str,
    verified: Option<bool>,
    primary: Option<bool>,
    reserved_for_second_factor: Option<bool>,
) -> FlowResult<UserRecord> {
    let (user, kind) = owner_of(ctx, id).await?;
    let uid = user.user.id.clone();
    let is_verified = match kind {
        IdentifierKind::Email => user.emails.iter().any(|e| e.id == id && e.verified),
        _ => user.phones.iter().any(|p| p.id == id && p.verified),
    };
    let will_be_verified = verified.unwrap_or(is_verified);
    let is_primary = match kind {
        IdentifierKind::Email => user.user.primary_email_address_id.as_deref() == Some(id),
        _ => user.user.primary_phone_number_id.as_deref() == Some(id),
    };
    if primary == Some(true) && !will_be_verified {
        return Err(invalid("primary", "Only a verified identification can be primary.").into());
    }
    if verified == Some(false) && is_primary {
        return Err(invalid(
            "verified",
            "The primary identification stays verified; make another one primary first.",
        )
        .into());
    }
    if primary == Some(false) && is_primary {
        return Err(invalid("primary", "Make another identification primary instead.").into());
    }
    let now = ctx.now();
    let txn = crate::store::begin(&ctx.db).await?;
    match verified {
        Some(true) if !is_verified => users::mark_verified(&txn, &uid, kind, id, "admin", now)
            .await
            .context("users::mark_verified")?,
        Some(false) if is_verified => users::mark_unverified(&txn, kind, id, now)
            .await
            .context("users::mark_unverified")?,
        _ => {}
    }
    if primary == Some(true) {
        users::set_primary(&txn, &uid, kind, Some(id), now)
            .await
            .context("users::set_primary")?;
    }
    if let Some(r) = reserved_for_second_factor.filter(|_| kind == IdentifierKind::Phone) {
        crate::store::factors::reserve_phone(&txn, &uid, id, r, now)
            .await
            .context("factors::reserve_phone")?;
    }
    record(
        ctx,
        &txn,
        admin,
        Some(&uid),
        "admin.identification.updated",
        json!({ "identification_id": id, "verified": verified, "primary": primary }),
    )
    .await?;
    crate::webhooks::enqueue_user(ctx, &txn, "user.updated", &uid).await?;
    txn.commit().await?;
    load_user(ctx, &uid).await
}

/// Removes an identification; the user must keep a way to sign in, as with their own.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn delete_identification(ctx: &Ctx, admin: &Admin, id: &str) -> FlowResult<()> {
    let (user, kind) = owner_of(ctx, id).await?;
    let uid = user.user.id.clone();
    let identifiers = user.emails.iter().filter(|e| e.verified).count()
        + user.phones.iter().filter(|p| p.verified).count()
        + usize::from(user.user.username.is_some())
        + user.wallets.len()
        + user.external.len()
        + user.passkeys.len();
    let this_verified = user.emails.iter().any(|e| e.id == id && e.verified)
        || user.phones.iter().any(|p| p.id == id && p.verified);
    if this_verified && identifiers <= 1 {
        return Err(invalid(
            "identification",
            "This is the user's only way to sign in; add another one first.",
        )
        .into());
    }
    let now = ctx.now();
    let txn = crate::store::begin(&ctx.db).await?;
    users::remove_identification(&txn, &uid, kind, id)
        .await
        .context("users::remove_identification")?;
    let primary = match kind {
        IdentifierKind::Email => user.user.primary_email_address_id.as_deref(),
        _ => user.user.primary_phone_number_id.as_deref(),
    };
    if primary == Some(id) {
        // Another verified one of the same kind becomes primary, if there is one.
        let next = match kind {
            IdentifierKind::Email => user
                .emails
                .iter()
                .find(|e| e.id != id && e.verified)
                .map(|e| e.id.as_str()),
            _ => user
                .phones
                .iter()
                .find(|p| p.id != id && p.verified)
                .map(|p| p.id.as_str()),
        };
        users::set_primary(&txn, &uid, kind, next, now)
            .await
            .context("users::set_primary")?;
    }
    record(
        ctx,
        &txn,
        admin,
        Some(&uid),
        "admin.identification.removed",
        json!({ "identification_id": id }),
    )
    .await?;
    crate::webhooks::enqueue_user(ctx, &txn, "user.updated", &uid).await?;
    txn.commit().await?;
    Ok(())
}

/// A session with its status and expiry as of now.
#[derive(Debug, Clone)]
pub struct SessionState {
    pub row: SessionRow,
    pub status: &'static str,
    pub expire_at: i64,
}

impl SessionState {
    fn of(ctx: &Ctx, row: SessionRow) -> Self {
        let (st, expire_at) = session::effective(ctx, &row);
        SessionState {
            row,
            status: st.as_str(),
            expire_at,
        }
    }
}

/// A client with its sessions.
pub type ClientState = (ClientRow, Vec<SessionState>);

/// The session statuses a listing can ask for.
pub const SESSION_STATUSES: [&str; 8] = [
    "abandoned",
    "active",
    "pending",
    "ended",
    "expired",
    "removed",
    "replaced",
    "revoked",
];

/// The sessions of a user or a client (at least one must be named), newest first, in
/// `status` if given, with how many there are in all.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn list_sessions(
    ctx: &Ctx,
    user_id: Option<&str>,
    client_id: Option<&str>,
    status: Option<&str>,
    (limit, offset): (u64, u64),
) -> FlowResult<(Vec<SessionState>, u64)> {
    if user_id.is_none() && client_id.is_none() {
        return Err(ApiError::missing("user_id").into());
    }
    if let Some(s) = status
        && !SESSION_STATUSES.contains(&s)
    {
        return Err(invalid("status", format!("One of {}.", SESSION_STATUSES.join(", "))).into());
    }
    // One user's or one client's sessions: few enough to read whole and filter here, where
    // the effective status (expiry, inactivity) is known.
    let rows = crate::store::sessions::of_user_or_client(&ctx.db, user_id, client_id, 10_000)
        .await
        .context("sessions::of_user_or_client")?;
    let mut out: Vec<SessionState> = rows
        .into_iter()
        .map(|row| SessionState::of(ctx, row))
        .filter(|s| status.is_none_or(|want| want == s.status))
        .collect();
    let total = out.len() as u64;
    let start = usize::try_from(offset).unwrap_or(usize::MAX).min(out.len());
    out.drain(..start);
    out.truncate(usize::try_from(limit.clamp(1, MAX_PAGE)).unwrap_or(usize::MAX));
    Ok((out, total))
}

/// A session by id, any user's.
pub async fn get_session(ctx: &Ctx, id: &str) -> FlowResult<LiveSession> {
    session::get_any(ctx, id).await
}

/// An active session by id; any other is not found (only an active session has tokens).
pub async fn active_session(ctx: &Ctx, id: &str) -> FlowResult<LiveSession> {
    let live = session::get_any(ctx, id).await?;
    if !live.is_active() {
        return Err(ApiError::new(
            ErrorCode::ResourceNotFound,
            "Session is not active",
            "Only an active session has tokens.",
        )
        .into());
    }
    Ok(live)
}

/// A fresh session token for an active session (no `azp`: no browser asked for it).
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn session_token(ctx: &Ctx, id: &str) -> FlowResult<String> {
    session::token(ctx, &active_session(ctx, id).await?, None)
}

/// A page of clients, newest first, each with its sessions, and how many there are.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn list_clients(
    ctx: &Ctx,
    limit: u64,
    offset: u64,
) -> FlowResult<(Vec<ClientState>, u64)> {
    let (rows, total) = crate::store::clients::page(&ctx.db, limit.clamp(1, MAX_PAGE), offset)
        .await
        .context("clients::page")?;
    // The page's sessions in one query, not one per client.
    let ids: Vec<String> = rows.iter().map(|c| c.id.clone()).collect();
    let mut sessions = crate::store::sessions::of_clients(&ctx.db, &ids)
        .await
        .context("sessions::of_clients")?;
    let out = rows
        .into_iter()
        .map(|row| {
            let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut sessions)
                .into_iter()
                .partition(|s| s.client_id == row.id);
            sessions = rest;
            let mine = mine.into_iter().map(|s| SessionState::of(ctx, s)).collect();
            (row, mine)
        })
        .collect();
    Ok((out, total))
}

/// A client by id, with its sessions.
pub async fn get_client(ctx: &Ctx, id: &str) -> FlowResult<ClientState> {
    let row = crate::store::clients::get(&ctx.db, id)
        .await
        .context("clients::get")?
        .ok_or_else(|| not_found("client"))?;
    let sessions = list_sessions(ctx, None, Some(&row.id), None, (MAX_PAGE, 0))
        .await?
        .0;
    Ok((row, sessions))
}

/// A page of invitations, newest first, with how many match in all.
pub async fn list_invitations(
    ctx: &Ctx,
    state: Option<TicketState>,
    query: Option<&str>,
    limit: u64,
    offset: u64,
) -> FlowResult<(Vec<TicketRow>, u64)> {
    crate::store::tickets::page(
        &ctx.db,
        crate::tickets::INVITATION,
        state,
        query,
        (limit.clamp(1, MAX_PAGE), offset),
        ctx.now(),
    )
    .await
    .context("tickets::page")
}

/// A sign-in token: a single-use link that signs `user_id` in, for `lifetime_secs` (at most
/// 30 days, Clerk's limit). The token is shown once.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn create_sign_in_token(
    ctx: &Ctx,
    admin: &Admin,
    user_id: &str,
    lifetime_secs: i64,
) -> FlowResult<(TicketRow, String)> {
    if !(1..=30 * 86_400).contains(&lifetime_secs) {
        return Err(invalid("expires_in_seconds", "Between 1 second and 30 days.").into());
    }
    let user = load_user(ctx, user_id).await?;
    if user.user.banned {
        return Err(invalid("user_id", "This user is banned.").into());
    }
    let now = ctx.now();
    let txn = crate::store::begin(&ctx.db).await?;
    let (row, token) = crate::tickets::create_row(
        &txn,
        &ctx.tokens,
        crate::tickets::SIGN_IN,
        None,
        Some(user_id.to_owned()),
        lifetime_secs,
        now,
    )
    .await?;
    record(
        ctx,
        &txn,
        admin,
        Some(user_id),
        "admin.sign_in_token.created",
        json!({ "sign_in_token_id": row.id, "expires_at": row.expires_at }),
    )
    .await?;
    txn.commit().await?;
    Ok((row, token))
}

/// Revokes an unused sign-in token.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn revoke_sign_in_token(ctx: &Ctx, admin: &Admin, id: &str) -> FlowResult<TicketRow> {
    let txn = crate::store::begin(&ctx.db).await?;
    let Some(row) = crate::store::tickets::revoke(&txn, id, crate::tickets::SIGN_IN, ctx.now())
        .await
        .context("tickets::revoke")?
    else {
        txn.rollback().await?;
        return Err(not_found("pending sign-in token").into());
    };
    record(
        ctx,
        &txn,
        admin,
        row.user_id.as_deref(),
        "admin.sign_in_token.revoked",
        json!({ "sign_in_token_id": id }),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}
