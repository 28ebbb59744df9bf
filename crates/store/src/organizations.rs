//! Organizations, their memberships and their invitations.
//!
//! Every change to who belongs to an organization starts with [`lock`], which holds the
//! organization's row for the rest of the transaction: on PostgreSQL a row lock, on SQLite the
//! write lock every writing transaction takes. Two admins demoting each other at once, or two
//! invitations racing for the last seat, are then decided one after the other.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
    sea_query::{Expr, ExprTrait},
};

use super::entities::{organization, organization_invitation, organization_membership, session};

pub use organization::Model as OrganizationRow;
pub use organization_invitation::Model as InvitationRow;
pub use organization_membership::Model as MembershipRow;

pub const PENDING: &str = "pending";
pub const ACCEPTED: &str = "accepted";
pub const REVOKED: &str = "revoked";

/// A membership with its organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipRecord {
    pub membership: MembershipRow,
    pub organization: OrganizationRow,
}

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn insert(db: &impl ConnectionTrait, row: OrganizationRow) -> Result<(), DbErr> {
    organization::ActiveModel {
        id: Set(row.id),
        name: Set(row.name),
        slug: Set(row.slug),
        image_url: Set(row.image_url),
        public_metadata: Set(row.public_metadata),
        private_metadata: Set(row.private_metadata),
        max_allowed_memberships: Set(row.max_allowed_memberships),
        members_count: Set(row.members_count),
        admin_delete_enabled: Set(row.admin_delete_enabled),
        created_by: Set(row.created_by),
        created_at: Set(row.created_at),
        updated_at: Set(row.updated_at),
    }
    .insert(db)
    .await?;
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn get(db: &impl ConnectionTrait, id: &str) -> Result<Option<OrganizationRow>, DbErr> {
    organization::Entity::find_by_id(id.to_owned())
        .one(db)
        .await
}

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn get_by_slug(
    db: &impl ConnectionTrait,
    slug: &str,
) -> Result<Option<OrganizationRow>, DbErr> {
    organization::Entity::find()
        .filter(organization::Column::Slug.eq(slug))
        .one(db)
        .await
}

/// Holds the organization for the rest of the transaction and returns it as it is now.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn lock(db: &impl ConnectionTrait, id: &str) -> Result<Option<OrganizationRow>, DbErr> {
    // A write that changes nothing still takes the row lock (PostgreSQL) or the write lock
    // (SQLite), until commit.
    let res = organization::Entity::update_many()
        .col_expr(
            organization::Column::UpdatedAt,
            Expr::col(organization::Column::UpdatedAt),
        )
        .filter(organization::Column::Id.eq(id))
        .exec(db)
        .await?;
    if res.rows_affected == 0 {
        return Ok(None);
    }
    get(db, id).await
}

/// Writes an organization's editable fields as they are in `row`.
#[tracing::instrument(level = "debug", skip_all, fields(id = %row.id), err(level = "debug"))]
pub async fn update(db: &impl ConnectionTrait, row: &OrganizationRow) -> Result<(), DbErr> {
    organization::ActiveModel {
        id: Set(row.id.clone()),
        name: Set(row.name.clone()),
        slug: Set(row.slug.clone()),
        image_url: Set(row.image_url.clone()),
        public_metadata: Set(row.public_metadata.clone()),
        private_metadata: Set(row.private_metadata.clone()),
        max_allowed_memberships: Set(row.max_allowed_memberships),
        admin_delete_enabled: Set(row.admin_delete_enabled),
        updated_at: Set(row.updated_at),
        ..Default::default()
    }
    .update(db)
    .await?;
    Ok(())
}

/// Deletes an organization with its memberships, invitations, domains, suggestions and
/// membership requests, and makes it inactive in
/// every session that had it active.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn delete(db: &impl ConnectionTrait, id: &str) -> Result<(), DbErr> {
    organization_membership::Entity::delete_many()
        .filter(organization_membership::Column::OrganizationId.eq(id))
        .exec(db)
        .await?;
    organization_invitation::Entity::delete_many()
        .filter(organization_invitation::Column::OrganizationId.eq(id))
        .exec(db)
        .await?;
    organization_domain::Entity::delete_many()
        .filter(organization_domain::Column::OrganizationId.eq(id))
        .exec(db)
        .await?;
    organization_suggestion::Entity::delete_many()
        .filter(organization_suggestion::Column::OrganizationId.eq(id))
        .exec(db)
        .await?;
    organization_membership_request::Entity::delete_many()
        .filter(organization_membership_request::Column::OrganizationId.eq(id))
        .exec(db)
        .await?;
    clear_active(db, id, None).await?;
    organization::Entity::delete_by_id(id.to_owned())
        .exec(db)
        .await?;
    Ok(())
}

/// How many organizations `user_id` has created and still exist.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn count_created_by(db: &impl ConnectionTrait, user_id: &str) -> Result<u64, DbErr> {
    organization::Entity::find()
        .filter(organization::Column::CreatedBy.eq(user_id))
        .count(db)
        .await
}

/// One page of organizations, newest first, whose name or slug holds `query`.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn list(
    db: &impl ConnectionTrait,
    query: Option<&str>,
    limit: u64,
    offset: u64,
) -> Result<(Vec<OrganizationRow>, u64), DbErr> {
    let mut select = organization::Entity::find();
    if let Some(q) = query.map(str::trim).filter(|q| !q.is_empty()) {
        let like = format!(
            "%{}%",
            q.to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        let lower_like = |col: organization::Column| {
            Expr::expr(sea_orm::sea_query::Func::lower(Expr::col((
                organization::Entity,
                col,
            ))))
            .like(sea_orm::sea_query::LikeExpr::new(like.clone()).escape('\\'))
        };
        select = select.filter(
            Condition::any()
                .add(organization::Column::Id.eq(q))
                .add(lower_like(organization::Column::Name))
                .add(lower_like(organization::Column::Slug)),
        );
    }
    let total = select.clone().count(db).await?;
    let rows = select
        .order_by_desc(organization::Column::CreatedAt)
        .order_by_desc(organization::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(db)
        .await?;
    Ok((rows, total))
}

// ---- memberships ----

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn insert_membership(db: &impl ConnectionTrait, row: MembershipRow) -> Result<(), DbErr> {
    let org = row.organization_id.clone();
    organization_membership::ActiveModel {
        id: Set(row.id),
        organization_id: Set(row.organization_id),
        user_id: Set(row.user_id),
        role: Set(row.role),
        public_metadata: Set(row.public_metadata),
        private_metadata: Set(row.private_metadata),
        created_at: Set(row.created_at),
        updated_at: Set(row.updated_at),
    }
    .insert(db)
    .await?;
    count_members(db, &org, 1).await
}

async fn count_members(db: &impl ConnectionTrait, org: &str, delta: i32) -> Result<(), DbErr> {
    organization::Entity::update_many()
        .col_expr(
            organization::Column::MembersCount,
            Expr::col(organization::Column::MembersCount).add(delta),
        )
        .filter(organization::Column::Id.eq(org))
        .exec(db)
        .await?;
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn membership(
    db: &impl ConnectionTrait,
    org: &str,
    user_id: &str,
) -> Result<Option<MembershipRow>, DbErr> {
    organization_membership::Entity::find()
        .filter(organization_membership::Column::OrganizationId.eq(org))
        .filter(organization_membership::Column::UserId.eq(user_id))
        .one(db)
        .await
}

/// Writes a membership's role and metadata as they are in `row`.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn update_membership(
    db: &impl ConnectionTrait,
    row: &MembershipRow,
) -> Result<(), DbErr> {
    organization_membership::ActiveModel {
        id: Set(row.id.clone()),
        role: Set(row.role.clone()),
        public_metadata: Set(row.public_metadata.clone()),
        private_metadata: Set(row.private_metadata.clone()),
        updated_at: Set(row.updated_at),
        ..Default::default()
    }
    .update(db)
    .await?;
    Ok(())
}

/// Removes a membership; the user's sessions stop acting for the organization.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn delete_membership(
    db: &impl ConnectionTrait,
    row: &MembershipRow,
) -> Result<(), DbErr> {
    let res = organization_membership::Entity::delete_by_id(row.id.clone())
        .exec(db)
        .await?;
    if res.rows_affected > 0 {
        count_members(db, &row.organization_id, -1).await?;
    }
    clear_active(db, &row.organization_id, Some(&row.user_id)).await
}

/// How many members hold `role`.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn count_with_role(
    db: &impl ConnectionTrait,
    org: &str,
    role: &str,
) -> Result<u64, DbErr> {
    organization_membership::Entity::find()
        .filter(organization_membership::Column::OrganizationId.eq(org))
        .filter(organization_membership::Column::Role.eq(role))
        .count(db)
        .await
}

/// Which of `roles` a member in any organization, or a pending invitation, still holds.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn roles_in_use(
    db: &impl ConnectionTrait,
    roles: &[String],
    now: i64,
) -> Result<Vec<String>, DbErr> {
    let mut used = Vec::new();
    for role in roles {
        let members = organization_membership::Entity::find()
            .filter(organization_membership::Column::Role.eq(role.as_str()))
            .count(db)
            .await?;
        let invited = organization_invitation::Entity::find()
            .filter(organization_invitation::Column::Role.eq(role.as_str()))
            .filter(by_status(PENDING, now))
            .count(db)
            .await?;
        if members + invited > 0 {
            used.push(role.clone());
        }
    }
    Ok(used)
}

/// One page of every membership of every organization, newest first (or oldest first with
/// `oldest_first`), and how many there are.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn all_members(
    db: &impl ConnectionTrait,
    oldest_first: bool,
    limit: u64,
    offset: u64,
) -> Result<(Vec<MembershipRow>, u64), DbErr> {
    let select = organization_membership::Entity::find();
    let total = select.clone().count(db).await?;
    let order = if oldest_first {
        sea_orm::Order::Asc
    } else {
        sea_orm::Order::Desc
    };
    let rows = select
        .order_by(organization_membership::Column::CreatedAt, order.clone())
        .order_by(organization_membership::Column::Id, order)
        .limit(limit)
        .offset(offset)
        .all(db)
        .await?;
    Ok((rows, total))
}

/// One page of an organization's memberships, oldest first, optionally only those with
/// `role` or whose user matches `query`.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn members(
    db: &impl ConnectionTrait,
    org: &str,
    role: Option<&str>,
    query: Option<&str>,
    limit: u64,
    offset: u64,
) -> Result<(Vec<MembershipRow>, u64), DbErr> {
    let mut select = organization_membership::Entity::find()
        .filter(organization_membership::Column::OrganizationId.eq(org));
    if let Some(role) = role {
        select = select.filter(organization_membership::Column::Role.eq(role));
    }
    if let Some(q) = query.map(str::trim).filter(|q| !q.is_empty()) {
        let users = sea_orm::sea_query::Query::select()
            .column((
                super::entities::user::Entity,
                super::entities::user::Column::Id,
            ))
            .from(super::entities::user::Entity)
            .cond_where(super::admin::user_matches(q))
            .to_owned();
        select = select.filter(organization_membership::Column::UserId.in_subquery(users));
    }
    let total = select.clone().count(db).await?;
    let rows = select
        .order_by_asc(organization_membership::Column::CreatedAt)
        .order_by_asc(organization_membership::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(db)
        .await?;
    Ok((rows, total))
}

/// The memberships of these users, each with its organization, oldest first.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn memberships_of_users(
    db: &impl ConnectionTrait,
    user_ids: &[String],
) -> Result<Vec<MembershipRecord>, DbErr> {
    let rows = organization_membership::Entity::find()
        .filter(organization_membership::Column::UserId.is_in(user_ids.iter().cloned()))
        .order_by_asc(organization_membership::Column::CreatedAt)
        .all(db)
        .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let orgs: std::collections::HashMap<String, OrganizationRow> = organization::Entity::find()
        .filter(organization::Column::Id.is_in(rows.iter().map(|m| m.organization_id.clone())))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id.clone(), o))
        .collect();
    Ok(rows
        .into_iter()
        .filter_map(|m| {
            orgs.get(&m.organization_id).map(|o| MembershipRecord {
                organization: o.clone(),
                membership: m,
            })
        })
        .collect())
}

/// Sets the organization a session acts for.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn set_active(
    db: &impl ConnectionTrait,
    session_id: &str,
    org: Option<&str>,
    now: i64,
) -> Result<(), DbErr> {
    session::Entity::update_many()
        .col_expr(
            session::Column::LastActiveOrganizationId,
            Expr::value(org.map(str::to_owned)),
        )
        .col_expr(session::Column::UpdatedAt, Expr::value(now))
        .filter(session::Column::Id.eq(session_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Sessions (of `user_id`, or of everyone) acting for `org` go back to the personal account.
async fn clear_active(
    db: &impl ConnectionTrait,
    org: &str,
    user_id: Option<&str>,
) -> Result<(), DbErr> {
    let mut update = session::Entity::update_many()
        .col_expr(
            session::Column::LastActiveOrganizationId,
            Expr::value(Option::<String>::None),
        )
        .filter(session::Column::LastActiveOrganizationId.eq(org));
    if let Some(u) = user_id {
        update = update.filter(session::Column::UserId.eq(u));
    }
    update.exec(db).await?;
    Ok(())
}

// ---- invitations ----

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn insert_invitation(db: &impl ConnectionTrait, row: InvitationRow) -> Result<(), DbErr> {
    organization_invitation::ActiveModel {
        id: Set(row.id),
        organization_id: Set(row.organization_id),
        email_address: Set(row.email_address),
        role: Set(row.role),
        status: Set(row.status),
        token_hash: Set(row.token_hash),
        public_metadata: Set(row.public_metadata),
        private_metadata: Set(row.private_metadata),
        inviter_user_id: Set(row.inviter_user_id),
        expires_at: Set(row.expires_at),
        created_at: Set(row.created_at),
        updated_at: Set(row.updated_at),
    }
    .insert(db)
    .await?;
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn invitation(
    db: &impl ConnectionTrait,
    id: &str,
) -> Result<Option<InvitationRow>, DbErr> {
    organization_invitation::Entity::find_by_id(id.to_owned())
        .one(db)
        .await
}

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn invitation_by_token(
    db: &impl ConnectionTrait,
    token_hash: &str,
) -> Result<Option<InvitationRow>, DbErr> {
    organization_invitation::Entity::find()
        .filter(organization_invitation::Column::TokenHash.eq(token_hash))
        .one(db)
        .await
}

/// The invitation filter a status names: a pending invitation past its expiry is `expired`.
fn by_status(status: &str, now: i64) -> Condition {
    match status {
        "expired" => Condition::all()
            .add(organization_invitation::Column::Status.eq(PENDING))
            .add(organization_invitation::Column::ExpiresAt.lte(now)),
        PENDING => Condition::all()
            .add(organization_invitation::Column::Status.eq(PENDING))
            .add(organization_invitation::Column::ExpiresAt.gt(now)),
        other => Condition::all().add(organization_invitation::Column::Status.eq(other)),
    }
}

/// One page of invitations, newest first: of an organization or to some email addresses,
/// in some statuses (none: all).
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn invitations(
    db: &impl ConnectionTrait,
    org: Option<&str>,
    emails: Option<&[String]>,
    statuses: &[&str],
    now: i64,
    limit: u64,
    offset: u64,
) -> Result<(Vec<InvitationRow>, u64), DbErr> {
    let mut select = organization_invitation::Entity::find();
    if let Some(org) = org {
        select = select.filter(organization_invitation::Column::OrganizationId.eq(org));
    }
    if let Some(emails) = emails {
        select = select
            .filter(organization_invitation::Column::EmailAddress.is_in(emails.iter().cloned()));
    }
    if !statuses.is_empty() {
        select = select.filter(
            statuses
                .iter()
                .fold(Condition::any(), |c, s| c.add(by_status(s, now))),
        );
    }
    let total = select.clone().count(db).await?;
    let rows = select
        .order_by_desc(organization_invitation::Column::CreatedAt)
        .order_by_desc(organization_invitation::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(db)
        .await?;
    Ok((rows, total))
}

/// Pending, unexpired invitations of an organization (they hold a seat).
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn count_pending(db: &impl ConnectionTrait, org: &str, now: i64) -> Result<u64, DbErr> {
    organization_invitation::Entity::find()
        .filter(organization_invitation::Column::OrganizationId.eq(org))
        .filter(by_status(PENDING, now))
        .count(db)
        .await
}

/// A pending, unexpired invitation of `org` to `email`, if there is one.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn pending_for(
    db: &impl ConnectionTrait,
    org: &str,
    email: &str,
    now: i64,
) -> Result<Option<InvitationRow>, DbErr> {
    organization_invitation::Entity::find()
        .filter(organization_invitation::Column::OrganizationId.eq(org))
        .filter(organization_invitation::Column::EmailAddress.eq(email))
        .filter(by_status(PENDING, now))
        .one(db)
        .await
}

/// Moves a pending, unexpired invitation to `status`; false when it was not pending any more
/// (accepted, revoked or expired meanwhile): each invitation is spent once.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn settle_invitation(
    db: &impl ConnectionTrait,
    id: &str,
    status: &str,
    now: i64,
) -> Result<bool, DbErr> {
    let res = organization_invitation::Entity::update_many()
        .col_expr(organization_invitation::Column::Status, Expr::value(status))
        .col_expr(organization_invitation::Column::UpdatedAt, Expr::value(now))
        .filter(organization_invitation::Column::Id.eq(id))
        .filter(by_status(PENDING, now))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

// ---- domains, suggestions and membership requests ----

pub use super::entities::organization_domain::Model as DomainRow;
pub use super::entities::organization_membership_request::Model as RequestRow;
pub use super::entities::organization_suggestion::Model as SuggestionRow;
use super::entities::{
    organization_domain, organization_membership_request, organization_suggestion,
};

pub const REJECTED: &str = "rejected";

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn insert_domain(db: &impl ConnectionTrait, row: DomainRow) -> Result<(), DbErr> {
    organization_domain::ActiveModel {
        id: Set(row.id),
        organization_id: Set(row.organization_id),
        name: Set(row.name),
        enrollment_mode: Set(row.enrollment_mode),
        affiliation_email_address: Set(row.affiliation_email_address),
        verified_at: Set(row.verified_at),
        created_at: Set(row.created_at),
        updated_at: Set(row.updated_at),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// A domain of the organization `org`.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn domain(
    db: &impl ConnectionTrait,
    org: &str,
    id: &str,
) -> Result<Option<DomainRow>, DbErr> {
    organization_domain::Entity::find_by_id(id.to_owned())
        .filter(organization_domain::Column::OrganizationId.eq(org))
        .one(db)
        .await
}

/// Writes a domain's mode, affiliation address and verification as they are in `row`.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn update_domain(db: &impl ConnectionTrait, row: &DomainRow) -> Result<(), DbErr> {
    organization_domain::ActiveModel {
        id: Set(row.id.clone()),
        enrollment_mode: Set(row.enrollment_mode.clone()),
        affiliation_email_address: Set(row.affiliation_email_address.clone()),
        verified_at: Set(row.verified_at),
        updated_at: Set(row.updated_at),
        ..Default::default()
    }
    .update(db)
    .await?;
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn delete_domain(db: &impl ConnectionTrait, id: &str) -> Result<(), DbErr> {
    organization_domain::Entity::delete_by_id(id.to_owned())
        .exec(db)
        .await?;
    Ok(())
}

/// One page of an organization's domains, oldest first.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn domains(
    db: &impl ConnectionTrait,
    org: &str,
    verified: Option<bool>,
    mode: Option<&str>,
    limit: u64,
    offset: u64,
) -> Result<(Vec<DomainRow>, u64), DbErr> {
    let mut select = organization_domain::Entity::find()
        .filter(organization_domain::Column::OrganizationId.eq(org));
    match verified {
        Some(true) => select = select.filter(organization_domain::Column::VerifiedAt.is_not_null()),
        Some(false) => select = select.filter(organization_domain::Column::VerifiedAt.is_null()),
        None => {}
    }
    if let Some(mode) = mode {
        select = select.filter(organization_domain::Column::EnrollmentMode.eq(mode));
    }
    let total = select.clone().count(db).await?;
    let rows = select
        .order_by_asc(organization_domain::Column::CreatedAt)
        .order_by_asc(organization_domain::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(db)
        .await?;
    Ok((rows, total))
}

/// Verified domains with these names, in any organization.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn verified_domains_named(
    db: &impl ConnectionTrait,
    names: &[String],
) -> Result<Vec<DomainRow>, DbErr> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    organization_domain::Entity::find()
        .filter(organization_domain::Column::Name.is_in(names.iter().cloned()))
        .filter(organization_domain::Column::VerifiedAt.is_not_null())
        .all(db)
        .await
}

/// A suggestion of `org` to `user_id`, made once: an existing one (whatever its status) is
/// kept.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn suggest(db: &impl ConnectionTrait, row: SuggestionRow) -> Result<(), DbErr> {
    let exists = organization_suggestion::Entity::find()
        .filter(organization_suggestion::Column::OrganizationId.eq(row.organization_id.clone()))
        .filter(organization_suggestion::Column::UserId.eq(row.user_id.clone()))
        .one(db)
        .await?
        .is_some();
    if exists {
        return Ok(());
    }
    let res = organization_suggestion::ActiveModel {
        id: Set(row.id),
        organization_id: Set(row.organization_id),
        user_id: Set(row.user_id),
        status: Set(row.status),
        created_at: Set(row.created_at),
        updated_at: Set(row.updated_at),
    }
    .insert(db)
    .await;
    match res {
        // Made meanwhile by a parallel request: the same suggestion.
        Err(e) if super::is_unique_violation(&e) => Ok(()),
        other => other.map(|_| ()),
    }
}

/// One page of a user's suggestions, newest first.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn suggestions_of(
    db: &impl ConnectionTrait,
    user_id: &str,
    statuses: &[&str],
    limit: u64,
    offset: u64,
) -> Result<(Vec<SuggestionRow>, u64), DbErr> {
    let mut select = organization_suggestion::Entity::find()
        .filter(organization_suggestion::Column::UserId.eq(user_id));
    if !statuses.is_empty() {
        select = select.filter(
            organization_suggestion::Column::Status.is_in(statuses.iter().map(|s| s.to_string())),
        );
    }
    let total = select.clone().count(db).await?;
    let rows = select
        .order_by_desc(organization_suggestion::Column::CreatedAt)
        .order_by_desc(organization_suggestion::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(db)
        .await?;
    Ok((rows, total))
}

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn suggestion(
    db: &impl ConnectionTrait,
    id: &str,
) -> Result<Option<SuggestionRow>, DbErr> {
    organization_suggestion::Entity::find_by_id(id.to_owned())
        .one(db)
        .await
}

/// Moves a suggestion from pending to `status`; false when it was not pending.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn settle_suggestion(
    db: &impl ConnectionTrait,
    id: &str,
    status: &str,
    now: i64,
) -> Result<bool, DbErr> {
    let res = organization_suggestion::Entity::update_many()
        .col_expr(organization_suggestion::Column::Status, Expr::value(status))
        .col_expr(organization_suggestion::Column::UpdatedAt, Expr::value(now))
        .filter(organization_suggestion::Column::Id.eq(id))
        .filter(organization_suggestion::Column::Status.eq(PENDING))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

/// A user's request to join `org` is pending again (or for the first time).
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn request_to_join(
    db: &impl ConnectionTrait,
    id: &str,
    org: &str,
    user_id: &str,
    now: i64,
) -> Result<RequestRow, DbErr> {
    if let Some(mut r) = organization_membership_request::Entity::find()
        .filter(organization_membership_request::Column::OrganizationId.eq(org))
        .filter(organization_membership_request::Column::UserId.eq(user_id))
        .one(db)
        .await?
    {
        organization_membership_request::Entity::update_many()
            .col_expr(
                organization_membership_request::Column::Status,
                Expr::value(PENDING),
            )
            .col_expr(
                organization_membership_request::Column::UpdatedAt,
                Expr::value(now),
            )
            .filter(organization_membership_request::Column::Id.eq(r.id.clone()))
            .exec(db)
            .await?;
        r.status = PENDING.into();
        r.updated_at = now;
        return Ok(r);
    }
    let row = RequestRow {
        id: id.to_owned(),
        organization_id: org.to_owned(),
        user_id: user_id.to_owned(),
        status: PENDING.into(),
        created_at: now,
        updated_at: now,
    };
    organization_membership_request::ActiveModel {
        id: Set(row.id.clone()),
        organization_id: Set(row.organization_id.clone()),
        user_id: Set(row.user_id.clone()),
        status: Set(row.status.clone()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(row)
}

/// A membership request of the organization `org`.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn request(
    db: &impl ConnectionTrait,
    org: &str,
    id: &str,
) -> Result<Option<RequestRow>, DbErr> {
    organization_membership_request::Entity::find_by_id(id.to_owned())
        .filter(organization_membership_request::Column::OrganizationId.eq(org))
        .one(db)
        .await
}

/// One page of an organization's membership requests, newest first.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn requests(
    db: &impl ConnectionTrait,
    org: &str,
    status: Option<&str>,
    limit: u64,
    offset: u64,
) -> Result<(Vec<RequestRow>, u64), DbErr> {
    let mut select = organization_membership_request::Entity::find()
        .filter(organization_membership_request::Column::OrganizationId.eq(org));
    if let Some(s) = status {
        select = select.filter(organization_membership_request::Column::Status.eq(s));
    }
    let total = select.clone().count(db).await?;
    let rows = select
        .order_by_desc(organization_membership_request::Column::CreatedAt)
        .order_by_desc(organization_membership_request::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(db)
        .await?;
    Ok((rows, total))
}

/// Moves a pending request to `status`; false when it was not pending.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn settle_request(
    db: &impl ConnectionTrait,
    id: &str,
    status: &str,
    now: i64,
) -> Result<bool, DbErr> {
    let res = organization_membership_request::Entity::update_many()
        .col_expr(
            organization_membership_request::Column::Status,
            Expr::value(status),
        )
        .col_expr(
            organization_membership_request::Column::UpdatedAt,
            Expr::value(now),
        )
        .filter(organization_membership_request::Column::Id.eq(id))
        .filter(organization_membership_request::Column::Status.eq(PENDING))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}
