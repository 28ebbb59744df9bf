//! Users and their email addresses and phone numbers.

use std::collections::HashMap;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};

use super::entities::{email_address, phone_number, user};

/// A user with its identifications, as the flows and the API render it.
#[derive(Debug, Clone)]
pub struct UserRecord {
    pub user: user::Model,
    pub emails: Vec<email_address::Model>,
    pub phones: Vec<phone_number::Model>,
}

/// Which kind of identifier a sign-in names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentifierKind {
    Email,
    Phone,
    Username,
}

/// The user owning a verified identifier, if any.
pub async fn find_user_id_by_identifier(
    db: &impl ConnectionTrait,
    kind: IdentifierKind,
    value: &str,
) -> Result<Option<String>, DbErr> {
    Ok(match kind {
        IdentifierKind::Email => email_address::Entity::find()
            .filter(email_address::Column::EmailAddress.eq(value))
            .filter(email_address::Column::Verified.eq(true))
            .one(db)
            .await?
            .map(|e| e.user_id),
        IdentifierKind::Phone => phone_number::Entity::find()
            .filter(phone_number::Column::PhoneNumber.eq(value))
            .filter(phone_number::Column::Verified.eq(true))
            .one(db)
            .await?
            .map(|p| p.user_id),
        IdentifierKind::Username => user::Entity::find()
            .filter(user::Column::Username.eq(value))
            .one(db)
            .await?
            .map(|u| u.id),
    })
}

/// Whether any user already holds this identifier.
pub async fn identifier_taken(
    db: &impl ConnectionTrait,
    kind: IdentifierKind,
    value: &str,
) -> Result<bool, DbErr> {
    Ok(match kind {
        IdentifierKind::Email => email_address::Entity::find()
            .filter(email_address::Column::EmailAddress.eq(value))
            .one(db)
            .await?
            .is_some(),
        IdentifierKind::Phone => phone_number::Entity::find()
            .filter(phone_number::Column::PhoneNumber.eq(value))
            .one(db)
            .await?
            .is_some(),
        IdentifierKind::Username => user::Entity::find()
            .filter(user::Column::Username.eq(value))
            .one(db)
            .await?
            .is_some(),
    })
}

pub async fn get_user(db: &impl ConnectionTrait, id: &str) -> Result<Option<UserRecord>, DbErr> {
    Ok(load_users(db, &[id.to_owned()]).await?.pop())
}

/// Loads users with their identifications in three queries, whatever their number.
pub async fn load_users(
    db: &impl ConnectionTrait,
    ids: &[String],
) -> Result<Vec<UserRecord>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let users = user::Entity::find()
        .filter(user::Column::Id.is_in(ids.iter().cloned()))
        .all(db)
        .await?;
    let emails = email_address::Entity::find()
        .filter(email_address::Column::UserId.is_in(ids.iter().cloned()))
        .order_by_asc(email_address::Column::CreatedAt)
        .all(db)
        .await?;
    let phones = phone_number::Entity::find()
        .filter(phone_number::Column::UserId.is_in(ids.iter().cloned()))
        .order_by_asc(phone_number::Column::CreatedAt)
        .all(db)
        .await?;
    let mut by_user: HashMap<String, UserRecord> = users
        .into_iter()
        .map(|u| {
            (
                u.id.clone(),
                UserRecord {
                    user: u,
                    emails: Vec::new(),
                    phones: Vec::new(),
                },
            )
        })
        .collect();
    for e in emails {
        if let Some(r) = by_user.get_mut(&e.user_id) {
            r.emails.push(e);
        }
    }
    for p in phones {
        if let Some(r) = by_user.get_mut(&p.user_id) {
            r.phones.push(p);
        }
    }
    // Keep the caller's order.
    Ok(ids.iter().filter_map(|id| by_user.remove(id)).collect())
}

pub struct NewUser {
    pub id: String,
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub password_hash: Option<String>,
    pub unsafe_metadata: String,
    pub legal_accepted_at: Option<i64>,
    /// `(id, address, verification strategy)`; the first one becomes primary.
    pub emails: Vec<(String, String, String)>,
    pub phones: Vec<(String, String, String)>,
    pub now: i64,
}

/// Inserts a user and its identifications. Call inside a transaction: a unique violation on
/// any identifier must leave nothing behind.
pub async fn insert_user(db: &impl ConnectionTrait, new: NewUser) -> Result<(), DbErr> {
    user::ActiveModel {
        id: Set(new.id.clone()),
        username: Set(new.username),
        first_name: Set(new.first_name),
        last_name: Set(new.last_name),
        password_hash: Set(new.password_hash),
        primary_email_address_id: Set(new.emails.first().map(|e| e.0.clone())),
        primary_phone_number_id: Set(new.phones.first().map(|p| p.0.clone())),
        unsafe_metadata: Set(new.unsafe_metadata),
        public_metadata: Set("{}".into()),
        legal_accepted_at: Set(new.legal_accepted_at),
        last_sign_in_at: Set(Some(new.now)),
        created_at: Set(new.now),
        updated_at: Set(new.now),
    }
    .insert(db)
    .await?;
    for (id, address, strategy) in new.emails {
        email_address::ActiveModel {
            id: Set(id),
            user_id: Set(new.id.clone()),
            email_address: Set(address),
            verified: Set(true),
            verification_strategy: Set(Some(strategy)),
            created_at: Set(new.now),
            updated_at: Set(new.now),
        }
        .insert(db)
        .await?;
    }
    for (id, number, strategy) in new.phones {
        phone_number::ActiveModel {
            id: Set(id),
            user_id: Set(new.id.clone()),
            phone_number: Set(number),
            verified: Set(true),
            verification_strategy: Set(Some(strategy)),
            created_at: Set(new.now),
            updated_at: Set(new.now),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

pub async fn touch_last_sign_in(
    db: &impl ConnectionTrait,
    user_id: &str,
    now: i64,
) -> Result<(), DbErr> {
    user::Entity::update_many()
        .col_expr(
            user::Column::LastSignInAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(user::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn set_password(
    db: &impl ConnectionTrait,
    user_id: &str,
    password_hash: &str,
    now: i64,
) -> Result<(), DbErr> {
    user::Entity::update_many()
        .col_expr(
            user::Column::PasswordHash,
            sea_orm::sea_query::Expr::value(password_hash),
        )
        .col_expr(
            user::Column::UpdatedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(user::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}
