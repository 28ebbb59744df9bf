//! `/bapi/v1` sessions, clients, invitations, the allowlist and blocklist, sign-in tokens,
//! email addresses, phone numbers and the JWKS.

use serde::Deserialize;

use super::users::user_json;
use super::*;
use crate::Respond as _;
use crate::flows::admin::{self, Invitation, NewIdentification, SessionState};
use crate::flows::wire;
use crate::store::admin as repo;
use crate::store::clients::ClientRow;
use crate::store::sessions::SessionRow;
use crate::store::tickets::TicketState;
use crate::store::users::IdentifierKind;

/// A session as the Backend API shows one, with its effective status and expiry.
fn session_json(s: &SessionRow, status: &str, expire_at: i64) -> Value {
    json!({
        "object": "session",
        "id": s.id,
        "client_id": s.client_id,
        "user_id": s.user_id,
        "status": status,
        "last_active_at": s.last_active_at,
        "last_active_organization_id": s.last_active_organization_id,
        "actor": s.actor.as_deref().map(wire::metadata),
        "latest_activity": null,
        "expire_at": expire_at,
        "abandon_at": s.abandon_at,
        "created_at": s.created_at,
        "updated_at": s.updated_at,
    })
}

fn client_json(c: &ClientRow, sessions: &[SessionState]) -> Value {
    json!({
        "object": "client",
        "id": c.id,
        "session_ids": sessions.iter().map(|s| s.row.id.clone()).collect::<Vec<_>>(),
        "sessions": sessions.iter().map(|s| session_json(&s.row, s.status, s.expire_at)).collect::<Vec<_>>(),
        "sign_in_id": c.sign_in_id,
        "sign_up_id": c.sign_up_id,
        "last_active_session_id": c.last_active_session_id,
        "last_authentication_strategy": null,
        "created_at": c.created_at,
        "updated_at": c.updated_at,
    })
}

pub(super) async fn sessions_list(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    _: Operator,
) -> HttpResponse {
    respond(
        async {
            let q = Query::of(&req);
            let (user_id, client_id, status) =
                (q.one("user_id")?, q.one("client_id")?, q.one("status")?);
            let (rows, total) = admin::list_sessions(
                &ctx,
                user_id.as_deref(),
                client_id.as_deref(),
                status.as_deref(),
                q.page()?,
            )
            .await?;
            let data = rows
                .iter()
                .map(|s| session_json(&s.row, s.status, s.expire_at))
                .collect();
            paginated(data, total)
        }
        .await,
    )
}

async fn one_session(ctx: &Ctx, id: &str) -> Result<Value, FlowError> {
    let live = admin::get_session(ctx, id).await?;
    Ok(session_json(
        &live.row,
        live.status.as_str(),
        live.expire_at,
    ))
}

pub(super) async fn session_get(
    ctx: web::Data<Ctx>,
    _: Operator,
    id: web::Path<String>,
) -> HttpResponse {
    answer(one_session(&ctx, &id).await)
}

pub(super) async fn session_revoke(
    ctx: web::Data<Ctx>,
    op: Operator,
    id: web::Path<String>,
) -> HttpResponse {
    answer(
        async {
            let sid = crate::domain::SessionId::from_stored(id.as_str());
            admin::revoke_session(&ctx, &op.0, &sid).await?;
            one_session(&ctx, &id).await
        }
        .await,
    )
}

pub(super) async fn session_token(
    ctx: web::Data<Ctx>,
    _: Operator,
    id: web::Path<String>,
) -> HttpResponse {
    answer(
        admin::session_token(&ctx, &id)
            .await
            .map(|jwt| json!({ "object": "token", "jwt": jwt })),
    )
}

pub(super) async fn clients_list(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    _: Operator,
) -> HttpResponse {
    respond(
        async {
            let (limit, offset) = Query::of(&req).page()?;
            let (rows, total) = admin::list_clients(&ctx, limit, offset).await?;
            paginated(rows.iter().map(|(c, s)| client_json(c, s)).collect(), total)
        }
        .await,
    )
}

pub(super) async fn client_get(
    ctx: web::Data<Ctx>,
    _: Operator,
    id: web::Path<String>,
) -> HttpResponse {
    answer(
        admin::get_client(&ctx, &id)
            .await
            .map(|(c, s)| client_json(&c, &s)),
    )
}

fn invitation_json(ctx: &Ctx, i: &Invitation) -> Value {
    let mut v = super::super::admin::invitation_json(ctx, i);
    v["public_metadata"] =
        crate::flows::tickets::invitation_metadata(&i.row).unwrap_or_else(|| json!({}));
    v
}

pub(super) async fn invitations_list(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    _: Operator,
) -> HttpResponse {
    respond(
        async {
            let q = Query::of(&req);
            let state = match q.one("status")?.as_deref() {
                None => None,
                Some("pending") => Some(TicketState::Pending),
                Some("accepted") => Some(TicketState::Accepted),
                Some("revoked") => Some(TicketState::Revoked),
                Some("expired") => Some(TicketState::Expired),
                Some(_) => {
                    return Err(ApiError::invalid_value(
                        "status",
                        "pending, accepted, revoked or expired.",
                    )
                    .into());
                }
            };
            let (limit, offset) = q.page()?;
            let (rows, total) =
                admin::list_invitations(&ctx, state, q.one("query")?.as_deref(), limit, offset)
                    .await?;
            let data = rows
                .into_iter()
                .map(|row| invitation_json(&ctx, &Invitation { row, url: None }))
                .collect();
            paginated(data, total)
        }
        .await,
    )
}

/// `POST /invitations`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct NewInvitation {
    email_address: String,
    /// 1 to 365 days; 30 by default, as Clerk.
    expires_in_days: Option<i64>,
    /// Accepted for compatibility; the link opens Portcullis's sign-up page, which sends the
    /// user on to the app's after-sign-up address.
    #[allow(dead_code, reason = "accepted; see above")]
    redirect_url: Option<String>,
    /// Portcullis always emails the invitation link only when `notify` is not false.
    notify: Option<bool>,
    /// Whether an invitation to an address that is already a user's is allowed.
    #[allow(dead_code, reason = "an invitation never creates a second account")]
    ignore_existing: Option<bool>,
    /// Given to the user the invitation signs up.
    #[schema(value_type = Option<Object>)]
    public_metadata: Option<Value>,
}

pub(super) async fn invitation_create(
    ctx: web::Data<Ctx>,
    call: Call<NewInvitation>,
) -> HttpResponse {
    let b = call.body;
    answer(
        admin::invite_notifying(
            &ctx,
            &call.admin,
            &b.email_address,
            b.expires_in_days.unwrap_or(30),
            b.public_metadata,
            b.notify.unwrap_or(true),
        )
        .await
        .map(|inv| invitation_json(&ctx, &inv)),
    )
}

/// `POST /invitations/bulk`: every invitation or none.
pub(super) async fn invitations_bulk(
    ctx: web::Data<Ctx>,
    call: Call<Vec<NewInvitation>>,
) -> HttpResponse {
    let batch = call
        .body
        .into_iter()
        .map(|b| admin::NewInvite {
            email_address: b.email_address,
            expires_in_days: b.expires_in_days.unwrap_or(30),
            public_metadata: b.public_metadata,
            notify: b.notify.unwrap_or(true),
        })
        .collect();
    answer(
        admin::invite_all(&ctx, &call.admin, batch)
            .await
            .map(|made| Value::Array(made.iter().map(|i| invitation_json(&ctx, i)).collect())),
    )
}

pub(super) async fn invitation_revoke(
    ctx: web::Data<Ctx>,
    op: Operator,
    id: web::Path<String>,
) -> HttpResponse {
    answer(
        admin::revoke_invitation(&ctx, &op.0, &id)
            .await
            .map(|inv| invitation_json(&ctx, &inv)),
    )
}

/// What an allowlist or blocklist entry is: Clerk's `identifier_type`.
fn identifier_type(pattern: &str) -> &'static str {
    if pattern.starts_with("*@") {
        "domain"
    } else if pattern.contains('@') {
        "email_address"
    } else if pattern.starts_with('+') {
        "phone_number"
    } else if pattern.starts_with("0x") {
        "web3_wallet"
    } else {
        "username"
    }
}

fn rule_json(r: &repo::SignUpRuleRow) -> Value {
    let mut v = super::super::admin::rule_json(r);
    v["identifier_type"] = json!(identifier_type(&r.pattern));
    v["instance_id"] = Value::Null;
    v["invitation_id"] = Value::Null;
    v
}

async fn rules(ctx: &Ctx, list: &str) -> Out {
    let rows = repo::sign_up_rules(&ctx.db).await?;
    let data: Vec<Value> = rows
        .iter()
        .filter(|r| r.list == list)
        .map(rule_json)
        .collect();
    let total = data.len() as u64;
    paginated(data, total)
}

async fn add_rule(ctx: &Ctx, call: Call<super::super::admin::NewRule>, list: &str) -> HttpResponse {
    answer(
        admin::add_rule(ctx, &call.admin, list, &call.body.identifier)
            .await
            .map(|r| rule_json(&r)),
    )
}

async fn remove_rule(ctx: &Ctx, op: Operator, id: &str, list: &str) -> HttpResponse {
    answer(
        admin::remove_rule(ctx, &op.0, list, id)
            .await
            .map(|()| wire::deleted(&format!("{list}list_identifier"), id)),
    )
}

pub(super) async fn allowlist_list(ctx: web::Data<Ctx>, _: Operator) -> HttpResponse {
    respond(rules(&ctx, repo::ALLOW).await)
}

pub(super) async fn allowlist_add(
    ctx: web::Data<Ctx>,
    call: Call<super::super::admin::NewRule>,
) -> HttpResponse {
    add_rule(&ctx, call, repo::ALLOW).await
}

pub(super) async fn allowlist_remove(
    ctx: web::Data<Ctx>,
    op: Operator,
    id: web::Path<String>,
) -> HttpResponse {
    remove_rule(&ctx, op, &id, repo::ALLOW).await
}

pub(super) async fn blocklist_list(ctx: web::Data<Ctx>, _: Operator) -> HttpResponse {
    respond(rules(&ctx, repo::BLOCK).await)
}

pub(super) async fn blocklist_add(
    ctx: web::Data<Ctx>,
    call: Call<super::super::admin::NewRule>,
) -> HttpResponse {
    add_rule(&ctx, call, repo::BLOCK).await
}

pub(super) async fn blocklist_remove(
    ctx: web::Data<Ctx>,
    op: Operator,
    id: web::Path<String>,
) -> HttpResponse {
    remove_rule(&ctx, op, &id, repo::BLOCK).await
}

/// The hosted sign-in page's link for a sign-in or actor token: it asks to continue, and
/// only that POST spends the token.
pub(super) fn ticket_url(ctx: &Ctx, token: &str) -> String {
    format!(
        "{}/sign-in?__clerk_ticket={}",
        ctx.settings().issuer(),
        url::form_urlencoded::byte_serialize(token.as_bytes()).collect::<String>()
    )
}

/// `POST /sign_in_tokens`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct NewSignInToken {
    user_id: String,
    /// 30 days by default, as Clerk.
    expires_in_seconds: Option<i64>,
}

/// A sign-in or actor token's `status`.
pub(super) fn token_status(row: &crate::store::tickets::TicketRow) -> &'static str {
    if row.revoked_at.is_some() {
        "revoked"
    } else if row.used_at.is_some() {
        "accepted"
    } else {
        "pending"
    }
}

fn sign_in_token_json(
    ctx: &Ctx,
    row: &crate::store::tickets::TicketRow,
    token: Option<&str>,
) -> Value {
    let status = token_status(row);
    let url = token.map(|t| ticket_url(ctx, t));
    json!({
        "object": "sign_in_token",
        "id": row.id,
        "user_id": row.user_id,
        "token": token,
        "status": status,
        "url": url,
        "expires_at": row.expires_at,
        "created_at": row.created_at,
        "updated_at": row.revoked_at.or(row.used_at).unwrap_or(row.created_at),
    })
}

pub(super) async fn sign_in_token_create(
    ctx: web::Data<Ctx>,
    call: Call<NewSignInToken>,
) -> HttpResponse {
    let b = call.body;
    answer(
        admin::create_sign_in_token(
            &ctx,
            &call.admin,
            &b.user_id,
            b.expires_in_seconds.unwrap_or(30 * 86_400),
        )
        .await
        .map(|(row, token)| sign_in_token_json(&ctx, &row, Some(&token))),
    )
}

pub(super) async fn sign_in_token_revoke(
    ctx: web::Data<Ctx>,
    op: Operator,
    id: web::Path<String>,
) -> HttpResponse {
    answer(
        admin::revoke_sign_in_token(&ctx, &op.0, &id)
            .await
            .map(|row| sign_in_token_json(&ctx, &row, None)),
    )
}

/// One email address or phone number of a user, as `GET /email_addresses/{id}` shows it.
fn identification_json(
    ctx: &Ctx,
    user: &crate::store::users::UserRecord,
    id: &str,
) -> Result<Value, FlowError> {
    let u = user_json(ctx, user);
    ["email_addresses", "phone_numbers"]
        .iter()
        .filter_map(|list| u[list].as_array())
        .flatten()
        .find(|i| i["id"] == id)
        .cloned()
        .ok_or_else(|| ApiError::not_found("identification").into())
}

/// `POST /email_addresses`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct NewEmail {
    user_id: String,
    email_address: String,
    /// True by default: an operator vouches for the address.
    verified: Option<bool>,
    primary: Option<bool>,
}

/// `POST /phone_numbers`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct NewPhone {
    user_id: String,
    phone_number: String,
    verified: Option<bool>,
    primary: Option<bool>,
    reserved_for_second_factor: Option<bool>,
}

async fn add(ctx: &Ctx, a: &admin::Admin, new: NewIdentification) -> HttpResponse {
    answer(
        async {
            let (user, id) = admin::add_identification(ctx, a, new).await?;
            identification_json(ctx, &user, &id)
        }
        .await,
    )
}

pub(super) async fn email_create(ctx: web::Data<Ctx>, call: Call<NewEmail>) -> HttpResponse {
    let b = call.body;
    let new = NewIdentification {
        user_id: b.user_id,
        kind: IdentifierKind::Email,
        value: b.email_address,
        verified: b.verified.unwrap_or(true),
        primary: b.primary.unwrap_or(false),
        reserved_for_second_factor: false,
    };
    add(&ctx, &call.admin, new).await
}

pub(super) async fn phone_create(ctx: web::Data<Ctx>, call: Call<NewPhone>) -> HttpResponse {
    let b = call.body;
    let new = NewIdentification {
        user_id: b.user_id,
        kind: IdentifierKind::Phone,
        value: b.phone_number,
        verified: b.verified.unwrap_or(true),
        primary: b.primary.unwrap_or(false),
        reserved_for_second_factor: b.reserved_for_second_factor.unwrap_or(false),
    };
    add(&ctx, &call.admin, new).await
}

/// `email_address` or `phone_number`: what the path names.
fn object_of(req: &HttpRequest) -> &'static str {
    if req.path().contains("/phone_numbers/") {
        "phone_number"
    } else {
        "email_address"
    }
}

/// The identification `id` as JSON when it is the kind the path names; an email address
/// asked for under `/phone_numbers` is not found.
async fn identification_of_kind(ctx: &Ctx, id: &str, object: &str) -> Result<Value, FlowError> {
    let user = admin::get_identification(ctx, id).await?;
    let v = identification_json(ctx, &user, id)?;
    if v["object"] != object {
        return Err(ApiError::not_found(object).into());
    }
    Ok(v)
}

pub(super) async fn identification_get(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    _: Operator,
    id: web::Path<String>,
) -> HttpResponse {
    answer(identification_of_kind(&ctx, &id, object_of(&req)).await)
}

/// `PATCH /email_addresses/{id}` and `/phone_numbers/{id}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct IdentificationChange {
    verified: Option<bool>,
    primary: Option<bool>,
    /// Phone numbers only.
    reserved_for_second_factor: Option<bool>,
}

pub(super) async fn identification_update(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    call: Call<IdentificationChange>,
    id: web::Path<String>,
) -> HttpResponse {
    let b = call.body;
    answer(
        async {
            identification_of_kind(&ctx, &id, object_of(&req)).await?;
            let user = admin::update_identification(
                &ctx,
                &call.admin,
                &id,
                b.verified,
                b.primary,
                b.reserved_for_second_factor,
            )
            .await?;
            identification_json(&ctx, &user, &id)
        }
        .await,
    )
}

pub(super) async fn identification_delete(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    op: Operator,
    id: web::Path<String>,
) -> HttpResponse {
    let object = object_of(&req);
    answer(
        async {
            identification_of_kind(&ctx, &id, object).await?;
            admin::delete_identification(&ctx, &op.0, &id).await?;
            Ok(wire::deleted(object, &id))
        }
        .await,
    )
}

pub(super) async fn jwks(ctx: web::Data<Ctx>, req: HttpRequest, _: Operator) -> HttpResponse {
    ctx.keys
        .current()
        .published_jwks()
        .respond(&req, "no-store")
}
