use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "instance_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i32,
    /// Goes up by one with every change; instances compare it with their own.
    pub version: i64,
    /// The changes made at run time over config.toml, as JSON (`{"auth": {…}, …}`).
    pub document: String,
    pub updated_at: i64,
    /// Who made the last change (an admin key or a user), for display.
    pub updated_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
