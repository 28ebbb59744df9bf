use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organization_invitations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub organization_id: String,
    /// Lower-cased.
    pub email_address: String,
    pub role: String,
    /// `pending`, `accepted` or `revoked` (a pending one past `expires_at` is expired).
    pub status: String,
    /// A keyed hash of the ticket a link carries (none: accepted once signed in).
    pub token_hash: Option<String>,
    pub public_metadata: String,
    pub private_metadata: String,
    pub inviter_user_id: Option<String>,
    pub expires_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
