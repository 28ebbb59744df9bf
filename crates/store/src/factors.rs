//! Second factors (authenticator apps, backup codes, SMS numbers) and the audit trail.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, sea_query::Expr,
};

use super::entities::{audit_event, backup_code, phone_number, totp_factor};

pub use totp_factor::Model as TotpRow;

/// What second factors a user has, read in two queries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecondFactors {
    pub totp: bool,
    pub backup_codes: usize,
}

#[tracing::instrument(level = "debug", skip_all, fields(user_id = %user_id), err(level = "debug"))]
pub async fn summary(db: &impl ConnectionTrait, user_id: &str) -> Result<SecondFactors, DbErr> {
    let totp = totp_factor::Entity::find()
        .filter(totp_factor::Column::UserId.eq(user_id))
        .filter(totp_factor::Column::Verified.eq(true))
        .one(db)
        .await?
        .is_some();
    let backup_codes = unused_backup_codes(db, user_id).await?.len();
    Ok(SecondFactors { totp, backup_codes })
}

#[tracing::instrument(level = "debug", skip_all, fields(user_id = %user_id), err(level = "debug"))]
pub async fn totp(db: &impl ConnectionTrait, user_id: &str) -> Result<Option<TotpRow>, DbErr> {
    totp_factor::Entity::find()
        .filter(totp_factor::Column::UserId.eq(user_id))
        .one(db)
        .await
}

/// Replaces the user's authenticator with a new, unverified one.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn replace_totp(db: &impl ConnectionTrait, row: TotpRow) -> Result<(), DbErr> {
    delete_totp(db, &row.user_id).await?;
    totp_factor::ActiveModel {
        id: Set(row.id),
        user_id: Set(row.user_id),
        secret: Set(row.secret),
        verified: Set(row.verified),
        last_used_step: Set(row.last_used_step),
        created_at: Set(row.created_at),
        updated_at: Set(row.updated_at),
    }
    .insert(db)
    .await?;
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all, fields(user_id = %user_id), err(level = "debug"))]
pub async fn delete_totp(db: &impl ConnectionTrait, user_id: &str) -> Result<u64, DbErr> {
    Ok(totp_factor::Entity::delete_many()
        .filter(totp_factor::Column::UserId.eq(user_id))
        .exec(db)
        .await?
        .rows_affected)
}

/// Records that the code of time step `step` was accepted, and marks the authenticator
/// verified. Only one caller can win a step: the update names the previous step it read, so a
/// replay racing the original finds nothing to update and returns false.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn use_totp_step(
    db: &impl ConnectionTrait,
    id: &str,
    previous: Option<i64>,
    step: i64,
    now: i64,
) -> Result<bool, DbErr> {
    let mut q = totp_factor::Entity::update_many()
        .col_expr(totp_factor::Column::LastUsedStep, Expr::value(step))
        .col_expr(totp_factor::Column::Verified, Expr::value(true))
        .col_expr(totp_factor::Column::UpdatedAt, Expr::value(now))
        .filter(totp_factor::Column::Id.eq(id));
    q = match previous {
        Some(p) => q.filter(totp_factor::Column::LastUsedStep.eq(p)),
        None => q.filter(totp_factor::Column::LastUsedStep.is_null()),
    };
    Ok(q.exec(db).await?.rows_affected == 1)
}

#[tracing::instrument(level = "debug", skip_all, fields(user_id = %user_id), err(level = "debug"))]
pub async fn unused_backup_codes(
    db: &impl ConnectionTrait,
    user_id: &str,
) -> Result<Vec<backup_code::Model>, DbErr> {
    backup_code::Entity::find()
        .filter(backup_code::Column::UserId.eq(user_id))
        .filter(backup_code::Column::UsedAt.is_null())
        .order_by_asc(backup_code::Column::CreatedAt)
        .limit(100)
        .all(db)
        .await
}

/// Replaces the user's backup codes with a new set of `(id, keyed hash)` pairs.
#[tracing::instrument(level = "debug", skip_all, fields(user_id = %user_id), err(level = "debug"))]
pub async fn replace_backup_codes(
    db: &impl ConnectionTrait,
    user_id: &str,
    codes: Vec<(String, String)>,
    now: i64,
) -> Result<(), DbErr> {
    delete_backup_codes(db, user_id).await?;
    if codes.is_empty() {
        return Ok(());
    }
    backup_code::Entity::insert_many(codes.into_iter().map(|(id, hash)| {
        backup_code::ActiveModel {
            id: Set(id),
            user_id: Set(user_id.to_owned()),
            code_hash: Set(hash),
            used_at: Set(None),
            created_at: Set(now),
        }
    }))
    .exec(db)
    .await?;
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all, fields(user_id = %user_id), err(level = "debug"))]
pub async fn delete_backup_codes(db: &impl ConnectionTrait, user_id: &str) -> Result<u64, DbErr> {
    Ok(backup_code::Entity::delete_many()
        .filter(backup_code::Column::UserId.eq(user_id))
        .exec(db)
        .await?
        .rows_affected)
}

/// Spends one backup code; false when another request spent it first.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn spend_backup_code(
    db: &impl ConnectionTrait,
    id: &str,
    now: i64,
) -> Result<bool, DbErr> {
    Ok(backup_code::Entity::update_many()
        .col_expr(backup_code::Column::UsedAt, Expr::value(now))
        .filter(backup_code::Column::Id.eq(id))
        .filter(backup_code::Column::UsedAt.is_null())
        .exec(db)
        .await?
        .rows_affected
        == 1)
}

/// Marks a phone number as (or no longer as) an SMS second factor. The first one reserved
/// becomes the default.
#[tracing::instrument(level = "debug", skip_all, fields(user_id = %user_id), err(level = "debug"))]
pub async fn reserve_phone(
    db: &impl ConnectionTrait,
    user_id: &str,
    phone_id: &str,
    reserved: bool,
    now: i64,
) -> Result<(), DbErr> {
    let has_default = phone_number::Entity::find()
        .filter(phone_number::Column::UserId.eq(user_id))
        .filter(phone_number::Column::DefaultSecondFactor.eq(true))
        .filter(phone_number::Column::Id.ne(phone_id))
        .one(db)
        .await?
        .is_some();
    phone_number::Entity::update_many()
        .col_expr(
            phone_number::Column::ReservedForSecondFactor,
            Expr::value(reserved),
        )
        .col_expr(
            phone_number::Column::DefaultSecondFactor,
            Expr::value(reserved && !has_default),
        )
        .col_expr(phone_number::Column::UpdatedAt, Expr::value(now))
        .filter(phone_number::Column::Id.eq(phone_id))
        .filter(phone_number::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

/// No phone number of the user's is a second factor any more.
#[tracing::instrument(level = "debug", skip_all, fields(user_id = %user_id), err(level = "debug"))]
pub async fn unreserve_phones(
    db: &impl ConnectionTrait,
    user_id: &str,
    now: i64,
) -> Result<(), DbErr> {
    phone_number::Entity::update_many()
        .col_expr(
            phone_number::Column::ReservedForSecondFactor,
            Expr::value(false),
        )
        .col_expr(
            phone_number::Column::DefaultSecondFactor,
            Expr::value(false),
        )
        .col_expr(phone_number::Column::UpdatedAt, Expr::value(now))
        .filter(phone_number::Column::UserId.eq(user_id))
        .filter(phone_number::Column::ReservedForSecondFactor.eq(true))
        .exec(db)
        .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct NewAuditEvent {
    pub id: String,
    pub user_id: Option<String>,
    pub session_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The OAuth client, for token issuance.
    pub client_id: Option<String>,
    pub kind: String,
    pub detail: String,
    pub created_at: i64,
}

pub(crate) fn audit_model(e: NewAuditEvent) -> audit_event::ActiveModel {
    audit_event::ActiveModel {
        id: Set(e.id),
        user_id: Set(e.user_id),
        session_id: Set(e.session_id),
        ip: Set(e.ip),
        user_agent: Set(e.user_agent),
        client_id: Set(e.client_id),
        kind: Set(e.kind),
        detail: Set(e.detail),
        created_at: Set(e.created_at),
    }
}

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn insert_audit(db: &impl ConnectionTrait, e: NewAuditEvent) -> Result<(), DbErr> {
    audit_model(e).insert(db).await?;
    Ok(())
}

/// Rows per multi-row insert, largest first. A batch is cut greedily into statements of these
/// sizes (37 events: 16 + 16 + 4 + 1), so only four statement shapes exist: each connection
/// caches its prepared statements, and a shape per batch size (up to 500 rows of 9 values)
/// would keep tens of megabytes of them alive.
const AUDIT_CHUNKS: [usize; 4] = [50, 16, 4, 1];

/// Writes a batch of events in one transaction.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn insert_audit_many(
    db: &sea_orm::DatabaseConnection,
    events: Vec<NewAuditEvent>,
) -> Result<(), DbErr> {
    if events.is_empty() {
        return Ok(());
    }
    // A batch of one statement's size is atomic alone: no BEGIN and COMMIT around it.
    if AUDIT_CHUNKS.contains(&events.len()) {
        audit_event::Entity::insert_many(events.into_iter().map(audit_model))
            .exec_without_returning(db)
            .await?;
        return Ok(());
    }
    let txn = crate::begin(db).await?;
    let mut rest = events.as_slice();
    while !rest.is_empty() {
        let take = AUDIT_CHUNKS
            .into_iter()
            .find(|&n| n <= rest.len())
            .unwrap_or(1);
        let (chunk, tail) = rest.split_at(take);
        audit_event::Entity::insert_many(chunk.iter().cloned().map(audit_model))
            .exec_without_returning(&txn)
            .await?;
        rest = tail;
    }
    txn.commit().await
}

/// Deletes events older than `before` (unix ms); returns how many.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn prune_audit(db: &impl ConnectionTrait, before: i64) -> Result<u64, DbErr> {
    Ok(audit_event::Entity::delete_many()
        .filter(audit_event::Column::CreatedAt.lt(before))
        .exec(db)
        .await?
        .rows_affected)
}

/// The user's audit events, newest first.
#[tracing::instrument(level = "debug", skip_all, fields(user_id = %user_id), err(level = "debug"))]
pub async fn audit_for_user(
    db: &impl ConnectionTrait,
    user_id: &str,
    limit: u64,
) -> Result<Vec<audit_event::Model>, DbErr> {
    audit_event::Entity::find()
        .filter(audit_event::Column::UserId.eq(user_id))
        .order_by_desc(audit_event::Column::CreatedAt)
        .limit(limit)
        .all(db)
        .await
}

/// The newest events of one kind.
#[tracing::instrument(level = "debug", skip_all, fields(kind = %kind), err(level = "debug"))]
pub async fn audit_by_kind(
    db: &impl ConnectionTrait,
    kind: &str,
    limit: u64,
) -> Result<Vec<audit_event::Model>, DbErr> {
    audit_event::Entity::find()
        .filter(audit_event::Column::Kind.eq(kind))
        .order_by_desc(audit_event::Column::CreatedAt)
        .limit(limit)
        .all(db)
        .await
}

/// The stored secrets of verified authenticator apps of these users.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn verified_totp_secrets(
    db: &impl ConnectionTrait,
    user_ids: &[String],
) -> Result<std::collections::HashMap<String, String>, DbErr> {
    if user_ids.is_empty() {
        return Ok(Default::default());
    }
    Ok(totp_factor::Entity::find()
        .filter(totp_factor::Column::UserId.is_in(user_ids.iter().cloned()))
        .filter(totp_factor::Column::Verified.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.user_id, t.secret))
        .collect())
}
