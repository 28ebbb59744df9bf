//! Sessions: one signed-in user on one client.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set, sea_query::Expr,
};

use super::entities::session;

pub use session::Model as SessionRow;

pub use portcullis_domain::SessionStatus;

pub const ACTIVE: &str = SessionStatus::Active.as_str();
/// Signed in, but with a task left before the session counts (setting up a second factor
/// when `[auth] mfa_required`).
pub const PENDING: &str = SessionStatus::Pending.as_str();

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn insert(db: &impl ConnectionTrait, row: SessionRow) -> Result<(), DbErr> {
    session::ActiveModel {
        id: Set(row.id),
        client_id: Set(row.client_id),
        user_id: Set(row.user_id),
        status: Set(row.status),
        factors: Set(row.factors),
        first_factor_at: Set(row.first_factor_at),
        second_factor_at: Set(row.second_factor_at),
        last_active_at: Set(row.last_active_at),
        expire_at: Set(row.expire_at),
        abandon_at: Set(row.abandon_at),
        last_active_organization_id: Set(row.last_active_organization_id),
        actor: Set(row.actor),
        created_at: Set(row.created_at),
        updated_at: Set(row.updated_at),
    }
    .insert(db)
    .await?;
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn get(db: &impl ConnectionTrait, id: &str) -> Result<Option<SessionRow>, DbErr> {
    session::Entity::find_by_id(id.to_owned()).one(db).await
}

/// Sessions of a client still marked active or pending (their expiry is checked by the
/// caller, who knows the time).
#[tracing::instrument(level = "debug", skip_all, fields(client_id = %client_id), err(level = "debug"))]
pub async fn active_for_client(
    db: &impl ConnectionTrait,
    client_id: &str,
) -> Result<Vec<SessionRow>, DbErr> {
    session::Entity::find()
        .filter(session::Column::ClientId.eq(client_id))
        .filter(session::Column::Status.is_in([ACTIVE, PENDING]))
        .order_by_desc(session::Column::CreatedAt)
        .all(db)
        .await
}

#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn set_status(
    db: &impl ConnectionTrait,
    id: &str,
    status: SessionStatus,
    now: i64,
) -> Result<(), DbErr> {
    session::Entity::update_many()
        .col_expr(session::Column::Status, Expr::value(status.as_str()))
        .col_expr(session::Column::UpdatedAt, Expr::value(now))
        .filter(session::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Moves a session's verification times forward after it verified again; `None` leaves one.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn set_verified_at(
    db: &impl ConnectionTrait,
    id: &str,
    first_factor_at: Option<i64>,
    second_factor_at: Option<i64>,
    now: i64,
) -> Result<(), DbErr> {
    let mut q = session::Entity::update_many()
        .col_expr(session::Column::UpdatedAt, Expr::value(now))
        .filter(session::Column::Id.eq(id));
    if let Some(at) = first_factor_at {
        q = q.col_expr(session::Column::FirstFactorAt, Expr::value(at));
    }
    if let Some(at) = second_factor_at {
        q = q.col_expr(session::Column::SecondFactorAt, Expr::value(at));
    }
    q.exec(db).await?;
    Ok(())
}

/// Adds `strategy` to the factors a session has verified (a JSON array), once: a second
/// factor proven after sign-in (a step-up) counts in the session's `amr` from then on.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn add_factor(db: &impl ConnectionTrait, id: &str, strategy: &str) -> Result<(), DbErr> {
    let Some(row) = get(db, id).await? else {
        return Ok(());
    };
    let mut factors: Vec<String> = serde_json::from_str(&row.factors).unwrap_or_default();
    if factors.iter().any(|f| f == strategy) {
        return Ok(());
    }
    factors.push(strategy.to_owned());
    let encoded = serde_json::to_string(&factors).map_err(|e| DbErr::Custom(e.to_string()))?;
    session::Entity::update_many()
        .col_expr(session::Column::Factors, Expr::value(encoded))
        .filter(session::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Ends every active session of a client (sign out everywhere on this device).
#[tracing::instrument(level = "debug", skip_all, fields(client_id = %client_id), err(level = "debug"))]
pub async fn end_all_for_client(
    db: &impl ConnectionTrait,
    client_id: &str,
    status: SessionStatus,
    now: i64,
) -> Result<(), DbErr> {
    session::Entity::update_many()
        .col_expr(session::Column::Status, Expr::value(status.as_str()))
        .col_expr(session::Column::UpdatedAt, Expr::value(now))
        .filter(session::Column::ClientId.eq(client_id))
        .filter(session::Column::Status.eq(ACTIVE))
        .exec(db)
        .await?;
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn touch(
    db: &impl ConnectionTrait,
    id: &str,
    now: i64,
    expire_at: i64,
) -> Result<(), DbErr> {
    session::Entity::update_many()
        .col_expr(session::Column::LastActiveAt, Expr::value(now))
        .col_expr(session::Column::ExpireAt, Expr::value(expire_at))
        .col_expr(session::Column::UpdatedAt, Expr::value(now))
        .filter(session::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// The user's active (and pending) sessions on every client, newest first.
#[tracing::instrument(level = "debug", skip_all, fields(user_id = %user_id), err(level = "debug"))]
pub async fn active_for_user(
    db: &impl ConnectionTrait,
    user_id: &str,
) -> Result<Vec<SessionRow>, DbErr> {
    session::Entity::find()
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::Status.is_in([ACTIVE, PENDING]))
        .order_by_desc(session::Column::LastActiveAt)
        .all(db)
        .await
}

/// Every session of a user, of a client, or of that user on that client, newest first, at
/// most `cap` of them (the Backend API filters their effective status itself).
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn of_user_or_client(
    db: &impl ConnectionTrait,
    user_id: Option<&str>,
    client_id: Option<&str>,
    cap: u64,
) -> Result<Vec<SessionRow>, DbErr> {
    use sea_orm::QuerySelect;
    let mut q = session::Entity::find()
        .order_by_desc(session::Column::CreatedAt)
        .order_by_desc(session::Column::Id)
        .limit(cap);
    if let Some(u) = user_id {
        q = q.filter(session::Column::UserId.eq(u));
    }
    if let Some(c) = client_id {
        q = q.filter(session::Column::ClientId.eq(c));
    }
    q.all(db).await
}

/// Every session of these clients, newest first, in one query (a page of clients with
/// their sessions).
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn of_clients(
    db: &impl ConnectionTrait,
    client_ids: &[String],
) -> Result<Vec<SessionRow>, DbErr> {
    if client_ids.is_empty() {
        return Ok(Vec::new());
    }
    session::Entity::find()
        .filter(session::Column::ClientId.is_in(client_ids.iter().cloned()))
        .order_by_desc(session::Column::CreatedAt)
        .order_by_desc(session::Column::Id)
        .all(db)
        .await
}
