//! Enterprise connections added at run time through the admin API (those in config.toml are
//! not stored).

use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, QueryOrder, Set, sea_query::Expr,
};
use sea_orm::{ColumnTrait, QueryFilter};

use super::entities::enterprise_connection;

pub use enterprise_connection::Model as ConnectionRow;

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<ConnectionRow>, DbErr> {
    enterprise_connection::Entity::find()
        .order_by_asc(enterprise_connection::Column::Id)
        .all(db)
        .await
}

#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn get(db: &impl ConnectionTrait, id: &str) -> Result<Option<ConnectionRow>, DbErr> {
    enterprise_connection::Entity::find_by_id(id.to_owned())
        .one(db)
        .await
}

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn insert(db: &impl ConnectionTrait, row: ConnectionRow) -> Result<(), DbErr> {
    enterprise_connection::ActiveModel {
        id: Set(row.id),
        settings: Set(row.settings),
        created_at: Set(row.created_at),
        updated_at: Set(row.updated_at),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Replaces a stored connection's settings.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn update(
    db: &impl ConnectionTrait,
    id: &str,
    settings: &str,
    now: i64,
) -> Result<bool, DbErr> {
    let res = enterprise_connection::Entity::update_many()
        .col_expr(
            enterprise_connection::Column::Settings,
            Expr::value(settings),
        )
        .col_expr(enterprise_connection::Column::UpdatedAt, Expr::value(now))
        .filter(enterprise_connection::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(res.rows_affected > 0)
}

/// True when a connection was removed.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn delete(db: &impl ConnectionTrait, id: &str) -> Result<bool, DbErr> {
    let res = enterprise_connection::Entity::delete_by_id(id.to_owned())
        .exec(db)
        .await?;
    Ok(res.rows_affected > 0)
}
