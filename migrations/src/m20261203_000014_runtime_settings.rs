//! Instance settings changed at run time (one versioned document), the users who may
//! operate the instance from the dashboard, and an index for the dashboard's daily counts.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("instance_settings")
                    // Always 1: one document per instance.
                    .col(integer("id").primary_key())
                    .col(big_integer("version"))
                    .col(text("document"))
                    .col(big_integer("updated_at"))
                    .col(string("updated_by"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("instance_admins")
                    .col(string("user_id").primary_key())
                    .col(big_integer("granted_at"))
                    .col(string("granted_by"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("instance_admins", "user_id")
                            .to("users", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_events_kind_created_at")
                    .table("audit_events")
                    .col("kind")
                    .col("created_at")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_audit_events_kind_created_at")
                    .table("audit_events")
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table("instance_admins").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("instance_settings").to_owned())
            .await
    }
}
