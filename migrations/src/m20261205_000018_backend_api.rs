//! What Clerk's Backend API keeps that Portcullis did not: a user's private metadata (never
//! shown to the user's own browser) and the app's own id for the user (`external_id`, unique
//! when set); the operator acting as the user in an impersonation session (`sessions.actor`);
//! what a ticket carries besides its user (`tickets.detail`: an invitation's public metadata,
//! an actor token's actor); and JWT templates.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        manager
            .alter_table(
                Table::alter()
                    .table("users")
                    .add_column(text("private_metadata").default("{}"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("users")
                    .add_column(string_null("external_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("users_external_id")
                    .table("users")
                    .col("external_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("sessions")
                    .add_column(text_null("actor"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("tickets")
                    .add_column(text_null("detail"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("jwt_templates")
                    .col(string("id").primary_key())
                    .col(string("name").unique_key())
                    // The claims document, with `{{…}}` shortcodes.
                    .col(text("claims"))
                    .col(integer("lifetime"))
                    .col(integer("allowed_clock_skew"))
                    // None: signed with the instance's session-token key. Otherwise HS256,
                    // HS384 or HS512 with `signing_key`, sealed when a key-encryption key is set.
                    .col(string_null("signing_algorithm"))
                    .col(text_null("signing_key"))
                    .col(big_integer("created_at"))
                    .col(big_integer("updated_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("jwt_templates").to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("tickets")
                    .drop_column("detail")
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("sessions")
                    .drop_column("actor")
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("users_external_id")
                    .table("users")
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("users")
                    .drop_column("external_id")
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("users")
                    .drop_column("private_metadata")
                    .to_owned(),
            )
            .await
    }
}
