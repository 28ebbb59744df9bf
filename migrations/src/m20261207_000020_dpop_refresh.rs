//! DPoP (RFC 9449 §5): a public client's refresh token is bound to the key of the proof it
//! was issued with (`refresh_tokens.dpop_jkt`, a JWK SHA-256 thumbprint), and is refused
//! without a proof by that key.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("refresh_tokens")
                    .add_column(string_null("dpop_jkt"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("refresh_tokens")
                    .drop_column("dpop_jkt")
                    .to_owned(),
            )
            .await
    }
}
