//! Images uploaded to Portcullis (organization logos), served at `/images/{id}`.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("images")
                    .col(string("id").primary_key())
                    // image/png, image/jpeg, image/gif or image/webp, read from the bytes.
                    .col(string("content_type"))
                    .col(blob("data"))
                    .col(big_integer("created_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("images").to_owned())
            .await
    }
}
