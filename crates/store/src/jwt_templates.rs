//! JWT templates: named sets of claims for tokens that third-party services read.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};

use super::entities::jwt_template;

pub use jwt_template::Model as JwtTemplateRow;

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<JwtTemplateRow>, DbErr> {
    jwt_template::Entity::find()
        .order_by_asc(jwt_template::Column::CreatedAt)
        .order_by_asc(jwt_template::Column::Id)
        .all(db)
        .await
}

#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn get(db: &impl ConnectionTrait, id: &str) -> Result<Option<JwtTemplateRow>, DbErr> {
    jwt_template::Entity::find_by_id(id.to_owned())
        .one(db)
        .await
}

#[tracing::instrument(level = "debug", skip_all, fields(name = %name), err(level = "debug"))]
pub async fn by_name(
    db: &impl ConnectionTrait,
    name: &str,
) -> Result<Option<JwtTemplateRow>, DbErr> {
    jwt_template::Entity::find()
        .filter(jwt_template::Column::Name.eq(name))
        .one(db)
        .await
}

/// Inserts a template, or replaces every field of the one with its id.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn save(db: &impl ConnectionTrait, row: JwtTemplateRow, new: bool) -> Result<(), DbErr> {
    let model = jwt_template::ActiveModel {
        id: Set(row.id),
        name: Set(row.name),
        claims: Set(row.claims),
        lifetime: Set(row.lifetime),
        allowed_clock_skew: Set(row.allowed_clock_skew),
        signing_algorithm: Set(row.signing_algorithm),
        signing_key: Set(row.signing_key),
        created_at: Set(row.created_at),
        updated_at: Set(row.updated_at),
    };
    if new {
        model.insert(db).await?;
    } else {
        model.update(db).await?;
    }
    Ok(())
}

/// Deletes a template; false when there was none.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn delete(db: &impl ConnectionTrait, id: &str) -> Result<bool, DbErr> {
    Ok(jwt_template::Entity::delete_by_id(id.to_owned())
        .exec(db)
        .await?
        .rows_affected
        == 1)
}
