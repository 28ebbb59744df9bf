//! The runtime settings document (one row, versioned) and the instance-admin role.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect,
    Set, sea_query::Expr,
};

use super::entities::{instance_admin, instance_settings};

pub use instance_settings::Model as SettingsRow;

/// The single row's id.
const ROW: i32 = 1;

/// The stored document, if any change was ever made at run time.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn current(db: &impl ConnectionTrait) -> Result<Option<SettingsRow>, DbErr> {
    instance_settings::Entity::find_by_id(ROW).one(db).await
}

/// Only the version: what every instance checks each second.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn version(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    let v: Option<i64> = instance_settings::Entity::find_by_id(ROW)
        .select_only()
        .column(instance_settings::Column::Version)
        .into_tuple()
        .one(db)
        .await?;
    Ok(v.unwrap_or(0))
}

/// Writes version `expected + 1` when the stored version is still `expected` (0: none yet).
/// False when another writer got there first; the caller reads again and retries.
#[tracing::instrument(level = "debug", skip_all, fields(expected), err(level = "debug"))]
pub async fn write(
    db: &impl ConnectionTrait,
    expected: i64,
    document: &str,
    now: i64,
    by: &str,
) -> Result<bool, DbErr> {
    if expected == 0 {
        let row = instance_settings::ActiveModel {
            id: Set(ROW),
            version: Set(1),
            document: Set(document.to_owned()),
            updated_at: Set(now),
            updated_by: Set(by.to_owned()),
        };
        return match row.insert(db).await {
            Ok(_) => Ok(true),
            Err(e) if super::is_unique_violation(&e) => Ok(false),
            Err(e) => Err(e),
        };
    }
    let res = instance_settings::Entity::update_many()
        .col_expr(
            instance_settings::Column::Version,
            Expr::value(expected + 1),
        )
        .col_expr(instance_settings::Column::Document, Expr::value(document))
        .col_expr(instance_settings::Column::UpdatedAt, Expr::value(now))
        .col_expr(instance_settings::Column::UpdatedBy, Expr::value(by))
        .filter(instance_settings::Column::Id.eq(ROW))
        .filter(instance_settings::Column::Version.eq(expected))
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

pub use instance_admin::Model as AdminRow;

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn is_admin(db: &impl ConnectionTrait, user_id: &str) -> Result<bool, DbErr> {
    Ok(instance_admin::Entity::find_by_id(user_id.to_owned())
        .one(db)
        .await?
        .is_some())
}

/// True when the role was granted now (false: the user had it already).
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn grant_admin(
    db: &impl ConnectionTrait,
    user_id: &str,
    now: i64,
    by: &str,
) -> Result<bool, DbErr> {
    if is_admin(db, user_id).await? {
        return Ok(false);
    }
    instance_admin::ActiveModel {
        user_id: Set(user_id.to_owned()),
        granted_at: Set(now),
        granted_by: Set(by.to_owned()),
    }
    .insert(db)
    .await?;
    Ok(true)
}

/// True when the user had the role.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn revoke_admin(db: &impl ConnectionTrait, user_id: &str) -> Result<bool, DbErr> {
    let res = instance_admin::Entity::delete_by_id(user_id.to_owned())
        .exec(db)
        .await?;
    Ok(res.rows_affected > 0)
}

/// How many admins there are (the dashboard explains how to become one while there are none).
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn admin_count(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    instance_admin::Entity::find().count(db).await
}
