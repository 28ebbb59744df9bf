//! A counter of changes to stored relying-party clients (`generations`, row `clients`). Each
//! instance keeps the stored clients it has looked up in memory, so a token costs no database
//! statement; every write to `oauth_clients` adds one to the counter in the same transaction,
//! and each instance compares the counter with the one it last saw every second. A change
//! made by another instance, or by `portcullis clients` from a shell, is thus seen everywhere
//! within a second even when the announcement over Redis is lost.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("generations")
                    .col(string("name").primary_key())
                    .col(big_integer("value"))
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table("generations")
                    .columns(["name", "value"])
                    .values_panic(["clients".into(), 0i64.into()])
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("generations").to_owned())
            .await
    }
}
