//! Organizations in the Frontend API (`[organizations] enabled`): the calls Clerk's browser
//! SDK makes for `createOrganization`, `organization.*` and `user.getOrganization*`, in the
//! `{response, client}` envelope.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::Value;

use super::extract::{Account, AccountUpload, Active, ChooseOrganization};
use super::{NO_PARAMS, envelope};
use crate::flows::organizations::{
    self as orgs, CREATE_PARAMS, INVITATIONS_QUERY, INVITE_PARAMS, MEMBER_UPDATE_PARAMS,
    MEMBERS_QUERY, PAGE_QUERY, UPDATE_PARAMS, domains,
};
use crate::flows::{Ctx, FlowResult, Params};
use crate::openapi::{Api, api_table};

api_table! { Api::Account, "/v1", register_routes, operations;
    post "/organizations" => create, "Create an organization; the caller becomes its first member, in the creator role", params CREATE_PARAMS;
    get "/organizations/{id}" => get, "An organization the caller belongs to (by id or slug)";
    patch "/organizations/{id}" => update, "Rename an organization or change its slug (org:sys_profile:manage)", params UPDATE_PARAMS;
    delete "/organizations/{id}" => delete, "Delete an organization (org:sys_profile:delete)";
    put "/organizations/{id}/logo" => logo_put, "Set the organization's logo: a PNG, JPEG, GIF or WebP image of at most 2 MiB (org:sys_profile:manage)", upload crate::flows::images::MAX_BYTES;
    delete "/organizations/{id}/logo" => logo_delete, "Remove the organization's logo (org:sys_profile:manage)";
    get "/organizations/{id}/roles" => roles, "The roles a member may hold, with their permissions", query PAGE_QUERY;
    get "/organizations/{id}/memberships" => members, "The organization's members (org:sys_memberships:read)", query MEMBERS_QUERY;
    patch "/organizations/{id}/memberships/{user_id}" => member_update, "Change a member's role (org:sys_memberships:manage)", params MEMBER_UPDATE_PARAMS;
    delete "/organizations/{id}/memberships/{user_id}" => member_remove, "Remove a member (org:sys_memberships:manage), or leave when it is the caller";
    get "/organizations/{id}/invitations" => invitations, "The organization's invitations (org:sys_memberships:manage)", query INVITATIONS_QUERY;
    post "/organizations/{id}/invitations" => invite, "Invite an email address in a role (org:sys_memberships:manage)", params INVITE_PARAMS;
    post "/organizations/{id}/invitations/{invitation_id}/revoke" => invitation_revoke, "Revoke a pending invitation (org:sys_memberships:manage)", params NO_PARAMS;
    get "/me/organization_memberships" => my_memberships, "The caller's organization memberships", query PAGE_QUERY;
    delete "/me/organization_memberships/{id}" => leave, "Leave an organization";
    get "/me/organization_invitations" => my_invitations, "Invitations to the caller's verified email addresses", query INVITATIONS_QUERY;
    post "/me/organization_invitations/{id}/accept" => accept, "Accept an invitation and join", params NO_PARAMS;
    get "/me/organization_suggestions" => my_suggestions, "Organizations whose verified domain matches one of the caller's verified addresses", query domains::SUGGESTIONS_QUERY;
    post "/me/organization_suggestions/{id}/accept" => suggestion_accept, "Ask to join a suggested organization", params NO_PARAMS;
    post "/organizations/{id}/domains" => domain_create, "Add a domain (org:sys_domains:manage); verified at once when the caller has a verified address there", params domains::CREATE_PARAMS;
    get "/organizations/{id}/domains" => domain_list, "The organization's domains (org:sys_domains:read)", query domains::DOMAINS_QUERY;
    get "/organizations/{id}/domains/{domain_id}" => domain_get, "A domain of the organization (org:sys_domains:read)";
    delete "/organizations/{id}/domains/{domain_id}" => domain_delete, "Remove a domain (org:sys_domains:manage)";
    post "/organizations/{id}/domains/{domain_id}/update_enrollment_mode" => domain_mode, "How the domain enrolls users: manual_invitation, automatic_invitation or automatic_suggestion", params domains::MODE_PARAMS;
    post "/organizations/{id}/domains/{domain_id}/prepare_affiliation_verification" => domain_prepare, "Send a code to an address at the domain", params domains::PREPARE_PARAMS;
    post "/organizations/{id}/domains/{domain_id}/attempt_affiliation_verification" => domain_attempt, "Verify the domain with the code", params domains::ATTEMPT_PARAMS;
    get "/organizations/{id}/membership_requests" => requests_list, "Requests to join (org:sys_memberships:manage)", query domains::REQUESTS_QUERY;
    post "/organizations/{id}/membership_requests/{request_id}/accept" => request_accept, "Accept a request: the user joins in the default role", params NO_PARAMS;
    post "/organizations/{id}/membership_requests/{request_id}/reject" => request_reject, "Reject a request", params NO_PARAMS;
}

fn query(req: &HttpRequest) -> FlowResult<Params> {
    Ok(super::extract::query_params(req)?)
}

async fn reply<L>(
    ctx: &Ctx,
    req: &HttpRequest,
    a: &Account<L>,
    result: FlowResult<Value>,
) -> HttpResponse {
    envelope(ctx, req, &a.cc, result).await
}

async fn create(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    a: Account<ChooseOrganization>,
) -> HttpResponse {
    let result = orgs::create(&ctx, &a.me, &a.params).await;
    reply(&ctx, &req, &a, result).await
}

async fn get(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    a: Account<Active>,
    id: web::Path<String>,
) -> HttpResponse {
    let result = orgs::get(&ctx, &a.me, &id).await;
    reply(&ctx, &req, &a, result).await
}

async fn update(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    a: Account<Active>,
    id: web::Path<String>,
) -> HttpResponse {
    let result = orgs::update(&ctx, &a.me, &id, &a.params).await;
    reply(&ctx, &req, &a, result).await
}

async fn delete(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    a: Account<Active>,
    id: web::Path<String>,
) -> HttpResponse {
    let result = orgs::delete(&ctx, &a.me, &id).await;
    reply(&ctx, &req, &a, result).await
}

async fn roles(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    a: Account<Active>,
    id: web::Path<String>,
) -> HttpResponse {
    let result = async { orgs::list_roles(&ctx, &a.me, &id, &query(&req)?).await }.await;
    reply(&ctx, &req, &a, result).await
}

async fn members(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    a: Account<Active>,
    id: web::Path<String>,
) -> HttpResponse {
    let result = async { orgs::members(&ctx, &a.me, &id, &query(&req)?).await }.await;
    reply(&ctx, &req, &a, result).await
}

async fn member_update(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    a: Account<Active>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (id, user_id) = path.into_inner();
    let result = orgs::update_member(&ctx, &a.me, &id, &user_id, &a.params).await;
    reply(&ctx, &req, &a, result).await
}

async fn member_remove(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    a: Account<Active>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (id, user_id) = path.into_inner();
    let result = orgs::remove_member(&ctx, &a.me, &id, &user_id).await;
    reply(&ctx, &req, &a, result).await
}

async fn invitations(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    a: Account<Active>,
    id: web::Path<String>,
) -> HttpResponse {
    let result = async { orgs::invitations(&ctx, &a.me, &id, &query(&req)?).await }.await;
    reply(&ctx, &req, &a, result).await
}

async fn invite(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    a: Account<Active>,
    id: web::Path<String>,
) -> HttpResponse {
    let result = orgs::invite(&ctx, &a.me, &id, &a.params).await;
    reply(&ctx, &req, &a, result).await
}

async fn invitation_revoke(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    a: Account<Active>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (id, invitation_id) = path.into_inner();
    let result = async {
        a.params.only(NO_PARAMS)?;
        orgs::revoke_invitation(&ctx, &a.me, &id, &invitation_id).await
    }
    .await;
    reply(&ctx, &req, &a, result).await
}

async fn logo_put(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    a: AccountUpload<Active>,
    id: web::Path<String>,
) -> HttpResponse {
    let result = orgs::set_logo(&ctx, &a.me, &id, Some(a.file)).await;
    envelope(&ctx, &req, &a.cc, result).await
}

async fn logo_delete(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    a: Account<Active>,
    id: web::Path<String>,
) -> HttpResponse {
    let result = orgs::set_logo(&ctx, &a.me, &id, None).await;
    reply(&ctx, &req, &a, result).await
}

async fn my_memberships(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    a: Account<ChooseOrganization>,
) -> HttpResponse {
    let result = async { orgs::my_memberships(&ctx, &a.me, &query(&req)?).await }.await;
    reply(&ctx, &req, &a, result).await
}

async fn leave(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    a: Account<Active>,
    id: web::Path<String>,
) -> HttpResponse {
    let result = orgs::leave(&ctx, &a.me, &id).await;
    reply(&ctx, &req, &a, result).await
}

async fn my_invitations(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    a: Account<ChooseOrganization>,
) -> HttpResponse {
    let result = async { orgs::my_invitations(&ctx, &a.me, &query(&req)?).await }.await;
    reply(&ctx, &req, &a, result).await
}

async fn accept(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    a: Account<ChooseOrganization>,
    id: web::Path<String>,
) -> HttpResponse {
    let result = async {
        a.params.only(NO_PARAMS)?;
        orgs::accept_invitation(&ctx, &a.me, &id).await
    }
    .await;
    reply(&ctx, &req, &a, result).await
}

async fn my_suggestions(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    a: Account<ChooseOrganization>,
) -> HttpResponse {
    let result = async { domains::my_suggestions(&ctx, &a.me, &query(&req)?).await }.await;
    reply(&ctx, &req, &a, result).await
}

async fn suggestion_accept(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    a: Account<ChooseOrganization>,
    id: web::Path<String>,
) -> HttpResponse {
    let result = async {
        a.params.only(NO_PARAMS)?;
        domains::accept_suggestion(&ctx, &a.me, &id).await
    }
    .await;
    reply(&ctx, &req, &a, result).await
}

async fn domain_create(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    a: Account<Active>,
    id: web::Path<String>,
) -> HttpResponse {
    let result = domains::create(&ctx, &a.me, &id, &a.params).await;
    reply(&ctx, &req, &a, result).await
}

async fn domain_list(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    a: Account<Active>,
    id: web::Path<String>,
) -> HttpResponse {
    let result = async { domains::list(&ctx, &a.me, &id, &query(&req)?).await }.await;
    reply(&ctx, &req, &a, result).await
}

async fn domain_get(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    a: Account<Active>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (id, domain_id) = path.into_inner();
    let result = domains::get(&ctx, &a.me, &id, &domain_id).await;
    reply(&ctx, &req, &a, result).await
}

async fn domain_delete(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    a: Account<Active>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (id, domain_id) = path.into_inner();
    let result = domains::delete(&ctx, &a.me, &id, &domain_id).await;
    reply(&ctx, &req, &a, result).await
}

async fn domain_mode(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    a: Account<Active>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (id, domain_id) = path.into_inner();
    let result = domains::set_mode(&ctx, &a.me, &id, &domain_id, &a.params).await;
    reply(&ctx, &req, &a, result).await
}

async fn domain_prepare(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    a: Account<Active>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (id, domain_id) = path.into_inner();
    let result = domains::prepare(&ctx, &a.me, &id, &domain_id, &a.params).await;
    reply(&ctx, &req, &a, result).await
}

async fn domain_attempt(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    a: Account<Active>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (id, domain_id) = path.into_inner();
    let result = domains::attempt(&ctx, &a.me, &id, &domain_id, &a.params).await;
    reply(&ctx, &req, &a, result).await
}

async fn requests_list(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    a: Account<Active>,
    id: web::Path<String>,
) -> HttpResponse {
    let result = async { domains::requests(&ctx, &a.me, &id, &query(&req)?).await }.await;
    reply(&ctx, &req, &a, result).await
}

/// Accepts or rejects a membership request.
async fn answer_request(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    a: Account<Active>,
    path: web::Path<(String, String)>,
    accept: bool,
) -> HttpResponse {
    let (id, request_id) = path.into_inner();
    let result = async {
        a.params.only(NO_PARAMS)?;
        domains::answer_request(&ctx, &a.me, &id, &request_id, accept).await
    }
    .await;
    reply(&ctx, &req, &a, result).await
}

async fn request_accept(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    a: Account<Active>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    answer_request(ctx, req, a, path, true).await
}

async fn request_reject(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    a: Account<Active>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    answer_request(ctx, req, a, path, false).await
}
