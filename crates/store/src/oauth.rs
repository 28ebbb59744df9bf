//! Relying-party clients added at run time, consents, and refresh-token families.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set, sea_query::Expr,
};

use super::entities::{consent, generation, oauth_client, refresh_token};

pub use oauth_client::Model as ClientRow;
pub use refresh_token::Model as RefreshRow;

#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn get_client(db: &impl ConnectionTrait, id: &str) -> Result<Option<ClientRow>, DbErr> {
    oauth_client::Entity::find_by_id(id.to_owned())
        .one(db)
        .await
}

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn list_clients(db: &impl ConnectionTrait) -> Result<Vec<ClientRow>, DbErr> {
    oauth_client::Entity::find()
        .order_by_asc(oauth_client::Column::ClientId)
        .all(db)
        .await
}

/// How many times the stored clients have changed: instances that cache them compare it with
/// the count they last saw.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn clients_generation(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    Ok(generation::Entity::find_by_id(CLIENTS.to_owned())
        .one(db)
        .await?
        .map_or(0, |g| g.value))
}

const CLIENTS: &str = "clients";

/// Counts one change to the stored clients. Every write below calls it on the same
/// connection, so inside a transaction the change and the count commit together.
pub(crate) async fn client_changed(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    generation::Entity::update_many()
        .col_expr(
            generation::Column::Value,
            sea_orm::ExprTrait::add(Expr::col(generation::Column::Value), 1),
        )
        .filter(generation::Column::Name.eq(CLIENTS))
        .exec(db)
        .await?;
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn insert_client(db: &impl ConnectionTrait, row: ClientRow) -> Result<(), DbErr> {
    oauth_client::ActiveModel {
        client_id: Set(row.client_id),
        settings: Set(row.settings),
        secret_hash: Set(row.secret_hash),
        registration_token_hash: Set(row.registration_token_hash),
        created_at: Set(row.created_at),
        updated_at: Set(row.updated_at),
    }
    .insert(db)
    .await?;
    client_changed(db).await
}

/// Replaces a stored client's settings (and secret hash, when given).
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn update_client(
    db: &impl ConnectionTrait,
    id: &str,
    settings: &str,
    now: i64,
) -> Result<(), DbErr> {
    oauth_client::Entity::update_many()
        .col_expr(oauth_client::Column::Settings, Expr::value(settings))
        .col_expr(oauth_client::Column::UpdatedAt, Expr::value(now))
        .filter(oauth_client::Column::ClientId.eq(id))
        .exec(db)
        .await?;
    client_changed(db).await
}

/// True when a client was removed.
#[tracing::instrument(level = "debug", skip_all, fields(id = %id), err(level = "debug"))]
pub async fn delete_client(db: &impl ConnectionTrait, id: &str) -> Result<bool, DbErr> {
    let res = oauth_client::Entity::delete_by_id(id.to_owned())
        .exec(db)
        .await?;
    client_changed(db).await?;
    Ok(res.rows_affected > 0)
}

/// The scopes a user has granted a client, if any.
#[tracing::instrument(level = "debug", skip_all, fields(user_id = %user_id, client_id = %client_id), err(level = "debug"))]
pub async fn consented_scopes(
    db: &impl ConnectionTrait,
    user_id: &str,
    client_id: &str,
) -> Result<Option<Vec<String>>, DbErr> {
    let row = consent::Entity::find_by_id((user_id.to_owned(), client_id.to_owned()))
        .one(db)
        .await?;
    Ok(row.map(|r| serde_json::from_str(&r.scopes).unwrap_or_default()))
}

/// Records (or widens) a user's consent for a client.
#[tracing::instrument(level = "debug", skip_all, fields(user_id = %user_id, client_id = %client_id), err(level = "debug"))]
pub async fn save_consent(
    db: &impl ConnectionTrait,
    user_id: &str,
    client_id: &str,
    scopes: &[String],
    now: i64,
) -> Result<(), DbErr> {
    let mut all = consented_scopes(db, user_id, client_id)
        .await?
        .unwrap_or_default();
    let existed = !all.is_empty();
    for s in scopes {
        if !all.contains(s) {
            all.push(s.clone());
        }
    }
    let json = serde_json::to_string(&all).unwrap_or_else(|_| "[]".into());
    if existed {
        consent::Entity::update_many()
            .col_expr(consent::Column::Scopes, Expr::value(json))
            .col_expr(consent::Column::UpdatedAt, Expr::value(now))
            .filter(consent::Column::UserId.eq(user_id))
            .filter(consent::Column::ClientId.eq(client_id))
            .exec(db)
            .await?;
    } else {
        consent::ActiveModel {
            user_id: Set(user_id.to_owned()),
            client_id: Set(client_id.to_owned()),
            scopes: Set(json),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn insert_refresh(db: &impl ConnectionTrait, row: RefreshRow) -> Result<(), DbErr> {
    refresh_token::ActiveModel {
        token_hash: Set(row.token_hash),
        family_id: Set(row.family_id),
        client_id: Set(row.client_id),
        user_id: Set(row.user_id),
        session_id: Set(row.session_id),
        scopes: Set(row.scopes),
        auth: Set(row.auth),
        created_at: Set(row.created_at),
        expire_at: Set(row.expire_at),
        used_at: Set(row.used_at),
        revoked_at: Set(row.revoked_at),
        dpop_jkt: Set(row.dpop_jkt),
    }
    .insert(db)
    .await?;
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn get_refresh(
    db: &impl ConnectionTrait,
    hash: &str,
) -> Result<Option<RefreshRow>, DbErr> {
    refresh_token::Entity::find_by_id(hash.to_owned())
        .one(db)
        .await
}

/// Marks a refresh token used; false when another request used it first.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn mark_refresh_used(
    db: &impl ConnectionTrait,
    hash: &str,
    now: i64,
) -> Result<bool, DbErr> {
    let res = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
        .filter(refresh_token::Column::TokenHash.eq(hash))
        .filter(refresh_token::Column::UsedAt.is_null())
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected == 1)
}

#[tracing::instrument(level = "debug", skip_all, fields(family_id = %family_id), err(level = "debug"))]
pub async fn revoke_family(
    db: &impl ConnectionTrait,
    family_id: &str,
    now: i64,
) -> Result<(), DbErr> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
        .filter(refresh_token::Column::FamilyId.eq(family_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Revokes every refresh-token family of a user, but those bound to `keep_session` (the
/// session that made the change, when it stays signed in).
#[tracing::instrument(level = "debug", skip_all, fields(user_id = %user_id), err(level = "debug"))]
pub async fn revoke_families_of_user(
    db: &impl ConnectionTrait,
    user_id: &str,
    keep_session: Option<&str>,
    now: i64,
) -> Result<u64, DbErr> {
    let mut q = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
        .filter(refresh_token::Column::UserId.eq(user_id))
        .filter(refresh_token::Column::RevokedAt.is_null());
    if let Some(keep) = keep_session {
        q = q.filter(
            sea_orm::Condition::any()
                .add(refresh_token::Column::SessionId.is_null())
                .add(refresh_token::Column::SessionId.ne(keep)),
        );
    }
    Ok(q.exec(db).await?.rows_affected)
}

/// Revokes every refresh-token family bound to one of these sessions.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn revoke_families_of_sessions(
    db: &impl ConnectionTrait,
    session_ids: &[String],
    now: i64,
) -> Result<u64, DbErr> {
    if session_ids.is_empty() {
        return Ok(0);
    }
    let res = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
        .filter(refresh_token::Column::SessionId.is_in(session_ids.iter().cloned()))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(res.rows_affected)
}

/// Records that `client_id` received tokens within `session_id` (once).
#[tracing::instrument(level = "debug", skip_all, fields(session_id = %session_id, client_id = %client_id), err(level = "debug"))]
pub async fn record_session_client(
    db: &impl ConnectionTrait,
    session_id: &str,
    client_id: &str,
    now: i64,
) -> Result<(), DbErr> {
    use super::entities::session_client;
    use sea_orm::sea_query::OnConflict;
    // One statement whether or not the pair is already known: a pair already there (or
    // inserted by a concurrent redemption) is left as it is.
    session_client::Entity::insert(session_client::ActiveModel {
        session_id: Set(session_id.to_owned()),
        client_id: Set(client_id.to_owned()),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([
            session_client::Column::SessionId,
            session_client::Column::ClientId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// `(session_id, client_id)` pairs for these sessions.
#[tracing::instrument(level = "debug", skip_all, err(level = "debug"))]
pub async fn clients_of_sessions(
    db: &impl ConnectionTrait,
    session_ids: &[String],
) -> Result<Vec<(String, String)>, DbErr> {
    use super::entities::session_client;
    if session_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(session_client::Entity::find()
        .filter(session_client::Column::SessionId.is_in(session_ids.iter().cloned()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.session_id, r.client_id))
        .collect())
}

/// The clients a user has consented to, with the scopes.
#[tracing::instrument(level = "debug", skip_all, fields(user_id = %user_id), err(level = "debug"))]
pub async fn consents_of_user(
    db: &impl ConnectionTrait,
    user_id: &str,
) -> Result<Vec<(String, Vec<String>)>, DbErr> {
    Ok(consent::Entity::find()
        .filter(consent::Column::UserId.eq(user_id))
        .order_by_asc(consent::Column::ClientId)
        .all(db)
        .await?
        .into_iter()
        .map(|c| {
            (
                c.client_id,
                serde_json::from_str(&c.scopes).unwrap_or_default(),
            )
        })
        .collect())
}

/// Withdraws a user's consent for a client and revokes the refresh tokens it holds for them.
#[tracing::instrument(level = "debug", skip_all, fields(user_id = %user_id, client_id = %client_id), err(level = "debug"))]
pub async fn withdraw_consent(
    db: &impl ConnectionTrait,
    user_id: &str,
    client_id: &str,
    now: i64,
) -> Result<(), DbErr> {
    consent::Entity::delete_many()
        .filter(consent::Column::UserId.eq(user_id))
        .filter(consent::Column::ClientId.eq(client_id))
        .exec(db)
        .await?;
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
        .filter(refresh_token::Column::UserId.eq(user_id))
        .filter(refresh_token::Column::ClientId.eq(client_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}
