//! The admin API under `/admin/v1`: JSON in and out, `Authorization: Bearer <admin key>`,
//! failures as the FAPI `errors` array. Handlers parse, call one flow, and render.

pub(crate) mod call;
mod clients_keys;
mod connections;
pub(crate) mod organizations;
mod settings;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use call::{Call, Operator};
use clients_keys::*;
use connections::*;
use organizations::*;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use settings::*;

use super::fapi::extract::error_response;
use super::fapi::render;
use super::openapi::{Api, api_table};
use crate::domain::UserId;
use crate::flows::admin::{self, Admin, Invitation};
use crate::flows::{ApiError, Ctx, ErrorCode, FlowError};
use crate::store::admin as repo;
use crate::store::users::UserRecord;

pub(crate) type Out = Result<HttpResponse, FlowError>;

/// The admin API under `/admin/v1`; any other path there is `resource_not_found`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/admin/v1")
            .app_data(web::QueryConfig::default().error_handler(|e, _| {
                // A query that does not fit (`limit=ten`): the `errors` array, not plain text.
                let api = ApiError::new(
                    ErrorCode::FormParamFormatInvalid,
                    "is invalid",
                    format!("The query parameters are not valid: {e}."),
                );
                actix_web::error::InternalError::from_response(
                    e,
                    error_response(&FlowError::Api(api)),
                )
                .into()
            }))
            .configure(register_routes)
            .default_service(web::to(not_found)),
    );
}

// The admin API, one line per operation: this table registers the routes and writes the
// OpenAPI document (`/openapi.json`), so the two cannot disagree.
api_table! { Api::Admin, "/admin/v1", register_routes, operations;
    get "/users" => users_list, "List users, oldest first", query &["query", "limit", "after"];
    post "/users" => users_create, "Create a user", json admin::CreateUser;
    get "/users/{id}" => user_get, "Get a user";
    patch "/users/{id}" => user_update, "Update a user", json admin::UpdateUser;
    delete "/users/{id}" => user_delete, "Delete a user and everything they own";
    post "/users/{id}/ban" => user_ban, "Ban a user: every session revoked, no sign-in";
    post "/users/{id}/unban" => user_unban, "Lift a ban";
    post "/users/{id}/lock" => user_lock, "Lock a user: no sign-in until unlocked";
    post "/users/{id}/unlock" => user_unlock, "Unlock a user and clear failed attempts";
    get "/users/{id}/sessions" => user_sessions, "A user's active sessions";
    get "/users/{id}/identifications" => user_identifications, "A user's email addresses, phone numbers, wallets and passkeys";
    get "/users/{id}/external_accounts" => user_external, "A user's linked accounts at other providers";
    post "/sessions/{id}/revoke" => session_revoke, "Revoke a session";
    get "/invitations" => invitations_list, "List invitations, newest first";
    post "/invitations" => invitation_create, "Invite an email address (the link is shown once)", json NewInvitation;
    post "/invitations/{id}/revoke" => invitation_revoke, "Revoke a pending invitation";
    get "/allowlist_identifiers" => allowlist_list, "List the sign-up allowlist";
    post "/allowlist_identifiers" => allowlist_add, "Add to the sign-up allowlist", json NewRule;
    delete "/allowlist_identifiers/{id}" => allowlist_remove, "Remove from the sign-up allowlist";
    get "/blocklist_identifiers" => blocklist_list, "List the sign-up blocklist";
    post "/blocklist_identifiers" => blocklist_add, "Add to the sign-up blocklist", json NewRule;
    delete "/blocklist_identifiers/{id}" => blocklist_remove, "Remove from the sign-up blocklist";
    get "/waitlist_entries" => waitlist_list, "List the waitlist, oldest first", query &["status", "limit", "after"];
    post "/waitlist_entries/{id}/invite" => waitlist_invite, "Invite a waitlist entry", json InviteEntry;
    get "/oauth_clients" => clients_list, "List OAuth clients (config and stored)";
    post "/oauth_clients" => client_create, "Create an OAuth client (the secret is shown once)", json ClientInput;
    get "/oauth_clients/{id}" => client_get, "Get an OAuth client";
    patch "/oauth_clients/{id}" => client_update, "Change a stored OAuth client", json ClientInput;
    delete "/oauth_clients/{id}" => client_delete, "Delete a stored OAuth client";
    post "/oauth_clients/{id}/rotate_secret" => client_rotate, "Give a client a new secret (the old one stops at once)";
    get "/enterprise_connections" => connections_list, "List enterprise SSO connections (config and stored)";
    post "/enterprise_connections" => connection_create, "Add an enterprise SSO connection (OIDC or SAML; SAML metadata is fetched and checked)", json ConnectionInput;
    get "/enterprise_connections/{id}" => connection_get, "Get an enterprise SSO connection";
    patch "/enterprise_connections/{id}" => connection_update, "Change a stored enterprise SSO connection", json ConnectionInput;
    delete "/enterprise_connections/{id}" => connection_delete, "Delete a stored enterprise SSO connection";
    get "/signing_keys" => keys_list, "List signing keys";
    post "/signing_keys/rotate" => keys_rotate, "Rotate the signing keys", json Rotate;
    get "/audit_events" => audit_list, "Audit events, newest first", query &["user_id", "type", "since", "until", "limit", "after"];
    get "/webhook_deliveries" => deliveries_list, "The latest webhook deliveries";
    post "/webhook_deliveries/{id}/retry" => delivery_retry, "Send a webhook delivery again now, with a fresh series of attempts";
    get "/organizations" => organizations_list, "List organizations, newest first", query crate::flows::organizations::operator::LIST_QUERY;
    post "/organizations" => organization_create, "Create an organization (created_by becomes its first member)", json crate::flows::organizations::operator::CreateOrganization;
    get "/organizations/{id}" => organization_get, "Get an organization by id or slug";
    patch "/organizations/{id}" => organization_update, "Change an organization", json crate::flows::organizations::OrganizationChange;
    delete "/organizations/{id}" => organization_delete, "Delete an organization with its memberships and invitations";
    get "/organizations/{id}/memberships" => org_members_list, "An organization's members, oldest first", query crate::flows::organizations::MEMBERS_QUERY;
    post "/organizations/{id}/memberships" => org_member_add, "Add a user to an organization in a role", json crate::flows::organizations::operator::NewMembership;
    patch "/organizations/{id}/memberships/{user_id}" => org_member_update, "Change a member's role or metadata", json crate::flows::organizations::MembershipChange;
    delete "/organizations/{id}/memberships/{user_id}" => org_member_remove, "Remove a member";
    get "/organizations/{id}/invitations" => org_invitations_list, "An organization's invitations, newest first", query &["limit", "offset", "status"];
    post "/organizations/{id}/invitations" => org_invitation_create, "Invite an email address in a role", json crate::flows::organizations::NewInvitation;
    post "/organizations/{id}/invitations/{invitation_id}/revoke" => org_invitation_revoke, "Revoke a pending invitation";
    get "/settings" => settings_get, "The instance settings in effect (`auth`, `branding`, `organizations`) and their version";
    patch "/settings" => settings_update, "Change instance settings at run time (a partial document, checked whole)", json SettingsPatch;
}

/// An OAuth client's settings, as stored (`client_id`, `redirect_uris`, …; `public: true`
/// on creation for a client without a secret).
#[derive(utoipa::ToSchema)]
#[allow(dead_code, reason = "documents the JSON the client endpoints take")]
struct ClientInput {
    client_id: Option<String>,
    name: Option<String>,
    redirect_uris: Option<Vec<String>>,
    post_logout_redirect_uris: Option<Vec<String>>,
    grant_types: Option<Vec<String>>,
    scopes: Option<Vec<String>>,
    first_party: Option<bool>,
    id_token_signed_response_alg: Option<String>,
    subject_type: Option<String>,
    backchannel_logout_uri: Option<String>,
    /// Loaded in a hidden frame by the end-session page (Front-Channel Logout 1.0).
    frontchannel_logout_uri: Option<String>,
    /// That frame's URL carries `iss` and `sid`.
    frontchannel_logout_session_required: Option<bool>,
    /// Shown on the sign-in and consent pages the client sends people to (https).
    logo_uri: Option<String>,
    /// The client's colour on those pages, `#rgb` or `#rrggbb`.
    brand_color: Option<String>,
    /// Its authorization requests only through `/oauth/par` (RFC 9126 §5).
    require_pushed_authorization_requests: Option<bool>,
    /// Token requests only with a DPoP proof, so its access tokens are key-bound (RFC 9449).
    dpop_bound_access_tokens: Option<bool>,
    public: Option<bool>,
}

pub(crate) fn respond(out: Out) -> HttpResponse {
    match out {
        Ok(res) => res,
        Err(e) => error_response(&e),
    }
}

pub(crate) fn ok(status: StatusCode, body: Value) -> Out {
    Ok(HttpResponse::build(status)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(body))
}

/// Any other path under `/admin/v1`: 404 for an operator, 401 for anyone else.
async fn not_found(_: Operator) -> HttpResponse {
    respond(Err(ApiError::not_found("admin endpoint").into()))
}

/// The admin behind a request, or 401.
async fn authorize(ctx: &Ctx, req: &HttpRequest) -> Result<Admin, FlowError> {
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let key = admin::authenticate(ctx, authorization).await.map_err(|e| {
        // Clerk's SDKs recognise a bad secret key by this code.
        match e {
            FlowError::Api(api)
                if api.code == ErrorCode::AuthenticationInvalid && req.path().starts_with("/bapi/") =>
            {
                ApiError::new(
                    ErrorCode::ClerkKeyInvalid,
                    "Invalid secret key",
                    "Send a valid secret key (a Portcullis admin key) as `Authorization: Bearer <key>`.",
                )
                .into()
            }
            other => other,
        }
    })?;
    let ip = super::client_ip::client_ip(req, &ctx.trusted_proxies).map(|ip| ip.to_string());
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    Ok(Admin::from_key(&key, ip, user_agent))
}

/// A JSON body (64 KiB at most); an empty body reads as `{}`.
async fn json_body<T: DeserializeOwned>(payload: web::Payload) -> Result<T, FlowError> {
    let body = super::read_body(payload)
        .await
        .map_err(super::BodyError::api_error)?;
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        &body
    };
    serde_json::from_slice(body).map_err(|e| {
        let text = e.to_string();
        // serde names the offending field: "unknown field `x`", "missing field `y`".
        let field = text
            .split('`')
            .nth(1)
            .map(str::to_owned)
            .unwrap_or_default();
        let err = if text.starts_with("unknown field") {
            ApiError::unknown(&field)
        } else if text.starts_with("missing field") {
            ApiError::missing(&field)
        } else {
            ApiError::new(
                ErrorCode::RequestBodyInvalid,
                "Invalid request body",
                format!("The body is not the JSON this endpoint takes: {text}."),
            )
        };
        err.into()
    })
}

pub(crate) fn user_json(ctx: &Ctx, u: &UserRecord) -> Value {
    let mut v = render::user(ctx, u);
    if let Some(map) = v.as_object_mut() {
        map.insert("banned".into(), json!(u.user.banned));
        map.insert("locked".into(), json!(u.user.locked));
    }
    v
}

#[derive(Deserialize)]
struct Page {
    query: Option<String>,
    limit: Option<u64>,
    after: Option<String>,
}

async fn users_list(ctx: web::Data<Ctx>, _: Operator, q: web::Query<Page>) -> HttpResponse {
    respond(
        async {
            let (users, next) = admin::list_users(
                &ctx,
                q.query.as_deref(),
                q.after.as_deref(),
                q.limit.unwrap_or(50),
            )
            .await?;
            let total = repo::count_users(&ctx.db).await?;
            ok(
                StatusCode::OK,
                json!({
                    "data": users.iter().map(|u| user_json(&ctx, u)).collect::<Vec<_>>(),
                    "total_count": total,
                    "next_cursor": next,
                }),
            )
        }
        .await,
    )
}

async fn users_create(ctx: web::Data<Ctx>, call: Call<admin::CreateUser>) -> HttpResponse {
    respond(
        async {
            let a = call.admin;
            let input = call.body;
            let user = admin::create_user(&ctx, &a, input).await?;
            ok(StatusCode::OK, user_json(&ctx, &user))
        }
        .await,
    )
}

async fn user_get(ctx: web::Data<Ctx>, _: Operator, id: web::Path<UserId>) -> HttpResponse {
    respond(
        async {
            ok(
                StatusCode::OK,
                user_json(&ctx, &admin::get_user(&ctx, &id).await?),
            )
        }
        .await,
    )
}

async fn user_update(
    ctx: web::Data<Ctx>,
    call: Call<admin::UpdateUser>,
    id: web::Path<UserId>,
) -> HttpResponse {
    respond(
        async {
            let a = call.admin;
            let input = call.body;
            ok(
                StatusCode::OK,
                user_json(&ctx, &admin::update_user(&ctx, &a, &id, input).await?),
            )
        }
        .await,
    )
}

async fn user_delete(ctx: web::Data<Ctx>, op: Operator, id: web::Path<UserId>) -> HttpResponse {
    respond(
        async {
            let a = op.0;
            admin::delete_user(&ctx, &a, &id).await?;
            ok(StatusCode::OK, render::deleted("user", id.as_str()))
        }
        .await,
    )
}

async fn flag(ctx: &Ctx, a: Admin, id: &UserId, which: &str) -> Out {
    let user = match which {
        "ban" => admin::set_banned(ctx, &a, id, true).await?,
        "unban" => admin::set_banned(ctx, &a, id, false).await?,
        "lock" => admin::set_locked(ctx, &a, id, true).await?,
        _ => admin::set_locked(ctx, &a, id, false).await?,
    };
    ok(StatusCode::OK, user_json(ctx, &user))
}

async fn user_ban(ctx: web::Data<Ctx>, op: Operator, id: web::Path<UserId>) -> HttpResponse {
    respond(flag(&ctx, op.0, &id, "ban").await)
}

async fn user_unban(ctx: web::Data<Ctx>, op: Operator, id: web::Path<UserId>) -> HttpResponse {
    respond(flag(&ctx, op.0, &id, "unban").await)
}

async fn user_lock(ctx: web::Data<Ctx>, op: Operator, id: web::Path<UserId>) -> HttpResponse {
    respond(flag(&ctx, op.0, &id, "lock").await)
}

async fn user_unlock(ctx: web::Data<Ctx>, op: Operator, id: web::Path<UserId>) -> HttpResponse {
    respond(flag(&ctx, op.0, &id, "unlock").await)
}

fn session_json(s: &crate::store::sessions::SessionRow) -> Value {
    json!({
        "object": "session",
        "id": s.id,
        "user_id": s.user_id,
        "client_id": s.client_id,
        "status": s.status,
        "last_active_at": s.last_active_at,
        "expire_at": s.expire_at,
        "abandon_at": s.abandon_at,
        "created_at": s.created_at,
        "updated_at": s.updated_at,
    })
}

async fn user_sessions(ctx: web::Data<Ctx>, _: Operator, id: web::Path<UserId>) -> HttpResponse {
    respond(
        async {
            admin::get_user(&ctx, &id).await?;
            let sessions = crate::store::sessions::active_for_user(&ctx.db, id.as_str()).await?;
            ok(
                StatusCode::OK,
                json!({ "data": sessions.iter().map(session_json).collect::<Vec<_>>() }),
            )
        }
        .await,
    )
}

async fn user_identifications(
    ctx: web::Data<Ctx>,
    _: Operator,
    id: web::Path<UserId>,
) -> HttpResponse {
    respond(
        async {
            let u = user_json(&ctx, &admin::get_user(&ctx, &id).await?);
            ok(
                StatusCode::OK,
                json!({
                    "email_addresses": u["email_addresses"],
                    "phone_numbers": u["phone_numbers"],
                    "web3_wallets": u["web3_wallets"],
                    "passkeys": u["passkeys"],
                }),
            )
        }
        .await,
    )
}

async fn user_external(ctx: web::Data<Ctx>, _: Operator, id: web::Path<UserId>) -> HttpResponse {
    respond(async {
        let u = admin::get_user(&ctx, &id).await?;
        ok(
            StatusCode::OK,
            json!({ "data": u.external.iter().map(render::external_account).collect::<Vec<_>>() }),
        )
    }.await)
}

async fn session_revoke(
    ctx: web::Data<Ctx>,
    op: Operator,
    id: web::Path<crate::domain::SessionId>,
) -> HttpResponse {
    respond(
        async {
            let a = op.0;
            admin::revoke_session(&ctx, &a, &id).await?;
            let s = crate::store::sessions::get(&ctx.db, id.as_str())
                .await?
                .ok_or_else(|| ApiError::not_found("session"))?;
            ok(StatusCode::OK, session_json(&s))
        }
        .await,
    )
}

pub(crate) fn invitation_json(ctx: &Ctx, i: &Invitation) -> Value {
    let r = &i.row;
    let status = if r.revoked_at.is_some() {
        "revoked"
    } else if r.used_at.is_some() {
        "accepted"
    } else if r.expires_at <= ctx.now() {
        "expired"
    } else {
        "pending"
    };
    json!({
        "object": "invitation",
        "id": r.id,
        "email_address": r.email_address,
        "status": status,
        "url": i.url,
        "expires_at": r.expires_at,
        "revoked": r.revoked_at.is_some(),
        "created_at": r.created_at,
        "updated_at": r.revoked_at.or(r.used_at).unwrap_or(r.created_at),
    })
}

async fn invitations_list(ctx: web::Data<Ctx>, _: Operator) -> HttpResponse {
    respond(
        async {
            let rows = crate::store::tickets::list(&ctx.db, crate::flows::tickets::INVITATION, 500)
                .await?;
            let data: Vec<Value> = rows
                .into_iter()
                .map(|row| invitation_json(&ctx, &Invitation { row, url: None }))
                .collect();
            ok(StatusCode::OK, json!({ "data": data }))
        }
        .await,
    )
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct NewInvitation {
    email_address: String,
    #[serde(default = "seven")]
    expires_in_days: i64,
    /// Accepted for scripts written for other servers; the link always opens /sign-up.
    #[serde(default)]
    #[allow(dead_code, reason = "accepted and ignored")]
    redirect_url: Option<String>,
    #[serde(default)]
    #[allow(dead_code, reason = "accepted and ignored")]
    notify: Option<bool>,
}

fn seven() -> i64 {
    7
}

async fn invitation_create(ctx: web::Data<Ctx>, call: Call<NewInvitation>) -> HttpResponse {
    respond(
        async {
            let a = call.admin;
            let input = call.body;
            let inv = admin::invite(&ctx, &a, &input.email_address, input.expires_in_days).await?;
            ok(StatusCode::OK, invitation_json(&ctx, &inv))
        }
        .await,
    )
}

async fn invitation_revoke(
    ctx: web::Data<Ctx>,
    op: Operator,
    id: web::Path<String>,
) -> HttpResponse {
    respond(
        async {
            let a = op.0;
            let inv = admin::revoke_invitation(&ctx, &a, &id).await?;
            ok(StatusCode::OK, invitation_json(&ctx, &inv))
        }
        .await,
    )
}

pub(crate) fn rule_json(r: &repo::SignUpRuleRow) -> Value {
    json!({
        "object": format!("{}list_identifier", r.list),
        "id": r.id,
        "identifier": r.pattern,
        "created_at": r.created_at,
        "updated_at": r.created_at,
    })
}

pub(crate) async fn rules_list(ctx: &Ctx, list: &str) -> Out {
    let rows = repo::sign_up_rules(&ctx.db).await?;
    let data: Vec<Value> = rows
        .iter()
        .filter(|r| r.list == list)
        .map(rule_json)
        .collect();
    ok(StatusCode::OK, json!({ "data": data }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewRule {
    pub(crate) identifier: String,
    #[serde(default)]
    #[allow(dead_code, reason = "accepted and ignored")]
    notify: Option<bool>,
}

pub(crate) async fn rule_add(ctx: &Ctx, call: Call<NewRule>, list: &str) -> Out {
    let (a, input) = (call.admin, call.body);
    let row = admin::add_rule(ctx, &a, list, &input.identifier).await?;
    ok(StatusCode::OK, rule_json(&row))
}

pub(crate) async fn rule_remove(ctx: &Ctx, a: Admin, id: &str, list: &str) -> Out {
    admin::remove_rule(ctx, &a, list, id).await?;
    ok(
        StatusCode::OK,
        render::deleted(&format!("{list}list_identifier"), id),
    )
}

async fn allowlist_list(ctx: web::Data<Ctx>, _: Operator) -> HttpResponse {
    respond(rules_list(&ctx, repo::ALLOW).await)
}

async fn allowlist_add(ctx: web::Data<Ctx>, call: Call<NewRule>) -> HttpResponse {
    respond(rule_add(&ctx, call, repo::ALLOW).await)
}

async fn allowlist_remove(
    ctx: web::Data<Ctx>,
    op: Operator,
    id: web::Path<String>,
) -> HttpResponse {
    respond(rule_remove(&ctx, op.0, &id, repo::ALLOW).await)
}

async fn blocklist_list(ctx: web::Data<Ctx>, _: Operator) -> HttpResponse {
    respond(rules_list(&ctx, repo::BLOCK).await)
}

async fn blocklist_add(ctx: web::Data<Ctx>, call: Call<NewRule>) -> HttpResponse {
    respond(rule_add(&ctx, call, repo::BLOCK).await)
}

async fn blocklist_remove(
    ctx: web::Data<Ctx>,
    op: Operator,
    id: web::Path<String>,
) -> HttpResponse {
    respond(rule_remove(&ctx, op.0, &id, repo::BLOCK).await)
}

pub fn waitlist_json(w: &repo::WaitlistRow) -> Value {
    json!({
        "object": "waitlist_entry",
        "id": w.id,
        "email_address": w.email_address,
        "status": w.status,
        "invitation_id": w.invitation_id,
        "created_at": w.created_at,
        "updated_at": w.updated_at,
    })
}

#[derive(Deserialize)]
struct WaitlistPage {
    status: Option<String>,
    limit: Option<u64>,
    after: Option<String>,
}

async fn waitlist_list(
    ctx: web::Data<Ctx>,
    _: Operator,
    q: web::Query<WaitlistPage>,
) -> HttpResponse {
    respond(async {
        let limit = q.limit.unwrap_or(50).clamp(1, 500);
        let after = q.after.as_deref().map(admin::decode_cursor).transpose()?;
        let mut rows = repo::waitlist_page(&ctx.db, q.status.as_deref(), after.as_ref(), limit + 1).await?;
        let next = admin::next_page(&mut rows, limit, |r| repo::Cursor {
            created_at: r.created_at,
            id: r.id.clone(),
        });
        ok(
            StatusCode::OK,
            json!({ "data": rows.iter().map(waitlist_json).collect::<Vec<_>>(), "next_cursor": next }),
        )
    }.await)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct InviteEntry {
    #[serde(default = "seven")]
    expires_in_days: i64,
}

async fn waitlist_invite(
    ctx: web::Data<Ctx>,
    call: Call<InviteEntry>,
    id: web::Path<String>,
) -> HttpResponse {
    respond(
        async {
            let a = call.admin;
            let input = call.body;
            let (entry, inv) =
                admin::invite_from_waitlist(&ctx, &a, &id, input.expires_in_days).await?;
            let mut body = waitlist_json(&entry);
            body["invitation"] = invitation_json(&ctx, &inv);
            ok(StatusCode::OK, body)
        }
        .await,
    )
}
