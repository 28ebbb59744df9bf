use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "signing_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub kid: String,
    pub alg: String,
    pub private_pem: String,
    pub public_jwk: String,
    pub created_at: i64,
    /// Stops signing at this time (a newer key took over); still published a while after.
    pub retired_at: Option<i64>,
    /// May start signing at this time; rotation publishes keys ahead of use.
    pub activates_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
