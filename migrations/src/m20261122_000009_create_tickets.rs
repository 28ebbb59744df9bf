//! Tickets: invitations (sign up with this email) and sign-in tokens (sign in as this user),
//! made by an operator. Only a keyed hash of the token is kept; each works once, until it
//! expires.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("tickets")
                    .col(string("id").primary_key())
                    .col(string("token_hash").unique_key())
                    .col(string("kind"))
                    .col(string_null("email_address"))
                    .col(string_null("user_id"))
                    .col(big_integer("expires_at"))
                    .col(big_integer_null("used_at"))
                    .col(big_integer("created_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("tickets").to_owned())
            .await
    }
}
