use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "jwt_templates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub name: String,
    /// The claims document (a JSON object), with `{{…}}` shortcodes.
    pub claims: String,
    /// Seconds a token lives.
    pub lifetime: i32,
    /// Seconds `nbf` lies before `iat`.
    pub allowed_clock_skew: i32,
    /// `HS256`, `HS384` or `HS512` with `signing_key`; none: the session-token key.
    pub signing_algorithm: Option<String>,
    /// Sealed when a key-encryption key is configured.
    pub signing_key: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
