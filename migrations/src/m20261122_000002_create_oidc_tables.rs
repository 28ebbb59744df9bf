//! The OpenID provider's durable state: relying-party clients added at run time (those in
//! config.toml are not stored), consents, and refresh tokens (hashed, grouped in families so
//! a reused token can revoke everything issued from the same grant).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("oauth_clients")
                    .col(string("client_id").primary_key())
                    // The client's settings as JSON, the same shape as a [[clients]] table.
                    .col(text("settings"))
                    .col(string_null("secret_hash"))
                    .col(big_integer("created_at"))
                    .col(big_integer("updated_at"))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("consents")
                    .col(string("user_id"))
                    .col(string("client_id"))
                    .col(text("scopes"))
                    .col(big_integer("created_at"))
                    .col(big_integer("updated_at"))
                    .primary_key(Index::create().col("user_id").col("client_id"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("consents", "user_id")
                            .to("users", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("refresh_tokens")
                    .col(string("token_hash").primary_key())
                    .col(string("family_id"))
                    .col(string("client_id"))
                    .col(string("user_id"))
                    .col(string_null("session_id"))
                    .col(text("scopes"))
                    // Authentication facts carried into refreshed ID tokens.
                    .col(text("auth"))
                    .col(big_integer("created_at"))
                    .col(big_integer("expire_at"))
                    .col(big_integer_null("used_at"))
                    .col(big_integer_null("revoked_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("refresh_tokens", "user_id")
                            .to("users", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_refresh_tokens_family_id")
                    .table("refresh_tokens")
                    .col("family_id")
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["refresh_tokens", "consents", "oauth_clients"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
