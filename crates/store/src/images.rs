//! Images uploaded to Portcullis (organization logos): the bytes and their type, by id.

use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, Set};

use super::entities::image;

pub use image::Model as ImageRow;

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn insert(db: &impl ConnectionTrait, row: ImageRow) -> Result<(), DbErr> {
    image::ActiveModel {
        id: Set(row.id),
        content_type: Set(row.content_type),
        data: Set(row.data),
        created_at: Set(row.created_at),
    }
    .insert(db)
    .await?;
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn get(db: &impl ConnectionTrait, id: &str) -> Result<Option<ImageRow>, DbErr> {
    image::Entity::find_by_id(id.to_owned()).one(db).await
}

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn delete(db: &impl ConnectionTrait, id: &str) -> Result<(), DbErr> {
    image::Entity::delete_by_id(id.to_owned()).exec(db).await?;
    Ok(())
}
