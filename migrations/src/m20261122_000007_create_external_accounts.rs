//! Accounts at upstream providers (Google, Facebook, X, OIDC / OAuth 2.0, enterprise SSO)
//! linked to users. One upstream account belongs to at most one user.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("external_accounts")
                    .col(string("id").primary_key())
                    .col(string("user_id"))
                    .col(string("provider"))
                    .col(string("provider_user_id"))
                    .col(string_null("email_address"))
                    .col(boolean("email_verified"))
                    .col(string_null("first_name"))
                    .col(string_null("last_name"))
                    .col(string_null("username"))
                    .col(text_null("image_url"))
                    .col(big_integer("created_at"))
                    .col(big_integer("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("external_accounts", "user_id")
                            .to("users", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_external_accounts_provider_subject")
                    .table("external_accounts")
                    .col("provider")
                    .col("provider_user_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_external_accounts_user_id")
                    .table("external_accounts")
                    .col("user_id")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("external_accounts").to_owned())
            .await
    }
}
