//! Key rotation publishes a new signing key before it signs anything: `activates_at` is when
//! a key may start signing (earlier keys: at once).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("signing_keys")
                    .add_column(big_integer("activates_at").default(0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("signing_keys")
                    .drop_column("activates_at")
                    .to_owned(),
            )
            .await
    }
}
