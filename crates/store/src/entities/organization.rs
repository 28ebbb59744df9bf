use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organizations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: String,
    pub slug: String,
    pub image_url: Option<String>,
    /// JSON object, readable by members through the Frontend API.
    pub public_metadata: String,
    /// JSON object, for the operator's eyes only.
    pub private_metadata: String,
    /// 0: no limit.
    pub max_allowed_memberships: i32,
    pub members_count: i32,
    pub admin_delete_enabled: bool,
    pub created_by: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
