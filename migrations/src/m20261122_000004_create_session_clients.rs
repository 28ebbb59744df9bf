//! Which relying parties received tokens within a session, so that ending the session can
//! notify each of them (OpenID Connect Back-Channel Logout 1.0).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("session_clients")
                    .col(string("session_id"))
                    .col(string("client_id"))
                    .col(big_integer("created_at"))
                    .primary_key(Index::create().col("session_id").col("client_id"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("session_clients", "session_id")
                            .to("sessions", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("session_clients").to_owned())
            .await
    }
}
