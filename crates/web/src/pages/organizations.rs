//! The hosted organization pages (`[organizations] enabled`): the user's organizations and
//! the one their session acts for (`/organizations`), one organization's members and
//! invitations as the user's role allows (`/organizations/{id}`), and the page an invitation
//! email links to (`/organizations/invitation?ticket=…`). Every change is a form with a CSRF
//! token, answered by a redirect; the decisions are the flows', as for the Frontend API.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::strings::Strings;
use super::{
    Form, FormErrors, Page, PageCtx, SignedIn, SignedInForm, api_status, error_page, html, params,
    see_other,
};
use crate::fapi::extract::{Active, ChooseOrganization};
use crate::flows::account::{self, Access, Me};
use crate::flows::organizations::{self as orgs, Permission, render::invitation_status, roles};
use crate::flows::{Ctx, FlowError};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/organizations", web::get().to(list_page))
        .route("/organizations/create", web::post().to(create_submit))
        .route("/organizations/switch", web::post().to(switch_submit))
        .route(
            "/organizations/invitations/accept",
            web::post().to(accept_submit),
        )
        .route("/organizations/invitation", web::get().to(invitation_page))
        .route(
            "/organizations/invitation",
            web::post().to(invitation_submit),
        )
        .route("/organizations/{id}", web::get().to(org_page))
        .route(
            "/organizations/{id}/profile",
            web::post().to(profile_submit),
        )
        .route(
            "/organizations/{id}/members/role",
            web::post().to(role_submit),
        )
        .route(
            "/organizations/{id}/members/remove",
            web::post().to(remove_submit),
        )
        .route(
            "/organizations/{id}/invitations",
            web::post().to(invite_submit),
        )
        .route(
            "/organizations/{id}/invitations/revoke",
            web::post().to(revoke_submit),
        )
        .route("/organizations/{id}/leave", web::post().to(leave_submit))
        .route("/organizations/{id}/delete", web::post().to(delete_submit));
}

/// The pages answer 404 while organizations are off, as the rest of the feature does: this is
/// that answer, or `None` when they are on.
fn disabled(ctx: &Ctx, s: &Strings) -> Option<HttpResponse> {
    orgs::require_enabled(ctx)
        .err()
        .map(|_| crate::message_page(StatusCode::NOT_FOUND, &s.orgs_disabled))
}

// ----- the list -----

struct OrgRow {
    id: String,
    name: String,
    role_name: String,
    active: bool,
}

struct InvitationRow {
    id: String,
    org_name: String,
    role_name: String,
    email: String,
}

#[derive(Template)]
#[template(path = "pages/organizations.html")]
struct ListPage<'a> {
    s: &'a Strings,
    app_name: &'a str,
    logo_url: Option<&'a str>,
    csrf: &'a str,
    /// `?redirect_url=…` carried through the forms, back to the app once a choice is made.
    query: &'a str,
    /// The session waits for an organization to be chosen (personal accounts are off).
    must_choose: bool,
    personal_allowed: bool,
    orgs: Vec<OrgRow>,
    active_name: Option<String>,
    invitations: Vec<InvitationRow>,
    may_create: bool,
    slugs: bool,
    notice: Option<String>,
    error: Option<String>,
    field_errors: HashMap<String, String>,
}

fn role_name(ctx: &Ctx, key: &str) -> String {
    roles::find(&ctx.settings().organizations, key).map_or_else(|| key.to_owned(), |r| r.name)
}

async fn render_list(
    ctx: &Ctx,
    pc: &PageCtx,
    req: &HttpRequest,
    me: &Me,
    notice: Option<String>,
    errors: FormErrors,
    status: StatusCode,
) -> HttpResponse {
    let user = match account::reload(ctx, me).await {
        Ok(u) => u,
        Err(e) => return error_page(&e),
    };
    let pending = match orgs::pending_for_me(ctx, me).await {
        Ok(p) => p,
        Err(e) => return error_page(&e),
    };
    let active = me.session.row.last_active_organization_id.as_deref();
    let rows: Vec<OrgRow> = user
        .memberships
        .iter()
        .map(|m| OrgRow {
            id: m.organization.id.clone(),
            name: m.organization.name.clone(),
            role_name: role_name(ctx, &m.membership.role),
            active: Some(m.organization.id.as_str()) == active,
        })
        .collect();
    let active_name = rows.iter().find(|o| o.active).map(|o| o.name.clone());
    let b = &pc.brand;
    let page = ListPage {
        s: &pc.s,
        app_name: &b.app_name,
        logo_url: b.logo_url.as_deref(),
        csrf: &pc.csrf,
        query: &pc.query,
        must_choose: me.session.only_choosing_organization(),
        personal_allowed: !ctx.settings().organizations.force_organization_selection,
        orgs: rows,
        active_name,
        invitations: pending
            .into_iter()
            .map(|(inv, org)| InvitationRow {
                id: inv.id.clone(),
                org_name: org.name,
                role_name: role_name(ctx, &inv.role),
                email: inv.email_address,
            })
            .collect(),
        may_create: orgs::may_create(ctx, &user),
        slugs: !ctx.settings().organizations.slug_disabled,
        notice,
        error: errors.general,
        field_errors: errors.fields,
    };
    html(ctx, pc, status, page.render(), req)
}

/// A refusal shown on the list page; anything else is the error page.
async fn list_error(
    ctx: &Ctx,
    pc: &PageCtx,
    req: &HttpRequest,
    me: &Me,
    e: FlowError,
) -> HttpResponse {
    match e {
        FlowError::Api(api) => {
            let status = api_status(&api);
            render_list(
                ctx,
                pc,
                req,
                me,
                None,
                FormErrors::from(&api, &pc.s),
                status,
            )
            .await
        }
        other => error_page(&other),
    }
}

async fn list_page(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    SignedIn { pc, me, .. }: SignedIn<ChooseOrganization>,
) -> HttpResponse {
    if let Some(res) = disabled(&ctx, &pc.s) {
        return res;
    }
    let notice = super::query_map(&req)
        .get("done")
        .map(|d| match d.as_str() {
            "joined" => pc.s.org_joined.clone(),
            "left" => pc.s.org_left.clone(),
            "deleted" => pc.s.org_deleted.clone(),
            _ => pc.s.saved.clone(),
        });
    render_list(
        &ctx,
        &pc,
        &req,
        &me,
        notice,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

async fn create_submit(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    SignedInForm { pc, form, me, .. }: SignedInForm<ChooseOrganization>,
) -> HttpResponse {
    let p = params(&form, orgs::CREATE_PARAMS);
    let result = async {
        let org = orgs::create(&ctx, &me, &p).await?;
        let id = org["id"].as_str().unwrap_or_default().to_owned();
        chosen(&ctx, &pc, &me, &id, format!("/organizations/{id}")).await
    };
    match result.await {
        Ok(to) => see_other(&ctx, &pc, &req, &to),
        Err(e) => list_error(&ctx, &pc, &req, &me, e).await,
    }
}

async fn switch_submit(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    SignedInForm { pc, form, me, .. }: SignedInForm<ChooseOrganization>,
) -> HttpResponse {
    let chosen = form
        .get("organization_id")
        .map(|s| s.trim())
        .filter(|s| !s.is_empty());
    match orgs::activate(&ctx, &me.session, chosen).await {
        Ok(()) => {
            let to = pc
                .redirect
                .clone()
                .unwrap_or_else(|| "/organizations".into());
            see_other(&ctx, &pc, &req, &to)
        }
        Err(e) => list_error(&ctx, &pc, &req, &me, e).await,
    }
}

async fn accept_submit(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    SignedInForm { pc, form, me, .. }: SignedInForm<ChooseOrganization>,
) -> HttpResponse {
    let id = form.get("invitation_id").cloned().unwrap_or_default();
    let result = async {
        let inv = orgs::accept_invitation(&ctx, &me, &id).await?;
        let org = inv["organization_id"].as_str().unwrap_or_default();
        chosen(&ctx, &pc, &me, org, "/organizations?done=joined".into()).await
    };
    match result.await {
        Ok(to) => see_other(&ctx, &pc, &req, &to),
        Err(e) => list_error(&ctx, &pc, &req, &me, e).await,
    }
}

/// After the user created or joined `org_id`: when their session was waiting for an
/// organization, it now acts for this one and goes back to the app (or `otherwise`);
/// else on to `otherwise`.
async fn chosen(
    ctx: &Ctx,
    pc: &PageCtx,
    me: &Me,
    org_id: &str,
    otherwise: String,
) -> Result<String, FlowError> {
    if orgs::settle_choice(ctx, &me.session, org_id).await? {
        return Ok(pc.redirect.clone().unwrap_or(otherwise));
    }
    Ok(otherwise)
}

// ----- one organization -----

struct MemberRow {
    user_id: String,
    identifier: String,
    role: String,
    role_name: String,
    me: bool,
}

struct PendingRow {
    id: String,
    email: String,
    role_name: String,
}

#[derive(Template)]
#[template(path = "pages/organization.html")]
struct OrgPage<'a> {
    s: &'a Strings,
    app_name: &'a str,
    logo_url: Option<&'a str>,
    csrf: &'a str,
    id: String,
    name: String,
    slug: String,
    role_name: String,
    can_edit: bool,
    can_manage: bool,
    can_delete: bool,
    slugs: bool,
    members: Vec<MemberRow>,
    invitations: Vec<PendingRow>,
    /// `(key, name)` of every role.
    roles: Vec<(String, String)>,
    default_role: String,
    notice: Option<String>,
    error: Option<String>,
    field_errors: HashMap<String, String>,
}

#[allow(
    clippy::too_many_arguments,
    reason = "one page's inputs, each used once"
)]
async fn render_org(
    ctx: &Ctx,
    pc: &PageCtx,
    req: &HttpRequest,
    me: &Me,
    id: &str,
    notice: Option<String>,
    errors: FormErrors,
    status: StatusCode,
) -> HttpResponse {
    let a = match orgs::acting(ctx, me, id).await {
        Ok(a) => a,
        Err(e) => return error_page(&e),
    };
    let (members, invitations) = match orgs::overview(ctx, &a).await {
        Ok(x) => x,
        Err(e) => return error_page(&e),
    };
    let settings = &ctx.settings().organizations;
    let b = &pc.brand;
    let now = ctx.now();
    let page = OrgPage {
        s: &pc.s,
        app_name: &b.app_name,
        logo_url: b.logo_url.as_deref(),
        csrf: &pc.csrf,
        id: a.org.id.clone(),
        name: a.org.name.clone(),
        slug: a.org.slug.clone(),
        role_name: a.role.name.clone(),
        can_edit: a.role.permits(Permission::ProfileManage),
        can_manage: a.role.permits(Permission::MembershipsManage),
        can_delete: a.role.permits(Permission::ProfileDelete)
            && a.org.admin_delete_enabled
            && settings.admin_delete_enabled,
        slugs: !settings.slug_disabled,
        members: members
            .into_iter()
            .map(|(m, u)| MemberRow {
                identifier: u
                    .as_ref()
                    .and_then(|u| {
                        u.primary_email()
                            .map(|e| e.email_address.clone())
                            .or_else(|| u.user.username.clone())
                    })
                    .unwrap_or_else(|| m.user_id.clone()),
                me: m.user_id == me.user().user.id,
                role_name: role_name(ctx, &m.role),
                role: m.role,
                user_id: m.user_id,
            })
            .collect(),
        invitations: invitations
            .into_iter()
            .filter(|i| invitation_status(i, now) == "pending")
            .map(|i| PendingRow {
                role_name: role_name(ctx, &i.role),
                id: i.id,
                email: i.email_address,
            })
            .collect(),
        roles: roles::all(settings)
            .into_iter()
            .map(|r| (r.key, r.name))
            .collect(),
        default_role: settings.default_role.clone(),
        notice,
        error: errors.general,
        field_errors: errors.fields,
    };
    html(ctx, pc, status, page.render(), req)
}

async fn org_page(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    SignedIn { pc, me, .. }: SignedIn<Active>,
    id: web::Path<String>,
) -> HttpResponse {
    if let Some(res) = disabled(&ctx, &pc.s) {
        return res;
    }
    let notice = super::query_map(&req)
        .get("done")
        .map(|_| pc.s.saved.clone());
    render_org(
        &ctx,
        &pc,
        &req,
        &me,
        &id,
        notice,
        FormErrors::default(),
        StatusCode::OK,
    )
    .await
}

/// A change on one organization's page: done, back to the page; refused, the page again with
/// why.
async fn org_answer(
    ctx: &Ctx,
    pc: &PageCtx,
    req: &HttpRequest,
    me: &Me,
    id: &str,
    result: Result<serde_json::Value, FlowError>,
) -> HttpResponse {
    match result {
        Ok(_) => see_other(ctx, pc, req, &format!("/organizations/{id}?done=1")),
        Err(FlowError::Api(api)) => {
            let status = api_status(&api);
            render_org(
                ctx,
                pc,
                req,
                me,
                id,
                None,
                FormErrors::from(&api, &pc.s),
                status,
            )
            .await
        }
        Err(other) => error_page(&other),
    }
}

async fn profile_submit(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    SignedInForm { pc, form, me, .. }: SignedInForm<Active>,
    id: web::Path<String>,
) -> HttpResponse {
    let p = params(&form, orgs::UPDATE_PARAMS);
    let result = orgs::update(&ctx, &me, &id, &p).await;
    org_answer(&ctx, &pc, &req, &me, &id, result).await
}

async fn role_submit(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    SignedInForm { pc, form, me, .. }: SignedInForm<Active>,
    id: web::Path<String>,
) -> HttpResponse {
    let user_id = form.get("user_id").cloned().unwrap_or_default();
    let p = params(&form, orgs::MEMBER_UPDATE_PARAMS);
    let result = orgs::update_member(&ctx, &me, &id, &user_id, &p).await;
    org_answer(&ctx, &pc, &req, &me, &id, result).await
}

async fn remove_submit(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    SignedInForm { pc, form, me, .. }: SignedInForm<Active>,
    id: web::Path<String>,
) -> HttpResponse {
    let user_id = form.get("user_id").cloned().unwrap_or_default();
    let result = orgs::remove_member(&ctx, &me, &id, &user_id).await;
    org_answer(&ctx, &pc, &req, &me, &id, result).await
}

async fn invite_submit(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    SignedInForm { pc, form, me, .. }: SignedInForm<Active>,
    id: web::Path<String>,
) -> HttpResponse {
    let p = params(&form, &["email_address", "role"]);
    let result = orgs::invite(&ctx, &me, &id, &p).await;
    org_answer(&ctx, &pc, &req, &me, &id, result).await
}

async fn revoke_submit(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    SignedInForm { pc, form, me, .. }: SignedInForm<Active>,
    id: web::Path<String>,
) -> HttpResponse {
    let invitation_id = form.get("invitation_id").cloned().unwrap_or_default();
    let result = orgs::revoke_invitation(&ctx, &me, &id, &invitation_id).await;
    org_answer(&ctx, &pc, &req, &me, &id, result).await
}

async fn leave_submit(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    SignedInForm { pc, me, .. }: SignedInForm<Active>,
    id: web::Path<String>,
) -> HttpResponse {
    match orgs::leave(&ctx, &me, &id).await {
        Ok(_) => see_other(&ctx, &pc, &req, "/organizations?done=left"),
        Err(e) => org_answer(&ctx, &pc, &req, &me, &id, Err(e)).await,
    }
}

async fn delete_submit(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    SignedInForm { pc, form, me, .. }: SignedInForm<Active>,
    id: web::Path<String>,
) -> HttpResponse {
    if form.get("confirm").map(String::as_str) != Some("yes") {
        let api = crate::flows::ApiError::invalid_value("confirm", pc.s.org_delete_tick.clone());
        return org_answer(&ctx, &pc, &req, &me, &id, Err(api.into())).await;
    }
    match orgs::delete(&ctx, &me, &id).await {
        Ok(_) => see_other(&ctx, &pc, &req, "/organizations?done=deleted"),
        Err(e) => org_answer(&ctx, &pc, &req, &me, &id, Err(e)).await,
    }
}

// ----- the invitation link -----

#[derive(Template)]
#[template(path = "pages/org_invitation.html")]
struct InvitationPage<'a> {
    s: &'a Strings,
    app_name: &'a str,
    logo_url: Option<&'a str>,
    csrf: &'a str,
    ticket: String,
    email: String,
    org_name: String,
    role_name: String,
    signed_in: bool,
    /// This page, percent-encoded, to come back to after signing in or up.
    back: String,
    error: Option<String>,
}

async fn render_invitation(
    ctx: &Ctx,
    pc: &PageCtx,
    req: &HttpRequest,
    ticket: &str,
    error: Option<String>,
    status: StatusCode,
) -> HttpResponse {
    let (inv, org) = match orgs::invitation_by_ticket(ctx, ticket).await {
        Ok(x) => x,
        Err(e) => return error_page(&e),
    };
    let signed_in = account::me(ctx, &pc.cc, None, Access::Active).await.is_ok();
    let here = format!(
        "/organizations/invitation?ticket={}",
        url::form_urlencoded::byte_serialize(ticket.as_bytes()).collect::<String>()
    );
    let b = &pc.brand;
    let page = InvitationPage {
        s: &pc.s,
        app_name: &b.app_name,
        logo_url: b.logo_url.as_deref(),
        csrf: &pc.csrf,
        ticket: ticket.to_owned(),
        email: inv.email_address.clone(),
        org_name: org.name,
        role_name: role_name(ctx, &inv.role),
        signed_in,
        back: url::form_urlencoded::byte_serialize(here.as_bytes()).collect(),
        error,
    };
    html(ctx, pc, status, page.render(), req)
}

/// `GET /organizations/invitation?ticket=…`: who is invited where. Signed in, one button
/// joins; otherwise the way to sign in or up, and back here.
async fn invitation_page(ctx: web::Data<Ctx>, req: HttpRequest, Page(pc): Page) -> HttpResponse {
    if let Some(res) = disabled(&ctx, &pc.s) {
        return res;
    }
    let ticket = super::query_map(&req)
        .get("ticket")
        .cloned()
        .unwrap_or_default();
    render_invitation(&ctx, &pc, &req, &ticket, None, StatusCode::OK).await
}

async fn invitation_submit(
    ctx: web::Data<Ctx>,
    req: HttpRequest,
    Form(pc, form): Form,
) -> HttpResponse {
    if let Some(res) = disabled(&ctx, &pc.s) {
        return res;
    }
    let ticket = form.get("ticket").cloned().unwrap_or_default();
    let me = match account::me(&ctx, &pc.cc, None, Access::Active).await {
        Ok(me) => me,
        Err(_) => {
            let back = format!(
                "/organizations/invitation?ticket={}",
                url::form_urlencoded::byte_serialize(ticket.as_bytes()).collect::<String>()
            );
            let to = format!(
                "/sign-in?redirect_url={}",
                url::form_urlencoded::byte_serialize(back.as_bytes()).collect::<String>()
            );
            return see_other(&ctx, &pc, &req, &to);
        }
    };
    match orgs::accept_by_ticket(&ctx, &me, &ticket).await {
        Ok(org) => {
            // The new member starts out acting for the organization they joined.
            if let Err(e) = orgs::activate(&ctx, &me.session, Some(&org.id)).await {
                return error_page(&e);
            }
            see_other(&ctx, &pc, &req, "/organizations?done=joined")
        }
        Err(FlowError::Api(api)) => {
            let status = api_status(&api);
            render_invitation(&ctx, &pc, &req, &ticket, Some(api.long_message), status).await
        }
        Err(e) => error_page(&e),
    }
}
