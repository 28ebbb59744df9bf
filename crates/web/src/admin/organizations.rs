//! `/admin/v1/organizations`: every organization, its members and its invitations.

use super::*;
use crate::fapi::extract::query_params;
use crate::flows::organizations::operator::{self as orgs, CreateOrganization, NewMembership};
use crate::flows::organizations::{MembershipChange, NewInvitation, OrganizationChange};

fn answer(result: Result<Value, FlowError>) -> HttpResponse {
    respond(result.and_then(|body| ok(StatusCode::OK, body)))
}

pub(crate) async fn organizations_list(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    _: Operator,
) -> HttpResponse {
    answer(async { orgs::list(&ctx, &query_params(&req)?).await }.await)
}

pub(crate) async fn organization_create(
    ctx: web::Data<Ctx>,
    call: Call<CreateOrganization>,
) -> HttpResponse {
    answer(orgs::create(&ctx, &call.admin, call.body).await)
}

pub(crate) async fn organization_get(
    ctx: web::Data<Ctx>,
    _: Operator,
    id: web::Path<String>,
) -> HttpResponse {
    answer(orgs::get(&ctx, &id).await)
}

pub(crate) async fn organization_update(
    ctx: web::Data<Ctx>,
    call: Call<OrganizationChange>,
    id: web::Path<String>,
) -> HttpResponse {
    answer(orgs::update(&ctx, &call.admin, &id, call.body).await)
}

pub(crate) async fn organization_delete(
    ctx: web::Data<Ctx>,
    op: Operator,
    id: web::Path<String>,
) -> HttpResponse {
    answer(orgs::delete(&ctx, &op.0, &id).await)
}

pub(crate) async fn org_members_list(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    _: Operator,
    id: web::Path<String>,
) -> HttpResponse {
    answer(async { orgs::members(&ctx, &id, &query_params(&req)?).await }.await)
}

pub(crate) async fn org_member_add(
    ctx: web::Data<Ctx>,
    call: Call<NewMembership>,
    id: web::Path<String>,
) -> HttpResponse {
    answer(orgs::add_member(&ctx, &call.admin, &id, call.body).await)
}

pub(crate) async fn org_member_update(
    ctx: web::Data<Ctx>,
    call: Call<MembershipChange>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (id, user_id) = path.into_inner();
    answer(orgs::update_member(&ctx, &call.admin, &id, &user_id, call.body).await)
}

pub(crate) async fn org_member_remove(
    ctx: web::Data<Ctx>,
    op: Operator,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (id, user_id) = path.into_inner();
    answer(orgs::remove_member(&ctx, &op.0, &id, &user_id).await)
}

pub(crate) async fn org_invitations_list(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    _: Operator,
    id: web::Path<String>,
) -> HttpResponse {
    answer(async { orgs::invitations(&ctx, &id, &query_params(&req)?).await }.await)
}

pub(crate) async fn org_invitation_create(
    ctx: web::Data<Ctx>,
    call: Call<NewInvitation>,
    id: web::Path<String>,
) -> HttpResponse {
    answer(orgs::invite(&ctx, &call.admin, &id, call.body).await)
}

pub(crate) async fn org_invitation_revoke(
    ctx: web::Data<Ctx>,
    op: Operator,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (id, invitation_id) = path.into_inner();
    answer(orgs::revoke(&ctx, &op.0, &id, &invitation_id).await)
}
