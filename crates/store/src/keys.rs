//! Signing keys and the instance secret.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};

use super::entities::{instance_secret, signing_key};

pub use signing_key::Model as SigningKeyRow;

/// Returns the named secret, storing `candidate` first if there is none yet. Two instances
/// starting together both end up with whichever insert won.
#[tracing::instrument(level = "debug", skip_all, fields(name = %name), err(level = "debug"))]
pub async fn get_or_create_secret(
    db: &impl ConnectionTrait,
    name: &str,
    candidate: &str,
    now: i64,
) -> Result<String, DbErr> {
    if let Some(row) = instance_secret::Entity::find_by_id(name.to_owned())
        .one(db)
        .await?
    {
        return Ok(row.value);
    }
    let inserted = instance_secret::ActiveModel {
        name: Set(name.to_owned()),
        value: Set(candidate.to_owned()),
        created_at: Set(now),
    }
    .insert(db)
    .await;
    match inserted {
        Ok(row) => Ok(row.value),
        Err(e) if super::is_unique_violation(&e) => {
            instance_secret::Entity::find_by_id(name.to_owned())
                .one(db)
                .await?
                .map(|r| r.value)
                .ok_or(e)
        }
        Err(e) => Err(e),
    }
}

/// Keys retired after `since` or not at all, newest activation first.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn keys_in_use(
    db: &impl ConnectionTrait,
    since: i64,
) -> Result<Vec<SigningKeyRow>, DbErr> {
    signing_key::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(signing_key::Column::RetiredAt.is_null())
                .add(signing_key::Column::RetiredAt.gt(since)),
        )
        .order_by_desc(signing_key::Column::ActivatesAt)
        .order_by_desc(signing_key::Column::CreatedAt)
        .all(db)
        .await
}

/// Marks every current key of `alg` to stop signing at `at`.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn retire_alg(db: &impl ConnectionTrait, alg: &str, at: i64) -> Result<(), DbErr> {
    signing_key::Entity::update_many()
        .col_expr(
            signing_key::Column::RetiredAt,
            sea_orm::sea_query::Expr::value(at),
        )
        .filter(signing_key::Column::Alg.eq(alg))
        .filter(signing_key::Column::RetiredAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn insert_key(db: &impl ConnectionTrait, row: SigningKeyRow) -> Result<(), DbErr> {
    signing_key::ActiveModel {
        kid: Set(row.kid),
        alg: Set(row.alg),
        private_pem: Set(row.private_pem),
        public_jwk: Set(row.public_jwk),
        created_at: Set(row.created_at),
        retired_at: Set(row.retired_at),
        activates_at: Set(row.activates_at),
    }
    .insert(db)
    .await?;
    Ok(())
}
