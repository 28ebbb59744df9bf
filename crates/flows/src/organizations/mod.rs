//! Organizations (`[organizations] enabled = true`): teams of users with a role each,
//! invitations to join, and the organization a session acts for.
//!
//! A member's call (`Me`) names an organization they belong to; an organization they do not
//! belong to answers `organization_not_found`, so its existence is not revealed. Operators
//! reach every organization through [`operator`]. Both go through the same steps (`*_in`).
//! What a member may do is decided by [`roles`] alone, through [`Acting::require`]. Changes to who belongs run in one transaction that starts by locking
//! the organization (see `store::organizations`), so the member quota and the rule that an
//! organization keeps at least one admin hold under concurrent requests.

pub mod domains;
pub mod operator;
pub mod render;
pub mod roles;

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::Context as _;
use crate::account::Me;
use crate::admin::Admin;
use crate::audit;
use crate::domain::{EmailAddress, new_id};
use crate::session::LiveSession;
use crate::store::is_unique_violation;
use crate::store::organizations::{
    self as repo, ACCEPTED, InvitationRow, MembershipRecord, MembershipRow, OrganizationRow,
    PENDING, REVOKED,
};
use crate::store::sessions::SessionRow;
use crate::store::users::{self, UserRecord};
use crate::{ApiError, Ctx, ErrorCode, FlowError, FlowResult, Params};
use render::Audience;
pub use roles::{Permission, Role};
use serde::Deserialize;

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

/// Who makes a change: a member through the Frontend API or the hosted pages, or an operator
/// through the admin API. Members pass the role checks first; operators may do anything the
/// organization's own rules (quota, an admin left) allow.
#[derive(Clone, Copy)]
pub enum By<'a> {
    Member(&'a Me),
    Operator(&'a Admin),
    /// The organization's enterprise connection, as the user signs in through it.
    Connection(&'a audit::Actor),
}

impl By<'_> {
    fn user(&self) -> Option<&UserRecord> {
        match self {
            By::Member(me) => Some(me.user()),
            By::Operator(_) | By::Connection(_) => None,
        }
    }
}

/// Records an audit event and queues the webhook of a change, in its transaction.
async fn announce(
    ctx: &Ctx,
    txn: &impl ConnectionTrait,
    by: By<'_>,
    kind: &str,
    detail: Value,
    data: Value,
) -> FlowResult<()> {
    record(ctx, txn, by, kind, detail).await?;
    crate::webhooks::enqueue(ctx, txn, kind, data).await
}

/// Records an audit event of a change, in its transaction: the member's, or the operator's.
async fn record(
    ctx: &Ctx,
    txn: &impl ConnectionTrait,
    by: By<'_>,
    kind: &str,
    detail: Value,
) -> FlowResult<()> {
    match by {
        By::Member(me) => audit::record(ctx, txn, &me.actor, kind, detail).await,
        By::Operator(admin) => crate::admin::record(ctx, txn, admin, None, kind, detail).await,
        By::Connection(actor) => audit::record(ctx, txn, actor, kind, detail).await,
    }
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

fn slug_conflict(e: sea_orm::DbErr) -> FlowError {
    if is_unique_violation(&e) {
        slug_taken().into()
    } else {
        FlowError::from(e)
    }
}

// ---- the shared steps: one way through for members and operators ----

/// What a new organization starts with.
pub(crate) struct NewOrganization {
    pub name: String,
    /// None: made from the name (with a suffix when that slug is taken).
    pub slug: Option<String>,
    /// Its first member, in the creator role.
    pub creator: Option<String>,
    pub max_allowed_memberships: Option<u32>,
    pub public_metadata: Option<String>,
    pub private_metadata: Option<String>,
    /// The creator's `[organizations] max_created_per_user` applies (self-service).
    pub creator_limit: bool,
}

/// Creates an organization and its first membership in one transaction.
pub(crate) async fn create_in(
    ctx: &Ctx,
    by: By<'_>,
    new: NewOrganization,
) -> FlowResult<OrganizationRow> {
    let settings = ctx.settings().organizations.clone();
    check_name(&new.name)?;
    if let Some(s) = &new.slug {
        if settings.slug_disabled {
            return Err(
                ApiError::invalid_value("slug", "Slugs are not chosen on this instance.").into(),
            );
        }
        check_slug(s)?;
    }
    let now = ctx.now();
    let base = new.slug.clone().unwrap_or_else(|| slug_from(&new.name));
    let mut org = OrganizationRow {
        id: new_id("org"),
        name: new.name.clone(),
        slug: base.clone(),
        image_url: None,
        public_metadata: new.public_metadata.clone().unwrap_or_else(|| "{}".into()),
        private_metadata: new.private_metadata.clone().unwrap_or_else(|| "{}".into()),
        max_allowed_memberships: i32::try_from(
            new.max_allowed_memberships
                .unwrap_or(settings.max_allowed_memberships),
        )
        .unwrap_or(0),
        members_count: 0,
        admin_delete_enabled: settings.admin_delete_enabled,
        created_by: new.creator.clone(),
        created_at: now,
        updated_at: now,
    };
    let limit = if new.creator_limit {
        settings.max_created_per_user
    } else {
        0
    };
    for round in 0..3 {
        let tx = crate::store::begin(&ctx.db).await?;
        let result = async {
            let txn = &tx;
            if let Some(creator) = &new.creator {
                // Held until commit, so parallel creations by one user are counted one after
                // the other, and a user deleted meanwhile is noticed.
                users::lock_user(txn, creator)
                    .await
                    .context("users::lock_user")?;
                if users::load_user(txn, creator)
                    .await
                    .context("users::load_user")?
                    .is_none()
                {
                    return Err(ApiError::invalid_value("created_by", "No user has this id.").into());
                }
                if limit > 0
                    && repo::count_created_by(txn, creator)
                        .await
                        .context("organizations::count_created_by")?
                        >= u64::from(limit)
                {
                    return Err(ApiError::new(
                        ErrorCode::OrganizationQuotaExceeded,
                        "Organization limit reached",
                        format!("A user may create at most {limit} organizations."),
                    )
                    .into());
                }
            }
            repo::insert(txn, org.clone()).await.map_err(slug_conflict)?;
            let mut made = org.clone();
            announce(
                ctx,
                txn,
                by,
                "organization.created",
                json!({ "organization_id": made.id }),
                render::organization(&made, Some(0), Audience::Operator),
            )
            .await?;
            if let Some(creator) = &new.creator {
                let m = MembershipRow {
                    id: new_id("orgmem"),
                    organization_id: made.id.clone(),
                    user_id: creator.clone(),
                    role: settings.creator_role.clone(),
                    public_metadata: "{}".into(),
                    private_metadata: "{}".into(),
                    created_at: now,
                    updated_at: now,
                };
                repo::insert_membership(txn, m.clone())
                    .await
                    .context("organizations::insert_membership")?;
                made.members_count = 1;
                let user = users::load_user(txn, creator)
                    .await
                    .context("users::load_user")?;
                let record = MembershipRecord {
                    organization: made.clone(),
                    membership: m,
                };
                announce(
                    ctx,
                    txn,
                    by,
                    "organizationMembership.created",
                    json!({ "organization_id": made.id, "user_id": creator, "role": record.membership.role }),
                    render::membership(ctx, &record, user.as_ref(), Audience::Operator),
                )
                .await?;
            }
            Ok(made)
        }
        .await;
        match finish(tx, result).await {
            // A slug made from the name may be taken: try again with a suffix.
            Err(FlowError::Api(e))
                if e.code == ErrorCode::FormIdentifierExists && new.slug.is_none() && round < 2 =>
            {
                org.slug = format!(
                    "{}-{}",
                    base.chars().take(48).collect::<String>(),
                    &new_id("x")[2..8].to_lowercase()
                );
            }
            other => return other,
        }
    }
    Err(slug_taken().into())
}

/// What may change about an organization; `None` leaves a field as it is.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationChange {
    pub name: Option<String>,
    pub slug: Option<String>,
    /// Operators only.
    pub max_allowed_memberships: Option<u32>,
    /// Operators only.
    pub admin_delete_enabled: Option<bool>,
    /// Operators only.
    pub public_metadata: Option<Value>,
    /// Operators only.
    pub private_metadata: Option<Value>,
    /// Merge the metadata into the stored documents (RFC 7396; null removes a key) instead of
    /// replacing them: the Backend API's `PATCH …/metadata`, applied under the row's lock.
    #[serde(skip)]
    pub merge_metadata: bool,
}

/// `given` merged into the stored document `stored` (RFC 7396), when `merge`.
fn merged(stored: &str, given: Option<Value>, merge: bool) -> Option<Value> {
    let given = given?;
    if !merge || !given.is_object() {
        return Some(given);
    }
    let mut doc = crate::wire::metadata(stored);
    portcullis_core::settings::merge_patch(&mut doc, &given);
    Some(doc)
}

/// Applies a change to an organization.
pub(crate) async fn change_in(
    ctx: &Ctx,
    by: By<'_>,
    org_id: &str,
    change: OrganizationChange,
) -> FlowResult<OrganizationRow> {
    let tx = crate::store::begin(&ctx.db).await?;
    let result = async {
        let txn = &tx;
        let mut org = repo::lock(txn, org_id)
            .await
            .context("organizations::lock")?
            .ok_or_else(not_found)?;
        if let Some(name) = change.name {
            check_name(&name)?;
            org.name = name;
        }
        if let Some(slug) = change.slug {
            if ctx.settings().organizations.slug_disabled {
                return Err(ApiError::invalid_value(
                    "slug",
                    "Slugs are not chosen on this instance.",
                )
                .into());
            }
            check_slug(&slug)?;
            org.slug = slug;
        }
        if let Some(max) = change.max_allowed_memberships {
            if max > 100_000 {
                return Err(ApiError::invalid_value(
                    "max_allowed_memberships",
                    "At most 100000 (0: no limit).",
                )
                .into());
            }
            org.max_allowed_memberships = i32::try_from(max).unwrap_or(0);
        }
        if let Some(v) = change.admin_delete_enabled {
            org.admin_delete_enabled = v;
        }
        let merge = change.merge_metadata;
        let public = merged(&org.public_metadata, change.public_metadata, merge);
        if let Some(m) = crate::admin::metadata("public_metadata", public)? {
            org.public_metadata = m;
        }
        let private = merged(&org.private_metadata, change.private_metadata, merge);
        if let Some(m) = crate::admin::metadata("private_metadata", private)? {
            org.private_metadata = m;
        }
        org.updated_at = ctx.now();
        repo::update(txn, &org).await.map_err(slug_conflict)?;
        announce(
            ctx,
            txn,
            by,
            "organization.updated",
            json!({ "organization_id": org.id }),
            render::organization(&org, None, Audience::Operator),
        )
        .await?;
        Ok(org)
    }
    .await;
    finish(tx, result).await
}

/// Deletes an organization with its memberships and invitations.
pub(crate) async fn delete_in(ctx: &Ctx, by: By<'_>, org_id: &str) -> FlowResult<()> {
    let tx = crate::store::begin(&ctx.db).await?;
    let result = async {
        let txn = &tx;
        let org = repo::lock(txn, org_id)
            .await
            .context("organizations::lock")?
            .ok_or_else(not_found)?;
        if let Some(logo) = &org.image_url {
            crate::images::remove_in(ctx, txn, logo).await?;
        }
        repo::delete(txn, org_id)
            .await
            .context("organizations::delete")?;
        announce(
            ctx,
            txn,
            by,
            "organization.deleted",
            json!({ "organization_id": org_id }),
            json!({ "object": "organization", "id": org_id, "deleted": true }),
        )
        .await
    }
    .await;
    finish(tx, result).await
}

/// Adds a user as a member (an operator's direct add, or an accepted invitation's join),
/// within the quota unless `seat_held` (the invitation held the seat).
async fn add_in(
    ctx: &Ctx,
    txn: &impl ConnectionTrait,
    by: By<'_>,
    org: &OrganizationRow,
    user: &UserRecord,
    role: &str,
    taken: Option<u64>,
) -> FlowResult<MembershipRecord> {
    if repo::membership(txn, &org.id, &user.user.id)
        .await
        .context("organizations::membership")?
        .is_some()
    {
        return Err(already_member().into());
    }
    if let Some(taken) = taken {
        check_quota(org, taken)?;
    }
    let now = ctx.now();
    let m = MembershipRow {
        id: new_id("orgmem"),
        organization_id: org.id.clone(),
        user_id: user.user.id.clone(),
        role: role.to_owned(),
        public_metadata: "{}".into(),
        private_metadata: "{}".into(),
        created_at: now,
        updated_at: now,
    };
    repo::insert_membership(txn, m.clone())
        .await
        .context("organizations::insert_membership")?;
    let mut org = org.clone();
    org.members_count += 1;
    let record = MembershipRecord {
        organization: org,
        membership: m,
    };
    announce(
        ctx,
        txn,
        by,
        "organizationMembership.created",
        json!({ "organization_id": record.organization.id, "user_id": user.user.id, "role": role }),
        render::membership(ctx, &record, Some(user), Audience::Operator),
    )
    .await?;
    Ok(record)
}

/// Refuses a settings change that takes away a role some member or pending invitation holds
/// (`[[organizations.roles]]` changed at run time): they would be left without one.
pub async fn check_roles_kept(
    ctx: &Ctx,
    before: &crate::config::OrganizationSettings,
    after: &crate::config::OrganizationSettings,
) -> FlowResult<()> {
    let kept: Vec<String> = roles::all(after).into_iter().map(|r| r.key).collect();
    let gone: Vec<String> = roles::all(before)
        .into_iter()
        .map(|r| r.key)
        .filter(|k| !kept.contains(k))
        .collect();
    if gone.is_empty() {
        return Ok(());
    }
    let used = repo::roles_in_use(&ctx.db, &gone, ctx.now())
        .await
        .context("organizations::roles_in_use")?;
    if let Some(role) = used.first() {
        return Err(ApiError::invalid_value(
            "organizations",
            format!("The role {role} is held by members or pending invitations; give them another role first."),
        )
        .into());
    }
    Ok(())
}

/// Makes the signing-in user a member of the organization whose enterprise connection vouched
/// for them, in the default role, in the caller's transaction; the organization's id when
/// they are (or already were) a member. `None`, and the sign-in goes on without it, when
/// organizations are off, the organization is gone or no seat is free.
pub(crate) async fn join_by_connection_in(
    ctx: &Ctx,
    txn: &impl ConnectionTrait,
    actor: &audit::Actor,
    org_id: &str,
) -> FlowResult<Option<String>> {
    if !ctx.settings().organizations.enabled {
        return Ok(None);
    }
    let (org, taken) = match seats_taken(txn, org_id, ctx.now()).await {
        Ok(v) => v,
        Err(FlowError::Api(_)) => {
            tracing::warn!(organization_id = %org_id, "an enterprise connection names an organization that does not exist");
            return Ok(None);
        }
        Err(e) => return Err(e),
    };
    let member = repo::membership(txn, &org.id, &actor.user_id)
        .await
        .context("organizations::membership")?
        .is_some();
    if member {
        return Ok(Some(org.id));
    }
    if check_quota(&org, taken).is_err() {
        tracing::warn!(organization_id = %org.id, user_id = %actor.user_id, "no free seat for a user of the organization's enterprise connection");
        return Ok(None);
    }
    let Some(user) = users::load_user(txn, &actor.user_id)
        .await
        .context("users::load_user")?
    else {
        return Ok(None);
    };
    let role = ctx.settings().organizations.default_role.clone();
    add_in(ctx, txn, By::Connection(actor), &org, &user, &role, None).await?;
    Ok(Some(org.id))
}

/// A member's new role and metadata (`None`: unchanged).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MembershipChange {
    pub role: Option<String>,
    /// Operators only.
    pub public_metadata: Option<Value>,
    /// Operators only.
    pub private_metadata: Option<Value>,
    /// As `OrganizationChange::merge_metadata`.
    #[serde(skip)]
    pub merge_metadata: bool,
}

/// Changes a member's role or metadata; the organization keeps an admin.
pub(crate) async fn change_member_in(
    ctx: &Ctx,
    by: By<'_>,
    org_id: &str,
    user_id: &str,
    change: MembershipChange,
) -> FlowResult<(MembershipRecord, Option<UserRecord>)> {
    let role = match &change.role {
        Some(key) => Some(role_named(ctx, key)?),
        None => None,
    };
    let tx = crate::store::begin(&ctx.db).await?;
    let result = async {
        let txn = &tx;
        let org = repo::lock(txn, org_id)
            .await
            .context("organizations::lock")?
            .ok_or_else(not_found)?;
        let mut m = repo::membership(txn, org_id, user_id)
            .await
            .context("organizations::membership")?
            .ok_or_else(|| ApiError::not_found("membership"))?;
        if let Some(role) = &role {
            if role.key != roles::ADMIN && !keeps_an_admin(txn, &m).await? {
                return Err(last_admin().into());
            }
            m.role = role.key.clone();
        }
        let merge = change.merge_metadata;
        let public = merged(&m.public_metadata, change.public_metadata, merge);
        if let Some(v) = crate::admin::metadata("public_metadata", public)? {
            m.public_metadata = v;
        }
        let private = merged(&m.private_metadata, change.private_metadata, merge);
        if let Some(v) = crate::admin::metadata("private_metadata", private)? {
            m.private_metadata = v;
        }
        m.updated_at = ctx.now();
        repo::update_membership(txn, &m)
            .await
            .context("organizations::update_membership")?;
        let record = MembershipRecord {
            organization: org,
            membership: m,
        };
        let user = users::load_user(txn, user_id)
            .await
            .context("users::load_user")?;
        announce(
            ctx,
            txn,
            by,
            "organizationMembership.updated",
            json!({ "organization_id": org_id, "user_id": user_id, "role": record.membership.role }),
            render::membership(ctx, &record, user.as_ref(), Audience::Operator),
        )
        .await?;
        Ok((record, user))
    }
    .await;
    finish(tx, result).await
}

/// Ends a membership (removed, or left); the organization keeps an admin.
pub(crate) async fn remove_member_in(
    ctx: &Ctx,
    by: By<'_>,
    org_id: &str,
    user_id: &str,
) -> FlowResult<(MembershipRecord, Option<UserRecord>)> {
    let tx = crate::store::begin(&ctx.db).await?;
    let result = async {
        let txn = &tx;
        let org = repo::lock(txn, org_id)
            .await
            .context("organizations::lock")?
            .ok_or_else(not_found)?;
        let m = repo::membership(txn, org_id, user_id)
            .await
            .context("organizations::membership")?
            .ok_or_else(|| ApiError::not_found("membership"))?;
        if !keeps_an_admin(txn, &m).await? {
            return Err(last_admin().into());
        }
        repo::delete_membership(txn, &m)
            .await
            .context("organizations::delete_membership")?;
        let mut org = org;
        org.members_count -= 1;
        let record = MembershipRecord {
            organization: org,
            membership: m,
        };
        let user = users::load_user(txn, user_id)
            .await
            .context("users::load_user")?;
        announce(
            ctx,
            txn,
            by,
            "organizationMembership.deleted",
            json!({ "organization_id": org_id, "user_id": user_id }),
            render::membership(ctx, &record, user.as_ref(), Audience::Operator),
        )
        .await?;
        Ok((record, user))
    }
    .await;
    finish(tx, result).await
}

/// A new invitation.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvitation {
    pub email_address: String,
    pub role: String,
    /// Email the invitee (default true).
    pub notify: Option<bool>,
    /// Operators only: who the email names as inviting.
    pub inviter_user_id: Option<String>,
    pub public_metadata: Option<Value>,
    pub private_metadata: Option<Value>,
}

/// Invites an email address in a role; the invitation holds a seat until it is accepted,
/// revoked or expires. The email carries a single-use link to accept it.
pub(crate) async fn invite_in(
    ctx: &Ctx,
    by: By<'_>,
    org_id: &str,
    input: NewInvitation,
) -> FlowResult<(InvitationRow, OrganizationRow)> {
    let email = EmailAddress::parse(&input.email_address)
        .map_err(|e| ApiError::from_parse("email_address", &e))?
        .as_ref()
        .to_owned();
    let role = role_named(ctx, &input.role)?;
    let now = ctx.now();
    let lifetime = ctx.settings().organizations.invitation_lifetime_secs;
    let token = crate::crypto::random_token();
    let inviter = match by {
        By::Member(me) => Some(me.user().user.id.clone()),
        By::Operator(_) | By::Connection(_) => input.inviter_user_id.clone(),
    };
    let inv = InvitationRow {
        id: new_id("orginv"),
        organization_id: org_id.to_owned(),
        email_address: email,
        role: role.key.clone(),
        status: PENDING.into(),
        token_hash: Some(ctx.tokens.hash(INVITATION_TICKET, &token)),
        public_metadata: crate::admin::metadata("public_metadata", input.public_metadata)?
            .unwrap_or_else(|| "{}".into()),
        private_metadata: crate::admin::metadata("private_metadata", input.private_metadata)?
            .unwrap_or_else(|| "{}".into()),
        inviter_user_id: inviter,
        expires_at: now + lifetime * 1000,
        created_at: now,
        updated_at: now,
    };
    let tx = crate::store::begin(&ctx.db).await?;
    let result = async {
        let txn = &tx;
        let (org, taken) = seats_taken(txn, org_id, now).await?;
        if let Some(uid) =
            users::find_user_id_by_identifier(txn, users::IdentifierKind::Email, &inv.email_address)
                .await
                .context("users::find_user_id_by_identifier")?
            && repo::membership(txn, &org.id, &uid)
                .await
                .context("organizations::membership")?
                .is_some()
        {
            return Err(already_member().into());
        }
        if repo::pending_for(txn, &org.id, &inv.email_address, now)
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
        repo::insert_invitation(txn, inv.clone())
            .await
            .context("organizations::insert_invitation")?;
        announce(
            ctx,
            txn,
            by,
            "organizationInvitation.created",
            json!({ "organization_id": org.id, "invitation_id": inv.id, "role": inv.role }),
            render::invitation(ctx, &inv, &org, Audience::Operator),
        )
        .await?;
        Ok(org)
    }
    .await;
    let org = finish(tx, result).await?;
    if input.notify.unwrap_or(true) {
        send_invitation(ctx, by, &org, &inv, &token).await;
    }
    Ok((inv, org))
}

/// The purpose an invitation ticket is hashed under.
const INVITATION_TICKET: &str = "org_invitation";

/// The hosted page an invitation link opens.
pub fn invitation_link(ctx: &Ctx, token: &str) -> String {
    format!(
        "{}/organizations/invitation?ticket={token}",
        ctx.settings().issuer()
    )
}

/// Emails the invitee a link to accept. A failed send is logged; the invitation stands and
/// shows in the invitee's list once they sign in with the address.
async fn send_invitation(
    ctx: &Ctx,
    by: By<'_>,
    org: &OrganizationRow,
    inv: &InvitationRow,
    token: &str,
) {
    let inviter = by
        .user()
        .map(|u| {
            let name = u.full_name().trim().to_owned();
            if name.is_empty() {
                u.primary_email()
                    .map_or_else(String::new, |e| e.email_address.clone())
            } else {
                name
            }
        })
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| ctx.delivery.app_name());
    // The invitee's language is not known: the inviter's is the best guess (a colleague).
    let locale = crate::verification::recipient_locale(
        by.user().and_then(|u| u.user.locale.as_deref()),
        None,
    );
    let days = (ctx.settings().organizations.invitation_lifetime_secs / 86_400).max(1);
    if let Err(e) = ctx
        .delivery
        .send_organization_invitation(
            &inv.email_address,
            locale,
            &inviter,
            &org.name,
            &invitation_link(ctx, token),
            days,
        )
        .await
    {
        tracing::warn!(invitation_id = %inv.id, error = %e, "organization invitation email not sent");
    }
}

/// Revokes a pending invitation of the organization.
pub(crate) async fn revoke_in(
    ctx: &Ctx,
    by: By<'_>,
    org: &OrganizationRow,
    invitation_id: &str,
) -> FlowResult<InvitationRow> {
    let now = ctx.now();
    let tx = crate::store::begin(&ctx.db).await?;
    let result = async {
        let txn = &tx;
        let inv = repo::invitation(txn, invitation_id)
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
            by,
            "organizationInvitation.revoked",
            json!({ "organization_id": org.id, "invitation_id": inv.id }),
            render::invitation(ctx, &inv, org, Audience::Operator),
        )
        .await?;
        Ok(inv)
    }
    .await;
    finish(tx, result).await
}

/// Spends a pending invitation and makes its invitee a member, in one transaction. The
/// caller has checked the invitee may take it (their verified address, or the link's ticket).
pub(crate) async fn join_in(
    ctx: &Ctx,
    by: By<'_>,
    inv: InvitationRow,
    user: &UserRecord,
) -> FlowResult<(InvitationRow, OrganizationRow)> {
    let now = ctx.now();
    let tx = crate::store::begin(&ctx.db).await?;
    let result = async {
        let txn = &tx;
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
        // The invitation held the seat the membership now takes.
        let record = add_in(ctx, txn, by, &org, user, &inv.role, None).await?;
        let inv = InvitationRow {
            status: ACCEPTED.into(),
            updated_at: now,
            ..inv
        };
        announce(
            ctx,
            txn,
            by,
            "organizationInvitation.accepted",
            json!({ "organization_id": org.id, "invitation_id": inv.id }),
            render::invitation(ctx, &inv, &org, Audience::Operator),
        )
        .await?;
        Ok((inv, record.organization))
    }
    .await;
    finish(tx, result).await
}

/// A pending invitation by the ticket of its link.
pub async fn invitation_by_ticket(
    ctx: &Ctx,
    ticket: &str,
) -> FlowResult<(InvitationRow, OrganizationRow)> {
    require_enabled(ctx)?;
    let invalid = || {
        ApiError::invalid_value(
            "ticket",
            "This invitation is invalid, has expired, or was already used.",
        )
    };
    if ticket.is_empty() || ticket.len() > 128 {
        return Err(invalid().into());
    }
    let hash = ctx.tokens.hash(INVITATION_TICKET, ticket);
    let inv = repo::invitation_by_token(&ctx.db, &hash)
        .await
        .context("organizations::invitation_by_token")?
        .filter(|i| render::invitation_status(i, ctx.now()) == PENDING)
        .ok_or_else(invalid)?;
    let org = repo::get(&ctx.db, &inv.organization_id)
        .await
        .context("organizations::get")?
        .ok_or_else(invalid)?;
    Ok((inv, org))
}

/// The signed-in user accepts the invitation a link names. The invited address must be one
/// of the user's verified addresses: a forwarded link lets nobody else in. Someone new signs
/// up with that address first, which verifies it.
pub async fn accept_by_ticket(ctx: &Ctx, me: &Me, ticket: &str) -> FlowResult<OrganizationRow> {
    let (inv, _) = invitation_by_ticket(ctx, ticket).await?;
    if !verified_emails(me).contains(&inv.email_address) {
        return Err(ApiError::new(
            ErrorCode::NotAllowedAccess,
            "Invitation for another address",
            format!(
                "This invitation is for {}. Sign in with that address, or add and verify it in \
                 your account, to accept it.",
                inv.email_address
            ),
        )
        .into());
    }
    let (_, org) = join_in(ctx, By::Member(me), inv, me.user()).await?;
    Ok(org)
}

/// Pending invitations to the caller's verified addresses, with their organizations (the
/// hosted organizations page).
pub async fn pending_for_me(
    ctx: &Ctx,
    me: &Me,
) -> FlowResult<Vec<(InvitationRow, OrganizationRow)>> {
    if !ctx.settings().organizations.enabled {
        return Ok(Vec::new());
    }
    domains::enroll(ctx, me.user()).await?;
    let emails = verified_emails(me);
    let (rows, _) = repo::invitations(&ctx.db, None, Some(&emails), &[PENDING], ctx.now(), 50, 0)
        .await
        .context("organizations::invitations")?;
    let mut out = Vec::with_capacity(rows.len());
    for inv in rows {
        if let Some(org) = repo::get(&ctx.db, &inv.organization_id)
            .await
            .context("organizations::get")?
        {
            out.push((inv, org));
        }
    }
    Ok(out)
}

/// The first members of an organization with their users, and its pending invitations, as
/// far as the caller's role lets them see (the hosted organization page).
pub async fn overview(
    ctx: &Ctx,
    a: &Acting,
) -> FlowResult<(Vec<(MembershipRow, Option<UserRecord>)>, Vec<InvitationRow>)> {
    let mut members = Vec::new();
    if a.role.permits(Permission::MembershipsRead) {
        let (rows, _) = repo::members(&ctx.db, &a.org.id, None, None, MAX_LIMIT, 0)
            .await
            .context("organizations::members")?;
        let ids: Vec<String> = rows.iter().map(|m| m.user_id.clone()).collect();
        let users = users::read_users(&ctx.db, &ids)
            .await
            .context("users::read_users")?;
        for m in rows {
            let user = users.iter().find(|u| u.user.id == m.user_id).cloned();
            members.push((m, user));
        }
    }
    let mut invitations = Vec::new();
    if a.role.permits(Permission::MembershipsManage) {
        invitations = repo::invitations(
            &ctx.db,
            Some(&a.org.id),
            None,
            &[PENDING],
            ctx.now(),
            MAX_LIMIT,
            0,
        )
        .await
        .context("organizations::invitations")?
        .0;
    }
    Ok((members, invitations))
}

/// A role key that must name a role of the instance.
fn role_named(ctx: &Ctx, key: &str) -> FlowResult<Role> {
    roles::find(&ctx.settings().organizations, key).ok_or_else(|| {
        ApiError::invalid_value("role", format!("{key:?} is not a role of this instance.")).into()
    })
}

/// One page of an organization's members, each with their user.
pub(crate) async fn members_page(
    ctx: &Ctx,
    org: &OrganizationRow,
    q: &Params,
    to: Audience,
) -> FlowResult<(Vec<Value>, u64, Page)> {
    let page = Page::from_query(q)?;
    let role = q.text("role")?;
    let query = q.text("query")?;
    let (rows, total) = repo::members(
        &ctx.db,
        &org.id,
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
                organization: org.clone(),
                membership: m,
            };
            render::membership(ctx, &record, user, to)
        })
        .collect();
    Ok((data, total, page))
}

/// One page of an organization's invitations.
pub(crate) async fn invitations_page(
    ctx: &Ctx,
    org: &OrganizationRow,
    q: &Params,
    to: Audience,
) -> FlowResult<Value> {
    let page = Page::from_query(q)?;
    let statuses = statuses(q)?;
    let (rows, total) = repo::invitations(
        &ctx.db,
        Some(&org.id),
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
        .map(|i| render::invitation(ctx, i, org, to))
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

// ---- the Frontend API: a member acting, their role checked first ----

/// `POST /v1/organizations`: a new organization with the caller as its first member, in the
/// creator role.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn create(ctx: &Ctx, me: &Me, params: &Params) -> FlowResult<Value> {
    require_enabled(ctx)?;
    params.only(CREATE_PARAMS)?;
    let org = create_in(
        ctx,
        By::Member(me),
        NewOrganization {
            name: params.required("name")?,
            slug: params.text("slug")?,
            creator: Some(me.user().user.id.clone()),
            max_allowed_memberships: None,
            public_metadata: None,
            private_metadata: None,
            creator_limit: true,
        },
    )
    .await?;
    Ok(render::organization(&org, Some(0), Audience::Members))
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
    let change = OrganizationChange {
        name: params.text("name")?,
        slug: params.text("slug")?,
        ..Default::default()
    };
    let org = change_in(ctx, By::Member(me), &a.org.id, change).await?;
    get(ctx, me, &org.id).await
}

/// `PUT /v1/organizations/{id}/logo` (an image) and `DELETE …/logo` (`None`).
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn set_logo(ctx: &Ctx, me: &Me, id: &str, image: Option<Vec<u8>>) -> FlowResult<Value> {
    let a = acting(ctx, me, id).await?;
    a.require(Permission::ProfileManage, "change the organization's logo")?;
    let org = logo_in(ctx, By::Member(me), &a.org.id, image).await?;
    get(ctx, me, &org.id).await
}

/// Replaces (or, with `None`, removes) an organization's logo: the new image is stored, the
/// old one removed and the organization changed in one transaction.
pub(crate) async fn logo_in(
    ctx: &Ctx,
    by: By<'_>,
    org_id: &str,
    image: Option<Vec<u8>>,
) -> FlowResult<OrganizationRow> {
    let tx = crate::store::begin(&ctx.db).await?;
    let result = async {
        let txn = &tx;
        let mut org = repo::lock(txn, org_id)
            .await
            .context("organizations::lock")?
            .ok_or_else(not_found)?;
        let new = match image {
            Some(bytes) => Some(crate::images::store_in(ctx, txn, "file", bytes).await?),
            None => None,
        };
        if let Some(old) = std::mem::replace(&mut org.image_url, new) {
            crate::images::remove_in(ctx, txn, &old).await?;
        }
        org.updated_at = ctx.now();
        repo::update(txn, &org)
            .await
            .context("organizations::update")?;
        announce(
            ctx,
            txn,
            by,
            "organization.updated",
            json!({ "organization_id": org.id, "logo": org.image_url.is_some() }),
            render::organization(&org, None, Audience::Operator),
        )
        .await?;
        Ok(org)
    }
    .await;
    finish(tx, result).await
}

/// `DELETE /v1/organizations/{id}`.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn delete(ctx: &Ctx, me: &Me, id: &str) -> FlowResult<Value> {
    let a = acting(ctx, me, id).await?;
    a.require(Permission::ProfileDelete, "delete the organization")?;
    if !a.org.admin_delete_enabled || !ctx.settings().organizations.admin_delete_enabled {
        return Err(not_allowed("delete it: deleting organizations is switched off").into());
    }
    delete_in(ctx, By::Member(me), &a.org.id).await?;
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

/// `GET /v1/organizations/{id}/memberships`.
pub async fn members(ctx: &Ctx, me: &Me, id: &str, q: &Params) -> FlowResult<Value> {
    q.only(MEMBERS_QUERY)?;
    Page::from_query(q)?;
    let a = acting(ctx, me, id).await?;
    a.require(Permission::MembershipsRead, "see its members")?;
    let (data, total, page) = members_page(ctx, &a.org, q, Audience::Members).await?;
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
    let change = MembershipChange {
        role: Some(params.required("role")?),
        ..Default::default()
    };
    let (record, user) = change_member_in(ctx, By::Member(me), &a.org.id, user_id, change).await?;
    Ok(render::membership(
        ctx,
        &record,
        user.as_ref(),
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
    let (record, user) = remove_member_in(ctx, By::Member(me), &a.org.id, user_id).await?;
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
    let (record, _) = remove_member_in(ctx, By::Member(me), &a.org.id, &me.user().user.id).await?;
    Ok(render::membership(
        ctx,
        &record,
        Some(me.user()),
        Audience::Members,
    ))
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

/// `POST /v1/organizations/{id}/invitations`.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn invite(ctx: &Ctx, me: &Me, id: &str, params: &Params) -> FlowResult<Value> {
    let a = acting(ctx, me, id).await?;
    a.require(Permission::MembershipsManage, "invite members")?;
    params.only(INVITE_PARAMS)?;
    let input = NewInvitation {
        email_address: params.required("email_address")?,
        role: params.required("role")?,
        notify: params.bool("notify")?,
        ..Default::default()
    };
    let (inv, org) = invite_in(ctx, By::Member(me), &a.org.id, input).await?;
    Ok(render::invitation(ctx, &inv, &org, Audience::Members))
}

/// `GET /v1/organizations/{id}/invitations`.
pub async fn invitations(ctx: &Ctx, me: &Me, id: &str, q: &Params) -> FlowResult<Value> {
    q.only(INVITATIONS_QUERY)?;
    let a = acting(ctx, me, id).await?;
    a.require(Permission::MembershipsManage, "see its invitations")?;
    invitations_page(ctx, &a.org, q, Audience::Members).await
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
    let inv = revoke_in(ctx, By::Member(me), &a.org, invitation_id).await?;
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
    domains::enroll(ctx, me.user()).await?;
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
    // Another user's invitation is as unknown as a missing one.
    let inv = repo::invitation(&ctx.db, invitation_id)
        .await
        .context("organizations::invitation")?
        .filter(|i| emails.contains(&i.email_address))
        .ok_or_else(|| ApiError::not_found("invitation"))?;
    let (inv, org) = join_in(ctx, By::Member(me), inv, me.user()).await?;
    Ok(render::invitation(ctx, &inv, &org, Audience::Members))
}

// ---- the active organization ----

/// Sets the organization a session acts for (`None`: the personal account). The session
/// token then carries it.
pub async fn activate(ctx: &Ctx, live: &LiveSession, id_or_slug: Option<&str>) -> FlowResult<()> {
    let org = match id_or_slug {
        None if selection_forced(ctx) => {
            return Err(ApiError::new(
                ErrorCode::NotAllowedAccess,
                "An organization is required",
                "Personal accounts are off here: choose one of your organizations.",
            )
            .into());
        }
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

/// After the user created or joined `org_id`: a session still waiting to choose an
/// organization now acts for that one (its task is done). True when it did.
pub async fn settle_choice(ctx: &Ctx, live: &LiveSession, org_id: &str) -> FlowResult<bool> {
    if !live.only_choosing_organization() {
        return Ok(false);
    }
    activate(ctx, live, Some(org_id)).await?;
    Ok(true)
}

/// Whether personal accounts are off: every session must act for an organization.
pub fn selection_forced(ctx: &Ctx) -> bool {
    let s = &ctx.settings().organizations;
    s.enabled && s.force_organization_selection
}

/// Whether a session must still choose an organization before it counts: personal accounts
/// are off and it acts for none of the user's organizations (none chosen yet, or the one it
/// had was left or deleted).
pub fn must_choose(ctx: &Ctx, row: &SessionRow, user: &UserRecord) -> bool {
    selection_forced(ctx)
        && !row
            .last_active_organization_id
            .as_deref()
            .is_some_and(|id| user.memberships.iter().any(|m| m.organization.id == id))
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
