use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub password_hash: Option<String>,
    pub primary_email_address_id: Option<String>,
    pub primary_phone_number_id: Option<String>,
    pub unsafe_metadata: String,
    pub public_metadata: String,
    /// Only the Backend API and the admin API read or write it.
    pub private_metadata: String,
    /// The app's own id for the user, unique when set.
    pub external_id: Option<String>,
    /// The language the user reads (BCP 47), if known.
    pub locale: Option<String>,
    pub legal_accepted_at: Option<i64>,
    pub last_sign_in_at: Option<i64>,
    pub banned: bool,
    pub locked: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
