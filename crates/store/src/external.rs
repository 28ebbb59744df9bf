//! Upstream accounts linked to users.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};

use super::entities::external_account;

pub use external_account::Model as ExternalAccountRow;

/// The user an upstream account is linked to.
#[tracing::instrument(level = "debug", skip_all, fields(provider = %provider), err(level = "debug"))]
pub async fn find(
    db: &impl ConnectionTrait,
    provider: &str,
    provider_user_id: &str,
) -> Result<Option<ExternalAccountRow>, DbErr> {
    external_account::Entity::find()
        .filter(external_account::Column::Provider.eq(provider))
        .filter(external_account::Column::ProviderUserId.eq(provider_user_id))
        .one(db)
        .await
}

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn of_users(
    db: &impl ConnectionTrait,
    user_ids: &[String],
) -> Result<Vec<ExternalAccountRow>, DbErr> {
    external_account::Entity::find()
        .filter(external_account::Column::UserId.is_in(user_ids.iter().cloned()))
        .order_by_asc(external_account::Column::CreatedAt)
        .all(db)
        .await
}

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn insert(db: &impl ConnectionTrait, row: ExternalAccountRow) -> Result<(), DbErr> {
    external_account::ActiveModel {
        id: Set(row.id),
        user_id: Set(row.user_id),
        provider: Set(row.provider),
        provider_user_id: Set(row.provider_user_id),
        email_address: Set(row.email_address),
        email_verified: Set(row.email_verified),
        first_name: Set(row.first_name),
        last_name: Set(row.last_name),
        username: Set(row.username),
        image_url: Set(row.image_url),
        created_at: Set(row.created_at),
        updated_at: Set(row.updated_at),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Removes one of the user's upstream accounts; false when there was none.
#[tracing::instrument(level = "debug", skip_all, fields(user_id = %user_id, id = %id), err(level = "debug"))]
pub async fn delete(db: &impl ConnectionTrait, user_id: &str, id: &str) -> Result<bool, DbErr> {
    Ok(external_account::Entity::delete_many()
        .filter(external_account::Column::Id.eq(id))
        .filter(external_account::Column::UserId.eq(user_id))
        .exec(db)
        .await?
        .rows_affected
        == 1)
}
