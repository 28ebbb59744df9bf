//! Passkeys of users.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
    sea_query::Expr,
};

use super::entities::passkey;

pub use passkey::Model as PasskeyRow;

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn insert(db: &impl ConnectionTrait, row: PasskeyRow) -> Result<(), DbErr> {
    passkey::ActiveModel {
        id: Set(row.id),
        user_id: Set(row.user_id),
        name: Set(row.name),
        credential_id: Set(row.credential_id),
        credential: Set(row.credential),
        last_used_at: Set(row.last_used_at),
        created_at: Set(row.created_at),
        updated_at: Set(row.updated_at),
    }
    .insert(db)
    .await?;
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn by_credential_id(
    db: &impl ConnectionTrait,
    credential_id: &str,
) -> Result<Option<PasskeyRow>, DbErr> {
    passkey::Entity::find()
        .filter(passkey::Column::CredentialId.eq(credential_id))
        .one(db)
        .await
}

/// Stores the credential after a sign-in (its counter moved) and when it was used.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn used(
    db: &impl ConnectionTrait,
    id: &str,
    credential: &str,
    now: i64,
) -> Result<(), DbErr> {
    passkey::Entity::update_many()
        .col_expr(passkey::Column::Credential, Expr::value(credential))
        .col_expr(passkey::Column::LastUsedAt, Expr::value(now))
        .col_expr(passkey::Column::UpdatedAt, Expr::value(now))
        .filter(passkey::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all, fields(user_id = %user_id, id = %id, name = %name), err(level = "debug"))]
pub async fn rename(
    db: &impl ConnectionTrait,
    user_id: &str,
    id: &str,
    name: &str,
    now: i64,
) -> Result<bool, DbErr> {
    Ok(passkey::Entity::update_many()
        .col_expr(passkey::Column::Name, Expr::value(name))
        .col_expr(passkey::Column::UpdatedAt, Expr::value(now))
        .filter(passkey::Column::Id.eq(id))
        .filter(passkey::Column::UserId.eq(user_id))
        .exec(db)
        .await?
        .rows_affected
        == 1)
}

#[tracing::instrument(level = "debug", skip_all, fields(user_id = %user_id, id = %id), err(level = "debug"))]
pub async fn delete(db: &impl ConnectionTrait, user_id: &str, id: &str) -> Result<bool, DbErr> {
    Ok(passkey::Entity::delete_many()
        .filter(passkey::Column::Id.eq(id))
        .filter(passkey::Column::UserId.eq(user_id))
        .exec(db)
        .await?
        .rows_affected
        == 1)
}
