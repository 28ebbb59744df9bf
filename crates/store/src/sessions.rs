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

/// What opening a session writes besides its row: the client's change (it points at the new
/// session, forgets the attempt that made it, maybe takes a new token) and, when given, the
/// audit event that says so.
pub struct Opening {
    pub session: SessionRow,
    pub client: super::clients::ClientChange,
    pub audit: Option<super::factors::NewAuditEvent>,
}

/// How [`open`] went.
#[derive(Debug)]
pub enum Opened {
    /// Written; the client as the same write left it (`None`: the client is gone).
    Open(Option<super::clients::ClientRow>),
    /// The user is banned or locked (`(banned, locked)`): nothing was written.
    Refused { banned: bool, locked: bool },
    /// There is no such user: nothing was written.
    NoUser,
}

/// Opens a session for `opening.session.user_id`, unless an operator banned or locked the
/// user: records the sign-in time on the user, inserts the session, changes the client and
/// writes the audit event. The user's row is held against a concurrent ban until the caller
/// commits, and the ban is read from the row as locked, so a ban either lands before (and
/// this refuses) or after (and ends this session).
///
/// On PostgreSQL all of it is one statement (data-modifying `WITH`), atomic without a
/// transaction and one round trip instead of five with one (see [`opens_alone`]). SQLite has
/// no data-modifying `WITH`: there the same writes are four statements, and the caller must
/// run them in a transaction.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn open(db: &impl ConnectionTrait, opening: Opening) -> Result<Opened, DbErr> {
    if opens_alone(db) {
        return open_in_one_statement(db, opening).await;
    }
    let Opening {
        session,
        client,
        audit,
    } = opening;
    let (id, now) = (session.client_id.clone(), session.created_at);
    match super::users::mark_signed_in(db, &session.user_id, now).await? {
        None => return Ok(Opened::NoUser),
        Some((banned, locked)) if banned || locked => {
            return Ok(Opened::Refused { banned, locked });
        }
        Some(_) => {}
    }
    insert(db, session).await?;
    let client = super::clients::update_returning(db, &id, client, now).await?;
    if let Some(e) = audit {
        super::factors::insert_audit(db, e).await?;
    }
    Ok(Opened::Open(client))
}

/// Whether [`open`] is one statement on this database, atomic without a transaction around
/// it (PostgreSQL).
pub fn opens_alone(db: &impl ConnectionTrait) -> bool {
    db.get_database_backend() == sea_orm::DbBackend::Postgres
}

async fn open_in_one_statement(
    db: &impl ConnectionTrait,
    opening: Opening,
) -> Result<Opened, DbErr> {
    use sea_orm::sea_query::{
        Alias, Asterisk, CommonTableExpression, ExprTrait, JoinType, Query, WithClause,
    };
    use sea_orm::{FromQueryResult, IntoActiveModel, QueryTrait};

    use super::entities::{browser_client, user};

    let Opening {
        session: s,
        client,
        audit,
    } = opening;
    let (marked, opened, pointed) = (
        Alias::new("marked"),
        Alias::new("opened"),
        Alias::new("pointed"),
    );
    let now = s.created_at;
    let cte = |name: &Alias, query: sea_orm::sea_query::SubQueryStatement| {
        CommonTableExpression::new()
            .query(query)
            .table_name(name.clone())
            .to_owned()
    };
    // The user's sign-in time, unless banned or locked; either way the row is locked and
    // its flags read as they stand once any concurrent change to them has committed.
    let mut mark = super::users::mark_signed_in_query(&s.user_id, now)
        .as_query()
        .to_owned();
    mark.returning(Query::returning().columns([user::Column::Banned, user::Column::Locked]));
    // The session, only where the user was found neither banned nor locked.
    let client_id = s.client_id.clone();
    let mut insert = insert_selected(
        s.into_active_model(),
        Query::select()
            .from(marked.clone())
            .and_where(Expr::col((marked.clone(), user::Column::Banned)).not())
            .and_where(Expr::col((marked.clone(), user::Column::Locked)).not())
            .to_owned(),
    )?;
    insert.returning(Query::returning().column(session::Column::Id));
    // The client, only once the session is written.
    let mut point = super::clients::change_query(&client_id, client, now)
        .as_query()
        .to_owned();
    point
        .and_where(Expr::exists(
            Query::select()
                .expr(Expr::value(1))
                .from(opened.clone())
                .to_owned(),
        ))
        .returning(Query::returning().all());
    let mut with = WithClause::new()
        .cte(cte(&marked, mark.into()))
        .cte(cte(&opened, insert.into()))
        .cte(cte(&pointed, point.into()))
        .to_owned();
    // The audit event, once for the session written (a data-modifying `WITH` runs whether
    // or not anything reads it).
    if let Some(e) = audit {
        let record = insert_selected(
            super::factors::audit_model(e),
            Query::select().from(opened).to_owned(),
        )?;
        with.cte(cte(&Alias::new("recorded"), record.into()));
    }
    // One row when the user exists: their flags, and the client where it was changed.
    let answer = Query::select()
        .column((marked.clone(), user::Column::Banned))
        .column((marked.clone(), user::Column::Locked))
        .column((pointed.clone(), Asterisk))
        .from(marked)
        .join(JoinType::LeftJoin, pointed, Expr::value(true))
        .to_owned();
    let Some(row) = db.query_one(&with.query(answer)).await? else {
        return Ok(Opened::NoUser);
    };
    let banned: bool = row.try_get("", "banned")?;
    let locked: bool = row.try_get("", "locked")?;
    if banned || locked {
        return Ok(Opened::Refused { banned, locked });
    }
    let client = match row.try_get::<Option<String>>("", "id")? {
        Some(_) => Some(browser_client::Model::from_query_result(&row, "")?),
        None => None,
    };
    Ok(Opened::Open(client))
}

/// `INSERT INTO <the model's table> (<its columns>) SELECT <their values> FROM …`: one row
/// for each row `from` selects. The columns come from the entity, so a column added to it is
/// written here too.
fn insert_selected<A: sea_orm::ActiveModelTrait>(
    model: A,
    from: sea_orm::sea_query::SelectStatement,
) -> Result<sea_orm::sea_query::InsertStatement, DbErr> {
    use sea_orm::{EntityName, Iterable};
    let (mut columns, mut values) = (Vec::new(), Vec::new());
    for c in <A::Entity as sea_orm::EntityTrait>::Column::iter() {
        if let Some(v) = model.get(c).into_value() {
            columns.push(c);
            values.push(Expr::value(v));
        }
    }
    let mut select = from;
    select.exprs(values);
    Ok(sea_orm::sea_query::Query::insert()
        .into_table(A::Entity::default().table_ref())
        .columns(columns)
        .select_from(select)
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .to_owned())
}
