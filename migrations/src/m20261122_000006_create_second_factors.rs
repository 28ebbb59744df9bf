//! Second factors and the audit trail: authenticator-app (TOTP) secrets, backup codes,
//! phone numbers kept for SMS second factors, and one row per change to a user's factors.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One authenticator per user. `secret` is sealed when [server] key_encryption_key is
        // set. `last_used_step` is the RFC 6238 time step of the last accepted code: a code is
        // accepted only for a later step, so none works twice.
        manager
            .create_table(
                Table::create()
                    .table("totp_factors")
                    .col(string("id").primary_key())
                    .col(string("user_id").unique_key())
                    .col(text("secret"))
                    .col(boolean("verified"))
                    .col(big_integer_null("last_used_step"))
                    .col(big_integer("created_at"))
                    .col(big_integer("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("totp_factors", "user_id")
                            .to("users", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        // Backup codes are kept only as keyed hashes; `used_at` marks a spent one.
        manager
            .create_table(
                Table::create()
                    .table("backup_codes")
                    .col(string("id").primary_key())
                    .col(string("user_id"))
                    .col(string("code_hash"))
                    .col(big_integer_null("used_at"))
                    .col(big_integer("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("backup_codes", "user_id")
                            .to("users", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_backup_codes_user_id")
                    .table("backup_codes")
                    .col("user_id")
                    .to_owned(),
            )
            .await?;

        // SQLite takes one column per ALTER TABLE.
        manager
            .alter_table(
                Table::alter()
                    .table("phone_numbers")
                    .add_column(boolean("reserved_for_second_factor").default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("phone_numbers")
                    .add_column(boolean("default_second_factor").default(false))
                    .to_owned(),
            )
            .await?;

        // The audit trail outlives the user it speaks of: no foreign key.
        manager
            .create_table(
                Table::create()
                    .table("audit_events")
                    .col(string("id").primary_key())
                    .col(string_null("user_id"))
                    .col(string_null("session_id"))
                    .col(string_null("ip"))
                    .col(string("kind"))
                    .col(text("detail"))
                    .col(big_integer("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_events_user_id")
                    .table("audit_events")
                    .col("user_id")
                    .col("created_at")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["default_second_factor", "reserved_for_second_factor"] {
            manager
                .alter_table(
                    Table::alter()
                        .table("phone_numbers")
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for table in ["audit_events", "backup_codes", "totp_factors"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
