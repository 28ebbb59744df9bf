//! The language a user reads (`users.locale`, a BCP 47 tag such as `fr-CA`, as Clerk's user
//! has it): set at sign-up from the browser, changed by the user or an operator, and used for
//! the pages once the user is known and for every email and SMS sent to them.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("users")
                    .add_column(string_null("locale"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("users")
                    .drop_column("locale")
                    .to_owned(),
            )
            .await
    }
}
