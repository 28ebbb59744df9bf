use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub client_id: String,
    pub user_id: String,
    pub status: String,
    /// JSON array of the strategies verified for this session, e.g. `["password"]`.
    pub factors: String,
    pub first_factor_at: i64,
    pub second_factor_at: Option<i64>,
    pub last_active_at: i64,
    pub expire_at: i64,
    pub abandon_at: i64,
    /// The organization the user acts for in this session (none: their personal account).
    pub last_active_organization_id: Option<String>,
    /// The operator acting as the user (impersonation), as JSON: `{"sub": …}`.
    pub actor: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
