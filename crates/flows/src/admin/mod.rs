//! What the admin API and the CLI do: users (create, update, delete, ban, lock, password),
//! invitations, the allowlist / blocklist, the waitlist. Every change is one transaction
//! with its audit event (`admin.*`, naming the admin key) and its webhook.

mod backend;
mod overview;
mod sign_up_rules;
use crate::Context as _;
pub use backend::*;
pub use overview::{Day, Overview, overview, timestamp};
use portcullis_core::events::SessionEnded;
use sea_orm::ConnectionTrait;
use secrecy::SecretString;
use serde::Deserialize;
use serde_json::{Value, json};
pub use sign_up_rules::*;

use super::{ApiError, Ctx, ErrorCode, FlowResult};
use crate::crypto::{self, KeyedHasher};
use crate::domain::{EmailAddress, Password, PhoneNumber, SessionId, UserId, Username, new_id};
use crate::store::admin::{self as repo, AdminKeyRow, Cursor};
use crate::store::users::{self, NewUser, ProfileChange, UserRecord};

/// Admin keys start with this: the shape of a Clerk secret key, so an app's backend SDK takes
/// one as its `secretKey` unchanged, and a leaked one is easy to recognise and grep for.
pub const KEY_PREFIX: &str = "sk_live_";
/// Keys made before admin keys doubled as secret keys; they keep working everywhere.
pub const OLD_KEY_PREFIX: &str = "pcadm_";

/// Makes an admin key; returns its row and the key (shown once; only its hash is kept).
#[tracing::instrument(level = "debug", skip_all, fields(name = %name))]
pub async fn create_key(
    db: &impl ConnectionTrait,
    hasher: &KeyedHasher,
    name: &str,
    now: i64,
) -> anyhow::Result<(AdminKeyRow, String)> {
    let name = name.trim();
    anyhow::ensure!(
        !name.is_empty() && name.len() <= 100,
        "a key needs a name of 1 to 100 characters"
    );
    let key = format!("{KEY_PREFIX}{}", crypto::random_token());
    let row = AdminKeyRow {
        id: new_id("akey"),
        name: name.to_owned(),
        key_hash: hasher.hash("admin_key", &key),
        created_at: now,
        last_used_at: None,
        revoked_at: None,
    };
    repo::insert_admin_key(db, row.clone()).await?;
    Ok((row, key))
}

fn unauthenticated() -> ApiError {
    ApiError::new(
        ErrorCode::AuthenticationInvalid,
        "Invalid admin key",
        "Send a valid admin key as `Authorization: Bearer <key>`.",
    )
}

/// The admin key a request presents (`Authorization: Bearer pcadm_…`).
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn authenticate(ctx: &Ctx, authorization: Option<&str>) -> FlowResult<AdminKeyRow> {
    let key = authorization
        .and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|k| (k.starts_with(KEY_PREFIX) || k.starts_with(OLD_KEY_PREFIX)) && k.len() <= 128)
        .ok_or_else(unauthenticated)?;
    // The keyed hash is compared by the database index: no timing on the key itself.
    let row = repo::active_admin_key(&ctx.db, &ctx.tokens.hash("admin_key", key))
        .await
        .context("repo::active_admin_key")?
        .ok_or_else(unauthenticated)?;
    let now = ctx.now();
    if row.last_used_at.is_none_or(|t| now - t > 60_000) {
        repo::touch_admin_key(&ctx.db, &row.id, now)
            .await
            .context("repo::touch_admin_key")?;
    }
    Ok(row)
}

/// Who did an admin action, for the audit trail.
#[derive(Debug, Clone)]
pub struct Admin {
    pub key_id: String,
    pub key_name: String,
    /// Set when a signed-in instance admin acted from the dashboard (then `key_id` is
    /// `dashboard` and `key_name` their primary email).
    pub user_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl Admin {
    pub fn from_key(key: &AdminKeyRow, ip: Option<String>, user_agent: Option<String>) -> Self {
        Self {
            key_id: key.id.clone(),
            key_name: key.name.clone(),
            user_id: None,
            ip,
            user_agent,
        }
    }

    /// The operator at a shell on the server.
    pub fn cli() -> Self {
        Self {
            key_id: "cli".into(),
            key_name: "portcullis CLI".into(),
            user_id: None,
            ip: None,
            user_agent: None,
        }
    }

    /// An instance admin signed in to the dashboard.
    pub fn user(
        user_id: &str,
        email: &str,
        ip: Option<String>,
        user_agent: Option<String>,
    ) -> Self {
        Self {
            key_id: "dashboard".into(),
            key_name: email.to_owned(),
            user_id: Some(user_id.to_owned()),
            ip,
            user_agent,
        }
    }

    /// Who, in a sentence's words: `admin key "ci" (akey_…)`, `ada@example.com`.
    pub fn display(&self) -> String {
        match &self.user_id {
            Some(id) => format!("{} ({id})", self.key_name),
            None => format!("admin key {:?} ({})", self.key_name, self.key_id),
        }
    }
}

/// An operator's change, in the audit trail with the admin key that made it.
pub(crate) async fn record(
    ctx: &Ctx,
    db: &impl ConnectionTrait,
    admin: &Admin,
    subject_user: Option<&str>,
    kind: &str,
    mut detail: Value,
) -> FlowResult<()> {
    if let Some(map) = detail.as_object_mut() {
        map.insert("admin_key_id".into(), json!(admin.key_id));
        map.insert("admin_key_name".into(), json!(admin.key_name));
        if let Some(id) = &admin.user_id {
            map.insert("admin_user_id".into(), json!(id));
        }
    }
    super::audit::record(
        ctx,
        db,
        &super::audit::Actor {
            user_id: subject_user.unwrap_or_default().to_owned(),
            session_id: None,
            ip: admin.ip.clone(),
            user_agent: admin.user_agent.clone(),
        },
        kind,
        detail,
    )
    .await
}

fn not_found(what: &str) -> ApiError {
    ApiError::new(
        ErrorCode::ResourceNotFound,
        "Resource not found",
        format!("No {what} with this id."),
    )
}

/// A new user, as `POST /admin/v1/users` takes it.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    #[serde(default)]
    pub email_address: Vec<String>,
    #[serde(default)]
    pub phone_number: Vec<String>,
    pub username: Option<String>,
    pub password: Option<String>,
    /// An existing hash (argon2id, bcrypt, scrypt, PBKDF2) with `password_hasher`.
    pub password_digest: Option<String>,
    pub password_hasher: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    #[serde(default)]
    pub skip_password_checks: bool,
    #[serde(default)]
    pub skip_password_requirement: bool,
    #[schema(value_type = Option<Object>)]
    pub public_metadata: Option<Value>,
    /// Seen only through the admin and Backend APIs, never by the user's browser.
    #[schema(value_type = Option<Object>)]
    pub private_metadata: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub unsafe_metadata: Option<Value>,
    /// The app's own id for the user; unique.
    pub external_id: Option<String>,
    /// The language the user reads, a BCP 47 tag (`fr-CA`).
    #[serde(default)]
    pub locale: Option<String>,
}

fn invalid(param: &str, message: impl Into<String>) -> ApiError {
    ApiError::invalid_value(param, message)
}

fn name(param: &str, v: Option<String>) -> FlowResult<Option<String>> {
    match v.map(|s| s.trim().to_owned()) {
        Some(s) if s.chars().count() > 256 => Err(invalid(param, "At most 256 characters.").into()),
        Some(s) if s.is_empty() => Ok(None),
        other => Ok(other),
    }
}

/// A metadata document from a request: a JSON object of at most 8 KiB.
pub(crate) fn metadata(param: &str, v: Option<Value>) -> FlowResult<Option<String>> {
    match v {
        None => Ok(None),
        Some(v @ Value::Object(_)) => {
            let s = v.to_string();
            if s.len() > 8 * 1024 {
                return Err(invalid(param, "Metadata is limited to 8 KiB.").into());
            }
            Ok(Some(s))
        }
        Some(_) => Err(invalid(param, "Metadata must be a JSON object.").into()),
    }
}

/// The app's own id for a user: 1 to 255 characters once trimmed; empty clears it.
pub(crate) fn external_id(v: Option<String>) -> FlowResult<Option<String>> {
    match v.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(x) if x.chars().count() <= 255 && !x.chars().any(char::is_control) => {
            Ok(Some(x.to_owned()))
        }
        Some(_) => Err(invalid(
            "external_id",
            "At most 255 characters, no control characters.",
        )
        .into()),
    }
}

/// A user's language from a request: a BCP 47 tag, stored in canonical case; empty clears it.
pub fn locale_tag(v: Option<String>) -> FlowResult<Option<String>> {
    match v.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(raw) => crate::i18n::canonical_tag(raw).map(Some).ok_or_else(|| {
            ApiError::new(
                ErrorCode::FormParamFormatInvalid,
                "is invalid",
                "locale must be a BCP 47 language tag, such as fr-CA.",
            )
            .param("locale")
            .into()
        }),
    }
}

/// A password an admin sets: the instance's rules apply unless `skip_checks`.
async fn admin_password(ctx: &Ctx, password: String, skip_checks: bool) -> FlowResult<String> {
    if !skip_checks {
        Password::parse(&password, ctx.password_policy())
            .map_err(|e| ApiError::from_parse("password", &e))?;
        super::breach::check_new_password(ctx, &password).await?;
    } else if password.is_empty() || password.len() > 1024 {
        return Err(invalid("password", "A password of 1 to 1024 characters.").into());
    }
    Ok(ctx.passwords.hash(SecretString::from(password)).await?)
}

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn create_user(ctx: &Ctx, admin: &Admin, input: CreateUser) -> FlowResult<UserRecord> {
    let mut emails = Vec::new();
    for raw in &input.email_address {
        let e = EmailAddress::parse(raw).map_err(|e| ApiError::from_parse("email_address", &e))?;
        if !emails.contains(&e.as_ref().to_owned()) {
            emails.push(e.as_ref().to_owned());
        }
    }
    let mut phones = Vec::new();
    for raw in &input.phone_number {
        let p = PhoneNumber::parse(raw).map_err(|e| ApiError::from_parse("phone_number", &e))?;
        if !phones.contains(&p.as_ref().to_owned()) {
            phones.push(p.as_ref().to_owned());
        }
    }
    let username = match input.username.as_deref().map(str::trim) {
        Some("") | None => None,
        Some(u) => Some(
            Username::parse(u)
                .map_err(|e| ApiError::from_parse("username", &e))?
                .as_ref()
                .to_owned(),
        ),
    };
    if emails.is_empty() && phones.is_empty() && username.is_none() {
        return Err(ApiError::missing("email_address").into());
    }
    let password_hash = match (input.password, input.password_digest, input.password_hasher) {
        (Some(_), Some(_), _) => {
            return Err(invalid(
                "password_digest",
                "Send a password or a password_digest, not both.",
            )
            .into());
        }
        (Some(p), None, None) => Some(admin_password(ctx, p, input.skip_password_checks).await?),
        (None, Some(d), Some(h)) => {
            super::portability::check_digest(&h, &d)
                .map_err(|e| invalid("password_digest", e.to_string()))?;
            Some(d)
        }
        (None, Some(_), None) => return Err(ApiError::missing("password_hasher").into()),
        (_, None, Some(_)) => return Err(ApiError::missing("password_digest").into()),
        (None, None, None) => None,
    };
    if password_hash.is_none()
        && ctx.settings().auth.password == crate::config::FieldMode::Required
        && !input.skip_password_requirement
    {
        return Err(ApiError::missing("password").into());
    }
    let first_name = name("first_name", input.first_name)?;
    let last_name = name("last_name", input.last_name)?;
    let public_metadata = metadata("public_metadata", input.public_metadata)?;
    let private_metadata = metadata("private_metadata", input.private_metadata)?;
    let unsafe_metadata = metadata("unsafe_metadata", input.unsafe_metadata)?;
    let external_id = external_id(input.external_id)?;
    let locale = locale_tag(input.locale)?;
    let now = ctx.now();
    let user_id = new_id("user");
    let new = NewUser {
        id: user_id.clone(),
        username,
        first_name,
        last_name,
        password_hash,
        unsafe_metadata: unsafe_metadata.unwrap_or_else(|| "{}".into()),
        public_metadata: public_metadata.unwrap_or_else(|| "{}".into()),
        private_metadata: private_metadata.unwrap_or_else(|| "{}".into()),
        external_id,
        locale,
        legal_accepted_at: None,
        signed_in: false,
        emails: emails
            .into_iter()
            .map(|e| (new_id("idn"), e, "admin".to_owned()))
            .collect(),
        phones: phones
            .into_iter()
            .map(|p| (new_id("idn"), p, "admin".to_owned()))
            .collect(),
        wallets: Vec::new(),
        now,
    };
    let txn = crate::store::begin(&ctx.db).await?;
    if let Err(e) = users::insert_user(&txn, new).await {
        txn.rollback().await?;
        if crate::store::is_unique_violation(&e) {
            return Err(ApiError::new(
                ErrorCode::FormIdentifierExists,
                "That identifier is taken",
                "Another user already has one of these identifiers or this external_id.",
            )
            .into());
        }
        return Err(e.into());
    }
    record(
        ctx,
        &txn,
        admin,
        Some(&user_id),
        "admin.user.created",
        json!({}),
    )
    .await?;
    super::webhooks::enqueue_user(ctx, &txn, "user.created", &user_id).await?;
    txn.commit().await?;
    load_user(ctx, &user_id).await
}

#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn get_user(ctx: &Ctx, id: &UserId) -> FlowResult<UserRecord> {
    load_user(ctx, id.as_str()).await
}

async fn load_user(ctx: &Ctx, id: &str) -> FlowResult<UserRecord> {
    users::get_user(&ctx.db, id)
        .await
        .context("users::get_user")?
        .ok_or_else(|| not_found("user").into())
}

/// A change to a user, as `PATCH /admin/v1/users/{id}` takes it. Absent fields stay; null
/// clears a name or username.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    #[serde(default, with = "nullable")]
    pub first_name: Option<Option<String>>,
    #[serde(default, with = "nullable")]
    pub last_name: Option<Option<String>>,
    #[serde(default, with = "nullable")]
    pub username: Option<Option<String>>,
    pub password: Option<String>,
    #[serde(default)]
    pub skip_password_checks: bool,
    #[schema(value_type = Option<Object>)]
    pub public_metadata: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub private_metadata: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub unsafe_metadata: Option<Value>,
    /// null or "" clears it.
    #[serde(default, with = "nullable")]
    pub external_id: Option<Option<String>>,
    /// A BCP 47 tag; null clears it.
    #[serde(default, with = "nullable")]
    pub locale: Option<Option<String>>,
}

/// `Option<Option<T>>` from JSON: absent → None, null → Some(None).
mod nullable {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        Option::<T>::deserialize(d).map(Some)
    }
}

#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn update_user(
    ctx: &Ctx,
    admin: &Admin,
    id: &UserId,
    input: UpdateUser,
) -> FlowResult<UserRecord> {
    let id = id.as_str();
    load_user(ctx, id).await?;
    let username = match input.username {
        Some(Some(u)) => Some(Some(
            Username::parse(&u)
                .map_err(|e| ApiError::from_parse("username", &e))?
                .as_ref()
                .to_owned(),
        )),
        other => other,
    };
    let first_name = match input.first_name {
        Some(v) => Some(name("first_name", v)?),
        None => None,
    };
    let last_name = match input.last_name {
        Some(v) => Some(name("last_name", v)?),
        None => None,
    };
    let public_metadata = metadata("public_metadata", input.public_metadata)?;
    let private_metadata = metadata("private_metadata", input.private_metadata)?;
    let unsafe_metadata = metadata("unsafe_metadata", input.unsafe_metadata)?;
    let external_id = input.external_id.map(external_id).transpose()?;
    let locale = input.locale.map(locale_tag).transpose()?;
    let password_hash = match input.password {
        Some(p) => Some(admin_password(ctx, p, input.skip_password_checks).await?),
        None => None,
    };
    let mut changed: Vec<&str> = Vec::new();
    for (field, set) in [
        ("first_name", first_name.is_some()),
        ("last_name", last_name.is_some()),
        ("username", username.is_some()),
        ("password", password_hash.is_some()),
        ("public_metadata", public_metadata.is_some()),
        ("private_metadata", private_metadata.is_some()),
        ("unsafe_metadata", unsafe_metadata.is_some()),
        ("external_id", external_id.is_some()),
        ("locale", locale.is_some()),
    ] {
        if set {
            changed.push(field);
        }
    }
    let now = ctx.now();
    let txn = crate::store::begin(&ctx.db).await?;
    let updated = users::update_profile(
        &txn,
        id,
        ProfileChange {
            first_name,
            last_name,
            username,
            unsafe_metadata,
            public_metadata,
            private_metadata,
            external_id,
            locale,
        },
        now,
    )
    .await;
    if let Err(e) = updated {
        txn.rollback().await?;
        if crate::store::is_unique_violation(&e) {
            return Err(ApiError::new(
                ErrorCode::FormIdentifierExists,
                "That identifier is taken",
                "Another user already has this username or external_id.",
            )
            .into());
        }
        return Err(e.into());
    }
    if let Some(h) = &password_hash {
        users::set_password(&txn, id, h, now)
            .await
            .context("users::set_password")?;
        // An operator setting the password is a reset: tokens from before it stop refreshing.
        crate::store::oauth::revoke_families_of_user(&txn, id, None, now)
            .await
            .context("oauth::revoke_families_of_user")?;
    }
    finish_user_change(ctx, txn, admin, id, &changed).await
}

/// Ends an operator's change of a user: its audit event (`fields` named) and its
/// `user.updated` webhook in the same transaction, committed; the user as it is now.
pub(crate) async fn finish_user_change(
    ctx: &Ctx,
    txn: sea_orm::DatabaseTransaction,
    admin: &Admin,
    id: &str,
    fields: &[&str],
) -> FlowResult<UserRecord> {
    record(
        ctx,
        &txn,
        admin,
        Some(id),
        "admin.user.updated",
        json!({ "fields": fields }),
    )
    .await?;
    super::webhooks::enqueue_user(ctx, &txn, "user.updated", id).await?;
    txn.commit().await?;
    load_user(ctx, id).await
}

#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn delete_user(ctx: &Ctx, admin: &Admin, id: &UserId) -> FlowResult<()> {
    let id = id.as_str();
    // An admin signed in to the dashboard deletes others, not the account they act from.
    if admin.user_id.as_deref() == Some(id) {
        return Err(ApiError::invalid_value(
            "user",
            "You cannot delete your own account from the dashboard.",
        )
        .into());
    }
    let live: Vec<SessionEnded> = crate::store::sessions::active_for_user(&ctx.db, id)
        .await
        .context("sessions::active_for_user")?
        .into_iter()
        .map(|s| SessionEnded::new(s.id, s.user_id))
        .collect();
    let txn = crate::store::begin(&ctx.db).await?;
    super::webhooks::enqueue(
        ctx,
        &txn,
        "user.deleted",
        json!({ "object": "user", "id": id, "deleted": true }),
    )
    .await?;
    if !repo::delete_user(&txn, id)
        .await
        .context("repo::delete_user")?
    {
        txn.rollback().await?;
        return Err(not_found("user").into());
    }
    record(ctx, &txn, admin, Some(id), "admin.user.deleted", json!({})).await?;
    txn.commit().await?;
    crate::sessions_ended(ctx, live).await;
    Ok(())
}

/// Bans (every session revoked, no sign-in) or unbans a user.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn set_banned(
    ctx: &Ctx,
    admin: &Admin,
    id: &UserId,
    banned: bool,
) -> FlowResult<UserRecord> {
    let id = id.as_str();
    let now = ctx.now();
    let txn = crate::store::begin(&ctx.db).await?;
    if !repo::set_user_flag(&txn, id, Some(banned), None, now)
        .await
        .context("repo::set_user_flag")?
    {
        txn.rollback().await?;
        return Err(not_found("user").into());
    }
    // Read in the same transaction, after the flag is written: every session committed
    // before the ban is revoked with it, none slips in between a read and the write.
    let live: Vec<SessionEnded> = if banned {
        crate::store::sessions::active_for_user(&txn, id)
            .await
            .context("sessions::active_for_user")?
            .into_iter()
            .map(|s| SessionEnded::new(s.id, s.user_id))
            .collect()
    } else {
        Vec::new()
    };
    for e in &live {
        crate::store::sessions::set_status(
            &txn,
            e.session.as_str(),
            crate::store::sessions::SessionStatus::Revoked,
            now,
        )
        .await
        .context("sessions::set_status")?;
    }
    if banned {
        crate::store::oauth::revoke_families_of_user(&txn, id, None, now)
            .await
            .context("oauth::revoke_families_of_user")?;
    }
    let kind = if banned {
        "admin.user.banned"
    } else {
        "admin.user.unbanned"
    };
    record(
        ctx,
        &txn,
        admin,
        Some(id),
        kind,
        json!({ "sessions_revoked": live.len() }),
    )
    .await?;
    super::webhooks::enqueue_user(ctx, &txn, "user.updated", id).await?;
    txn.commit().await?;
    if !live.is_empty() {
        crate::sessions_ended(ctx, live).await;
    }
    load_user(ctx, id).await
}

/// Locks (no sign-in until unlocked) or unlocks a user; unlocking also clears a lockout
/// from failed attempts.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn set_locked(
    ctx: &Ctx,
    admin: &Admin,
    id: &UserId,
    locked: bool,
) -> FlowResult<UserRecord> {
    let id = id.as_str();
    let now = ctx.now();
    let txn = crate::store::begin(&ctx.db).await?;
    if !repo::set_user_flag(&txn, id, None, Some(locked), now)
        .await
        .context("repo::set_user_flag")?
    {
        txn.rollback().await?;
        return Err(not_found("user").into());
    }
    if locked {
        crate::store::oauth::revoke_families_of_user(&txn, id, None, now)
            .await
            .context("oauth::revoke_families_of_user")?;
    }
    let kind = if locked {
        "admin.user.locked"
    } else {
        "admin.user.unlocked"
    };
    record(ctx, &txn, admin, Some(id), kind, json!({})).await?;
    super::webhooks::enqueue_user(ctx, &txn, "user.updated", id).await?;
    txn.commit().await?;
    if !locked {
        super::lockout::clear(ctx, id).await?;
    }
    load_user(ctx, id).await
}

/// Revokes one session of any user.
#[tracing::instrument(level = "debug", skip_all, fields(session_id = %session_id), err(level = "debug"))]
pub async fn revoke_session(
    ctx: &Ctx,
    admin: &Admin,
    session_id: &SessionId,
) -> FlowResult<String> {
    revoke_session_of(ctx, admin, None, session_id).await
}

/// As [`revoke_session`], for a session named on `owner`'s page: another user's session is
/// not found, so a stale or edited form cannot end someone else's.
pub async fn revoke_session_of(
    ctx: &Ctx,
    admin: &Admin,
    owner: Option<&UserId>,
    session_id: &SessionId,
) -> FlowResult<String> {
    let session_id = session_id.as_str();
    let Some(s) = crate::store::sessions::get(&ctx.db, session_id)
        .await
        .context("sessions::get")?
        .filter(|s| owner.is_none_or(|o| o.as_str() == s.user_id))
    else {
        return Err(not_found("session").into());
    };
    let now = ctx.now();
    let txn = crate::store::begin(&ctx.db).await?;
    crate::session::revoke_in(&txn, session_id, now).await?;
    record(
        ctx,
        &txn,
        admin,
        Some(&s.user_id),
        "admin.session.revoked",
        json!({ "session_id": session_id }),
    )
    .await?;
    txn.commit().await?;
    crate::sessions_ended(
        ctx,
        vec![SessionEnded::new(s.id.clone(), s.user_id.clone())],
    )
    .await;
    Ok(s.user_id)
}

/// A page of users and the cursor of the next page, if there is one.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn list_users(
    ctx: &Ctx,
    query: Option<&str>,
    after: Option<&str>,
    limit: u64,
) -> FlowResult<(Vec<UserRecord>, Option<String>)> {
    let limit = limit.clamp(1, 500);
    let after = after.map(decode_cursor).transpose()?;
    let tx = crate::store::begin_search(&ctx.db).await?;
    let mut page = repo::user_ids_page(&tx, query, after.as_ref(), limit + 1)
        .await
        .context("repo::user_ids_page")?;
    tx.commit().await?;
    let next = next_page(&mut page, limit, |(id, at)| Cursor {
        created_at: *at,
        id: id.clone(),
    });
    let ids: Vec<String> = page.into_iter().map(|(id, _)| id).collect();
    Ok((
        users::read_users(&ctx.db, &ids)
            .await
            .context("users::read_users")?,
        next,
    ))
}

/// Cuts a page read with `limit + 1` rows down to `limit`; the cursor of its last row when
/// there is more to read.
pub fn next_page<T>(
    rows: &mut Vec<T>,
    limit: u64,
    cursor_of: impl Fn(&T) -> Cursor,
) -> Option<String> {
    let more = rows.len() as u64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    more.then(|| rows.last().map(|r| encode_cursor(&cursor_of(r))))
        .flatten()
}

pub fn encode_cursor(c: &Cursor) -> String {
    crypto::b64url(format!("{}:{}", c.created_at, c.id).as_bytes())
}

pub fn decode_cursor(raw: &str) -> FlowResult<Cursor> {
    use base64::Engine;
    let bad = || invalid("after", "This cursor is not one Portcullis gave out.");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(raw)
        .map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (at, id) = text.split_once(':').ok_or_else(bad)?;
    Ok(Cursor {
        created_at: at.parse().map_err(|_| bad())?,
        id: id.to_owned(),
    })
}

/// The user behind a verified email address, for the CLI's `grant-admin EMAIL`.
pub async fn user_by_email(ctx: &Ctx, email: &str) -> FlowResult<UserRecord> {
    let email = EmailAddress::parse(email).map_err(|e| ApiError::from_parse("email", &e))?;
    let id =
        users::find_user_id_by_identifier(&ctx.db, users::IdentifierKind::Email, email.as_ref())
            .await
            .context("users::find_user_id_by_identifier")?
            .ok_or_else(|| not_found("user with this verified email address"))?;
    get_user(ctx, &UserId::from_stored(id)).await
}

/// Whether the signed-in user behind `me` may operate the instance from the dashboard: the
/// instance-admin role, and with `[dashboard] require_second_factor` a second factor that
/// this session used. The refusal (403 `not_allowed_access`) says what is missing; while
/// nobody has the role it says how the first admin is made.
pub async fn operator_access(ctx: &Ctx, me: &crate::account::Me) -> FlowResult<()> {
    let user = me.user();
    let refuse = |long: String| -> FlowResult<()> {
        Err(ApiError::new(ErrorCode::NotAllowedAccess, "not an operator", long).into())
    };
    let is_admin = crate::store::settings::is_admin(&ctx.db, &user.user.id)
        .await
        .context("settings::is_admin")?;
    if !is_admin {
        let none_yet = crate::store::settings::admin_count(&ctx.db)
            .await
            .context("settings::admin_count")?
            == 0;
        return refuse(match (none_yet, user.primary_email()) {
            (true, Some(e)) => format!(
                "The dashboard is for instance admins, and there are none yet. On the server, \
                 run `portcullis users grant-admin {}` to make this account the first.",
                e.email_address
            ),
            _ => "The dashboard is for instance admins. Ask an admin to grant you the role."
                .to_owned(),
        });
    }
    if ctx.settings().dashboard.require_second_factor {
        if !user.two_factor_enabled() {
            return refuse(
                "Instance admins need a second factor. Set up an authenticator app in your \
                 account (/user), then sign in again with it."
                    .into(),
            );
        }
        if me.session.row.second_factor_at.is_none() {
            return refuse(
                "This session was not verified with your second factor. Sign out and sign in \
                 again, using it."
                    .into(),
            );
        }
    }
    Ok(())
}

/// Makes a user an instance admin (the dashboard opens to them). True when newly granted.
pub async fn grant_admin(ctx: &Ctx, admin: &Admin, id: &UserId) -> FlowResult<bool> {
    get_user(ctx, id).await?;
    let tx = crate::store::begin(&ctx.db).await.context("begin")?;
    let by = admin
        .user_id
        .clone()
        .unwrap_or_else(|| admin.key_id.clone());
    let granted = crate::store::settings::grant_admin(&tx, id.as_str(), ctx.now(), &by)
        .await
        .context("settings::grant_admin")?;
    if granted {
        record(
            ctx,
            &tx,
            admin,
            Some(id.as_str()),
            "admin.role_granted",
            json!({}),
        )
        .await?;
    }
    tx.commit().await.context("commit")?;
    Ok(granted)
}

/// Takes the instance-admin role away. From the dashboard the last admin cannot remove
/// themselves (nobody could grant it back but a shell on the server); the CLI can.
pub async fn revoke_admin(ctx: &Ctx, admin: &Admin, id: &UserId) -> FlowResult<bool> {
    let tx = crate::store::begin(&ctx.db).await.context("begin")?;
    if admin.user_id.is_some()
        && crate::store::settings::admin_count(&tx)
            .await
            .context("settings::admin_count")?
            <= 1
    {
        return Err(ApiError::new(
            ErrorCode::FormParamValueInvalid,
            "last admin",
            "The last instance admin cannot be removed here; grant the role to someone else \
             first, or use `portcullis users revoke-admin` on the server.",
        )
        .into());
    }
    let revoked = crate::store::settings::revoke_admin(&tx, id.as_str())
        .await
        .context("settings::revoke_admin")?;
    if revoked {
        record(
            ctx,
            &tx,
            admin,
            Some(id.as_str()),
            "admin.role_revoked",
            json!({}),
        )
        .await?;
    }
    tx.commit().await.context("commit")?;
    Ok(revoked)
}

/// Audit events newest first, `limit` (1 to 1000) at a time after the cursor `after`; with
/// the cursor of the next page when there is one.
pub async fn audit_page(
    ctx: &Ctx,
    filter: repo::AuditFilter<'_>,
    after: Option<&str>,
    limit: u64,
) -> FlowResult<(
    Vec<crate::store::entities::audit_event::Model>,
    Option<String>,
)> {
    let limit = limit.clamp(1, 1000);
    let after = after.map(decode_cursor).transpose()?;
    let mut rows = repo::audit_page(&ctx.db, filter, after.as_ref(), limit + 1)
        .await
        .context("repo::audit_page")?;
    let next = next_page(&mut rows, limit, |r| Cursor {
        created_at: r.created_at,
        id: r.id.clone(),
    });
    Ok((rows, next))
}

/// Signs a user out everywhere: every active session revoked, in one transaction with its
/// audit event; the user is not banned and may sign in again. How many were revoked.
pub async fn revoke_all_sessions(ctx: &Ctx, admin: &Admin, id: &UserId) -> FlowResult<usize> {
    let id = id.as_str();
    get_user(ctx, &UserId::from_stored(id)).await?;
    let now = ctx.now();
    let live: Vec<SessionEnded> = crate::store::sessions::active_for_user(&ctx.db, id)
        .await
        .context("sessions::active_for_user")?
        .into_iter()
        .map(|s| SessionEnded::new(s.id, s.user_id))
        .collect();
    let txn = crate::store::begin(&ctx.db).await?;
    for e in &live {
        crate::session::revoke_in(&txn, e.session.as_str(), now).await?;
    }
    record(
        ctx,
        &txn,
        admin,
        Some(id),
        "admin.sessions.revoked",
        json!({ "sessions_revoked": live.len() }),
    )
    .await?;
    txn.commit().await?;
    let n = live.len();
    if !live.is_empty() {
        crate::sessions_ended(ctx, live).await;
    }
    Ok(n)
}
