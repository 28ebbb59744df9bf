//! `/bapi/v1/organizations` beyond what the admin API has: metadata merged or replaced,
//! the logo, a member's metadata, one invitation. The rest are the admin API's handlers.

use super::*;
use crate::admin::call::OperatorUpload;
use crate::flows::organizations::operator::{self as orgs, Metadata};

pub(super) async fn org_metadata_merge(
    ctx: web::Data<Ctx>,
    call: Call<Metadata>,
    id: web::Path<String>,
) -> HttpResponse {
    answer(orgs::set_metadata(&ctx, &call.admin, &id, call.body, true).await)
}

pub(super) async fn org_metadata_replace(
    ctx: web::Data<Ctx>,
    call: Call<Metadata>,
    id: web::Path<String>,
) -> HttpResponse {
    answer(orgs::set_metadata(&ctx, &call.admin, &id, call.body, false).await)
}

pub(super) async fn org_logo_put(
    ctx: web::Data<Ctx>,
    up: OperatorUpload,
    id: web::Path<String>,
) -> HttpResponse {
    answer(orgs::set_logo(&ctx, &up.admin, &id, Some(up.file)).await)
}

pub(super) async fn org_logo_delete(
    ctx: web::Data<Ctx>,
    op: Operator,
    id: web::Path<String>,
) -> HttpResponse {
    answer(orgs::set_logo(&ctx, &op.0, &id, None).await)
}

pub(super) async fn org_member_metadata(
    ctx: web::Data<Ctx>,
    call: Call<Metadata>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (id, user_id) = path.into_inner();
    answer(orgs::merge_member_metadata(&ctx, &call.admin, &id, &user_id, call.body).await)
}

pub(super) async fn org_invitation_get(
    ctx: web::Data<Ctx>,
    _: Operator,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (id, invitation_id) = path.into_inner();
    answer(orgs::invitation(&ctx, &id, &invitation_id).await)
}

pub(super) async fn org_domains_list(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    _: Operator,
    id: web::Path<String>,
) -> HttpResponse {
    answer(
        async { orgs::domains(&ctx, &id, &crate::fapi::extract::query_params(&req)?).await }.await,
    )
}

pub(super) async fn org_domain_add(
    ctx: web::Data<Ctx>,
    call: Call<orgs::NewDomain>,
    id: web::Path<String>,
) -> HttpResponse {
    answer(orgs::add_domain(&ctx, &call.admin, &id, call.body).await)
}

pub(super) async fn org_domain_update(
    ctx: web::Data<Ctx>,
    call: Call<orgs::DomainChange>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (id, domain_id) = path.into_inner();
    answer(orgs::update_domain(&ctx, &call.admin, &id, &domain_id, call.body).await)
}

pub(super) async fn org_domain_remove(
    ctx: web::Data<Ctx>,
    op: Operator,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (id, domain_id) = path.into_inner();
    answer(orgs::remove_domain(&ctx, &op.0, &id, &domain_id).await)
}

pub(super) async fn all_memberships(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    _: Operator,
) -> HttpResponse {
    answer(
        async { orgs::all_members(&ctx, &crate::fapi::extract::query_params(&req)?).await }.await,
    )
}
