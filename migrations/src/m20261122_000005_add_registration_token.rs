//! Dynamically registered clients (RFC 7591) are managed with a registration access token
//! (RFC 7592); its keyed hash is kept with the client.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("oauth_clients")
                    .add_column(string_null("registration_token_hash"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("oauth_clients")
                    .drop_column("registration_token_hash")
                    .to_owned(),
            )
            .await
    }
}
