//! Organizations: teams of users, their memberships with a role, and invitations to join;
//! the organization a session has active.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("organizations")
                    .col(string("id").primary_key())
                    .col(string("name"))
                    .col(string("slug").unique_key())
                    .col(string_null("image_url"))
                    .col(text("public_metadata"))
                    .col(text("private_metadata"))
                    // 0: no limit.
                    .col(integer("max_allowed_memberships"))
                    // Kept in the transaction of every membership change.
                    .col(integer("members_count"))
                    .col(boolean("admin_delete_enabled"))
                    .col(string_null("created_by"))
                    .col(big_integer("created_at"))
                    .col(big_integer("updated_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("organization_memberships")
                    .col(string("id").primary_key())
                    .col(string("organization_id"))
                    .col(string("user_id"))
                    .col(string("role"))
                    .col(text("public_metadata"))
                    .col(text("private_metadata"))
                    .col(big_integer("created_at"))
                    .col(big_integer("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("organization_memberships", "organization_id")
                            .to("organizations", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from("organization_memberships", "user_id")
                            .to("users", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_org_memberships_org_user")
                    .table("organization_memberships")
                    .col("organization_id")
                    .col("user_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_org_memberships_user")
                    .table("organization_memberships")
                    .col("user_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("organization_invitations")
                    .col(string("id").primary_key())
                    .col(string("organization_id"))
                    .col(string("email_address"))
                    .col(string("role"))
                    // pending, accepted or revoked; expiry is read from expires_at.
                    .col(string("status"))
                    // A keyed hash of the ticket a link carries (none: accepted once signed in).
                    .col(string_null("token_hash").unique_key())
                    .col(text("public_metadata"))
                    .col(text("private_metadata"))
                    .col(string_null("inviter_user_id"))
                    .col(big_integer("expires_at"))
                    .col(big_integer("created_at"))
                    .col(big_integer("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("organization_invitations", "organization_id")
                            .to("organizations", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_org_invitations_org_status")
                    .table("organization_invitations")
                    .col("organization_id")
                    .col("status")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_org_invitations_email")
                    .table("organization_invitations")
                    .col("email_address")
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("sessions")
                    .add_column(string_null("last_active_organization_id"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("sessions")
                    .drop_column("last_active_organization_id")
                    .to_owned(),
            )
            .await?;
        for table in [
            "organization_invitations",
            "organization_memberships",
            "organizations",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
