//! Organizations (`[organizations] enabled = true`): teams of users with a role each,
//! invitations to join, and the organization a session acts for.
//!
//! Every call is made by a signed-in user (`Me`) and names an organization they belong to; an
//! organization they do not belong to answers `organization_not_found`, so its existence is
//! not revealed. What a member may do is decided by [`roles`] alone, through
//! [`Acting::require`]. Changes to who belongs run in one transaction that starts by locking
//! the organization (see `store::organizations`), so the member quota and the rule that an
//! organization keeps at least one admin hold under concurrent requests.

pub mod render;
pub mod roles;

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::Context as _;
use crate::account::Me;
use crate::audit;
use crate::domain::{EmailAddress, new_id};
use crate::session::LiveSession;
use crate::store::organizations::{
    self as repo, ACCEPTED, InvitationRow, MembershipRecord, MembershipRow, OrganizationRow,
    PENDING, REVOKED,
};
use crate::store::{is_unique_violation, users};
use crate::{ApiError, Ctx, ErrorCode, FlowError, FlowResult, Params};
use render::Audience;
pub use roles::{Permission, Role};

const MAX_NAME_CHARS: usize = 256;
const MAX_SLUG_CHARS: usize = 64;
/// The most a page may hold.
const MAX_LIMIT: u64 = 500;

pub const CREATE_PARAMS: &[&str] = &["name", "slug"];
pub const UPDATE_PARAMS: &[&str] = &["name", "slug"];
pub const INVITE_PARAMS: &[&str] = &["email_address", "role", "notify"];
pub const MEMBER_UPDATE_PARAMS: &[&str] = &["role"];
/// What `POST /v1/client/sessions/{id}/touch` accepts.
pub const TOUCH_PARAMS: &[&str] = &["active_organization_id", "intent"];

/// Query parameters of the lists.
pub const PAGE_QUERY: &[&str] = &["limit", "offset", "paginated"];
pub const MEMBERS_QUERY: &[&str] = &["limit", "offset", "paginated", "role", "query"];
pub const INVITATIONS_QUERY: &[&str] = &["limit", "offset", "paginated", "status"];

fn not_enabled() -> ApiError {
    ApiError::new(
        ErrorCode::OrganizationNotEnabledInInstance,
        "Organizations are not enabled",
        "Organizations are not enabled on this instance ([organizations] enabled).",
    )
}

fn not_found() -> ApiError {
    ApiError::new(
        ErrorCode::OrganizationNotFound,
        "Organization not found",
        "No organization you belong to has that id or slug.",
    )
}

fn not_allowed(what: &str) -> ApiError {
    ApiError::new(
        ErrorCode::NotAllowedAccess,
        "Not allowed",
        format!("Your role in this organization does not allow you to {what}."),
    )
}

fn last_admin() -> ApiError {
    ApiError::new(
        ErrorCode::OrganizationMinimumPermissionsNeeded,
        "An organization needs an admin",
        "This is the organization's last admin: make another member admin first.",
    )
}

fn quota_exceeded(max: i32) -> ApiError {
    ApiError::new(
        ErrorCode::OrganizationMembershipQuotaExceeded,
        "Membership quota exceeded",
        format!("This organization may have at most {max} members, counting pending invitations."),
    )
}

fn already_member() -> ApiError {
    ApiError::new(
        ErrorCode::AlreadyAMemberInOrganization,
        "Already a member",
        "That user is already a member of this organization.",
    )
}

/// Refuses every organization call while the feature is off.
pub fn require_enabled(ctx: &Ctx) -> FlowResult<()> {
    if ctx.settings().organizations.enabled {
        Ok(())
    } else {
        Err(not_enabled().into())
    }
}

/// A page of a list: `limit` (1 to 500, default 10), `offset`, and whether the caller wants
/// `{data, total_count}` (`paginated=true`) or a bare array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub limit: u64,
    pub offset: u64,
    pub paginated: bool,
}

impl Page {
    pub fn from_query(q: &Params) -> FlowResult<Self> {
        let number = |name: &str, default: u64, max: u64| -> FlowResult<u64> {
            match q.text(name)? {
                None => Ok(default),
                Some(v) => v.parse::<u64>().ok().filter(|n| *n <= max).ok_or_else(|| {
                    ApiError::invalid_value(name, format!("{name} must be a number up to {max}."))
                        .into()
                }),
            }
        };
        let limit = number("limit", 10, MAX_LIMIT)?.max(1);
        let offset = number("offset", 0, 1_000_000)?;
        Ok(Self {
            limit,
            offset,
            paginated: q.bool("paginated")?.unwrap_or(false),
        })
    }
}

/// The caller in one organization: their membership and what their role allows.
pub struct Acting {
    pub org: OrganizationRow,
    pub membership: MembershipRow,
    pub role: Role,
}

impl Acting {
    /// The one permission check every endpoint goes through.
    pub fn require(&self, p: Permission, what: &str) -> FlowResult<()> {
        if self.role.permits(p) {
            Ok(())
        } else {
            Err(not_allowed(what).into())
        }
    }
}

/// An organization the user belongs to, by id or slug.
async fn find_for(ctx: &Ctx, user_id: &str, id_or_slug: &str) -> FlowResult<MembershipRecord> {
    if id_or_slug.is_empty() || id_or_slug.len() > 128 {
        return Err(not_found().into());
    }
    let org = match repo::get(&ctx.db, id_or_slug)
        .await
        .context("organizations::get")?
    {
        Some(o) => Some(o),
        None => repo::get_by_slug(&ctx.db, id_or_slug)
            .await
            .context("organizations::get_by_slug")?,
    };
    let Some(org) = org else {
        return Err(not_found().into());
    };
    let membership = repo::membership(&ctx.db, &org.id, user_id)
        .await
        .context("organizations::membership")?
        .ok_or_else(not_found)?;
    Ok(MembershipRecord {
        membership,
        organization: org,
    })
}

/// The caller acting in the organization `id` (or slug).
pub async fn acting(ctx: &Ctx, me: &Me, id: &str) -> FlowResult<Acting> {
    require_enabled(ctx)?;
    let m = find_for(ctx, &me.user().user.id, id).await?;
    let role =
        roles::find(&ctx.settings().organizations, &m.membership.role).unwrap_or_else(|| Role {
            key: m.membership.role.clone(),
            name: m.membership.role.clone(),
            description: String::new(),
            permissions: Vec::new(),
        });
    Ok(Acting {
        org: m.organization,
        membership: m.membership,
        role,
    })
}

/// A role key from a request, which must name a role of the instance.
fn role_param(ctx: &Ctx, params: &Params) -> FlowResult<Role> {
    let key = params.required("role")?;
    roles::find(&ctx.settings().organizations, &key).ok_or_else(|| {
        ApiError::invalid_value("role", format!("{key:?} is not a role of this instance.")).into()
    })
}

/// An organization name: 1 to 256 characters, no markup and no links (it is shown to
/// invitees in emails and pages).
fn check_name(name: &str) -> FlowResult<()> {
    let chars = name.chars().count();
    if chars == 0 || chars > MAX_NAME_CHARS {
        return Err(ApiError::invalid_value(
            "name",
            format!("The name must be 1 to {MAX_NAME_CHARS} characters."),
        )
        .into());
    }
    let lower = name.to_lowercase();
    if name.contains(['<', '>']) || lower.contains("://") || lower.contains("www.") {
        return Err(ApiError::invalid_value("name", "The name may not hold links or HTML.").into());
    }
    if name.chars().any(char::is_control) {
        return Err(
            ApiError::invalid_value("name", "The name may not hold control characters.").into(),
        );
    }
    Ok(())
}

/// A slug: lower-case letters, digits, `-` and `_`, 1 to 64 of them, not starting with
/// `org_` (ids do) so a slug never reads as another organization's id.
fn check_slug(slug: &str) -> FlowResult<()> {
    let ok = !slug.is_empty()
        && slug.len() <= MAX_SLUG_CHARS
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && !slug.starts_with("org_");
    if ok {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::FormParamFormatInvalid,
            "is invalid",
            "A slug holds 1 to 64 lower-case letters, digits, dashes and underscores, and does \
             not start with org_.",
        )
        .param("slug")
        .into())
    }
}

/// A slug made from a name: `Acme Corp.` → `acme-corp`.
pub fn slug_from(name: &str) -> String {
    let mut slug = String::new();
    for c in name.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
        if slug.len() >= 48 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-').to_owned();
    if slug.is_empty() || slug.starts_with("org_") {
        format!("team-{}", &new_id("x")[2..10].to_lowercase())
    } else {
        slug
    }
}

fn slug_taken() -> ApiError {
    ApiError::new(
        ErrorCode::FormIdentifierExists,
        "That slug is taken",
        "That slug is taken. Please try another.",
    )
    .param("slug")
}

/// Records an audit event and queues the webhook of a change, in its transaction.
async fn announce(
    ctx: &Ctx,
    txn: &impl ConnectionTrait,
    me: &Me,
    kind: &str,
    detail: Value,
    data: Value,
) -> FlowResult<()> {
    audit::record(ctx, txn, &me.actor, kind, detail).await?;
    crate::webhooks::enqueue(ctx, txn, kind, data).await
}

/// Ends a write transaction: committed when its work succeeded, rolled back otherwise.
async fn finish<T>(txn: sea_orm::DatabaseTransaction, result: FlowResult<T>) -> FlowResult<T> {
    match result {
        Ok(v) => {
            txn.commit().await?;
            Ok(v)
        }
        Err(e) => {
            txn.rollback().await?;
            Err(e)
        }
    }
}

/// Locks the organization and counts the seats taken: members plus pending invitations.
async fn seats_taken(
    txn: &impl ConnectionTrait,
    org_id: &str,
    now: i64,
) -> FlowResult<(OrganizationRow, u64)> {
    let org = repo::lock(txn, org_id)
        .await
        .context("organizations::lock")?
        .ok_or_else(not_found)?;
    let pending = repo::count_pending(txn, org_id, now)
        .await
        .context("organizations::count_pending")?;
    let members = u64::try_from(org.members_count).unwrap_or(0);
    Ok((org, members + pending))
}

fn check_quota(org: &OrganizationRow, taken: u64) -> FlowResult<()> {
    let max = org.max_allowed_memberships;
    if max > 0 && taken >= u64::try_from(max).unwrap_or(0) {
        return Err(quota_exceeded(max).into());
    }
    Ok(())
}

/// Whether the organization would keep an admin if `membership` stopped being one.
async fn keeps_an_admin(
    txn: &impl ConnectionTrait,
    membership: &MembershipRow,
) -> FlowResult<bool> {
    if membership.role != roles::ADMIN {
        return Ok(true);
    }
    let admins = repo::count_with_role(txn, &membership.organization_id, roles::ADMIN)
        .await
        .context("organizations::count_with_role")?;
    Ok(admins > 1)
}

// ---- the organization ----

/// `POST /v1/organizations`: a new organization with the caller as its first member, in the
/// creator role.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn create(ctx: &Ctx, me: &Me, params: &Params) -> FlowResult<Value> {
    require_enabled(ctx)?;
    params.only(CREATE_PARAMS)?;
    let settings = ctx.settings().organizations.clone();
    let name = params.required("name")?;
    check_name(&name)?;
    let (slug, slug_given) = match params.text("slug")? {
        Some(s) if !settings.slug_disabled => {
            check_slug(&s)?;
            (s, true)
        }
        _ => (slug_from(&name), false),
    };
    let user_id = me.user().user.id.clone();
    let now = ctx.now();
    let org = OrganizationRow {
        id: new_id("org"),
        name,
        slug,
        image_url: None,
        public_metadata: "{}".into(),
        private_metadata: "{}".into(),
        max_allowed_memberships: i32::try_from(settings.max_allowed_memberships).unwrap_or(0),
        members_count: 0,
        admin_delete_enabled: settings.admin_delete_enabled,
        created_by: Some(user_id.clone()),
        created_at: now,
        updated_at: now,
    };
    let membership = MembershipRow {
        id: new_id("orgmem"),
        organization_id: org.id.clone(),
        user_id: user_id.clone(),
        role: settings.creator_role.clone(),
        public_metadata: "{}".into(),
        private_metadata: "{}".into(),
        created_at: now,
        updated_at: now,
    };
    let limit = settings.max_created_per_user;
    let mut attempt = org.clone();
    for round in 0..3 {
        let (o, m) = (attempt.clone(), membership.clone());
        let result = {
            let tx = crate::store::begin(&ctx.db).await?;
            let result = async {
                let txn = &tx;
                if limit > 0 {
                    // Counted under the write lock (SQLite) or after the user's row is
                    // locked below (PostgreSQL), so parallel creations cannot overrun it.
                    users::lock_user(txn, &m.user_id)
                        .await
                        .context("users::lock_user")?;
                    let made = repo::count_created_by(txn, &m.user_id)
                        .await
                        .context("organizations::count_created_by")?;
                    if made >= u64::from(limit) {
                        return Err(ApiError::new(
                            ErrorCode::OrganizationQuotaExceeded,
                            "Organization limit reached",
                            format!("A user may create at most {limit} organizations."),
                        )
                        .into());
                    }
                }
                repo::insert(txn, o.clone()).await.map_err(slug_conflict)?;
                repo::insert_membership(txn, m.clone())
                    .await
                    .context("organizations::insert_membership")?;
                let mut o = o;
                o.members_count = 1;
                let record = MembershipRecord {
                    organization: o.clone(),
                    membership: m,
                };
                announce(
                    ctx,
                    txn,
                    me,
                    "organization.created",
                    json!({ "organization_id": o.id }),
                    render::organization(&o, Some(0), Audience::Operator),
                )
                .await?;
                announce(
                    ctx,
                    txn,
                    me,
                    "organizationMembership.created",
                    json!({ "organization_id": o.id, "role": record.membership.role }),
                    render::membership(ctx, &record, Some(me.user()), Audience::Operator),
                )
                .await?;
                Ok(o)
            }
            .await;
            finish(tx, result).await
        };
        match result {
            Ok(o) => return Ok(render::organization(&o, Some(0), Audience::Members)),
            // A slug made from the name may be taken: try again with a suffix.
            Err(FlowError::Api(e))
                if e.code == ErrorCode::FormIdentifierExists && !slug_given && round < 2 =>
            {
                attempt.slug = format!(
                    "{}-{}",
                    org.slug.chars().take(48).collect::<String>(),
                    &new_id("x")[2..8].to_lowercase()
                );
            }
            Err(e) => return Err(e),
        }
    }
    Err(slug_taken().into())
}

fn slug_conflict(e: sea_orm::DbErr) -> FlowError {
    if is_unique_violation(&e) {
        slug_taken().into()
    } else {
        FlowError::from(e)
    }
}

/// `GET /v1/organizations/{id}`.
pub async fn get(ctx: &Ctx, me: &Me, id: &str) -> FlowResult<Value> {
    let a = acting(ctx, me, id).await?;
    let pending = repo::count_pending(&ctx.db, &a.org.id, ctx.now())
        .await
        .context("organizations::count_pending")?;
    Ok(render::organization(
        &a.org,
        Some(pending),
        Audience::Members,
    ))
}

/// `PATCH /v1/organizations/{id}`: the name and slug.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn update(ctx: &Ctx, me: &Me, id: &str, params: &Params) -> FlowResult<Value> {
    let a = acting(ctx, me, id).await?;
    a.require(
        Permission::ProfileManage,
        "change the organization's profile",
    )?;
    params.only(UPDATE_PARAMS)?;
    let mut org = a.org.clone();
    if let Some(name) = params.text("name")? {
        check_name(&name)?;
        org.name = name;
    }
    if let Some(slug) = params.text("slug")? {
        if ctx.settings().organizations.slug_disabled {
            return Err(
                ApiError::invalid_value("slug", "Slugs are not used on this instance.").into(),
            );
        }
        check_slug(&slug)?;
        org.slug = slug;
    }
    org.updated_at = ctx.now();
    let saved = org.clone();
    {
        let tx = crate::store::begin(&ctx.db).await?;
        let result = async {
            let txn = &tx;
            repo::update(txn, &saved).await.map_err(slug_conflict)?;
            announce(
                ctx,
                txn,
                me,
                "organization.updated",
                json!({ "organization_id": saved.id }),
                render::organization(&saved, None, Audience::Operator),
            )
            .await
        }
        .await;
        finish(tx, result).await
    }?;
    get(ctx, me, &org.id).await
}

/// `DELETE /v1/organizations/{id}`.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn delete(ctx: &Ctx, me: &Me, id: &str) -> FlowResult<Value> {
    let a = acting(ctx, me, id).await?;
    a.require(Permission::ProfileDelete, "delete the organization")?;
    if !a.org.admin_delete_enabled || !ctx.settings().organizations.admin_delete_enabled {
        return Err(not_allowed("delete it: deleting organizations is switched off").into());
    }
    let org_id = a.org.id.clone();
    {
        let tx = crate::store::begin(&ctx.db).await?;
        let result = async {
            let txn = &tx;
            repo::delete(txn, &org_id)
                .await
                .context("organizations::delete")?;
            announce(
                ctx,
                txn,
                me,
                "organization.deleted",
                json!({ "organization_id": org_id }),
                json!({ "object": "organization", "id": org_id, "deleted": true }),
            )
            .await
        }
        .await;
        finish(tx, result).await
    }?;
    Ok(crate::wire::deleted("organization", &a.org.id))
}

/// `GET /v1/organizations/{id}/roles`.
pub async fn list_roles(ctx: &Ctx, me: &Me, id: &str, q: &Params) -> FlowResult<Value> {
    q.only(PAGE_QUERY)?;
    let page = Page::from_query(q)?;
    let a = acting(ctx, me, id).await?;
    a.require(Permission::MembershipsRead, "see its roles")?;
    let settings = &ctx.settings().organizations;
    let all = roles::all(settings);
    let total = all.len() as u64;
    let data: Vec<Value> = all
        .iter()
        .skip(usize::try_from(page.offset).unwrap_or(usize::MAX))
        .take(usize::try_from(page.limit).unwrap_or(usize::MAX))
        .map(|r| render::role(r, &settings.creator_role))
        .collect();
    Ok(json!({ "data": data, "total_count": total }))
}

// ---- members ----

/// `GET /v1/organizations/{id}/memberships`.
pub async fn members(ctx: &Ctx, me: &Me, id: &str, q: &Params) -> FlowResult<Value> {
    q.only(MEMBERS_QUERY)?;
    let page = Page::from_query(q)?;
    let a = acting(ctx, me, id).await?;
    a.require(Permission::MembershipsRead, "see its members")?;
    let role = q.text("role")?;
    let query = q.text("query")?;
    let (rows, total) = repo::members(
        &ctx.db,
        &a.org.id,
        role.as_deref(),
        query.as_deref(),
        page.limit,
        page.offset,
    )
    .await
    .context("organizations::members")?;
    let ids: Vec<String> = rows.iter().map(|m| m.user_id.clone()).collect();
    let users = users::read_users(&ctx.db, &ids)
        .await
        .context("users::read_users")?;
    let data = rows
        .into_iter()
        .map(|m| {
            let user = users.iter().find(|u| u.user.id == m.user_id);
            let record = MembershipRecord {
                organization: a.org.clone(),
                membership: m,
            };
            render::membership(ctx, &record, user, Audience::Members)
        })
        .collect();
    Ok(render::page(data, total, page.paginated))
}

/// `PATCH /v1/organizations/{id}/memberships/{user_id}`: a member's role.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn update_member(
    ctx: &Ctx,
    me: &Me,
    id: &str,
    user_id: &str,
    params: &Params,
) -> FlowResult<Value> {
    let a = acting(ctx, me, id).await?;
    a.require(Permission::MembershipsManage, "change members' roles")?;
    params.only(MEMBER_UPDATE_PARAMS)?;
    let role = role_param(ctx, params)?;
    let org_id = a.org.id.clone();
    let target = user_id.to_owned();
    let now = ctx.now();
    let record = {
        let tx = crate::store::begin(&ctx.db).await?;
        let result = async {
            let txn = &tx;
            let org = repo::lock(txn, &org_id)
                .await
                .context("organizations::lock")?
                .ok_or_else(not_found)?;
            let mut m = repo::membership(txn, &org_id, &target)
                .await
                .context("organizations::membership")?
                .ok_or_else(|| ApiError::not_found("membership"))?;
            if role.key != roles::ADMIN && !keeps_an_admin(txn, &m).await? {
                return Err(last_admin().into());
            }
            m.role = role.key.clone();
            m.updated_at = now;
            repo::update_membership(txn, &m)
                .await
                .context("organizations::update_membership")?;
            let record = MembershipRecord {
                organization: org,
                membership: m,
            };
            let user = users::load_user(txn, &target)
                .await
                .context("users::load_user")?;
            announce(
                ctx,
                txn,
                me,
                "organizationMembership.updated",
                json!({ "organization_id": org_id, "user_id": target, "role": role.key }),
                render::membership(ctx, &record, user.as_ref(), Audience::Operator),
            )
            .await?;
            Ok((record, user))
        }
        .await;
        finish(tx, result).await
    }?;
    Ok(render::membership(
        ctx,
        &record.0,
        record.1.as_ref(),
        Audience::Members,
    ))
}

/// `DELETE /v1/organizations/{id}/memberships/{user_id}`: removes a member, or, for the
/// caller's own id, leaves.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn remove_member(ctx: &Ctx, me: &Me, id: &str, user_id: &str) -> FlowResult<Value> {
    let a = acting(ctx, me, id).await?;
    if user_id != me.user().user.id {
        a.require(Permission::MembershipsManage, "remove members")?;
    }
    let record = leave_or_remove(ctx, me, &a.org.id, user_id).await?;
    let user = users::get_user(&ctx.db, user_id)
        .await
        .context("users::get_user")?;
    Ok(render::membership(
        ctx,
        &record,
        user.as_ref(),
        Audience::Members,
    ))
}

/// `DELETE /v1/me/organization_memberships/{id}`: the caller leaves.
pub async fn leave(ctx: &Ctx, me: &Me, id: &str) -> FlowResult<Value> {
    let a = acting(ctx, me, id).await?;
    let record = leave_or_remove(ctx, me, &a.org.id, &me.user().user.id).await?;
    Ok(render::membership(
        ctx,
        &record,
        Some(me.user()),
        Audience::Members,
    ))
}

async fn leave_or_remove(
    ctx: &Ctx,
    me: &Me,
    org_id: &str,
    user_id: &str,
) -> FlowResult<MembershipRecord> {
    let (org_id, target) = (org_id.to_owned(), user_id.to_owned());
    {
        let tx = crate::store::begin(&ctx.db).await?;
        let result = async {
            let txn = &tx;
            let org = repo::lock(txn, &org_id)
                .await
                .context("organizations::lock")?
                .ok_or_else(not_found)?;
            let m = repo::membership(txn, &org_id, &target)
                .await
                .context("organizations::membership")?
                .ok_or_else(|| ApiError::not_found("membership"))?;
            if !keeps_an_admin(txn, &m).await? {
                return Err(last_admin().into());
            }
            repo::delete_membership(txn, &m)
                .await
                .context("organizations::delete_membership")?;
            let record = MembershipRecord {
                organization: org,
                membership: m,
            };
            let user = users::load_user(txn, &target)
                .await
                .context("users::load_user")?;
            announce(
                ctx,
                txn,
                me,
                "organizationMembership.deleted",
                json!({ "organization_id": org_id, "user_id": target }),
                render::membership(ctx, &record, user.as_ref(), Audience::Operator),
            )
            .await?;
            Ok(record)
        }
        .await;
        finish(tx, result).await
    }
}

/// `GET /v1/me/organization_memberships`.
pub async fn my_memberships(ctx: &Ctx, me: &Me, q: &Params) -> FlowResult<Value> {
    q.only(PAGE_QUERY)?;
    let page = Page::from_query(q)?;
    require_enabled(ctx)?;
    let user = crate::account::reload(ctx, me).await?;
    let total = user.memberships.len() as u64;
    let data = user
        .memberships
        .iter()
        .skip(usize::try_from(page.offset).unwrap_or(usize::MAX))
        .take(usize::try_from(page.limit).unwrap_or(usize::MAX))
        .map(|m| render::membership(ctx, m, Some(&user), Audience::Members))
        .collect();
    Ok(render::page(data, total, page.paginated))
}

// ---- invitations ----

/// `POST /v1/organizations/{id}/invitations`: invites an email address in a role. The
/// invitation holds a seat until it is accepted, revoked or expires.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn invite(ctx: &Ctx, me: &Me, id: &str, params: &Params) -> FlowResult<Value> {
    let a = acting(ctx, me, id).await?;
    a.require(Permission::MembershipsManage, "invite members")?;
    params.only(INVITE_PARAMS)?;
    let email = params.required("email_address")?;
    let email = EmailAddress::parse(&email)
        .map_err(|e| ApiError::from_parse("email_address", &e))?
        .as_ref()
        .to_owned();
    let role = role_param(ctx, params)?;
    let notify = params.bool("notify")?.unwrap_or(true);
    let now = ctx.now();
    let lifetime = ctx.settings().organizations.invitation_lifetime_secs;
    let inv = InvitationRow {
        id: new_id("orginv"),
        organization_id: a.org.id.clone(),
        email_address: email.clone(),
        role: role.key.clone(),
        status: PENDING.into(),
        token_hash: None,
        public_metadata: "{}".into(),
        private_metadata: "{}".into(),
        inviter_user_id: Some(me.user().user.id.clone()),
        expires_at: now + lifetime * 1000,
        created_at: now,
        updated_at: now,
    };
    let row = inv.clone();
    let org = {
        let tx = crate::store::begin(&ctx.db).await?;
        let result = async {
            let txn = &tx;
            let (org, taken) = seats_taken(txn, &row.organization_id, now).await?;
            if let Some(uid) = users::find_user_id_by_identifier(
                txn,
                users::IdentifierKind::Email,
                &row.email_address,
            )
            .await
            .context("users::find_user_id_by_identifier")?
                && repo::membership(txn, &org.id, &uid)
                    .await
                    .context("organizations::membership")?
                    .is_some()
            {
                return Err(already_member().into());
            }
            if repo::pending_for(txn, &org.id, &row.email_address, now)
                .await
                .context("organizations::pending_for")?
                .is_some()
            {
                return Err(ApiError::invalid_value(
                    "email_address",
                    "There is already a pending invitation for this email address.",
                )
                .into());
            }
            check_quota(&org, taken)?;
            repo::insert_invitation(txn, row.clone())
                .await
                .context("organizations::insert_invitation")?;
            announce(
                ctx,
                txn,
                me,
                "organizationInvitation.created",
                json!({ "organization_id": org.id, "invitation_id": row.id, "role": row.role }),
                render::invitation(ctx, &row, &org, Audience::Operator),
            )
            .await?;
            Ok(org)
        }
        .await;
        finish(tx, result).await
    }?;
    if notify {
        send_invitation(ctx, me, &org, &inv).await;
    }
    Ok(render::invitation(ctx, &inv, &org, Audience::Members))
}

/// Emails the invitee: they accept once signed in with the invited address. A failed send
/// is logged; the invitation stands and shows in the invitee's list.
async fn send_invitation(ctx: &Ctx, me: &Me, org: &OrganizationRow, inv: &InvitationRow) {
    let inviter = me.user().full_name().trim().to_owned();
    let inviter = if inviter.is_empty() {
        me.user()
            .primary_email()
            .map_or_else(|| "A member".to_owned(), |e| e.email_address.clone())
    } else {
        inviter
    };
    let link = format!("{}/sign-in", ctx.settings().issuer());
    let days = ctx.settings().organizations.invitation_lifetime_secs / 86_400;
    if let Err(e) = ctx
        .delivery
        .send_organization_invitation(&inv.email_address, &inviter, &org.name, &link, days.max(1))
        .await
    {
        tracing::warn!(invitation_id = %inv.id, error = %e, "organization invitation email not sent");
    }
}

/// `GET /v1/organizations/{id}/invitations`.
pub async fn invitations(ctx: &Ctx, me: &Me, id: &str, q: &Params) -> FlowResult<Value> {
    q.only(INVITATIONS_QUERY)?;
    let page = Page::from_query(q)?;
    let a = acting(ctx, me, id).await?;
    a.require(Permission::MembershipsManage, "see its invitations")?;
    let statuses = statuses(q)?;
    let (rows, total) = repo::invitations(
        &ctx.db,
        Some(&a.org.id),
        None,
        &statuses,
        ctx.now(),
        page.limit,
        page.offset,
    )
    .await
    .context("organizations::invitations")?;
    let data = rows
        .iter()
        .map(|i| render::invitation(ctx, i, &a.org, Audience::Members))
        .collect();
    // Invitations always come in pages: the SDKs read `data` without asking for it.
    Ok(render::page(data, total, true))
}

fn statuses(q: &Params) -> FlowResult<Vec<&'static str>> {
    let Some(raw) = q.text("status")? else {
        return Ok(Vec::new());
    };
    raw.split(',')
        .map(|s| match s.trim() {
            "pending" => Ok(PENDING),
            "accepted" => Ok(ACCEPTED),
            "revoked" => Ok(REVOKED),
            "expired" => Ok("expired"),
            other => Err(ApiError::invalid_value(
                "status",
                format!("{other:?} is not pending, accepted, revoked or expired."),
            )
            .into()),
        })
        .collect()
}

/// `POST /v1/organizations/{id}/invitations/{invitation_id}/revoke`.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn revoke_invitation(
    ctx: &Ctx,
    me: &Me,
    id: &str,
    invitation_id: &str,
) -> FlowResult<Value> {
    let a = acting(ctx, me, id).await?;
    a.require(Permission::MembershipsManage, "revoke invitations")?;
    let now = ctx.now();
    let (org, inv_id) = (a.org.clone(), invitation_id.to_owned());
    let inv = {
        let tx = crate::store::begin(&ctx.db).await?;
        let result = async {
            let txn = &tx;
            let inv = repo::invitation(txn, &inv_id)
                .await
                .context("organizations::invitation")?
                .filter(|i| i.organization_id == org.id)
                .ok_or_else(|| ApiError::not_found("invitation"))?;
            if !repo::settle_invitation(txn, &inv.id, REVOKED, now)
                .await
                .context("organizations::settle_invitation")?
            {
                return Err(ApiError::state("Only a pending invitation can be revoked.").into());
            }
            let inv = InvitationRow {
                status: REVOKED.into(),
                updated_at: now,
                ..inv
            };
            announce(
                ctx,
                txn,
                me,
                "organizationInvitation.revoked",
                json!({ "organization_id": org.id, "invitation_id": inv.id }),
                render::invitation(ctx, &inv, &org, Audience::Operator),
            )
            .await?;
            Ok(inv)
        }
        .await;
        finish(tx, result).await
    }?;
    Ok(render::invitation(ctx, &inv, &a.org, Audience::Members))
}

/// The caller's verified email addresses, lower-cased.
fn verified_emails(me: &Me) -> Vec<String> {
    me.user()
        .emails
        .iter()
        .filter(|e| e.verified)
        .map(|e| e.email_address.to_lowercase())
        .collect()
}

/// `GET /v1/me/organization_invitations`: invitations to the caller's verified addresses.
pub async fn my_invitations(ctx: &Ctx, me: &Me, q: &Params) -> FlowResult<Value> {
    q.only(INVITATIONS_QUERY)?;
    let page = Page::from_query(q)?;
    require_enabled(ctx)?;
    let statuses = statuses(q)?;
    let emails = verified_emails(me);
    let (rows, total) = repo::invitations(
        &ctx.db,
        None,
        Some(&emails),
        &statuses,
        ctx.now(),
        page.limit,
        page.offset,
    )
    .await
    .context("organizations::invitations")?;
    let mut data = Vec::with_capacity(rows.len());
    for inv in &rows {
        if let Some(org) = repo::get(&ctx.db, &inv.organization_id)
            .await
            .context("organizations::get")?
        {
            data.push(render::invitation(ctx, inv, &org, Audience::Members));
        }
    }
    Ok(render::page(data, total, true))
}

/// `POST /v1/me/organization_invitations/{id}/accept`: joins in the invited role. Only an
/// invitation to one of the caller's verified addresses, pending and unexpired, and only once.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn accept_invitation(ctx: &Ctx, me: &Me, invitation_id: &str) -> FlowResult<Value> {
    require_enabled(ctx)?;
    let emails = verified_emails(me);
    let user_id = me.user().user.id.clone();
    let now = ctx.now();
    let inv_id = invitation_id.to_owned();
    let (inv, org) = {
        let tx = crate::store::begin(&ctx.db).await?;
        let result = async {
            let txn = &tx;
            // Another user's invitation is as unknown as a missing one.
            let inv = repo::invitation(txn, &inv_id)
                .await
                .context("organizations::invitation")?
                .filter(|i| emails.contains(&i.email_address))
                .ok_or_else(|| ApiError::not_found("invitation"))?;
            let org = repo::lock(txn, &inv.organization_id)
                .await
                .context("organizations::lock")?
                .ok_or_else(|| ApiError::not_found("invitation"))?;
            if !repo::settle_invitation(txn, &inv.id, ACCEPTED, now)
                .await
                .context("organizations::settle_invitation")?
            {
                return Err(ApiError::state(
                    "This invitation was already accepted or revoked, or has expired.",
                )
                .into());
            }
            if repo::membership(txn, &org.id, &user_id)
                .await
                .context("organizations::membership")?
                .is_some()
            {
                return Err(already_member().into());
            }
            let m = MembershipRow {
                id: new_id("orgmem"),
                organization_id: org.id.clone(),
                user_id: user_id.clone(),
                role: inv.role.clone(),
                public_metadata: "{}".into(),
                private_metadata: "{}".into(),
                created_at: now,
                updated_at: now,
            };
            // The invitation held the seat the membership now takes.
            repo::insert_membership(txn, m.clone())
                .await
                .context("organizations::insert_membership")?;
            let inv = InvitationRow {
                status: ACCEPTED.into(),
                updated_at: now,
                ..inv
            };
            let record = MembershipRecord {
                organization: org.clone(),
                membership: m,
            };
            announce(
                ctx,
                txn,
                me,
                "organizationInvitation.accepted",
                json!({ "organization_id": org.id, "invitation_id": inv.id }),
                render::invitation(ctx, &inv, &org, Audience::Operator),
            )
            .await?;
            announce(
                ctx,
                txn,
                me,
                "organizationMembership.created",
                json!({ "organization_id": org.id, "role": record.membership.role }),
                render::membership(ctx, &record, Some(me.user()), Audience::Operator),
            )
            .await?;
            Ok((inv, org))
        }
        .await;
        finish(tx, result).await
    }?;
    Ok(render::invitation(ctx, &inv, &org, Audience::Members))
}

// ---- the active organization ----

/// Sets the organization a session acts for (`None`: the personal account). The session
/// token then carries it.
pub async fn activate(ctx: &Ctx, live: &LiveSession, id_or_slug: Option<&str>) -> FlowResult<()> {
    let org = match id_or_slug {
        None => None,
        Some(id) => {
            require_enabled(ctx)?;
            Some(find_for(ctx, &live.row.user_id, id).await?.organization.id)
        }
    };
    if org == live.row.last_active_organization_id {
        return Ok(());
    }
    repo::set_active(&ctx.db, &live.row.id, org.as_deref(), ctx.now())
        .await
        .context("organizations::set_active")?;
    Ok(())
}

/// The membership a session acts for, if its organization is still one of the user's.
pub fn active_membership(ctx: &Ctx, live: &LiveSession) -> Option<(MembershipRecord, Role)> {
    if !ctx.settings().organizations.enabled {
        return None;
    }
    let id = live.row.last_active_organization_id.as_deref()?;
    let m = live
        .user
        .memberships
        .iter()
        .find(|m| m.organization.id == id)?;
    let role = roles::find(&ctx.settings().organizations, &m.membership.role)?;
    Some((m.clone(), role))
}

/// The organization claims of a session token: Clerk's v2 `o` (`id`, `rol`, `slg`, `per`,
/// `fpm`) with the features in `fea`, or the v1 names, as `[organizations]
/// session_token_claims` says.
pub fn token_claims(ctx: &Ctx, live: &LiveSession) -> serde_json::Map<String, Value> {
    let mut claims = serde_json::Map::new();
    let Some((m, role)) = active_membership(ctx, live) else {
        return claims;
    };
    let custom: Vec<&str> = role.custom_permissions().collect();
    if ctx.settings().organizations.session_token_claims == "v1" {
        claims.insert("org_id".into(), json!(m.organization.id));
        claims.insert("org_role".into(), json!(role.key));
        claims.insert("org_slug".into(), json!(m.organization.slug));
        claims.insert("org_permissions".into(), json!(custom));
    } else {
        let c = roles::compact(custom.into_iter());
        let mut o = serde_json::Map::new();
        o.insert("id".into(), json!(m.organization.id));
        o.insert(
            "rol".into(),
            json!(role.key.strip_prefix("org:").unwrap_or(&role.key)),
        );
        o.insert("slg".into(), json!(m.organization.slug));
        if !c.per.is_empty() {
            o.insert("per".into(), json!(c.per));
            o.insert("fpm".into(), json!(c.fpm));
        }
        claims.insert("o".into(), Value::Object(o));
        if !c.fea.is_empty() {
            claims.insert("fea".into(), json!(c.fea));
        }
    }
    claims
}

/// The `organization_memberships` of a user as the Frontend API shows them.
pub fn user_memberships(ctx: &Ctx, u: &crate::store::users::UserRecord) -> Vec<Value> {
    if !ctx.settings().organizations.enabled {
        return Vec::new();
    }
    u.memberships
        .iter()
        .map(|m| render::membership(ctx, m, Some(u), Audience::Members))
        .collect()
}

/// Whether the user may create another organization.
pub fn may_create(ctx: &Ctx, u: &crate::store::users::UserRecord) -> bool {
    let s = &ctx.settings().organizations;
    s.enabled
        && (s.max_created_per_user == 0
            || (u
                .memberships
                .iter()
                .filter(|m| m.organization.created_by.as_deref() == Some(u.user.id.as_str()))
                .count() as u64)
                < u64::from(s.max_created_per_user))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_from_names() {
        assert_eq!(slug_from("Acme Corp."), "acme-corp");
        assert_eq!(slug_from("  Ünïcode & Co  "), "n-code-co");
        assert!(slug_from("!!!").starts_with("team-"));
        assert!(check_slug(&slug_from("Acme Corp.")).is_ok());
        assert!(check_slug("org_abc").is_err());
        assert!(check_slug("Has Caps").is_err());
        assert!(check_slug(&"a".repeat(65)).is_err());
        assert!(check_slug(&"a".repeat(64)).is_ok());
    }

    #[test]
    fn names_refuse_links_and_markup() {
        assert!(check_name("Acme").is_ok());
        assert!(check_name("<b>Acme</b>").is_err());
        assert!(check_name("visit https://evil.example").is_err());
        assert!(check_name("").is_err());
        assert!(check_name(&"x".repeat(257)).is_err());
        assert!(check_name(&"x".repeat(256)).is_ok());
    }
}
