//! What operators manage: admin API keys, user listing and flags, the sign-up allowlist and
//! blocklist, the waitlist, and the webhook delivery queue.

use sea_orm::sea_query::{Expr, ExprTrait, Func, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

use super::entities::{
    admin_key, email_address, phone_number, sign_up_rule, user, waitlist_entry, web3_wallet,
    webhook_delivery,
};

pub use admin_key::Model as AdminKeyRow;
pub use sign_up_rule::Model as SignUpRuleRow;
pub use waitlist_entry::Model as WaitlistRow;
pub use webhook_delivery::Model as DeliveryRow;

pub const ALLOW: &str = "allow";
pub const BLOCK: &str = "block";

// ----- admin keys -----

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn insert_admin_key(db: &impl ConnectionTrait, row: AdminKeyRow) -> Result<(), DbErr> {
    admin_key::ActiveModel {
        id: Set(row.id),
        name: Set(row.name),
        key_hash: Set(row.key_hash),
        created_at: Set(row.created_at),
        last_used_at: Set(row.last_used_at),
        revoked_at: Set(row.revoked_at),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The unrevoked key with this hash.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn active_admin_key(
    db: &impl ConnectionTrait,
    key_hash: &str,
) -> Result<Option<AdminKeyRow>, DbErr> {
    admin_key::Entity::find()
        .filter(admin_key::Column::KeyHash.eq(key_hash))
        .filter(admin_key::Column::RevokedAt.is_null())
        .one(db)
        .await
}

#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn touch_admin_key(db: &impl ConnectionTrait, id: &str, now: i64) -> Result<(), DbErr> {
    admin_key::Entity::update_many()
        .col_expr(admin_key::Column::LastUsedAt, Expr::value(now))
        .filter(admin_key::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn admin_keys(db: &impl ConnectionTrait) -> Result<Vec<AdminKeyRow>, DbErr> {
    admin_key::Entity::find()
        .order_by_asc(admin_key::Column::CreatedAt)
        .all(db)
        .await
}

/// Revokes a key by id or name; true when one was active.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn revoke_admin_key(
    db: &impl ConnectionTrait,
    id_or_name: &str,
    now: i64,
) -> Result<bool, DbErr> {
    let n = admin_key::Entity::update_many()
        .col_expr(admin_key::Column::RevokedAt, Expr::value(now))
        .filter(
            Condition::any()
                .add(admin_key::Column::Id.eq(id_or_name))
                .add(admin_key::Column::Name.eq(id_or_name)),
        )
        .filter(admin_key::Column::RevokedAt.is_null())
        .exec(db)
        .await?
        .rows_affected;
    Ok(n > 0)
}

// ----- users -----

/// A position in the user list: users are ordered by creation time, then id, so a page
/// boundary stays put while users are added or removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub created_at: i64,
    pub id: String,
}

/// One page of user ids, oldest first, after `after`, matching `query` (a substring of an
/// email address, phone number, username or name, or an exact id), case-insensitively.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn user_ids_page(
    db: &impl ConnectionTrait,
    query: Option<&str>,
    after: Option<&Cursor>,
    limit: u64,
) -> Result<Vec<(String, i64)>, DbErr> {
    let mut select = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .column(user::Column::CreatedAt)
        .order_by_asc(user::Column::CreatedAt)
        .order_by_asc(user::Column::Id)
        .limit(limit);
    if let Some(c) = after {
        select = select.filter(
            Condition::any()
                .add(user::Column::CreatedAt.gt(c.created_at))
                .add(
                    Condition::all()
                        .add(user::Column::CreatedAt.eq(c.created_at))
                        .add(user::Column::Id.gt(c.id.clone())),
                ),
        );
    }
    if let Some(q) = query.map(str::trim).filter(|q| !q.is_empty()) {
        select = select.filter(user_matches(q));
    }
    select.into_tuple().all(db).await
}

/// Users whose email address, phone number, username or name holds `q` (case-insensitively),
/// or whose id is `q`: the operator's and an organization admin's member search.
///
/// Written as one id list per place a match can be (a UNION), not as one condition with an
/// OR across them: each part can then use its own index (on PostgreSQL the trigram indexes of
/// migration 22, which serve `LIKE '%q%'`), where an OR over subqueries makes the database
/// read every user and test each one.
pub fn user_matches(q: &str) -> Condition {
    use sea_orm::sea_query::{LikeExpr, SelectStatement, UnionType};
    let escaped = q
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let like = || LikeExpr::new(format!("%{escaped}%")).escape('\\');
    let users_where = |col: user::Column| -> SelectStatement {
        Query::select()
            .column(user::Column::Id)
            .from(user::Entity)
            .and_where(Expr::expr(Func::lower(Expr::col(col))).like(like()))
            .to_owned()
    };
    let mut ids = Query::select()
        .column(user::Column::Id)
        .from(user::Entity)
        .and_where(Expr::col(user::Column::Id).eq(q))
        .to_owned();
    for part in [
        users_where(user::Column::Username),
        users_where(user::Column::FirstName),
        users_where(user::Column::LastName),
        Query::select()
            .column(email_address::Column::UserId)
            .from(email_address::Entity)
            .and_where(Expr::col(email_address::Column::EmailAddress).like(like()))
            .to_owned(),
        Query::select()
            .column(phone_number::Column::UserId)
            .from(phone_number::Entity)
            .and_where(Expr::col(phone_number::Column::PhoneNumber).like(like()))
            .to_owned(),
    ] {
        ids.union(UnionType::Distinct, part);
    }
    Condition::all().add(user::Column::Id.in_subquery(ids))
}

/// Which users a Backend API listing wants: each list matches any of its values, the lists
/// and `query` must all match. Values are compared exactly (email addresses and usernames
/// as stored, lower case).
#[derive(Debug, Default, Clone)]
pub struct UserFilter {
    pub email_address: Vec<String>,
    pub phone_number: Vec<String>,
    pub username: Vec<String>,
    pub user_id: Vec<String>,
    pub external_id: Vec<String>,
    pub web3_wallet: Vec<String>,
    pub query: Option<String>,
    pub banned: Option<bool>,
    /// Signed in at or after this (unix ms).
    pub last_sign_in_since: Option<i64>,
}

/// The columns a user listing can be ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserOrder {
    CreatedAt,
    UpdatedAt,
    FirstName,
    LastName,
    Username,
    LastSignInAt,
}

impl UserOrder {
    /// `created_at`, `-created_at`, `+username`, …: the column and whether it descends.
    pub fn parse(raw: &str) -> Option<(Self, bool)> {
        let (desc, name) = match raw.as_bytes().first() {
            Some(b'-') => (true, &raw[1..]),
            Some(b'+') => (false, &raw[1..]),
            _ => (false, raw),
        };
        let col = match name {
            "created_at" => Self::CreatedAt,
            "updated_at" => Self::UpdatedAt,
            "first_name" => Self::FirstName,
            "last_name" => Self::LastName,
            "username" => Self::Username,
            "last_sign_in_at" => Self::LastSignInAt,
            _ => return None,
        };
        Some((col, desc))
    }

    fn column(self) -> user::Column {
        match self {
            Self::CreatedAt => user::Column::CreatedAt,
            Self::UpdatedAt => user::Column::UpdatedAt,
            Self::FirstName => user::Column::FirstName,
            Self::LastName => user::Column::LastName,
            Self::Username => user::Column::Username,
            Self::LastSignInAt => user::Column::LastSignInAt,
        }
    }
}

/// The users owning an identification whose `col` is one of `values`.
fn owners<E, C>(
    entity: E,
    col: C,
    user_col: C,
    values: &[String],
) -> sea_orm::sea_query::SelectStatement
where
    E: EntityTrait,
    C: ColumnTrait + sea_orm::sea_query::IntoColumnRef + Copy + 'static,
{
    Query::select()
        .column(user_col)
        .from(entity)
        .and_where(Expr::col(col).is_in(values.iter().cloned()))
        .to_owned()
}

fn filter_condition(f: &UserFilter) -> Condition {
    let mut all = Condition::all();
    if !f.email_address.is_empty() {
        all = all.add(user::Column::Id.in_subquery(owners(
            email_address::Entity,
            email_address::Column::EmailAddress,
            email_address::Column::UserId,
            &f.email_address,
        )));
    }
    if !f.phone_number.is_empty() {
        all = all.add(user::Column::Id.in_subquery(owners(
            phone_number::Entity,
            phone_number::Column::PhoneNumber,
            phone_number::Column::UserId,
            &f.phone_number,
        )));
    }
    if !f.web3_wallet.is_empty() {
        all = all.add(user::Column::Id.in_subquery(owners(
            web3_wallet::Entity,
            web3_wallet::Column::Web3Wallet,
            web3_wallet::Column::UserId,
            &f.web3_wallet,
        )));
    }
    if !f.username.is_empty() {
        all = all.add(user::Column::Username.is_in(f.username.iter().cloned()));
    }
    if !f.user_id.is_empty() {
        all = all.add(user::Column::Id.is_in(f.user_id.iter().cloned()));
    }
    if !f.external_id.is_empty() {
        all = all.add(user::Column::ExternalId.is_in(f.external_id.iter().cloned()));
    }
    if let Some(q) = f.query.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        all = all.add(user_matches(q));
    }
    if let Some(b) = f.banned {
        all = all.add(user::Column::Banned.eq(b));
    }
    if let Some(t) = f.last_sign_in_since {
        all = all.add(user::Column::LastSignInAt.gte(t));
    }
    all
}

/// The ids of the users matching `filter`, in `order`, `limit` of them after skipping
/// `offset`; ties go by id so pages never overlap.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn user_ids_filtered(
    db: &impl ConnectionTrait,
    filter: &UserFilter,
    (order, desc): (UserOrder, bool),
    limit: u64,
    offset: u64,
) -> Result<Vec<String>, DbErr> {
    let ord = if desc {
        sea_orm::Order::Desc
    } else {
        sea_orm::Order::Asc
    };
    user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(filter_condition(filter))
        .order_by(order.column(), ord.clone())
        .order_by(user::Column::Id, ord)
        .limit(limit)
        .offset(offset)
        .into_tuple()
        .all(db)
        .await
}

/// How many users match `filter`.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn count_filtered(db: &impl ConnectionTrait, filter: &UserFilter) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    user::Entity::find()
        .filter(filter_condition(filter))
        .count(db)
        .await
}

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn count_users(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        // Counting a million rows reads them all; past ESTIMATED_FROM users the planner's
        // own figure (kept by autovacuum's ANALYZE) is the answer.
        let estimate = db
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT reltuples::bigint AS n FROM pg_class WHERE oid = to_regclass('users')",
            ))
            .await?
            .and_then(|row| row.try_get::<i64>("", "n").ok())
            .unwrap_or(-1);
        if let Ok(n) = u64::try_from(estimate)
            && n >= ESTIMATED_FROM
        {
            return Ok(n);
        }
    }
    user::Entity::find().count(db).await
}

/// From this many users on, PostgreSQL deployments report an estimated user count.
pub const ESTIMATED_FROM: u64 = 100_000;

/// Sets or clears the banned / locked flags; false when there is no such user.
#[tracing::instrument(level = "debug", skip_all, fields(user_id = %user_id), err(level = "debug"))]
pub async fn set_user_flag(
    db: &impl ConnectionTrait,
    user_id: &str,
    banned: Option<bool>,
    locked: Option<bool>,
    now: i64,
) -> Result<bool, DbErr> {
    let mut update = user::Entity::update_many()
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(user_id));
    if let Some(b) = banned {
        update = update.col_expr(user::Column::Banned, Expr::value(b));
    }
    if let Some(l) = locked {
        update = update.col_expr(user::Column::Locked, Expr::value(l));
    }
    Ok(update.exec(db).await?.rows_affected == 1)
}

/// Deletes a user; identifications, sessions, factors, consents and refresh tokens go with
/// it (foreign keys cascade). False when there was no such user.
#[tracing::instrument(level = "debug", skip_all, fields(user_id = %user_id), err(level = "debug"))]
pub async fn delete_user(db: &impl ConnectionTrait, user_id: &str) -> Result<bool, DbErr> {
    Ok(user::Entity::delete_by_id(user_id.to_owned())
        .exec(db)
        .await?
        .rows_affected
        == 1)
}

// ----- allowlist and blocklist -----

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn sign_up_rules(db: &impl ConnectionTrait) -> Result<Vec<SignUpRuleRow>, DbErr> {
    sign_up_rule::Entity::find()
        .order_by_asc(sign_up_rule::Column::CreatedAt)
        .order_by_asc(sign_up_rule::Column::Id)
        .all(db)
        .await
}

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn insert_sign_up_rule(
    db: &impl ConnectionTrait,
    row: SignUpRuleRow,
) -> Result<(), DbErr> {
    sign_up_rule::ActiveModel {
        id: Set(row.id),
        list: Set(row.list),
        pattern: Set(row.pattern),
        created_at: Set(row.created_at),
    }
    .insert(db)
    .await?;
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all, fields(list = %list), err(level = "debug"))]
pub async fn find_sign_up_rule(
    db: &impl ConnectionTrait,
    list: &str,
    pattern: &str,
) -> Result<Option<SignUpRuleRow>, DbErr> {
    sign_up_rule::Entity::find()
        .filter(sign_up_rule::Column::List.eq(list))
        .filter(sign_up_rule::Column::Pattern.eq(pattern))
        .one(db)
        .await
}

#[tracing::instrument(level = "debug", skip_all, fields(list = %list, id = %id), err(level = "debug"))]
pub async fn delete_sign_up_rule(
    db: &impl ConnectionTrait,
    list: &str,
    id: &str,
) -> Result<bool, DbErr> {
    Ok(sign_up_rule::Entity::delete_many()
        .filter(sign_up_rule::Column::List.eq(list))
        .filter(sign_up_rule::Column::Id.eq(id))
        .exec(db)
        .await?
        .rows_affected
        == 1)
}

// ----- waitlist -----

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn waitlist_by_email(
    db: &impl ConnectionTrait,
    email: &str,
) -> Result<Option<WaitlistRow>, DbErr> {
    waitlist_entry::Entity::find()
        .filter(waitlist_entry::Column::EmailAddress.eq(email))
        .one(db)
        .await
}

#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn waitlist_entry(
    db: &impl ConnectionTrait,
    id: &str,
) -> Result<Option<WaitlistRow>, DbErr> {
    waitlist_entry::Entity::find_by_id(id.to_owned())
        .one(db)
        .await
}

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn insert_waitlist(db: &impl ConnectionTrait, row: WaitlistRow) -> Result<(), DbErr> {
    waitlist_entry::ActiveModel {
        id: Set(row.id),
        email_address: Set(row.email_address),
        status: Set(row.status),
        invitation_id: Set(row.invitation_id),
        created_at: Set(row.created_at),
        updated_at: Set(row.updated_at),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Entries oldest first, after the entry with id `after`.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn waitlist_page(
    db: &impl ConnectionTrait,
    status: Option<&str>,
    after: Option<&Cursor>,
    limit: u64,
) -> Result<Vec<WaitlistRow>, DbErr> {
    let mut q = waitlist_entry::Entity::find()
        .order_by_asc(waitlist_entry::Column::CreatedAt)
        .order_by_asc(waitlist_entry::Column::Id)
        .limit(limit);
    if let Some(s) = status {
        q = q.filter(waitlist_entry::Column::Status.eq(s));
    }
    if let Some(c) = after {
        q = q.filter(
            Condition::any()
                .add(waitlist_entry::Column::CreatedAt.gt(c.created_at))
                .add(
                    Condition::all()
                        .add(waitlist_entry::Column::CreatedAt.eq(c.created_at))
                        .add(waitlist_entry::Column::Id.gt(c.id.clone())),
                ),
        );
    }
    q.all(db).await
}

/// Marks a pending entry invited; false when it was not pending.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn waitlist_invited(
    db: &impl ConnectionTrait,
    id: &str,
    invitation_id: &str,
    now: i64,
) -> Result<bool, DbErr> {
    Ok(waitlist_entry::Entity::update_many()
        .col_expr(waitlist_entry::Column::Status, Expr::value("invited"))
        .col_expr(
            waitlist_entry::Column::InvitationId,
            Expr::value(invitation_id),
        )
        .col_expr(waitlist_entry::Column::UpdatedAt, Expr::value(now))
        .filter(waitlist_entry::Column::Id.eq(id))
        .filter(waitlist_entry::Column::Status.eq("pending"))
        .exec(db)
        .await?
        .rows_affected
        == 1)
}

// ----- webhook deliveries -----

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn enqueue_deliveries(
    db: &impl ConnectionTrait,
    rows: Vec<DeliveryRow>,
) -> Result<(), DbErr> {
    if rows.is_empty() {
        return Ok(());
    }
    webhook_delivery::Entity::insert_many(rows.into_iter().map(|r| {
        webhook_delivery::ActiveModel {
            id: Set(r.id),
            endpoint: Set(r.endpoint),
            event_type: Set(r.event_type),
            payload: Set(r.payload),
            attempts: Set(r.attempts),
            next_attempt_at: Set(r.next_attempt_at),
            delivered_at: Set(r.delivered_at),
            failed_at: Set(r.failed_at),
            last_error: Set(r.last_error),
            created_at: Set(r.created_at),
        }
    }))
    .exec(db)
    .await?;
    Ok(())
}

/// Deliveries due at `now`, oldest first.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn due_deliveries(
    db: &impl ConnectionTrait,
    now: i64,
    limit: u64,
) -> Result<Vec<DeliveryRow>, DbErr> {
    webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::DeliveredAt.is_null())
        .filter(webhook_delivery::Column::FailedAt.is_null())
        .filter(webhook_delivery::Column::NextAttemptAt.lte(now))
        .order_by_asc(webhook_delivery::Column::NextAttemptAt)
        .order_by_asc(webhook_delivery::Column::CreatedAt)
        .limit(limit)
        .all(db)
        .await
}

/// Takes a delivery for one attempt: moves its next attempt to `lease_until` if it is still
/// as read. Of several instances reading the same row, one gets it.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn claim_delivery(
    db: &impl ConnectionTrait,
    id: &str,
    seen_next_attempt_at: i64,
    lease_until: i64,
) -> Result<bool, DbErr> {
    Ok(webhook_delivery::Entity::update_many()
        .col_expr(
            webhook_delivery::Column::NextAttemptAt,
            Expr::value(lease_until),
        )
        .filter(webhook_delivery::Column::Id.eq(id))
        .filter(webhook_delivery::Column::NextAttemptAt.eq(seen_next_attempt_at))
        .filter(webhook_delivery::Column::DeliveredAt.is_null())
        .filter(webhook_delivery::Column::FailedAt.is_null())
        .exec(db)
        .await?
        .rows_affected
        == 1)
}

/// Records an attempt: delivered, retry at `next`, or given up.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn record_attempt(
    db: &impl ConnectionTrait,
    id: &str,
    attempts: i32,
    outcome: Attempt,
) -> Result<(), DbErr> {
    let mut update = webhook_delivery::Entity::update_many()
        .col_expr(webhook_delivery::Column::Attempts, Expr::value(attempts))
        .filter(webhook_delivery::Column::Id.eq(id));
    update = match outcome {
        Attempt::Delivered { at } => update
            .col_expr(webhook_delivery::Column::DeliveredAt, Expr::value(at))
            .col_expr(
                webhook_delivery::Column::LastError,
                Expr::value(Option::<String>::None),
            ),
        Attempt::Retry { next, error } => update
            .col_expr(webhook_delivery::Column::NextAttemptAt, Expr::value(next))
            .col_expr(webhook_delivery::Column::LastError, Expr::value(error)),
        Attempt::GaveUp { at, error } => update
            .col_expr(webhook_delivery::Column::FailedAt, Expr::value(at))
            .col_expr(webhook_delivery::Column::LastError, Expr::value(error)),
    };
    update.exec(db).await?;
    Ok(())
}

pub enum Attempt {
    Delivered { at: i64 },
    Retry { next: i64, error: String },
    GaveUp { at: i64, error: String },
}

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn deliveries(db: &impl ConnectionTrait, limit: u64) -> Result<Vec<DeliveryRow>, DbErr> {
    webhook_delivery::Entity::find()
        .order_by_desc(webhook_delivery::Column::CreatedAt)
        .limit(limit)
        .all(db)
        .await
}

// ----- OAuth clients -----

#[tracing::instrument(level = "debug", skip_all, fields(client_id = %client_id), err(level = "debug"))]
pub async fn set_client_secret(
    db: &impl ConnectionTrait,
    client_id: &str,
    secret_hash: &str,
    now: i64,
) -> Result<(), DbErr> {
    use super::entities::oauth_client;
    oauth_client::Entity::update_many()
        .col_expr(oauth_client::Column::SecretHash, Expr::value(secret_hash))
        .col_expr(oauth_client::Column::UpdatedAt, Expr::value(now))
        .filter(oauth_client::Column::ClientId.eq(client_id))
        .exec(db)
        .await?;
    super::oauth::client_changed(db).await
}

// ----- audit events -----

pub struct AuditFilter<'a> {
    pub user_id: Option<&'a str>,
    pub kind: Option<&'a str>,
    /// Unix ms, inclusive.
    pub since: Option<i64>,
    /// Unix ms, exclusive.
    pub until: Option<i64>,
}

/// Audit events newest first, before `before` (the cursor of the last row of the previous
/// page).
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn audit_page(
    db: &impl ConnectionTrait,
    filter: AuditFilter<'_>,
    before: Option<&Cursor>,
    limit: u64,
) -> Result<Vec<super::entities::audit_event::Model>, DbErr> {
    use super::entities::audit_event;
    let mut q = audit_event::Entity::find()
        .order_by_desc(audit_event::Column::CreatedAt)
        .order_by_desc(audit_event::Column::Id)
        .limit(limit);
    if let Some(u) = filter.user_id {
        q = q.filter(audit_event::Column::UserId.eq(u));
    }
    if let Some(k) = filter.kind {
        q = q.filter(audit_event::Column::Kind.eq(k));
    }
    if let Some(s) = filter.since {
        q = q.filter(audit_event::Column::CreatedAt.gte(s));
    }
    if let Some(u) = filter.until {
        q = q.filter(audit_event::Column::CreatedAt.lt(u));
    }
    if let Some(c) = before {
        q = q.filter(
            Condition::any()
                .add(audit_event::Column::CreatedAt.lt(c.created_at))
                .add(
                    Condition::all()
                        .add(audit_event::Column::CreatedAt.eq(c.created_at))
                        .add(audit_event::Column::Id.lt(c.id.clone())),
                ),
        );
    }
    q.all(db).await
}

/// How many audit events of each of `kinds` happened on each day since `since` (Unix ms):
/// `(kind, day, count)`, with `day` counted in whole days since the Unix epoch (UTC).
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn audit_daily_counts(
    db: &impl ConnectionTrait,
    kinds: &[&str],
    since: i64,
) -> Result<Vec<(String, i64, i64)>, DbErr> {
    use super::entities::audit_event;
    let day = Expr::col(audit_event::Column::CreatedAt).div(86_400_000i64);
    audit_event::Entity::find()
        .select_only()
        .column(audit_event::Column::Kind)
        .column_as(day, "day")
        .column_as(Expr::col(audit_event::Column::Id).count(), "n")
        .filter(audit_event::Column::Kind.is_in(kinds.iter().copied()))
        .filter(audit_event::Column::CreatedAt.gte(since))
        .group_by(audit_event::Column::Kind)
        // By the output column: PostgreSQL would not match two copies of the expression,
        // whose divisors are separate bind parameters.
        .group_by(Expr::col(sea_orm::sea_query::Alias::new("day")))
        .into_tuple()
        .all(db)
        .await
}

/// Sessions that are active and not past their expiry.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn count_active_sessions(db: &impl ConnectionTrait, now: i64) -> Result<u64, DbErr> {
    use super::entities::session;
    use sea_orm::PaginatorTrait;
    session::Entity::find()
        .filter(session::Column::Status.eq("active"))
        .filter(session::Column::ExpireAt.gt(now))
        .count(db)
        .await
}

/// Sends a delivery that was given up (or not yet due) again at `now`, with a fresh series
/// of attempts. False when there is no such delivery or it was delivered already.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn retry_delivery(db: &impl ConnectionTrait, id: &str, now: i64) -> Result<bool, DbErr> {
    let res = webhook_delivery::Entity::update_many()
        .col_expr(
            webhook_delivery::Column::FailedAt,
            Expr::value(Option::<i64>::None),
        )
        .col_expr(webhook_delivery::Column::NextAttemptAt, Expr::value(now))
        .col_expr(webhook_delivery::Column::Attempts, Expr::value(0))
        .filter(webhook_delivery::Column::Id.eq(id))
        .filter(webhook_delivery::Column::DeliveredAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected > 0)
}
