//! `/bapi/v1/users`: users as Clerk's Backend API reads and writes them.

use serde::Deserialize;

use super::*;
use crate::domain::UserId;
use crate::flows::admin::{self, CreateUser, MetadataChange, UpdateUser};
use crate::flows::wire;
use crate::store::admin::{UserFilter, UserOrder};
use crate::store::users::UserRecord;

/// The query parameters of `GET /users` and `/users/count`.
pub(super) const USER_QUERY: &[&str] = &[
    "email_address",
    "phone_number",
    "username",
    "user_id",
    "external_id",
    "web3_wallet",
    "query",
    "banned",
    "last_sign_in_at_since",
    "order_by",
    "limit",
    "offset",
];

/// A user as the Backend API shows one: the Frontend API's user plus what only the app's
/// server may see (private metadata, the external id, the ban and lock flags).
pub(crate) fn user_json(ctx: &Ctx, u: &UserRecord) -> Value {
    let mut v = wire::user(ctx, u);
    if let Some(map) = v.as_object_mut() {
        let m = &u.user;
        map.insert(
            "private_metadata".into(),
            wire::metadata(&m.private_metadata),
        );
        map.insert("external_id".into(), json!(m.external_id));
        map.insert("banned".into(), json!(m.banned));
        map.insert("locked".into(), json!(m.locked));
        map.insert("lockout_expires_in_seconds".into(), Value::Null);
        map.insert("verification_attempts_remaining".into(), Value::Null);
        map.insert("profile_image_url".into(), json!(""));
        map.insert("last_active_at".into(), json!(m.last_sign_in_at));
    }
    v
}

fn filter_of(q: &Query) -> Result<UserFilter, FlowError> {
    let lower = |v: Vec<String>| v.into_iter().map(|s| s.trim().to_lowercase()).collect();
    // Phone numbers are stored in E.164; one that does not parse matches nobody.
    let phones = q
        .all("phone_number")
        .iter()
        .map(|p| {
            crate::domain::PhoneNumber::parse(p)
                .map(|p| p.as_ref().to_owned())
                .unwrap_or_else(|_| p.clone())
        })
        .collect();
    let since = match q.one("last_sign_in_at_since")? {
        None => None,
        Some(v) => Some(v.parse::<i64>().map_err(|_| {
            ApiError::invalid_value("last_sign_in_at_since", "A time in unix milliseconds.")
        })?),
    };
    Ok(UserFilter {
        email_address: lower(q.all("email_address")),
        phone_number: phones,
        username: lower(q.all("username")),
        user_id: q.all("user_id"),
        external_id: q.all("external_id"),
        web3_wallet: lower(q.all("web3_wallet")),
        query: q.one("query")?,
        banned: q.flag("banned")?,
        last_sign_in_since: since,
    })
}

pub(super) async fn users_list(ctx: web::Data<Ctx>, req: HttpRequest, _: Operator) -> HttpResponse {
    respond(
        async {
            let q = Query::of(&req);
            let filter = filter_of(&q)?;
            let order = match q.one("order_by")? {
                None => (UserOrder::CreatedAt, true),
                Some(raw) => UserOrder::parse(&raw).ok_or_else(|| {
                    ApiError::invalid_value(
                        "order_by",
                        "created_at, updated_at, first_name, last_name, username or \
                         last_sign_in_at, with - for descending.",
                    )
                })?,
            };
            let (limit, offset) = q.page()?;
            let users = admin::find_users(&ctx, &filter, order, limit, offset).await?;
            ok(
                StatusCode::OK,
                Value::Array(users.iter().map(|u| user_json(&ctx, u)).collect()),
            )
        }
        .await,
    )
}

pub(super) async fn users_count(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    _: Operator,
) -> HttpResponse {
    respond(
        async {
            let filter = filter_of(&Query::of(&req))?;
            let n = admin::count_users(&ctx, &filter).await?;
            ok(
                StatusCode::OK,
                json!({ "object": "total_count", "total_count": n }),
            )
        }
        .await,
    )
}

/// `POST /users`, as Clerk's SDK sends it.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct NewUser {
    #[serde(default)]
    email_address: Vec<String>,
    #[serde(default)]
    phone_number: Vec<String>,
    username: Option<String>,
    password: Option<String>,
    /// An existing hash (bcrypt, argon2, scrypt, PBKDF2) with `password_hasher`.
    password_digest: Option<String>,
    password_hasher: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    external_id: Option<String>,
    #[schema(value_type = Option<Object>)]
    public_metadata: Option<Value>,
    #[schema(value_type = Option<Object>)]
    private_metadata: Option<Value>,
    #[schema(value_type = Option<Object>)]
    unsafe_metadata: Option<Value>,
    #[serde(default)]
    skip_password_checks: bool,
    #[serde(default)]
    skip_password_requirement: bool,
    /// The user's language, a BCP 47 tag.
    locale: Option<String>,
}

pub(super) async fn user_create(ctx: web::Data<Ctx>, call: Call<NewUser>) -> HttpResponse {
    let b = call.body;
    let input = CreateUser {
        email_address: b.email_address,
        phone_number: b.phone_number,
        username: b.username,
        password: b.password,
        password_digest: b.password_digest,
        password_hasher: b.password_hasher,
        first_name: b.first_name,
        last_name: b.last_name,
        skip_password_checks: b.skip_password_checks,
        skip_password_requirement: b.skip_password_requirement,
        public_metadata: b.public_metadata,
        private_metadata: b.private_metadata,
        unsafe_metadata: b.unsafe_metadata,
        external_id: b.external_id,
        locale: b.locale,
    };
    answer(
        admin::create_user(&ctx, &call.admin, input)
            .await
            .map(|u| user_json(&ctx, &u)),
    )
}

pub(super) async fn user_get(
    ctx: web::Data<Ctx>,
    _: Operator,
    id: web::Path<UserId>,
) -> HttpResponse {
    answer(
        admin::get_user(&ctx, &id)
            .await
            .map(|u| user_json(&ctx, &u)),
    )
}

/// `PATCH /users/{id}`: absent fields stay as they are.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct UserChange {
    first_name: Option<String>,
    last_name: Option<String>,
    username: Option<String>,
    password: Option<String>,
    #[serde(default)]
    skip_password_checks: bool,
    external_id: Option<String>,
    primary_email_address_id: Option<String>,
    primary_phone_number_id: Option<String>,
    #[schema(value_type = Option<Object>)]
    public_metadata: Option<Value>,
    #[schema(value_type = Option<Object>)]
    private_metadata: Option<Value>,
    #[schema(value_type = Option<Object>)]
    unsafe_metadata: Option<Value>,
    locale: Option<String>,
}

/// Checks that `id` is a verified identification of `user` of the wanted kind.
fn check_primary(user: &UserRecord, id: &str, email: bool) -> Result<(), FlowError> {
    let param = if email {
        "primary_email_address_id"
    } else {
        "primary_phone_number_id"
    };
    let verified = if email {
        user.emails.iter().any(|e| e.id == id && e.verified)
    } else {
        user.phones.iter().any(|p| p.id == id && p.verified)
    };
    if verified {
        Ok(())
    } else {
        Err(ApiError::invalid_value(param, "Not a verified identification of this user.").into())
    }
}

pub(super) async fn user_update(
    ctx: web::Data<Ctx>,
    call: Call<UserChange>,
    id: web::Path<UserId>,
) -> HttpResponse {
    let (a, b) = (call.admin, call.body);
    answer(
        async {
            let user = admin::get_user(&ctx, &id).await?;
            // Every part is checked before anything is written.
            if let Some(e) = &b.primary_email_address_id {
                check_primary(&user, e, true)?;
            }
            if let Some(p) = &b.primary_phone_number_id {
                check_primary(&user, p, false)?;
            }
            let change = UpdateUser {
                first_name: b.first_name.map(Some),
                last_name: b.last_name.map(Some),
                username: b.username.map(|u| Some(u).filter(|u| !u.trim().is_empty())),
                password: b.password,
                skip_password_checks: b.skip_password_checks,
                public_metadata: b.public_metadata,
                private_metadata: b.private_metadata,
                unsafe_metadata: b.unsafe_metadata,
                external_id: b.external_id.map(Some),
                locale: b.locale.map(Some),
            };
            let mut user = admin::update_user(&ctx, &a, &id, change).await?;
            for primary in [&b.primary_email_address_id, &b.primary_phone_number_id]
                .into_iter()
                .flatten()
            {
                user =
                    admin::update_identification(&ctx, &a, primary, None, Some(true), None).await?;
            }
            Ok(user_json(&ctx, &user))
        }
        .await,
    )
}

pub(super) async fn user_delete(
    ctx: web::Data<Ctx>,
    op: Operator,
    id: web::Path<UserId>,
) -> HttpResponse {
    answer(
        admin::delete_user(&ctx, &op.0, &id)
            .await
            .map(|()| wire::deleted("user", id.as_str())),
    )
}

/// The metadata documents of `PATCH|PUT /users/{id}/metadata`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct Metadata {
    #[schema(value_type = Option<Object>)]
    public_metadata: Option<Value>,
    #[schema(value_type = Option<Object>)]
    private_metadata: Option<Value>,
    #[schema(value_type = Option<Object>)]
    unsafe_metadata: Option<Value>,
}

async fn set_metadata(ctx: &Ctx, call: Call<Metadata>, id: &UserId, merge: bool) -> HttpResponse {
    let b = call.body;
    let change = MetadataChange {
        public: b.public_metadata,
        private: b.private_metadata,
        unsafe_: b.unsafe_metadata,
    };
    answer(
        admin::set_metadata(ctx, &call.admin, id, change, merge)
            .await
            .map(|u| user_json(ctx, &u)),
    )
}

pub(super) async fn metadata_merge(
    ctx: web::Data<Ctx>,
    call: Call<Metadata>,
    id: web::Path<UserId>,
) -> HttpResponse {
    set_metadata(&ctx, call, &id, true).await
}

pub(super) async fn metadata_replace(
    ctx: web::Data<Ctx>,
    call: Call<Metadata>,
    id: web::Path<UserId>,
) -> HttpResponse {
    set_metadata(&ctx, call, &id, false).await
}

async fn flag(
    ctx: &Ctx,
    op: Operator,
    id: &UserId,
    banned: Option<bool>,
    locked: Option<bool>,
) -> HttpResponse {
    let user = match (banned, locked) {
        (Some(b), _) => admin::set_banned(ctx, &op.0, id, b).await,
        (_, l) => admin::set_locked(ctx, &op.0, id, l.unwrap_or(false)).await,
    };
    answer(user.map(|u| user_json(ctx, &u)))
}

pub(super) async fn user_ban(
    ctx: web::Data<Ctx>,
    op: Operator,
    id: web::Path<UserId>,
) -> HttpResponse {
    flag(&ctx, op, &id, Some(true), None).await
}

pub(super) async fn user_unban(
    ctx: web::Data<Ctx>,
    op: Operator,
    id: web::Path<UserId>,
) -> HttpResponse {
    flag(&ctx, op, &id, Some(false), None).await
}

pub(super) async fn user_lock(
    ctx: web::Data<Ctx>,
    op: Operator,
    id: web::Path<UserId>,
) -> HttpResponse {
    flag(&ctx, op, &id, None, Some(true)).await
}

pub(super) async fn user_unlock(
    ctx: web::Data<Ctx>,
    op: Operator,
    id: web::Path<UserId>,
) -> HttpResponse {
    flag(&ctx, op, &id, None, Some(false)).await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct PasswordCheck {
    password: String,
}

pub(super) async fn verify_password(
    ctx: web::Data<Ctx>,
    call: Call<PasswordCheck>,
    id: web::Path<UserId>,
) -> HttpResponse {
    answer(
        admin::verify_password(&ctx, &id, call.body.password)
            .await
            .map(|()| json!({ "verified": true })),
    )
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct CodeCheck {
    code: String,
}

pub(super) async fn verify_totp(
    ctx: web::Data<Ctx>,
    call: Call<CodeCheck>,
    id: web::Path<UserId>,
) -> HttpResponse {
    answer(
        admin::verify_totp(&ctx, &id, &call.body.code)
            .await
            .map(|kind| json!({ "verified": true, "code_type": kind })),
    )
}

pub(super) async fn disable_mfa(
    ctx: web::Data<Ctx>,
    op: Operator,
    id: web::Path<UserId>,
) -> HttpResponse {
    answer(
        admin::disable_mfa(&ctx, &op.0, &id)
            .await
            .map(|()| json!({ "user_id": id.as_str() })),
    )
}

pub(super) async fn user_memberships(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    _: Operator,
    id: web::Path<UserId>,
) -> HttpResponse {
    respond(
        async {
            let (limit, offset) = Query::of(&req).page()?;
            let user = admin::get_user(&ctx, &id).await?;
            let list = crate::flows::organizations::user_memberships(&ctx, &user);
            let total = list.len() as u64;
            let page = list
                .into_iter()
                .skip(usize::try_from(offset).unwrap_or(usize::MAX))
                .take(usize::try_from(limit).unwrap_or(usize::MAX))
                .collect();
            paginated(page, total)
        }
        .await,
    )
}
