//! Invitations and sign-in tokens.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
    sea_query::Expr,
};

use super::entities::ticket;

pub use ticket::Model as TicketRow;

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn insert(db: &impl ConnectionTrait, row: TicketRow) -> Result<(), DbErr> {
    ticket::ActiveModel {
        id: Set(row.id),
        token_hash: Set(row.token_hash),
        kind: Set(row.kind),
        email_address: Set(row.email_address),
        user_id: Set(row.user_id),
        expires_at: Set(row.expires_at),
        used_at: Set(row.used_at),
        revoked_at: Set(row.revoked_at),
        created_at: Set(row.created_at),
        detail: Set(row.detail),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Spends the ticket with this token hash, when it is unused and unexpired; of two requests
/// racing for it, one gets it.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn spend(
    db: &impl ConnectionTrait,
    token_hash: &str,
    now: i64,
) -> Result<Option<TicketRow>, DbErr> {
    let spent = ticket::Entity::update_many()
        .col_expr(ticket::Column::UsedAt, Expr::value(now))
        .filter(ticket::Column::TokenHash.eq(token_hash))
        .filter(ticket::Column::UsedAt.is_null())
        .filter(ticket::Column::RevokedAt.is_null())
        .filter(ticket::Column::ExpiresAt.gt(now))
        .exec(db)
        .await?
        .rows_affected;
    if spent != 1 {
        return Ok(None);
    }
    ticket::Entity::find()
        .filter(ticket::Column::TokenHash.eq(token_hash))
        .one(db)
        .await
}

/// The ticket with this token hash, spent or not.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn find(db: &impl ConnectionTrait, token_hash: &str) -> Result<Option<TicketRow>, DbErr> {
    ticket::Entity::find()
        .filter(ticket::Column::TokenHash.eq(token_hash))
        .one(db)
        .await
}

/// Revokes an unused ticket of `kind`; returns it, or None when there is no such ticket or
/// it was already used or revoked.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id, kind = %kind), err(level = "debug"))]
pub async fn revoke(
    db: &impl ConnectionTrait,
    id: &str,
    kind: &str,
    now: i64,
) -> Result<Option<TicketRow>, DbErr> {
    let n = ticket::Entity::update_many()
        .col_expr(ticket::Column::RevokedAt, Expr::value(now))
        .filter(ticket::Column::Id.eq(id))
        .filter(ticket::Column::Kind.eq(kind))
        .filter(ticket::Column::UsedAt.is_null())
        .filter(ticket::Column::RevokedAt.is_null())
        .exec(db)
        .await?
        .rows_affected;
    if n != 1 {
        return Ok(None);
    }
    ticket::Entity::find_by_id(id.to_owned()).one(db).await
}

/// Tickets of `kind`, newest first.
#[tracing::instrument(level = "debug", skip_all, fields(kind = %kind), err(level = "debug"))]
pub async fn list(
    db: &impl ConnectionTrait,
    kind: &str,
    limit: u64,
) -> Result<Vec<TicketRow>, DbErr> {
    use sea_orm::{QueryOrder, QuerySelect};
    ticket::Entity::find()
        .filter(ticket::Column::Kind.eq(kind))
        .order_by_desc(ticket::Column::CreatedAt)
        .limit(limit)
        .all(db)
        .await
}

/// Which tickets a listing wants by state, as of `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketState {
    Pending,
    Accepted,
    Revoked,
    Expired,
}

/// A page of tickets of `kind`, newest first, optionally in one state or for addresses
/// holding `query`; with how many match in all.
#[tracing::instrument(level = "debug", skip_all, fields(kind = %kind), err(level = "debug"))]
pub async fn page(
    db: &impl ConnectionTrait,
    kind: &str,
    state: Option<TicketState>,
    query: Option<&str>,
    (limit, offset): (u64, u64),
    now: i64,
) -> Result<(Vec<TicketRow>, u64), DbErr> {
    use sea_orm::sea_query::ExprTrait;
    use sea_orm::{PaginatorTrait, QueryOrder, QuerySelect};
    let mut q = ticket::Entity::find().filter(ticket::Column::Kind.eq(kind));
    q = match state {
        None => q,
        Some(TicketState::Accepted) => q.filter(ticket::Column::UsedAt.is_not_null()),
        Some(TicketState::Revoked) => q.filter(ticket::Column::RevokedAt.is_not_null()),
        Some(s) => {
            let q = q
                .filter(ticket::Column::UsedAt.is_null())
                .filter(ticket::Column::RevokedAt.is_null());
            if s == TicketState::Pending {
                q.filter(ticket::Column::ExpiresAt.gt(now))
            } else {
                q.filter(ticket::Column::ExpiresAt.lte(now))
            }
        }
    };
    if let Some(text) = query.map(str::trim).filter(|t| !t.is_empty()) {
        let escaped = text
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        q = q.filter(
            Expr::col(ticket::Column::EmailAddress)
                .like(sea_orm::sea_query::LikeExpr::new(format!("%{escaped}%")).escape('\\')),
        );
    }
    let total = q.clone().count(db).await?;
    let rows = q
        .order_by_desc(ticket::Column::CreatedAt)
        .order_by_desc(ticket::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(db)
        .await?;
    Ok((rows, total))
}

/// A ticket by id, of `kind`.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn get(
    db: &impl ConnectionTrait,
    id: &str,
    kind: &str,
) -> Result<Option<TicketRow>, DbErr> {
    ticket::Entity::find_by_id(id.to_owned())
        .filter(ticket::Column::Kind.eq(kind))
        .one(db)
        .await
}
