//! Organizations as operators manage them (`/admin/v1/organizations…`): every organization,
//! with private metadata, no membership needed. The organization's own rules still hold: the
//! member quota and an admin left in each organization.

use serde::Deserialize;
use serde_json::{Value, json};

use super::render::{self, Audience};
use super::{
    By, MembershipChange, NewInvitation, NewOrganization, OrganizationChange, Page, require_enabled,
};
use crate::Context as _;
use crate::admin::Admin;
use crate::store::organizations::{self as repo, OrganizationRow};
use crate::store::users;
use crate::{ApiError, Ctx, ErrorCode, FlowResult, Params};

/// The list filters operators may use.
pub const LIST_QUERY: &[&str] = &["limit", "offset", "query"];

fn not_found() -> ApiError {
    ApiError::new(
        ErrorCode::OrganizationNotFound,
        "Organization not found",
        "No organization has that id or slug.",
    )
}

/// Any organization, by id or slug.
async fn find(ctx: &Ctx, id_or_slug: &str) -> FlowResult<OrganizationRow> {
    require_enabled(ctx)?;
    if id_or_slug.is_empty() || id_or_slug.len() > 128 {
        return Err(not_found().into());
    }
    if let Some(o) = repo::get(&ctx.db, id_or_slug)
        .await
        .context("organizations::get")?
    {
        return Ok(o);
    }
    repo::get_by_slug(&ctx.db, id_or_slug)
        .await
        .context("organizations::get_by_slug")?
        .ok_or_else(|| not_found().into())
}

async fn detail(ctx: &Ctx, org: &OrganizationRow) -> FlowResult<Value> {
    let pending = repo::count_pending(&ctx.db, &org.id, ctx.now())
        .await
        .context("organizations::count_pending")?;
    Ok(render::organization(org, Some(pending), Audience::Operator))
}

/// `GET /admin/v1/organizations`: newest first, optionally only those whose name or slug
/// holds `query`.
pub async fn list(ctx: &Ctx, q: &Params) -> FlowResult<Value> {
    require_enabled(ctx)?;
    q.only(LIST_QUERY)?;
    let page = Page::from_query(q)?;
    let query = q.text("query")?;
    let (rows, total) = repo::list(&ctx.db, query.as_deref(), page.limit, page.offset)
        .await
        .context("organizations::list")?;
    let data: Vec<Value> = rows
        .iter()
        .map(|o| render::organization(o, None, Audience::Operator))
        .collect();
    Ok(json!({ "data": data, "total_count": total }))
}

/// A new organization, as `POST /admin/v1/organizations` takes it.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrganization {
    pub name: String,
    pub slug: Option<String>,
    /// A user who becomes its first member, in the creator role.
    pub created_by: Option<String>,
    /// 0: no limit; absent: `[organizations] max_allowed_memberships`.
    pub max_allowed_memberships: Option<u32>,
    pub public_metadata: Option<Value>,
    pub private_metadata: Option<Value>,
}

pub async fn create(ctx: &Ctx, admin: &Admin, input: CreateOrganization) -> FlowResult<Value> {
    require_enabled(ctx)?;
    if input.max_allowed_memberships.is_some_and(|m| m > 100_000) {
        return Err(ApiError::invalid_value(
            "max_allowed_memberships",
            "At most 100000 (0: no limit).",
        )
        .into());
    }
    let org = super::create_in(
        ctx,
        By::Operator(admin),
        NewOrganization {
            name: input.name,
            slug: input.slug,
            creator: input.created_by,
            max_allowed_memberships: input.max_allowed_memberships,
            public_metadata: crate::admin::metadata("public_metadata", input.public_metadata)?,
            private_metadata: crate::admin::metadata("private_metadata", input.private_metadata)?,
            creator_limit: false,
        },
    )
    .await?;
    detail(ctx, &org).await
}

pub async fn get(ctx: &Ctx, id: &str) -> FlowResult<Value> {
    let org = find(ctx, id).await?;
    detail(ctx, &org).await
}

pub async fn update(
    ctx: &Ctx,
    admin: &Admin,
    id: &str,
    change: OrganizationChange,
) -> FlowResult<Value> {
    let org = find(ctx, id).await?;
    let org = super::change_in(ctx, By::Operator(admin), &org.id, change).await?;
    detail(ctx, &org).await
}

pub async fn delete(ctx: &Ctx, admin: &Admin, id: &str) -> FlowResult<Value> {
    let org = find(ctx, id).await?;
    super::delete_in(ctx, By::Operator(admin), &org.id).await?;
    Ok(crate::wire::deleted("organization", &org.id))
}

/// An organization's metadata documents, as the Backend API's `PATCH` (merged) and `PUT`
/// (replaced) `…/metadata` take them.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Metadata {
    #[schema(value_type = Option<Object>)]
    pub public_metadata: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub private_metadata: Option<Value>,
}

pub async fn set_metadata(
    ctx: &Ctx,
    admin: &Admin,
    id: &str,
    input: Metadata,
    merge: bool,
) -> FlowResult<Value> {
    let change = OrganizationChange {
        public_metadata: input.public_metadata,
        private_metadata: input.private_metadata,
        merge_metadata: merge,
        ..OrganizationChange::default()
    };
    update(ctx, admin, id, change).await
}

/// Sets (or, with `None`, removes) an organization's logo.
pub async fn set_logo(
    ctx: &Ctx,
    admin: &Admin,
    id: &str,
    image: Option<Vec<u8>>,
) -> FlowResult<Value> {
    let org = find(ctx, id).await?;
    let org = super::logo_in(ctx, By::Operator(admin), &org.id, image).await?;
    detail(ctx, &org).await
}

/// Merges into a member's metadata (`PATCH …/memberships/{user_id}/metadata`).
pub async fn merge_member_metadata(
    ctx: &Ctx,
    admin: &Admin,
    id: &str,
    user_id: &str,
    input: Metadata,
) -> FlowResult<Value> {
    let change = MembershipChange {
        role: None,
        public_metadata: input.public_metadata,
        private_metadata: input.private_metadata,
        merge_metadata: true,
    };
    update_member(ctx, admin, id, user_id, change).await
}

/// The query of `GET /organization_memberships`.
pub const ALL_MEMBERS_QUERY: &[&str] = &["limit", "offset", "order_by", "paginated"];

/// Every membership of every organization (`GET /organization_memberships`), newest first
/// unless `order_by=created_at` (or `+created_at`).
pub async fn all_members(ctx: &Ctx, q: &Params) -> FlowResult<Value> {
    require_enabled(ctx)?;
    q.only(ALL_MEMBERS_QUERY)?;
    let page = super::Page::from_query(q)?;
    let oldest_first = match q.text("order_by")?.as_deref() {
        None | Some("-created_at") => false,
        Some("created_at" | "+created_at") => true,
        Some(_) => {
            return Err(ApiError::invalid_value("order_by", "created_at or -created_at.").into());
        }
    };
    let (rows, total) = repo::all_members(&ctx.db, oldest_first, page.limit, page.offset)
        .await
        .context("organizations::all_members")?;
    let ids: Vec<String> = rows.iter().map(|m| m.user_id.clone()).collect();
    let people = users::read_users(&ctx.db, &ids)
        .await
        .context("users::read_users")?;
    let mut orgs: Vec<OrganizationRow> = Vec::new();
    let mut data = Vec::with_capacity(rows.len());
    for m in rows {
        let org = match orgs.iter().find(|o| o.id == m.organization_id) {
            Some(o) => o.clone(),
            None => {
                let Some(o) = repo::get(&ctx.db, &m.organization_id)
                    .await
                    .context("organizations::get")?
                else {
                    continue;
                };
                orgs.push(o.clone());
                o
            }
        };
        let user = people.iter().find(|u| u.user.id == m.user_id);
        let record = crate::store::organizations::MembershipRecord {
            organization: org,
            membership: m,
        };
        data.push(render::membership(ctx, &record, user, Audience::Operator));
    }
    Ok(json!({ "data": data, "total_count": total }))
}

/// One invitation of an organization.
pub async fn invitation(ctx: &Ctx, id: &str, invitation_id: &str) -> FlowResult<Value> {
    let org = find(ctx, id).await?;
    let inv = repo::invitation(&ctx.db, invitation_id)
        .await
        .context("organizations::invitation")?
        .filter(|i| i.organization_id == org.id)
        .ok_or_else(|| ApiError::not_found("invitation"))?;
    Ok(render::invitation(ctx, &inv, &org, Audience::Operator))
}

/// `GET /admin/v1/organizations/{id}/memberships`.
pub async fn members(ctx: &Ctx, id: &str, q: &Params) -> FlowResult<Value> {
    q.only(super::MEMBERS_QUERY)?;
    let org = find(ctx, id).await?;
    let (data, total, _) = super::members_page(ctx, &org, q, Audience::Operator).await?;
    Ok(json!({ "data": data, "total_count": total }))
}

/// A user added straight to an organization.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMembership {
    pub user_id: String,
    pub role: String,
}

pub async fn add_member(
    ctx: &Ctx,
    admin: &Admin,
    id: &str,
    input: NewMembership,
) -> FlowResult<Value> {
    let org = find(ctx, id).await?;
    let role = super::role_named(ctx, &input.role)?;
    let user = users::get_user(&ctx.db, &input.user_id)
        .await
        .context("users::get_user")?
        .ok_or_else(|| ApiError::invalid_value("user_id", "No user has this id."))?;
    let now = ctx.now();
    let tx = crate::store::begin(&ctx.db).await?;
    let result = async {
        let (org, taken) = super::seats_taken(&tx, &org.id, now).await?;
        super::add_in(
            ctx,
            &tx,
            By::Operator(admin),
            &org,
            &user,
            &role.key,
            Some(taken),
        )
        .await
    }
    .await;
    let record = super::finish(tx, result).await?;
    Ok(render::membership(
        ctx,
        &record,
        Some(&user),
        Audience::Operator,
    ))
}

pub async fn update_member(
    ctx: &Ctx,
    admin: &Admin,
    id: &str,
    user_id: &str,
    change: MembershipChange,
) -> FlowResult<Value> {
    let org = find(ctx, id).await?;
    let (record, user) =
        super::change_member_in(ctx, By::Operator(admin), &org.id, user_id, change).await?;
    Ok(render::membership(
        ctx,
        &record,
        user.as_ref(),
        Audience::Operator,
    ))
}

pub async fn remove_member(ctx: &Ctx, admin: &Admin, id: &str, user_id: &str) -> FlowResult<Value> {
    let org = find(ctx, id).await?;
    let (record, user) =
        super::remove_member_in(ctx, By::Operator(admin), &org.id, user_id).await?;
    Ok(render::membership(
        ctx,
        &record,
        user.as_ref(),
        Audience::Operator,
    ))
}

/// `GET /admin/v1/organizations/{id}/invitations`.
pub async fn invitations(ctx: &Ctx, id: &str, q: &Params) -> FlowResult<Value> {
    q.only(&["limit", "offset", "status"])?;
    let org = find(ctx, id).await?;
    super::invitations_page(ctx, &org, q, Audience::Operator).await
}

pub async fn invite(ctx: &Ctx, admin: &Admin, id: &str, input: NewInvitation) -> FlowResult<Value> {
    let org = find(ctx, id).await?;
    if let Some(inviter) = &input.inviter_user_id
        && repo::membership(&ctx.db, &org.id, inviter)
            .await
            .context("organizations::membership")?
            .is_none()
    {
        return Err(ApiError::invalid_value(
            "inviter_user_id",
            "The inviter must be a member of the organization.",
        )
        .into());
    }
    let (inv, org) = super::invite_in(ctx, By::Operator(admin), &org.id, input).await?;
    Ok(render::invitation(ctx, &inv, &org, Audience::Operator))
}

pub async fn revoke(ctx: &Ctx, admin: &Admin, id: &str, invitation_id: &str) -> FlowResult<Value> {
    let org = find(ctx, id).await?;
    let inv = super::revoke_in(ctx, By::Operator(admin), &org, invitation_id).await?;
    Ok(render::invitation(ctx, &inv, &org, Audience::Operator))
}

/// A domain an operator adds to an organization (`POST …/domains`).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDomain {
    pub name: String,
    /// `manual_invitation` (the default), `automatic_invitation` or `automatic_suggestion`.
    pub enrollment_mode: Option<String>,
    /// The operator vouches for the domain (true by default, as Clerk's SDK sends it).
    pub verified: Option<bool>,
}

/// A change to a domain (`PATCH …/domains/{domain_id}`).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DomainChange {
    pub enrollment_mode: Option<String>,
    pub verified: Option<bool>,
}

fn check_mode(mode: &str) -> FlowResult<()> {
    if super::domains::MODES.contains(&mode) {
        Ok(())
    } else {
        Err(ApiError::invalid_value("enrollment_mode", super::domains::MODES.join(", ")).into())
    }
}

async fn write_domain(
    ctx: &Ctx,
    admin: &Admin,
    row: &repo::DomainRow,
    new: bool,
    kind: &str,
) -> FlowResult<()> {
    let tx = crate::store::begin(&ctx.db).await?;
    let result = async {
        let written = if new {
            repo::insert_domain(&tx, row.clone()).await
        } else {
            repo::update_domain(&tx, row).await
        };
        written.map_err(super::domains::taken)?;
        super::record(
            ctx,
            &tx,
            By::Operator(admin),
            kind,
            json!({ "organization_id": row.organization_id, "domain": row.name, "verified": row.verified_at.is_some() }),
        )
        .await
    }
    .await;
    super::finish(tx, result).await
}

pub async fn add_domain(ctx: &Ctx, admin: &Admin, id: &str, input: NewDomain) -> FlowResult<Value> {
    let org = find(ctx, id).await?;
    let name = super::domains::parse_domain(&input.name)?;
    let mode = input
        .enrollment_mode
        .unwrap_or_else(|| "manual_invitation".into());
    check_mode(&mode)?;
    let now = ctx.now();
    let row = repo::DomainRow {
        id: crate::domain::new_id("orgdmn"),
        organization_id: org.id.clone(),
        name,
        enrollment_mode: mode,
        affiliation_email_address: None,
        verified_at: input.verified.unwrap_or(true).then_some(now),
        created_at: now,
        updated_at: now,
    };
    write_domain(ctx, admin, &row, true, "organizationDomain.created").await?;
    Ok(super::domains::render_domain(&row, None))
}

async fn domain_of(
    ctx: &Ctx,
    org: &OrganizationRow,
    domain_id: &str,
) -> FlowResult<repo::DomainRow> {
    repo::domain(&ctx.db, &org.id, domain_id)
        .await
        .context("organizations::domain")?
        .ok_or_else(|| ApiError::not_found("domain").into())
}

pub async fn domains(ctx: &Ctx, id: &str, q: &Params) -> FlowResult<Value> {
    q.only(super::domains::DOMAINS_QUERY)?;
    let org = find(ctx, id).await?;
    let page = super::Page::from_query(q)?;
    let mode = q.text("enrollment_mode")?;
    let (rows, total) = repo::domains(
        &ctx.db,
        &org.id,
        q.bool("verified")?,
        mode.as_deref(),
        page.limit,
        page.offset,
    )
    .await
    .context("organizations::domains")?;
    let data: Vec<Value> = rows
        .iter()
        .map(|d| super::domains::render_domain(d, None))
        .collect();
    Ok(json!({ "data": data, "total_count": total }))
}

pub async fn update_domain(
    ctx: &Ctx,
    admin: &Admin,
    id: &str,
    domain_id: &str,
    change: DomainChange,
) -> FlowResult<Value> {
    let org = find(ctx, id).await?;
    let mut d = domain_of(ctx, &org, domain_id).await?;
    if let Some(mode) = change.enrollment_mode {
        check_mode(&mode)?;
        d.enrollment_mode = mode;
    }
    let now = ctx.now();
    match change.verified {
        Some(true) if d.verified_at.is_none() => d.verified_at = Some(now),
        Some(false) => d.verified_at = None,
        _ => {}
    }
    d.updated_at = now;
    write_domain(ctx, admin, &d, false, "organizationDomain.updated").await?;
    Ok(super::domains::render_domain(&d, None))
}

pub async fn remove_domain(
    ctx: &Ctx,
    admin: &Admin,
    id: &str,
    domain_id: &str,
) -> FlowResult<Value> {
    let org = find(ctx, id).await?;
    let d = domain_of(ctx, &org, domain_id).await?;
    super::domains::remove_in(ctx, By::Operator(admin), &d).await
}
