//! Ethereum wallets users sign up and in with (EIP-55 checksummed addresses).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("web3_wallets")
                    .col(string("id").primary_key())
                    .col(string("user_id"))
                    .col(string("web3_wallet").unique_key())
                    .col(boolean("verified"))
                    .col(string_null("verification_strategy"))
                    .col(big_integer("created_at"))
                    .col(big_integer("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("web3_wallets", "user_id")
                            .to("users", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_web3_wallets_user_id")
                    .table("web3_wallets")
                    .col("user_id")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("web3_wallets").to_owned())
            .await
    }
}
