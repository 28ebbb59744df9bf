//! Browser / native clients: the row behind the `__client` cookie or Bearer token.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, JoinType, QueryFilter,
    QuerySelect, RelationDef, Set, sea_query::Expr,
};

use super::entities::{browser_client, session};
use super::sessions::SessionRow;

pub use browser_client::Model as ClientRow;

/// The client whose token hashes to `token_hash`, with the row of its last active session
/// joined in (`None` when it has none): one statement. Most requests that name a client go on
/// to read that session (the authorization endpoint, session tokens, `/v1/me`).
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn find_by_token_hash(
    db: &impl ConnectionTrait,
    token_hash: &str,
) -> Result<Option<(ClientRow, Option<SessionRow>)>, DbErr> {
    // browser_clients -> sessions on sessions.id = browser_clients.last_active_session_id.
    let last_active: RelationDef = session::Entity::belongs_to(browser_client::Entity)
        .from(session::Column::Id)
        .to(browser_client::Column::LastActiveSessionId)
        .into();
    browser_client::Entity::find()
        .filter(browser_client::Column::TokenHash.eq(token_hash))
        .select_also(session::Entity)
        .join(JoinType::LeftJoin, last_active.rev())
        .one(db)
        .await
}

#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn get(db: &impl ConnectionTrait, id: &str) -> Result<Option<ClientRow>, DbErr> {
    browser_client::Entity::find_by_id(id.to_owned())
        .one(db)
        .await
}

#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn insert(
    db: &impl ConnectionTrait,
    id: &str,
    token_hash: &str,
    attempts: NewAttempts,
    now: i64,
) -> Result<ClientRow, DbErr> {
    browser_client::ActiveModel {
        id: Set(id.to_owned()),
        token_hash: Set(token_hash.to_owned()),
        sign_in_id: Set(attempts.sign_in_id),
        sign_up_id: Set(attempts.sign_up_id),
        last_active_session_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
}

/// The sign-in and sign-up a new client starts with (a client made for a new attempt is
/// written with it, in one statement).
#[derive(Debug, Default)]
pub struct NewAttempts {
    pub sign_in_id: Option<String>,
    pub sign_up_id: Option<String>,
}

/// What a flow changes on a client; `None` leaves a column alone, `Some(None)` clears it.
#[derive(Debug, Default)]
pub struct ClientChange {
    pub sign_in_id: Option<Option<String>>,
    pub sign_up_id: Option<Option<String>>,
    pub last_active_session_id: Option<Option<String>>,
    pub token_hash: Option<String>,
}

#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn update(
    db: &impl ConnectionTrait,
    id: &str,
    change: ClientChange,
    now: i64,
) -> Result<(), DbErr> {
    change_query(id, change, now).exec(db).await?;
    Ok(())
}

/// `update`, answering with the row as it now stands (`None`: no such client) from the same
/// statement (`RETURNING`), for a caller that renders the client next.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn update_returning(
    db: &impl ConnectionTrait,
    id: &str,
    change: ClientChange,
    now: i64,
) -> Result<Option<ClientRow>, DbErr> {
    Ok(change_query(id, change, now)
        .exec_with_returning(db)
        .await?
        .pop())
}

pub(crate) fn change_query(
    id: &str,
    change: ClientChange,
    now: i64,
) -> sea_orm::UpdateMany<browser_client::Entity> {
    let mut q = browser_client::Entity::update_many()
        .col_expr(browser_client::Column::UpdatedAt, Expr::value(now))
        .filter(browser_client::Column::Id.eq(id));
    if let Some(v) = change.sign_in_id {
        q = q.col_expr(browser_client::Column::SignInId, Expr::value(v));
    }
    if let Some(v) = change.sign_up_id {
        q = q.col_expr(browser_client::Column::SignUpId, Expr::value(v));
    }
    if let Some(v) = change.last_active_session_id {
        q = q.col_expr(browser_client::Column::LastActiveSessionId, Expr::value(v));
    }
    if let Some(v) = change.token_hash {
        q = q.col_expr(browser_client::Column::TokenHash, Expr::value(v));
    }
    q
}

/// A page of clients, newest first, and how many there are in all.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn page(
    db: &impl ConnectionTrait,
    limit: u64,
    offset: u64,
) -> Result<(Vec<ClientRow>, u64), DbErr> {
    use sea_orm::{PaginatorTrait, QueryOrder, QuerySelect};
    let rows = browser_client::Entity::find()
        .order_by_desc(browser_client::Column::CreatedAt)
        .order_by_desc(browser_client::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(db)
        .await?;
    let total = browser_client::Entity::find().count(db).await?;
    Ok((rows, total))
}
